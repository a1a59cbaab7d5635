import Foundation
import Kernels
import XCTest
@testable import Learners

/// One scikit-learn reference fit from scripts/golden/learners.py.
struct LinearGoldenCase: Decodable {
    let name: String
    let kind: String
    let l2: Double
    let class_weight: String
    let columns: [[Float]]
    let labels: [Double]
    let coefficients: [Double]
    let intercept: Double
    let predictions: [Double]

    static func load() throws -> [LinearGoldenCase] {
        struct File: Decodable { let cases: [LinearGoldenCase] }
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden/linear.json")
        return try JSONDecoder().decode(File.self, from: Data(contentsOf: url)).cases
    }
}

final class LinearModelTests: XCTestCase {
    let two = ParallelFor.Threads(2)

    private func assertClose(_ a: [Double], _ b: [Double], tolerance: Double, _ message: String,
                             file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, message, file: file, line: line)
        for (x, y) in zip(a, b) {
            XCTAssertEqual(x, y, accuracy: tolerance * max(1, abs(y)), message, file: file, line: line)
        }
    }

    /// Least squares is solved in closed form, so it matches scikit-learn to 1e-9.
    func testLinearAndRidgeMatchScikitLearnGolden() throws {
        for golden in try LinearGoldenCase.load() where golden.kind == "linear" {
            let features = try FeatureMatrix(numericColumns: golden.columns)
            let model = try LinearRegression(l2: golden.l2).fit(features, labels: golden.labels, seed: 0, threads: two)
            assertClose(model.coefficients, golden.coefficients, tolerance: 1e-9, golden.name)
            XCTAssertEqual(model.intercept, golden.intercept, accuracy: 1e-9, golden.name)
            assertClose(try model.predict(features, threads: two), golden.predictions, tolerance: 1e-9, golden.name)
        }
    }

    /// L-BFGS stops at a gradient tolerance, so the optimum is matched to 1e-6.
    func testLogisticRegressionMatchesScikitLearnGolden() throws {
        for golden in try LinearGoldenCase.load() where golden.kind == "logistic" {
            let features = try FeatureMatrix(numericColumns: golden.columns)
            let learner = LogisticRegression(l2: golden.l2, classWeights: golden.class_weight == "balanced" ? .balanced : .uniform,
                                             tolerance: 1e-10)
            let model = try learner.fit(features, labels: golden.labels, seed: 0, threads: two)
            XCTAssertTrue(model.report.converged, golden.name)
            assertClose(model.coefficients, golden.coefficients, tolerance: 1e-6, golden.name)
            XCTAssertEqual(model.intercept, golden.intercept, accuracy: 1e-6, golden.name)
            assertClose(try model.predict(features, threads: two), golden.predictions, tolerance: 1e-6, golden.name)
        }
    }

    func testLinearModelsAreBitIdenticalOnOneAndTwoThreads() throws {
        let golden = try LinearGoldenCase.load()[0]
        let features = try FeatureMatrix(numericColumns: golden.columns)
        let one = try LogisticRegression().fit(features, labels: golden.labels, seed: 1, threads: .one)
        let twoThreads = try LogisticRegression().fit(features, labels: golden.labels, seed: 1, threads: two)
        XCTAssertEqual(one.serialized(), twoThreads.serialized())
        let ridgeOne = try LinearRegression(l2: 1).fit(features, labels: golden.labels, seed: 1, threads: .one)
        let ridgeTwo = try LinearRegression(l2: 1).fit(features, labels: golden.labels, seed: 1, threads: two)
        XCTAssertEqual(ridgeOne.serialized(), ridgeTwo.serialized())
    }

    func testSeparableDataIsClassifiedPerfectly() throws {
        let x: [Float] = (0..<200).map { Float($0) / 10 - 10 }
        let labels = x.map { $0 > 0.05 ? 1.0 : 0.0 }
        let features = try FeatureMatrix(numericColumns: [x])
        let model = try LogisticRegression(l2: 0.01).fit(features, labels: labels, seed: 0, threads: two)
        let predicted = try model.predict(features, threads: two).map { $0 > 0.5 ? 1.0 : 0.0 }
        XCTAssertEqual(predicted, labels)
    }

    func testEncodingOneHotImputationAndConstantColumnsRoundTrip() throws {
        let schema = FeatureSchema([FeatureColumn(name: "size", kind: .numeric),
                                    FeatureColumn(name: "colour", kind: .categorical),
                                    FeatureColumn(name: "flat", kind: .numeric)])
        let size: [Float] = [1, 2, .nan, 4, 5, 6, 7, 8]
        let colour: [Float] = [0, 1, 2, 0, 1, 2, 0, 1]
        let flat = [Float](repeating: 3, count: 8)
        let labels: [Double] = [1, 3, 5, 4, 6, 8, 7, 9]
        let features = try FeatureMatrix(schema: schema, columns: [size, colour, flat])
        XCTAssertThrowsError(try LinearRegression().fit(features, labels: labels, seed: 0, threads: two)) {
            guard case .nonFiniteFeature(column: "size", row: 2, let value) = $0 as? LearnerError, value.isNaN else {
                return XCTFail("\($0)")
            }
        }
        let learner = LinearRegression(l2: 0.1, encoding: EncodingOptions(missing: .imputeMean, categories: .oneHot, standardize: true))
        let model = try learner.fit(features, labels: labels, seed: 0, threads: two)
        XCTAssertEqual(model.encodedColumnNames, ["size", "size_missing", "colour=0", "colour=1", "colour=2", "flat"])
        XCTAssertEqual(model.constantColumns, ["flat"])
        XCTAssertEqual(model.coefficients[5], 0)
        let decoded = try XCTUnwrap(ModelCodec.decode(model.serialized()) as? LinearRegressionModel)
        XCTAssertEqual(decoded.serialized(), model.serialized())
        XCTAssertEqual(try decoded.predict(features, threads: .one), try model.predict(features, threads: .one))
    }

    func testBadInputGivesTypedErrors() throws {
        let features = try FeatureMatrix(numericColumns: [[1, 2, 3, 4]])
        XCTAssertThrowsError(try LogisticRegression().fit(features, labels: [1, 1, 1, 1], seed: 0, threads: two)) {
            XCTAssertEqual($0 as? LearnerError, .singleClass(label: 1))
        }
        XCTAssertThrowsError(try LogisticRegression().fit(features, labels: [0, 2, 1, 0], seed: 0, threads: two)) {
            XCTAssertEqual($0 as? LearnerError, .invalidLabel(row: 1, value: 2, expected: "0 or 1"))
        }
        XCTAssertThrowsError(try LinearRegression().fit(features, labels: [1, 2], seed: 0, threads: two)) {
            XCTAssertEqual($0 as? LearnerError, .labelCountMismatch(rows: 4, labels: 2))
        }
        let empty = try FeatureMatrix(numericColumns: [[]])
        XCTAssertThrowsError(try LinearRegression().fit(empty, labels: [], seed: 0, threads: two)) {
            XCTAssertEqual($0 as? LearnerError, .emptyInput)
        }
        let infinite = try FeatureMatrix(numericColumns: [[1, .infinity, 3, 4]])
        let imputing = LinearRegression(encoding: EncodingOptions(missing: .imputeMean))
        XCTAssertThrowsError(try imputing.fit(infinite, labels: [1, 2, 3, 4], seed: 0, threads: two)) {
            XCTAssertEqual($0 as? LearnerError, .nonFiniteFeature(column: "x0", row: 1, value: .infinity))
        }
        let duplicated = try FeatureMatrix(numericColumns: [[1, 2, 3, 4], [2, 4, 6, 8]])
        XCTAssertThrowsError(try LinearRegression().fit(duplicated, labels: [1, 2, 3, 5], seed: 0, threads: two)) {
            guard case .singularSystem = $0 as? LearnerError else { return XCTFail("\($0)") }
        }
        let model = try LinearRegression().fit(features, labels: [1, 2, 3, 5], seed: 0, threads: two)
        let renamed = try FeatureMatrix(schema: FeatureSchema([FeatureColumn(name: "other", kind: .numeric)]), columns: [[1]])
        XCTAssertThrowsError(try model.predict(renamed, threads: two)) {
            XCTAssertEqual($0 as? LearnerError, .schemaMismatch(expected: features.schema, found: renamed.schema))
        }
        XCTAssertThrowsError(try ModelCodec.decode(Array(model.serialized().dropLast()))) {
            guard case .corruptModel = $0 as? LearnerError else { return XCTFail("\($0)") }
        }
    }
}
