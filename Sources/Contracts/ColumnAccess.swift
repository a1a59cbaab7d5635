import Tables

extension Column {
    /// The non-null numeric values (floats, float32 widened exactly, integers, timestamps in microseconds, booleans as
    /// 0/1), NaN excluded; `nil` for category columns.
    var numericValues: [Double]? {
        guard type != .category else { return nil }
        var values: [Double] = []
        values.reserveCapacity(count - nullCount)
        switch self.values {
        case .float64(let v): for i in 0..<count where validity.isValid(i) && !v[i].isNaN { values.append(v[i]) }
        case .float32(let v): for i in 0..<count where validity.isValid(i) && !v[i].isNaN { values.append(Double(v[i])) }
        case .int64(let v), .timestamp(let v): for i in 0..<count where validity.isValid(i) { values.append(Double(v[i])) }
        case .bool(let v): for i in 0..<count where validity.isValid(i) { values.append(v[i] ? 1 : 0) }
        case .category, .text: return nil
        }
        return values
    }

    /// How many rows hold each category (category columns only; others give their text).
    var valueCounts: [String: Int] {
        if let (codes, dictionary) = categories {
            var counts = [Int](repeating: 0, count: dictionary.count)
            for i in 0..<count where validity.isValid(i) { counts[Int(codes[i])] += 1 }
            var result: [String: Int] = [:]
            for (code, n) in counts.enumerated() where n > 0 { result[dictionary[code]] = n }
            return result
        }
        var result: [String: Int] = [:]
        for i in 0..<count { if let text = text(at: i) { result[text, default: 0] += 1 } }
        return result
    }

    /// For each row, whether its value is in `allowed` (nulls count as allowed). Text is
    /// compared exactly; numeric columns also match allowed values numerically (`1` = `1.0`).
    func membership(in allowed: [String]) -> [Bool] {
        let allowedText = Set(allowed)
        let allowedNumbers = Set(allowed.compactMap { Double($0) })
        if let (codes, dictionary) = categories {
            let codeAllowed = dictionary.map { allowedText.contains($0) }
            return (0..<count).map { validity.isNull($0) || codeAllowed[Int(codes[$0])] }
        }
        return (0..<count).map { i in
            guard validity.isValid(i) else { return true }
            if let number = number(at: i), allowedNumbers.contains(number) { return true }
            return allowedText.contains(text(at: i) ?? "")
        }
    }
}

extension Table {
    /// Per-row 128-bit digests of the values in `columns` (see `RowHasher`).
    func rowDigests(columns names: [String]) -> [RowDigest] {
        RowHasher.digests(columns: names.compactMap { column(named: $0) }, rowCount: rowCount)
    }
}
