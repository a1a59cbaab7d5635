import Kernels
import XCTest
@testable import Learners

/// Softmax GBDT, multinomial logistic regression and the MLP's softmax head on a generated
/// three-class problem with a categorical column and missing values.
final class MulticlassLearnersTests: XCTestCase {
    let two = ParallelFor.Threads(2)

    /// x0, x1 uniform in [-1, 1] (x1 missing on 10% of rows, which then favour class 2), a
    /// category 0…3 (category 3 means class 1), a noise column; the class is the largest of
    /// x0, x1 and 0.3 - x0 - x1.
    static func data(rows: Int, seed: UInt64) throws -> (FeatureMatrix, [Double]) {
        var random = SplitMix64(seed: seed)
        var columns = [[Float]](repeating: [], count: 4)
        var labels: [Double] = []
        for _ in 0..<rows {
            let x0 = random.unit() * 2 - 1, x1 = random.unit() * 2 - 1
            let category = Float(Int(random.unit() * 4)), missing = random.unit() < 0.1
            var label: Double
            if category == 3 {
                label = 1
            } else if missing {
                label = 2
            } else {
                let margins = [x0, x1, 0.3 - x0 - x1]
                label = Double(margins.indices.max { margins[$0] < margins[$1] }!)
            }
            if random.unit() < 0.03 { label = Double(Int(random.unit() * 3)) }
            columns[0].append(Float(x0))
            columns[1].append(missing ? .nan : Float(x1))
            columns[2].append(category)
            columns[3].append(Float(random.unit()))
            labels.append(label)
        }
        let schema = FeatureSchema([FeatureColumn(name: "x0", kind: .numeric), FeatureColumn(name: "x1", kind: .numeric),
                                    FeatureColumn(name: "c", kind: .categorical), FeatureColumn(name: "noise", kind: .numeric)])
        return (try FeatureMatrix(schema: schema, columns: columns), labels)
    }

    /// Accuracy of the argmax and mean log loss of row-major probabilities, after checking that
    /// each row is a distribution.
    static func quality(_ probabilities: [Double], _ labels: [Double], classes: Int,
                        file: StaticString = #filePath, line: UInt = #line) -> (accuracy: Double, logLoss: Double) {
        XCTAssertEqual(probabilities.count, labels.count * classes, file: file, line: line)
        var correct = 0, loss = 0.0
        for (i, label) in labels.enumerated() {
            let row = Array(probabilities[(i * classes)..<((i + 1) * classes)])
            XCTAssert(row.allSatisfy { $0 >= 0 && $0 <= 1 }, "row \(i): \(row)", file: file, line: line)
            XCTAssertEqual(row.reduce(0, +), 1, accuracy: 1e-12, file: file, line: line)
            if row.indices.max(by: { row[$0] < row[$1] }) == Int(label) { correct += 1 }
            loss -= log(max(row[Int(label)], 1e-15))
        }
        return (Double(correct) / Double(labels.count), loss / Double(labels.count))
    }

    func testSoftmaxBoostingLearnsClassesWithCategoriesAndMissingValues() throws {
        let (train, labels) = try Self.data(rows: 6000, seed: 1)
        let (test, testLabels) = try Self.data(rows: 3000, seed: 2)
        let model = try GradientBoostedTrees(objective: .multiclassSoftmax, rounds: 60, numLeaves: 15, classCount: 3)
            .fit(train, labels: labels, seed: 3, threads: two)
        XCTAssertEqual(model.outputCount, 3)
        XCTAssertEqual(model.treeCount, 180)
        let (accuracy, logLoss) = Self.quality(try model.predict(test, threads: two), testLabels, classes: 3)
        XCTAssertGreaterThan(accuracy, 0.9)
        XCTAssertLessThan(logLoss, 0.35)
        // The categorical column and the missing-value direction carry classes 1 and 2.
        XCTAssertGreaterThan(model.featureImportance.gain[2], 10 * model.featureImportance.gain[3])
        let columns = try model.predictColumns(test, threads: two)
        XCTAssertEqual(columns.count, 3)
        XCTAssertEqual(columns[1][5], try model.predict(test, threads: two)[5 * 3 + 1])
    }

    func testSoftmaxBoostingIsBitIdenticalAcrossThreadsAndRoundTrips() throws {
        let (train, labels) = try Self.data(rows: 40_000, seed: 4)
        let learner = GradientBoostedTrees(objective: .multiclassSoftmax, rounds: 3, numLeaves: 15, baggingFraction: 0.7,
                                           featureFraction: 0.75, classCount: 3)
        let one = try learner.fit(train, labels: labels, seed: 5, threads: .one)
        let both = try learner.fit(train, labels: labels, seed: 5, threads: two)
        XCTAssertEqual(one.serialized(), both.serialized())
        XCTAssertNotEqual(one.serialized(), try learner.fit(train, labels: labels, seed: 6, threads: two).serialized())
        let decoded = try XCTUnwrap(ModelCodec.decode(one.serialized()) as? GradientBoostedTreesModel)
        XCTAssertEqual(decoded.serialized(), one.serialized())
        XCTAssertEqual(try decoded.predict(train, threads: two), try one.predict(train, threads: .one))
        XCTAssertEqual(Array(one.serialized()[4..<6]), [2, 0], "multiclass models are format version 2")
    }

    func testSoftmaxBoostingStopsEarlyOnValidationLogLoss() throws {
        let (train, labels) = try Self.data(rows: 3000, seed: 7)
        let model = try GradientBoostedTrees(objective: .multiclassSoftmax, rounds: 400, learningRate: 0.5, numLeaves: 31,
                                             minDataInLeaf: 5, earlyStoppingRounds: 5, classCount: 3)
            .fit(train, labels: labels, seed: 8, threads: two)
        let best = try XCTUnwrap(model.validationLoss.indices.min { model.validationLoss[$0] < model.validationLoss[$1] })
        XCTAssertLessThan(model.validationLoss.count, 400)
        XCTAssertEqual(model.validationLoss.count, best + 6)
        XCTAssertEqual(model.treeCount, (best + 1) * 3, "every class's tree of the kept rounds")
    }

    func testMultinomialLogisticRegressionLearnsAndRoundTrips() throws {
        let (train, labels) = try Self.data(rows: 3000, seed: 9)
        let learner = MultinomialLogisticRegression(classCount: 3, encoding: EncodingOptions(missing: .imputeMean))
        let model = try learner.fit(train, labels: labels, seed: 0, threads: two)
        XCTAssertTrue(model.report.converged)
        let (accuracy, _) = Self.quality(try model.predict(train, threads: two), labels, classes: 3)
        XCTAssertGreaterThan(accuracy, 0.75)
        XCTAssertEqual(model.serialized(), try learner.fit(train, labels: labels, seed: 0, threads: .one).serialized())
        let decoded = try XCTUnwrap(ModelCodec.decode(model.serialized()) as? MultinomialLogisticRegressionModel)
        XCTAssertEqual(try decoded.predict(train, threads: two), try model.predict(train, threads: two))
    }

    func testMLPSoftmaxHeadLearnsAndRoundTrips() throws {
        let (train, labels) = try Self.data(rows: 3000, seed: 10)
        let (test, testLabels) = try Self.data(rows: 1000, seed: 11)
        let learner = MultilayerPerceptron(task: .multiclass, classCount: 3, hiddenLayers: [32], learningRate: 0.01, epochs: 30,
                                           earlyStoppingRounds: 5, encoding: EncodingOptions(missing: .imputeMean))
        let model = try learner.fit(train, labels: labels, seed: 12, threads: two)
        XCTAssertEqual(model.outputCount, 3)
        XCTAssertGreaterThan(Self.quality(try model.predict(test, threads: two), testLabels, classes: 3).accuracy, 0.85)
        XCTAssertEqual(model.serialized(), try learner.fit(train, labels: labels, seed: 12, threads: .one).serialized())
        let decoded = try XCTUnwrap(ModelCodec.decode(model.serialized()) as? MLPModel)
        XCTAssertEqual(try decoded.predict(test, threads: two), try model.predict(test, threads: two))
    }

    func testMulticlassLabelsOutsideTheClassesOrOfOneClassAreRefused() throws {
        let (train, labels) = try Self.data(rows: 200, seed: 13)
        var bad = labels
        bad[17] = 3
        let learners: [any Learner] = [GradientBoostedTrees(objective: .multiclassSoftmax, rounds: 2, classCount: 3),
                                       MultinomialLogisticRegression(classCount: 3, encoding: EncodingOptions(missing: .imputeMean)),
                                       MultilayerPerceptron(task: .multiclass, classCount: 3, epochs: 1,
                                                            encoding: EncodingOptions(missing: .imputeMean))]
        for learner in learners {
            XCTAssertThrowsError(try learner.fit(train, labels: bad, seed: 0, threads: two)) {
                XCTAssertEqual($0 as? LearnerError, .invalidLabel(row: 17, value: 3, expected: "a class index 0…2"))
            }
            XCTAssertThrowsError(try learner.fit(train, labels: labels.map { _ in 1 }, seed: 0, threads: two)) {
                XCTAssertEqual($0 as? LearnerError, .singleClass(label: 1))
            }
        }
    }

    func testModelCodecRefusesAVersionOneHeaderOnAVersionTwoModelAndNewerVersions() throws {
        let (train, labels) = try Self.data(rows: 300, seed: 14)
        var bytes = try GradientBoostedTrees(objective: .multiclassSoftmax, rounds: 2, classCount: 3)
            .fit(train, labels: labels, seed: 0, threads: two).serialized()
        bytes[4] = 1
        XCTAssertThrowsError(try ModelCodec.decode(bytes)) {
            XCTAssertEqual($0 as? LearnerError, .corruptModel(reason: "a model of format version 2 has a version 1 header"))
        }
        bytes[4] = 3
        XCTAssertThrowsError(try ModelCodec.decode(bytes)) {
            XCTAssertEqual($0 as? LearnerError, .unsupportedModelVersion(found: 3, supported: 2))
        }
        // Binary models keep format version 1 (and so their bytes).
        let binary = try GradientBoostedTrees(rounds: 2).fit(train, labels: labels.map { $0 == 1 ? 1 : 0 }, seed: 0, threads: two)
        XCTAssertEqual(Array(binary.serialized()[4..<6]), [1, 0])
    }
}
