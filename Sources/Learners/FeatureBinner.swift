import Kernels

/// Maps one feature column to UInt8 bins for the tree learner. Bin 0 holds missing values
/// (and, for categorical columns, categories outside the binned set); bins 1… hold values.
struct FeatureBinner: Sendable, Equatable {
    enum Mapping: Sendable, Equatable {
        /// Value v goes to the first bin b ≥ 1 with v ≤ upperBounds[b - 1]; the last bound is +∞.
        case numeric(upperBounds: [Float])
        /// Code codes[b - 1] goes to bin b; codes are ascending.
        case categorical(codes: [Float])
    }

    let mapping: Mapping

    /// Number of bins in use, including the missing bin 0.
    var binCount: Int {
        switch mapping {
        case let .numeric(bounds): return bounds.count + 1
        case let .categorical(codes): return codes.count + 1
        }
    }

    var isCategorical: Bool {
        if case .categorical = mapping { return true }
        return false
    }

    /// Learns bins from `sample` (the column's values on sampled rows): quantile bins for numeric
    /// columns, the most frequent codes for categorical ones; at most `maxBins` bins in all.
    static func fit(sample: [Float], kind: FeatureKind, maxBins: Int) -> FeatureBinner {
        let present = sample.filter { !$0.isNaN }
        let valueBins = maxBins - 1
        switch kind {
        case .categorical:
            var counts: [Float: Int] = [:]
            for code in present { counts[code, default: 0] += 1 }
            let frequent = counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            return FeatureBinner(mapping: .categorical(codes: frequent.prefix(valueBins).map(\.key).sorted()))
        case .numeric:
            // The same order as `present.sorted()` (both stable, −0 equal to +0), by radix.
            let sorted = RadixSort.sorted(present) { RadixSort.ascendingKey(Double($0)) }
            var distinct: [Float] = [], counts: [Int] = []
            for value in sorted {
                if value == distinct.last { counts[counts.count - 1] += 1 } else { distinct.append(value); counts.append(1) }
            }
            guard !distinct.isEmpty else { return FeatureBinner(mapping: .numeric(upperBounds: [.infinity])) }
            var bounds: [Float] = []
            var cumulative = 0
            let perBin = Double(sorted.count) / Double(valueBins)
            for k in 0..<(distinct.count - 1) {
                cumulative += counts[k]
                let closeBin = distinct.count <= valueBins || Double(cumulative) >= perBin * Double(bounds.count + 1)
                if closeBin && bounds.count < valueBins - 1 {
                    bounds.append(midpoint(distinct[k], distinct[k + 1]))
                }
            }
            bounds.append(.infinity)
            return FeatureBinner(mapping: .numeric(upperBounds: bounds))
        }
    }

    /// A float b with low ≤ b < high, near their midpoint.
    private static func midpoint(_ low: Float, _ high: Float) -> Float {
        let middle = Float((Double(low) + Double(high)) / 2)
        return middle < high ? middle : low
    }

    /// Bins every value of a column into `output[i·stride]`.
    func bin(_ values: UnsafeBufferPointer<Float>, into output: UnsafeMutablePointer<UInt8>, stride: Int) {
        switch mapping {
        case let .numeric(bounds):
            bounds.withUnsafeBufferPointer { upper in
                // Lower bound: the first bound ≥ value (the last bound is +∞). Each step adds
                // `half` times a 0/1 comparison instead of branching on it (a ternary compiled to
                // a branch mispredicted half the steps), and four values search side by side so
                // their dependent loads overlap. NaN compares false everywhere and goes to bin 0.
                @inline(__always) func step(_ base: Int, _ half: Int, _ value: Float) -> Int {
                    base &+ half &* Int(unsafeBitCast(upper[base &+ half &- 1] < value, to: UInt8.self))
                }
                var i = 0
                while i + 4 <= values.count {
                    let v0 = values[i], v1 = values[i + 1], v2 = values[i + 2], v3 = values[i + 3]
                    var b0 = 0, b1 = 0, b2 = 0, b3 = 0, length = upper.count
                    while length > 1 {
                        let half = length >> 1
                        b0 = step(b0, half, v0)
                        b1 = step(b1, half, v1)
                        b2 = step(b2, half, v2)
                        b3 = step(b3, half, v3)
                        length -= half
                    }
                    output[i * stride] = v0.isNaN ? 0 : UInt8(b0 + 1)
                    output[(i + 1) * stride] = v1.isNaN ? 0 : UInt8(b1 + 1)
                    output[(i + 2) * stride] = v2.isNaN ? 0 : UInt8(b2 + 1)
                    output[(i + 3) * stride] = v3.isNaN ? 0 : UInt8(b3 + 1)
                    i += 4
                }
                for i in i..<values.count {
                    var base = 0, length = upper.count
                    while length > 1 {
                        let half = length >> 1
                        base = step(base, half, values[i])
                        length -= half
                    }
                    output[i * stride] = values[i].isNaN ? 0 : UInt8(base + 1)
                }
            }
        case let .categorical(codes):
            var lookup: [Float: UInt8] = [:]
            for (index, code) in codes.enumerated() { lookup[code] = UInt8(index + 1) }
            for (i, value) in values.enumerated() { output[i * stride] = value.isNaN ? 0 : lookup[value] ?? 0 }
        }
    }
}

/// UInt8 bins of a feature matrix. Row-major `bins` (row i is `bins[i·featureCount ..<
/// (i+1)·featureCount]`) feed histograms; the optional column-major copy (column f is
/// `columnBins[f·rowCount ..< (f+1)·rowCount]`) keeps row partitioning within one column.
struct BinnedMatrix: Sendable {
    let bins: [UInt8]
    let columnBins: [UInt8]
    let rowCount: Int
    let featureCount: Int

    /// Bins `rows` of `features` (all rows when nil) with the given binners, in parallel blocks.
    init(_ features: FeatureMatrix, rows: [Int]?, binners: [FeatureBinner], columnMajorCopy: Bool,
         threads: ParallelFor.Threads) {
        let featureCount = binners.count
        let rowCount = rows?.count ?? features.rowCount
        var bins = [UInt8](repeating: 0, count: rowCount * featureCount)
        var columnBins = [UInt8](repeating: 0, count: columnMajorCopy ? rowCount * featureCount : 0)
        bins.withUnsafeMutableBufferPointer { buffer in
            columnBins.withUnsafeMutableBufferPointer { columnBuffer in
                guard let base = buffer.baseAddress else { return }
                let out = SendablePointer(base)
                // (An empty array may still have a base address: ask the flag, not the pointer.)
                let columnOut = columnMajorCopy ? columnBuffer.baseAddress.map(SendablePointer.init) : nil
                ParallelFor.run(count: rowCount, blockSize: 16_384, threads: threads) { range in
                    for f in 0..<featureCount {
                        let values: [Float]
                        if let rows { values = range.map { features.columns[f][rows[$0]] } } else {
                            values = Array(features.columns[f][range])
                        }
                        let rowMajor = out.base + range.lowerBound * featureCount + f
                        values.withUnsafeBufferPointer { binners[f].bin($0, into: rowMajor, stride: featureCount) }
                        // The column-major copy of this block, while its bins are still in cache.
                        if let columnOut {
                            let column = columnOut.base + f * rowCount + range.lowerBound
                            for i in 0..<range.count { column[i] = rowMajor[i * featureCount] }
                        }
                    }
                }
            }
        }
        self.bins = bins
        self.columnBins = columnBins
        self.rowCount = rowCount
        self.featureCount = featureCount
    }
}
