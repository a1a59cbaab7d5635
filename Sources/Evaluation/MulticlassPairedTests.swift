/// Paired significance tests of two multiclass models on the same rows, reported beside the
/// paired bootstrap (which decides): McNemar's exact test on right/wrong decisions, the
/// Stuart–Maxwell test on the decided classes, and DeLong's test of each class's one-vs-rest
/// AUC (unweighted rows; nil for a class with no rows or all rows).
public struct MulticlassPairedTests: Codable, Sendable, Hashable {
    public let mcnemar: McNemarTest
    public let stuartMaxwell: StuartMaxwellTest
    /// Per declared class, in class order.
    public let deLongOneVsRest: [DeLongTest?]

    public init(baseline: MulticlassPredictions, candidate: MulticlassPredictions) throws(EvaluationError) {
        try baseline.requireSameRows(as: candidate)
        var baselineOnly = 0, candidateOnly = 0
        for row in 0..<baseline.count {
            let a = baseline.predicted(row) == baseline.labels[row], b = candidate.predicted(row) == candidate.labels[row]
            if a && !b { baselineOnly += 1 }
            if b && !a { candidateOnly += 1 }
        }
        mcnemar = McNemarTest(baselineOnlyCorrect: baselineOnly, candidateOnlyCorrect: candidateOnly)
        stuartMaxwell = try StuartMaxwellTest(baseline: baseline.decisions, candidate: candidate.decisions, classCount: baseline.classCount)
        var deLong = [DeLongTest?]()
        for k in 0..<baseline.classCount {
            let labels = baseline.labels.map { $0 == k }
            guard labels.contains(true), labels.contains(false) else {
                deLong.append(nil)
                continue
            }
            deLong.append(try DeLongTest(labels: labels, baseline: (0..<baseline.count).map { baseline.probability($0, k) },
                                         candidate: (0..<candidate.count).map { candidate.probability($0, k) }))
        }
        deLongOneVsRest = deLong
    }
}
