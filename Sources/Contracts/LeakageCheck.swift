import Kernels
import Tables

/// Leakage between a training and an evaluation table.
public enum LeakageCheck {
    /// Runs the checks of `policy`:
    /// - row overlap: evaluation rows whose values in every shared column other than the
    ///   entity key and time column (features + label) equal a training row's;
    /// - key overlap: distinct evaluation entity keys also present in training (`entityKey`);
    /// - time order: the training maximum of `timeColumn` must not exceed the evaluation minimum;
    /// - feature AUC: per feature (not key, time or label) in the training table,
    ///   max(AUC, 1 − AUC) against the binary label must stay below the ceiling; a numeric
    ///   feature scores by its value, a category feature by its out-of-fold target encoding
    ///   (`outOfFoldTargetEncoding`).
    /// `positiveLabel` names the positive class as text (default: `true`, `1`, or the larger
    /// of two label values).
    public static func run(train: Table, eval: Table, policy: LeakagePolicy, entityKey: [String],
                           positiveLabel: String? = nil) -> LeakageReport {
        var checks: [CheckResult] = []
        let excluded = Set(entityKey + [policy.timeColumn].compactMap { $0 })
        let shared = train.columnNames.filter { eval.column(named: $0) != nil && !excluded.contains($0) }

        let rowOverlap = RowDigest.matchCount(eval.rowDigests(columns: shared), in: train.rowDigests(columns: shared))
        checks.append(.judged(.rowOverlap, column: nil, ok: rowOverlap <= policy.maxRowOverlap, observed: Double(rowOverlap),
                              limit: "≤ \(policy.maxRowOverlap) rows",
                              detail: "\(rowOverlap) of \(eval.rowCount) evaluation rows equal a training row on \(shared.count) columns"))

        var keyOverlap: Int?
        if !entityKey.isEmpty {
            if entityKey.allSatisfy({ train.column(named: $0) != nil && eval.column(named: $0) != nil }) {
                let overlap = RowDigest.matchCount(eval.rowDigests(columns: entityKey), in: train.rowDigests(columns: entityKey),
                                                   distinct: true)
                keyOverlap = overlap
                checks.append(.judged(.keyOverlap, column: entityKey.joined(separator: ","), ok: overlap <= policy.maxKeyOverlap,
                                      observed: Double(overlap), limit: "≤ \(policy.maxKeyOverlap) keys",
                                      detail: "\(overlap) evaluation keys also appear in training"))
            } else {
                checks.append(CheckResult(kind: .keyOverlap, column: entityKey.joined(separator: ","), status: .fail, observed: nil,
                                          limit: "", detail: "entity key columns missing from a table"))
            }
        }

        var timeOrder: TimeOrder?
        if let time = policy.timeColumn {
            if let trainMax = train.column(named: time)?.numericValues?.max(),
               let evalValues = eval.column(named: time)?.numericValues, let evalMin = evalValues.min() {
                let early = evalValues.lazy.filter { $0 < trainMax }.count
                timeOrder = TimeOrder(trainMax: trainMax, evalMin: evalMin, evalRowsBeforeTrainMax: early)
                checks.append(.judged(.timeOrder, column: time, ok: trainMax <= evalMin, observed: Double(early),
                                      limit: "training max ≤ evaluation min",
                                      detail: "\(early) evaluation rows precede the latest training row"))
            } else {
                checks.append(CheckResult(kind: .timeOrder, column: time, status: .fail, observed: nil, limit: "",
                                          detail: "time column missing or empty in a table"))
            }
        }

        var aucs: [FeatureAUC] = []
        if let labelName = policy.label, let label = train.column(named: labelName) {
            if let outcome = binaryLabel(label, positive: positiveLabel) {
                let features = train.columns.filter { !excluded.contains($0.name) && $0.name != labelName }
                // One feature per block: the features' sorts run side by side on all cores.
                let featureAUCs = ParallelFor.map(count: features.count, blockSize: 1) { range in
                    range.map { singleFeatureAUC(features[$0], outcome) }
                }.flatMap { $0 }
                for (column, auc) in zip(features, featureAUCs) {
                    guard let auc else { continue }
                    let strength = max(auc, 1 - auc)
                    let score = column.type == .category
                        ? "out-of-fold target-encoding AUC (\(targetEncodingFolds) folds)" : "single-feature AUC"
                    aucs.append(FeatureAUC(column: column.name, auc: auc))
                    checks.append(.judged(.featureAUC, column: column.name, ok: strength < policy.featureAUCCeiling, observed: strength,
                                          limit: "< \(ContractValidator.format(policy.featureAUCCeiling))",
                                          detail: "\(score) \(ContractValidator.format(auc)) against \(labelName)"))
                }
            } else {
                checks.append(CheckResult(kind: .featureAUC, column: labelName, status: .fail, observed: nil, limit: "",
                                          detail: "label is not binary"))
            }
        }
        return LeakageReport(checks: checks, rowOverlap: rowOverlap, keyOverlap: keyOverlap, timeOrder: timeOrder, featureAUC: aucs)
    }

    /// Per row: `true` positive, `false` negative, `nil` null; `nil` overall when not binary.
    static func binaryLabel(_ column: Column, positive: String?) -> [Bool?]? {
        let values = column.valueCounts.keys.sorted { (Double($0) ?? 0, $0) < (Double($1) ?? 0, $1) }
        guard values.count <= 2, !values.isEmpty else { return nil }
        let positiveText = positive ?? (values.contains("true") ? "true" : values.contains("1") ? "1" : values.last!)
        let isPositive = column.membership(in: [positiveText])
        return (0..<column.count).map { column.isNull($0) ? nil : isPositive[$0] }
    }

    /// Folds of the out-of-fold target encoding: row i (0-based, in table order) is in fold i mod K.
    public static let targetEncodingFolds = 5
    /// Pseudo-rows at the out-of-fold positive rate added to each category's count.
    public static let targetEncodingSmoothing = 10.0

    /// The score of `column` for `outcome`, over rows where the label is present: a numeric
    /// column's values (rows with a value), a category column's `outOfFoldTargetEncoding`
    /// (every row: a null is a category of its own). The AUC is Mann–Whitney with mid-ranks
    /// for ties; `nil` without both classes.
    static func singleFeatureAUC(_ column: Column, _ outcome: [Bool?]) -> Double? {
        var values: [Double] = [], labels: [Bool] = []
        values.reserveCapacity(column.count)
        labels.reserveCapacity(column.count)
        let encoding = column.type == .category ? outOfFoldTargetEncoding(column, outcome) : []
        let score = { (i: Int) in encoding.isEmpty ? column.number(at: i) : encoding[i] }
        for i in 0..<column.count {
            if let x = score(i), !x.isNaN, let y = outcome[i] {
                values.append(x)
                labels.append(y)
            }
        }
        return auc(values, labels)
    }

    /// Out-of-fold target encoding of a category column (nulls are one more category): a row in
    /// fold f scores (positives + m·prior) / (rows + m), counting only labelled rows outside f
    /// with the row's category, where prior is the positive rate of the labelled rows outside f
    /// (½ when there are none) and m = `targetEncodingSmoothing`. A row's own label never enters
    /// its score, so a category seen once (an identifier) scores the prior and shows no
    /// association, where an in-sample encoding would reproduce its label exactly.
    /// `nil` for rows whose label is null.
    static func outOfFoldTargetEncoding(_ column: Column, _ outcome: [Bool?]) -> [Double?] {
        guard let (codes, dictionary) = column.categories else { return Array(repeating: nil, count: column.count) }
        let k = targetEncodingFolds, m = targetEncodingSmoothing, nullCode = dictionary.count
        let code = { (i: Int) in column.validity.isValid(i) ? Int(codes[i]) : nullCode }
        var rows = [[Int]](repeating: [Int](repeating: 0, count: nullCode + 1), count: k)
        var positives = rows
        for i in 0..<column.count {
            guard let y = outcome[i] else { continue }
            rows[i % k][code(i)] += 1
            if y { positives[i % k][code(i)] += 1 }
        }
        func total(_ counts: [[Int]], _ c: Int) -> Int { counts.reduce(0) { $0 + $1[c] } }
        let allRows = (0...nullCode).map { total(rows, $0) }, allPositives = (0...nullCode).map { total(positives, $0) }
        let foldRows = rows.map { $0.reduce(0, +) }, foldPositives = positives.map { $0.reduce(0, +) }
        let rowCount = foldRows.reduce(0, +), positiveCount = foldPositives.reduce(0, +)
        let priors = (0..<k).map { f in
            rowCount == foldRows[f] ? 0.5 : Double(positiveCount - foldPositives[f]) / Double(rowCount - foldRows[f])
        }
        return (0..<column.count).map { i in
            guard outcome[i] != nil else { return nil }
            let f = i % k, c = code(i)
            let outsideRows = allRows[c] - rows[f][c], outsidePositives = allPositives[c] - positives[f][c]
            return (Double(outsidePositives) + m * priors[f]) / (Double(outsideRows) + m)
        }
    }

    /// AUC of `values` as scores for `labels` (Mann–Whitney with mid-ranks for ties); `nil`
    /// without both classes.
    static func auc(_ values: [Double], _ labels: [Bool]) -> Double? {
        let positives = labels.lazy.filter { $0 }.count, negatives = labels.count - positives
        guard positives > 0, negatives > 0 else { return nil }
        // Ascending radix sort: equal values have equal keys, so each run of equal keys is a tie group.
        let sorted = RadixSort.sort(values, threads: .one)
        var rankSum = 0.0
        var i = 0
        while i < values.count {
            var j = i
            while j < values.count && sorted.keys[j] == sorted.keys[i] { j += 1 }
            let midRank = Double(i + j + 1) / 2  // ranks i+1 … j
            for k in i..<j where labels[Int(sorted.order[k])] { rankSum += midRank }
            i = j
        }
        let p = Double(positives), n = Double(negatives)
        return (rankSum - p * (p + 1) / 2) / (p * n)
    }
}

/// Leakage findings.
public struct LeakageReport: Codable, Sendable, Equatable {
    public let checks: [CheckResult]
    public let rowOverlap: Int
    public let keyOverlap: Int?
    public let timeOrder: TimeOrder?
    public let featureAUC: [FeatureAUC]

    public var passed: Bool { !checks.contains { $0.status == .fail } }

    /// The failed checks.
    public var failures: [CheckResult] { checks.filter { $0.status == .fail } }
}

/// The time ranges of a train/eval split (microseconds for timestamps).
public struct TimeOrder: Codable, Sendable, Equatable {
    public let trainMax: Double
    public let evalMin: Double
    public let evalRowsBeforeTrainMax: Int
}

/// One feature's single-feature AUC against the label.
public struct FeatureAUC: Codable, Sendable, Equatable {
    public let column: String
    public let auc: Double
}
