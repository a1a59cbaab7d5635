import Kernels
import XCTest
@testable import Learners

final class LearnerConfigurationTests: XCTestCase {
    func testBuildsConfiguredLearnersAndFitsThroughTheProtocol() throws {
        let learner = try LearnerConfiguration.learner(kind: "gbdt", task: .regression, hyperparameters: [
            "rounds": .number(3), "num_leaves": .number(4), "learning_rate": .number(0.5), "min_data_in_leaf": .number(1),
        ])
        let gbdt = try XCTUnwrap(learner as? GradientBoostedTrees)
        XCTAssertEqual(gbdt.rounds, 3)
        XCTAssertEqual(gbdt.numLeaves, 4)
        XCTAssertEqual(gbdt.objective, .squaredError)
        let features = try FeatureMatrix(numericColumns: [[1, 2, 3, 4, 5, 6]])
        let model = try learner.fit(features, labels: [1, 1, 1, 5, 5, 5], seed: 0, threads: .one)
        XCTAssertEqual(model.task, .regression)
        XCTAssertEqual(try ModelCodec.decode(model.serialized()).serialized(), model.serialized())

        let logistic = try XCTUnwrap(try LearnerConfiguration.learner(kind: "logistic_regression", task: .binaryClassification,
            hyperparameters: ["l2": .number(2), "class_weights": .text("balanced"), "missing": .text("impute")]) as? LogisticRegression)
        XCTAssertEqual(logistic.l2, 2)
        XCTAssertEqual(logistic.classWeights, .balanced)
        XCTAssertEqual(logistic.encoding.missing, .imputeMean)
        let mlp = try XCTUnwrap(try LearnerConfiguration.learner(kind: "mlp", task: .binaryClassification,
            hyperparameters: ["hidden_layers": .numbers([32, 16])]) as? MultilayerPerceptron)
        XCTAssertEqual(mlp.hiddenLayers, [32, 16])
        let unlimited = try XCTUnwrap(try LearnerConfiguration.learner(kind: "gbdt", task: .binaryClassification,
            hyperparameters: ["max_depth": .number(-1)]) as? GradientBoostedTrees)
        XCTAssertNil(unlimited.maxDepth)
        let categorical = try XCTUnwrap(try LearnerConfiguration.learner(kind: "gbdt", task: .binaryClassification, hyperparameters: [
            "categorical_one_hot_max": .number(2), "categorical_smoothing": .number(5), "categorical_l2": .number(1),
            "categorical_min_data_per_group": .number(50), "categorical_max_threshold": .number(8),
        ]) as? GradientBoostedTrees)
        XCTAssertEqual(categorical.categorical, CategoricalSplitting(oneHotMaxCategories: 2, smoothing: 5, l2: 1, minDataPerGroup: 50,
                                                                     maxThreshold: 8))
        XCTAssertThrowsError(try LearnerConfiguration.learner(kind: "gbdt", task: .regression,
                                                              hyperparameters: ["categorical_l2": .number(-1)])) {
            XCTAssertEqual($0 as? LearnerError, .invalidHyperparameter(name: "categorical_l2", value: "-1.0", requirement: "≥ 0"))
        }
    }

    func testUnknownKindKeyOrTypeIsAnError() {
        XCTAssertThrowsError(try LearnerConfiguration.learner(kind: "svm", task: .regression, hyperparameters: [:])) {
            guard case .invalidHyperparameter(name: "kind", value: "svm", _) = $0 as? LearnerError else { return XCTFail("\($0)") }
        }
        XCTAssertThrowsError(try LearnerConfiguration.learner(kind: "gbdt", task: .regression, hyperparameters: ["num_leafs": .number(3)])) {
            guard case .invalidHyperparameter(name: "num_leafs", _, _) = $0 as? LearnerError else { return XCTFail("\($0)") }
        }
        XCTAssertThrowsError(try LearnerConfiguration.learner(kind: "gbdt", task: .regression, hyperparameters: ["rounds": .number(2.5)])) {
            XCTAssertEqual($0 as? LearnerError, .invalidHyperparameter(name: "rounds", value: "2.5", requirement: "an integer"))
        }
    }
}
