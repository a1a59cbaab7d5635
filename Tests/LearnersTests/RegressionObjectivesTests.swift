import Kernels
import XCTest
@testable import Learners

/// The L1, Huber and quantile GBDT objectives.
final class RegressionObjectivesTests: XCTestCase {
    let two = ParallelFor.Threads(2)

    /// y = 3·x0 - 2·x1 + heavy-tailed noise (5% of rows get an outlier of ±50).
    private func data(rows: Int, seed: UInt64) throws -> (FeatureMatrix, [Double]) {
        var random = SplitMix64(seed: seed)
        var columns = [[Float]](repeating: [], count: 2)
        var labels: [Double] = []
        for _ in 0..<rows {
            let x0 = Float(random.unit() * 2 - 1), x1 = Float(random.unit() * 2 - 1)
            var noise = (random.unit() - 0.5) * 0.5
            if random.unit() < 0.05 { noise += random.unit() < 0.5 ? 50 : -50 }
            columns[0].append(x0)
            columns[1].append(x1)
            labels.append(3 * Double(x0) - 2 * Double(x1) + noise)
        }
        return (try FeatureMatrix(numericColumns: columns), labels)
    }

    func testPercentileIsLightGBMs() {
        // Descending 5,4,3,2,1; alpha 0.5: position 2.5 → 4 - (4 - 3)·0.5 = 3.5.
        XCTAssertEqual(BoostingLoss.percentile([3, 1, 5, 2, 4], alpha: 0.5), 3.5)
        // alpha 0.9: position 0.5 < 1 → the largest value; alpha 0.1: position 4.5 → 2 - 1·0.5.
        XCTAssertEqual(BoostingLoss.percentile([3, 1, 5, 2, 4], alpha: 0.9), 5)
        XCTAssertEqual(BoostingLoss.percentile([3, 1, 5, 2, 4], alpha: 0.1), 1.5)
        XCTAssertEqual(BoostingLoss.percentile([7], alpha: 0.3), 7)
    }

    func testL1AndHuberResistOutliersWhereL2DoesNot() throws {
        let (train, labels) = try data(rows: 4000, seed: 1)
        let (test, _) = try data(rows: 2000, seed: 2)
        let truth = (0..<test.rowCount).map { 3 * Double(test.columns[0][$0]) - 2 * Double(test.columns[1][$0]) }
        func error(_ objective: GradientBoostedTrees.Objective) throws -> Double {
            let model = try GradientBoostedTrees(objective: objective, rounds: 150, numLeaves: 15, huberDelta: 1)
                .fit(train, labels: labels, seed: 3, threads: two)
            let predictions = try model.predict(test, threads: two)
            return zip(predictions, truth).map { abs($0 - $1) }.reduce(0, +) / Double(truth.count)
        }
        let l2 = try error(.squaredError), l1 = try error(.absoluteError), huber = try error(.huber)
        XCTAssertLessThan(l1, 0.6 * l2, "l1 \(l1) vs l2 \(l2)")
        XCTAssertLessThan(huber, 0.6 * l2, "huber \(huber) vs l2 \(l2)")
    }

    func testQuantileModelsCoverTheirQuantile() throws {
        let (train, labels) = try data(rows: 6000, seed: 4)
        let (test, testLabels) = try data(rows: 4000, seed: 5)
        for alpha in [0.1, 0.5, 0.9] {
            let model = try GradientBoostedTrees(objective: .quantile, rounds: 100, numLeaves: 15, quantileAlpha: alpha)
                .fit(train, labels: labels, seed: 6, threads: two)
            let below = zip(try model.predict(test, threads: two), testLabels).filter { $1 <= $0 }.count
            XCTAssertEqual(Double(below) / Double(testLabels.count), alpha, accuracy: 0.03, "alpha \(alpha)")
            let decoded = try XCTUnwrap(ModelCodec.decode(model.serialized()) as? GradientBoostedTreesModel)
            XCTAssertEqual(decoded.objectiveParameter, alpha)
            XCTAssertEqual(try decoded.predict(test, threads: .one), try model.predict(test, threads: two))
        }
    }

    func testRegressionObjectivesAreBitIdenticalAcrossThreads() throws {
        let (train, labels) = try data(rows: 40_000, seed: 7)
        for objective in [GradientBoostedTrees.Objective.absoluteError, .huber, .quantile] {
            let learner = GradientBoostedTrees(objective: objective, rounds: 3, baggingFraction: 0.8, quantileAlpha: 0.8)
            XCTAssertEqual(try learner.fit(train, labels: labels, seed: 1, threads: .one).serialized(),
                           try learner.fit(train, labels: labels, seed: 1, threads: two).serialized())
        }
    }

    func testConfigurationReadsObjectivesAndRefusesMisplacedOrOutOfRangeKeys() throws {
        let quantile = try XCTUnwrap(LearnerConfiguration.learner(
            kind: "gbdt", task: .regression, hyperparameters: ["objective": .text("quantile"), "alpha": .number(0.9)]) as? GradientBoostedTrees)
        XCTAssertEqual(quantile.objective, .quantile)
        XCTAssertEqual(quantile.quantileAlpha, 0.9)
        let huber = try XCTUnwrap(LearnerConfiguration.learner(
            kind: "gbdt", task: .regression, hyperparameters: ["objective": .text("huber"), "huber_delta": .number(2)]) as? GradientBoostedTrees)
        XCTAssertEqual(huber.objective, .huber)
        XCTAssertEqual(huber.huberDelta, 2)
        let softmax = try XCTUnwrap(LearnerConfiguration.learner(kind: "gbdt", task: .multiclass, classCount: 4, hyperparameters: [:])
            as? GradientBoostedTrees)
        XCTAssertEqual(softmax.objective, .multiclassSoftmax)
        XCTAssertEqual(softmax.classCount, 4)
        XCTAssert(try LearnerConfiguration.learner(kind: "logistic_regression", task: .multiclass, classCount: 3, hyperparameters: [:])
            is MultinomialLogisticRegression)
        let refused: [(PredictionTask, [String: HyperparameterValue], String)] = [
            (.regression, ["objective": .text("quantile"), "alpha": .number(1)], "alpha"),
            (.regression, ["objective": .text("huber"), "huber_delta": .number(0)], "huber_delta"),
            (.regression, ["alpha": .number(0.5)], "alpha"),
            (.regression, ["objective": .text("poisson")], "objective"),
            (.binaryClassification, ["objective": .text("l1")], "objective"),
        ]
        for (task, values, key) in refused {
            XCTAssertThrowsError(try LearnerConfiguration.learner(kind: "gbdt", task: task, hyperparameters: values), "\(values)") {
                guard case let .invalidHyperparameter(name, _, _)? = $0 as? LearnerError else { return XCTFail("\($0)") }
                XCTAssertEqual(name, key)
            }
        }
    }
}
