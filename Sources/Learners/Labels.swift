import Kernels
/// Label checks shared by all learners.
enum Labels {
    /// Checks row/label counts, non-emptiness, and label values for the task: binary labels must
    /// be exactly 0 or 1 with both present, regression labels finite, multiclass labels class
    /// indices 0…classCount-1 with at least two classes present (a declared class without
    /// training rows is allowed: its probability is learned to be small).
    static func validate(_ labels: [Double], rowCount: Int, task: PredictionTask, classCount: Int = 2) throws(LearnerError) {
        guard rowCount > 0 else { throw .emptyInput }
        guard labels.count == rowCount else { throw .labelCountMismatch(rows: rowCount, labels: labels.count) }
        switch task {
        case .binaryClassification:
            var positives = 0
            for (row, label) in labels.enumerated() {
                guard label == 0 || label == 1 else { throw .invalidLabel(row: row, value: label, expected: "0 or 1") }
                if label == 1 { positives += 1 }
            }
            if positives == 0 { throw .singleClass(label: 0) }
            if positives == labels.count { throw .singleClass(label: 1) }
        case .regression:
            for (row, label) in labels.enumerated() where !label.isFinite {
                throw .invalidLabel(row: row, value: label, expected: "a finite number")
            }
        case .multiclass:
            var first: Double?, second = false
            for (row, label) in labels.enumerated() {
                guard label >= 0, label < Double(classCount), label == label.rounded() else {
                    throw .invalidLabel(row: row, value: label, expected: "a class index 0…\(classCount - 1)")
                }
                if first == nil { first = label } else if label != first { second = true }
            }
            if !second { throw .singleClass(label: first ?? 0) }
        }
    }

    /// Rows per class (labels already validated as class indices 0…classCount-1).
    static func classCounts(_ labels: [Double], classCount: Int) -> [Int] {
        var counts = [Int](repeating: 0, count: classCount)
        for label in labels { counts[Int(label)] += 1 }
        return counts
    }

    /// Seeded split of 0..<count into (training, validation) row lists, each in ascending order.
    static func validationSplit(count: Int, fraction: Double, seed: UInt64) -> (training: [Int], validation: [Int]) {
        var generator = SplitMix64(seed: seed ^ 0x5641_4C49_4441_5445)
        let validationCount = Int((Double(count) * fraction).rounded())
        let shuffled = generator.permutation(count)
        let validation = shuffled.prefix(validationCount).sorted()
        let training = shuffled.dropFirst(validationCount).sorted()
        return (training, validation)
    }
}
