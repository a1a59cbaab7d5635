import Evaluation

/// What a review plots for a multiclass model: the confusion matrix of its decisions (under
/// the suite's decision rule), each declared class's recall with a Wilson score interval (or a
/// cluster-robust one over the suite's entities), and
/// the reliability of its top label (confidence = the largest probability, correct = the most
/// probable class is the true one; 15 uniform bins, the bins of the top-label ECE).
public struct MulticlassDiagnostics: Codable, Sendable, Equatable {
    /// One declared class's recall: rows of the class decided as it, of all its rows.
    public struct ClassRecall: Codable, Sendable, Equatable {
        /// Rows whose true class is this one.
        public let support: Int
        /// Nil when the class has no rows.
        public let recall: Double?
        /// Wilson score interval at the suite's confidence, or with entities the cluster-robust
        /// interval over the entities of the class's rows; nil when the class has no rows (or,
        /// clustered, when its rows come from a single entity).
        public let interval: ConfidenceInterval?
    }

    /// The declared classes, in order.
    public let classes: [String]
    /// `confusion[i][j]`: rows of true class i decided as class j.
    public let confusion: [[Int]]
    /// Per declared class, in order.
    public let recall: [ClassRecall]
    /// Distinct entities the recall intervals were clustered by; nil for independent rows.
    public let entities: Int?
    public let topLabelReliability: ReliabilityCurve?

    /// Unweighted summaries of `data` (the suite's rows carry no weights); `clusters` (one
    /// entity per row) makes the recall intervals cluster-robust.
    public init(_ data: MulticlassPredictions, classes: [String], confidence: Double, clusters: [String]? = nil) {
        let k = data.classCount
        var confusion = [[Int]](repeating: [Int](repeating: 0, count: k), count: k)
        for (label, decided) in zip(data.labels, data.decisions) { confusion[label][decided] += 1 }
        self.classes = classes
        self.confusion = confusion
        recall = confusion.enumerated().map { index, row in
            let support = row.reduce(0, +)
            var interval: ConfidenceInterval?
            if let clusters {
                let rows = data.labels.indices.filter { data.labels[$0] == index }
                interval = try? ProportionInterval.clustered(outcomes: rows.map { data.decisions[$0] == index },
                                                             clusters: rows.map { clusters[$0] }, confidence: confidence)
            } else {
                interval = try? ProportionInterval.wilson(successes: row[index], trials: support, confidence: confidence)
            }
            return ClassRecall(support: support, recall: support > 0 ? Double(row[index]) / Double(support) : nil, interval: interval)
        }
        entities = clusters.map { Set($0).count }
        var topConfidence = [Double](), correct = [Double]()
        topConfidence.reserveCapacity(data.count)
        correct.reserveCapacity(data.count)
        for row in 0..<data.count {
            let probabilities = data.probabilities[(row * k)..<((row + 1) * k)]
            // The first most probable class on ties (numpy's argmax), as the top-label ECE.
            let top = probabilities.indices.reduce(probabilities.startIndex) { probabilities[$1] > probabilities[$0] ? $1 : $0 }
            topConfidence.append(probabilities[top])
            correct.append(top - row * k == data.labels[row] ? 1 : 0)
        }
        topLabelReliability = (try? BinaryPredictions(scores: topConfidence, labels: correct))
            .flatMap { try? Calibration.reliabilityCurve($0, binning: .uniform(bins: 15)) }
    }
}
