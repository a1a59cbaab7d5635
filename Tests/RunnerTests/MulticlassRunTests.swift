import Kernels
import Learners
import Tables
import XCTest
@testable import Runner

/// The training session and predictions files of multiclass runs and of regression runs with
/// prediction intervals.
final class MulticlassRunTests: XCTestCase {
    /// x uniform in [0, 3): class "low" / "mid" / "high" by its third; y = 2x + noise.
    private func table(rows: Int, seed: UInt64, label: (Double) -> String? = { $0 < 1 ? "low" : $0 < 2 ? "mid" : "high" }) throws -> Table {
        var random = SplitMix64(seed: seed)
        let x = (0..<rows).map { _ in random.unit() * 3 }
        return try Table(columns: [.float64("x", x), .float64("noise", x.map { _ in random.unit() }),
                                   .category("team", x.map(label)), .float64("y", x.map { 2 * $0 + random.unit() - 0.5 })])
    }

    private func session(_ yaml: String, task: PredictionTask, classes: [String]? = nil) throws -> TrainingSession {
        TrainingSession(experiment: try Experiment.parse(yaml: "suite: s\ntrain: t@v1\nseeds: [1, 2]\n" + yaml, file: "e", name: "e"),
                        task: task, labelColumn: task == .multiclass ? "team" : "y", positive: nil, classes: classes,
                        excluded: ["team", "y"])
    }

    func testMulticlassSessionTrainsEveryKindAndWritesTheSharedFormat() throws {
        let classes = ["low", "mid", "high"]
        for kind in ["gbdt", "logistic_regression", "mlp"] {
            let result = try session("model: { kind: \(kind) }\n", task: .multiclass, classes: classes)
                .run(train: try table(rows: 600, seed: 1), eval: try table(rows: 200, seed: 2), threads: .one)
            XCTAssertEqual(result.outputCount, 3)
            XCTAssertEqual(result.encoding.classes, classes)
            let text = result.predictionsText(validation: false, seeds: [1, 2], candidate: nil)
            XCTAssertTrue(text.hasPrefix("row,label,p_low,p_mid,p_high,p_low_seed_1,p_mid_seed_1,p_high_seed_1,p_low_seed_2,"), kind)
            let parsed = try MulticlassPredictions(bytes: Array(text.utf8), name: "evaluation.csv", classes: classes)
            XCTAssertEqual(parsed.seeds, [1, 2])
            XCTAssertEqual(parsed.probabilitiesBySeed, result.evaluationScores, "\(kind): every probability exact")
            let correct = (0..<parsed.rows.count).filter { i in
                let row = parsed.probabilities[(i * 3)..<(i * 3 + 3)]
                return row.indices.max { row[$0] < row[$1] }! - i * 3 == parsed.labels[i]
            }.count
            XCTAssertGreaterThan(Double(correct) / Double(parsed.rows.count), 0.85, kind)
            // The recorded models score the same probabilities again.
            let model = try ModelCodec.decode(result.models[0])
            XCTAssertEqual(try model.predict(try result.encoding.matrix(try table(rows: 200, seed: 2)), threads: .all), result.evaluationScores[0])
        }
    }

    /// A cross-validated trial: every training row is scored by the model of its own fold
    /// (fitted on the other folds), folds are stratified by class and seeded, each seed has one
    /// model per fold, and nothing else is scored; evaluation data is refused.
    func testCrossValidatedSessionScoresEveryRowOutOfFold() throws {
        let classes = ["low", "mid", "high"]
        let cv = try session("model: { kind: gbdt, rounds: 5 }\nvalidation: { split: kfold, folds: 3 }\n", task: .multiclass, classes: classes)
        let train = try table(rows: 300, seed: 4)
        let result = try cv.run(train: train, eval: nil, threads: .one)
        let folds = try XCTUnwrap(result.folds)
        XCTAssertEqual(folds.scheme, .stratified)
        XCTAssertEqual(result.validationRows, Array(0..<300))
        XCTAssertEqual(result.models.count, 2 * 3, "two seeds, three folds each")
        XCTAssertEqual(result.evaluationScores, [], "no evaluation rows")
        for (seedIndex, scores) in result.validationScores.enumerated() {
            XCTAssertEqual(scores.count, 300 * 3)
            for fold in 0..<3 {
                let rows = folds.rows(in: fold)
                let model = try ModelCodec.decode(result.models[seedIndex * 3 + fold])
                let predicted = try model.predict(try result.encoding.matrix(train.selecting(rows: rows)), threads: .one)
                XCTAssertEqual(rows.flatMap { scores[$0 * 3..<($0 + 1) * 3] }, predicted, "seed \(seedIndex) fold \(fold)")
            }
        }
        XCTAssertEqual(try cv.run(train: train, eval: nil, threads: .all).validationScores, result.validationScores, "deterministic")
        XCTAssertThrowsError(try cv.run(train: train, eval: try table(rows: 50, seed: 5), threads: .one)) {
            XCTAssertTrue("\($0)".contains("scores sweep trials only"), "\($0)")
        }
    }

    /// A sweep trial's session has no evaluation data: it trains and scores validation rows
    /// exactly as a full session does, and scores nothing else.
    func testValidationOnlySessionScoresTheSameValidationRowsAndNothingElse() throws {
        let full = try session("model: { kind: gbdt, rounds: 5 }\n", task: .regression)
            .run(train: try table(rows: 300, seed: 9), eval: try table(rows: 100, seed: 10), threads: .one)
        let trial = try session("model: { kind: gbdt, rounds: 5 }\n", task: .regression)
            .run(train: try table(rows: 300, seed: 9), eval: nil, threads: .one)
        XCTAssertEqual(trial.models, full.models)
        XCTAssertEqual(trial.validationRows, full.validationRows)
        XCTAssertEqual(trial.validationScores, full.validationScores)
        XCTAssertEqual(trial.evaluationLabels, [])
        XCTAssertEqual(trial.evaluationScores, [[], []], "one empty score list per seed")
        XCTAssertEqual(trial.rowLatenciesMicroseconds, [])
    }

    func testUndeclaredClassIsAnErrorNamingTheValueAndRow() throws {
        let eval = try table(rows: 50, seed: 3) { $0 < 1.5 ? "low" : "urgent" }
        XCTAssertThrowsError(try session("model: { kind: gbdt, rounds: 2 }\n", task: .multiclass, classes: ["low", "mid", "high"])
            .run(train: try table(rows: 300, seed: 4), eval: eval, threads: .one)) {
            XCTAssertTrue("\($0)".contains("'urgent'") && "\($0)".contains("row"), "\($0)")
        }
    }

    func testMulticlassPredictionsFileIsValidatedByRow() throws {
        let classes = ["a", "b"]
        func parse(_ text: String) throws -> MulticlassPredictions { try MulticlassPredictions(bytes: Array(text.utf8), name: "p.csv", classes: classes) }
        XCTAssertEqual(try parse("row,label,p_a,p_b\n0,a,0.25,0.75\n1,b,1,0\n").probabilities, [0.25, 0.75, 1, 0])
        let bad = ["row,label,p_a,p_b\n0,a,0.25,0.7\n": "line 2", "row,label,p_a\n0,a,1\n": "[a, b]", "row,label,p_b,p_a\n0,a,0.5,0.5\n": "the classes [b, a]",
                   "row,label,p_a,p_b\n0,c,0.5,0.5\n": "'c'", "row,label,p_a,p_b\n0,a,-0.5,1.5\n": "[0, 1]"]
        for (text, fragment) in bad {
            XCTAssertThrowsError(try parse(text)) { XCTAssertTrue("\($0)".contains(fragment), "\($0)") }
        }
    }

    func testRegressionIntervalsTrainQuantileModelsAndWriteQuantileColumns() throws {
        let result = try session("model: { kind: gbdt, rounds: 40 }\nintervals: [0.1, 0.9]\n", task: .regression)
            .run(train: try table(rows: 2000, seed: 5), eval: try table(rows: 1000, seed: 6), threads: .one)
        XCTAssertEqual(result.intervals.map(\.quantile), [0.1, 0.9])
        XCTAssertEqual(result.intervals[0].models.count, 2)
        let text = result.predictionsText(validation: false, seeds: [1, 2], candidate: nil)
        XCTAssertTrue(text.hasPrefix("row,label,score,score_seed_1,score_seed_2,q_0.1,q_0.9\n"), String(text.prefix(80)))
        let parsed = try PredictionsTable(bytes: Array(text.utf8), name: "evaluation.csv")
        XCTAssertEqual(parsed.seeds, [1, 2])
        let labels = parsed.labels
        let low = parsed.intervals[0].values, high = parsed.intervals[1].values
        let inside = labels.indices.filter { low[$0] <= labels[$0] && labels[$0] <= high[$0] }.count
        XCTAssertEqual(Double(inside) / Double(labels.count), 0.8, accuracy: 0.06)
        XCTAssertEqual(try ModelCodec.decode(result.intervals[1].models[0]).serialized(), result.intervals[1].models[0])
        XCTAssertThrowsError(try session("model: { kind: gbdt }\nintervals: [0.9, 0.1]\n", task: .regression))
        XCTAssertThrowsError(try session("model: { kind: gbdt }\nintervals: [0.1]\n", task: .binaryClassification)
            .run(train: try table(rows: 50, seed: 7), eval: try table(rows: 50, seed: 8), threads: .one))
    }
}
