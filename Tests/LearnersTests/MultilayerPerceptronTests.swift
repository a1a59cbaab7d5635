import Kernels
import XCTest
@testable import Learners

final class MultilayerPerceptronTests: XCTestCase {
    let two = ParallelFor.Threads(2)

    private func data(rows: Int, seed: UInt64, label: ([Float]) -> Double) throws -> (FeatureMatrix, [Double]) {
        var random = SplitMix64(seed: seed)
        var columns: [[Float]] = [[], []], labels: [Double] = []
        for _ in 0..<rows {
            let x = [Float(random.unit() * 2 - 1), Float(random.unit() * 2 - 1)]
            columns[0].append(x[0]); columns[1].append(x[1])
            labels.append(label(x))
        }
        return (try FeatureMatrix(numericColumns: columns), labels)
    }

    private let xor: ([Float]) -> Double = { ($0[0] > 0) != ($0[1] > 0) ? 1 : 0 }

    func testBinaryHeadLearnsXor() throws {
        let (train, labels) = try data(rows: 1000, seed: 1, label: xor)
        let (test, testLabels) = try data(rows: 500, seed: 2, label: xor)
        let model = try MultilayerPerceptron(hiddenLayers: [16, 8], learningRate: 0.01, batchSize: 50, epochs: 60)
            .fit(train, labels: labels, seed: 3, threads: two)
        let correct = zip(try model.predict(test, threads: two), testLabels).filter { ($0 > 0.5 ? 1.0 : 0.0) == $1 }.count
        XCTAssertGreaterThan(Double(correct) / 500, 0.93)
    }

    func testRegressionHeadFitsLinearFunction() throws {
        let (train, labels) = try data(rows: 1000, seed: 4) { 2 * Double($0[0]) - Double($0[1]) + 0.5 }
        let model = try MultilayerPerceptron(task: .regression, hiddenLayers: [8], learningRate: 0.01, batchSize: 50, epochs: 60)
            .fit(train, labels: labels, seed: 5, threads: two)
        let predictions = try model.predict(train, threads: two)
        let meanSquaredError = zip(predictions, labels).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } / 1000
        XCTAssertLessThan(meanSquaredError, 0.01)
    }

    func testDeterministicAcrossThreadsAndSeedDependent() throws {
        let (train, labels) = try data(rows: 3000, seed: 6, label: xor)
        let learner = MultilayerPerceptron(hiddenLayers: [8], epochs: 3)
        let one = try learner.fit(train, labels: labels, seed: 1, threads: .one)
        let twoThreads = try learner.fit(train, labels: labels, seed: 1, threads: two)
        XCTAssertEqual(one.serialized(), twoThreads.serialized())
        XCTAssertEqual(try one.predict(train, threads: .one), try one.predict(train, threads: two))
        XCTAssertNotEqual(one.serialized(), try learner.fit(train, labels: labels, seed: 2, threads: two).serialized())
    }

    func testEarlyStoppingKeepsBestEpochAndRoundTrips() throws {
        var random = SplitMix64(seed: 8)
        let (train, _) = try data(rows: 400, seed: 7, label: xor)
        let noise = (0..<400).map { _ in random.unit() < 0.5 ? 1.0 : 0.0 }
        let model = try MultilayerPerceptron(hiddenLayers: [32], learningRate: 0.05, batchSize: 20, epochs: 300,
                                             earlyStoppingRounds: 4)
            .fit(train, labels: noise, seed: 9, threads: two)
        let losses = model.validationLoss
        let best = try XCTUnwrap(losses.indices.min { losses[$0] < losses[$1] })
        XCTAssertLessThan(losses.count, 300)
        XCTAssertEqual(losses.count, best + 5)
        let decoded = try XCTUnwrap(ModelCodec.decode(model.serialized()) as? MLPModel)
        XCTAssertEqual(decoded.serialized(), model.serialized())
        XCTAssertEqual(try decoded.predict(train, threads: .one), try model.predict(train, threads: two))
    }

    func testNaNFeatureIsRefusedByDefault() throws {
        let features = try FeatureMatrix(numericColumns: [[0, .nan, 1, 2]])
        XCTAssertThrowsError(try MultilayerPerceptron().fit(features, labels: [0, 1, 0, 1], seed: 0, threads: two)) {
            guard case .nonFiniteFeature(column: "x0", row: 1, _) = $0 as? LearnerError else { return XCTFail("\($0)") }
        }
    }
}
