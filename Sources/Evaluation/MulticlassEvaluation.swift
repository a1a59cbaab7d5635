/// Everything `git ml eval --task multiclass` reports for one model's predictions
/// (definitions in docs/STATISTICS.md, "Multiclass").
public struct MulticlassEvaluation: Codable, Sendable {
    public let rows: Int
    public let classes: [String]
    public let logLoss: MetricValue
    public let accuracy: MetricValue
    public let balancedAccuracy: MetricValue
    public let f1Macro: MetricValue
    public let f1Micro: MetricValue
    public let f1Weighted: MetricValue
    /// Top-k accuracy for k = 2 … min(5, classes − 1).
    public let topK: [TopK]
    public let rocAUCOneVsRestMacro: MetricValue
    public let rocAUCOneVsRestWeighted: MetricValue
    /// Hand–Till one-vs-one AUC; nil with sample weights (it is unweighted).
    public let rocAUCOneVsOne: MetricValue?
    public let brierScore: MetricValue
    public let topLabelCalibrationError: MetricValue
    public let perClass: [MulticlassMetrics.ClassScores]

    public struct TopK: Codable, Sendable {
        public let k: Int
        public let accuracy: MetricValue
    }

    /// `classes` names the class of each index.
    public init(_ data: MulticlassPredictions, classes: [String]) throws(EvaluationError) {
        guard classes.count == data.classCount else {
            throw .lengthMismatch(what: "class names", expected: data.classCount, actual: classes.count)
        }
        rows = data.count
        self.classes = classes
        logLoss = MulticlassMetrics.logLoss(data)
        accuracy = MulticlassMetrics.accuracy(data)
        balancedAccuracy = MulticlassMetrics.balancedAccuracy(data)
        f1Macro = MulticlassMetrics.f1(data, average: .macro)
        f1Micro = MulticlassMetrics.f1(data, average: .micro)
        f1Weighted = MulticlassMetrics.f1(data, average: .weighted)
        var topK = [TopK]()
        for k in stride(from: 2, through: min(5, data.classCount - 1), by: 1) {
            topK.append(TopK(k: k, accuracy: try MulticlassMetrics.topKAccuracy(data, k: k)))
        }
        self.topK = topK
        rocAUCOneVsRestMacro = try MulticlassMetrics.rocAUCOneVsRest(data, average: .macro)
        rocAUCOneVsRestWeighted = try MulticlassMetrics.rocAUCOneVsRest(data, average: .weighted)
        rocAUCOneVsOne = data.weights == nil ? try MulticlassMetrics.rocAUCOneVsOne(data) : nil
        brierScore = MulticlassMetrics.brierScore(data)
        topLabelCalibrationError = MulticlassMetrics.topLabelCalibrationError(data)
        perClass = MulticlassMetrics.perClass(data)
    }
}
