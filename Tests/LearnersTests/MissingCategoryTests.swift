import Foundation
import Tables
import XCTest
@testable import Learners

/// A missing category is a category of its own for every learner: default linear models and the
/// MLP train and predict on text columns with nulls (and unseen values) instead of refusing them.
final class MissingCategoryTests: XCTestCase {
    /// A table whose `workclass` is null on every 7th row; those rows mostly have label 1, so the
    /// missing category carries signal a model should use.
    private func table(rows: Int) throws -> Table {
        var text = "workclass,hours,label\n"
        for i in 0..<rows {
            let missing = i % 7 == 0
            let workclass = missing ? "" : ["private", "state", "self"][i % 3]
            let label = missing ? (i % 5 == 0 ? 0 : 1) : (i % 4 == 0 ? 1 : 0)
            text += "\(workclass),\(Double(i % 40)),\(label)\n"
        }
        return try CSVReader.read(text: text).table
    }

    func testEveryLearnerTrainsOnMissingCategoriesWithDefaults() throws {
        let train = try table(rows: 350)
        XCTAssertGreaterThan(train.column(named: "workclass")!.nullCount, 0)
        let encoding = try TableEncoding(fitting: train, excluding: ["label"])
        let features = try encoding.matrix(train)
        let labels = try TableEncoding.binaryLabels(train, column: "label")
        let fresh = try CSVReader.read(text: "workclass,hours\n,10\nprivate,10\nunion,10\n").table
        for kind in ["logistic_regression", "gbdt", "mlp"] {
            let learner = try LearnerConfiguration.learner(kind: kind, task: .binaryClassification, hyperparameters: [:])
            let model = try learner.fit(features, labels: labels, seed: 1, threads: .one)
            let scores = try model.predict(try encoding.matrix(fresh), threads: .one)
            XCTAssertTrue(scores.allSatisfy(\.isFinite), "\(kind): \(scores)")
            XCTAssertGreaterThan(scores[0], scores[1], "\(kind): the missing category (mostly 1s) scores above 'private'")
        }
    }

    func testMissingNumbersAreStillRefusedUnlessImputed() throws {
        let train = try CSVReader.read(text: "x,label\n1,0\n,1\n3,0\n4,1\n").table
        let encoding = try TableEncoding(fitting: train, excluding: ["label"])
        let learner = try LearnerConfiguration.learner(kind: "logistic_regression", task: .binaryClassification, hyperparameters: [:])
        XCTAssertThrowsError(try learner.fit(try encoding.matrix(train), labels: [0, 1, 0, 1], seed: 1, threads: .one)) { error in
            XCTAssertEqual("\(error)", "column x row 1 is nan: impute it or choose missing: impute")
        }
    }

    func testHyperparametersAreCheckedWhenTheLearnerIsBuilt() {
        XCTAssertThrowsError(try LearnerConfiguration.learner(kind: "gbdt", task: .binaryClassification,
                                                              hyperparameters: ["learning_rate": .number(-0.1)])) { error in
            XCTAssertEqual("\(error)", "hyperparameter learning_rate=-0.1: > 0")
        }
        XCTAssertThrowsError(try LearnerConfiguration.learner(kind: "gbdt", task: .binaryClassification,
                                                              hyperparameters: ["num_leafs": .number(8)])) { error in
            XCTAssertEqual("\(error)", "hyperparameter num_leafs=number(8.0): not a gbdt hyperparameter (did you mean 'num_leaves'?)")
        }
        XCTAssertThrowsError(try LearnerConfiguration.learner(kind: "logistic_regression", task: .binaryClassification,
                                                              hyperparameters: ["class_weights": .numbers([1, -2])]))
    }
}
