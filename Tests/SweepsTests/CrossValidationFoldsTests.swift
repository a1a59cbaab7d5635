import Contracts
import Records
import XCTest
@testable import Sweeps

final class CrossValidationFoldsTests: XCTestCase {
    /// Stratified: each class is dealt round the folds, so every fold holds it in proportion,
    /// fold sizes differ by at most one, and the same seed gives the same folds.
    func testStratifiedFoldsKeepTheClassesInProportion() throws {
        let labels = (0..<100).map { $0 % 10 < 3 ? 1.0 : 0.0 }  // 30 positives
        let folds = try CrossValidationFolds(rowCount: 100, folds: 5, seed: 7, classes: labels, groups: nil)
        XCTAssertEqual(folds.scheme, .stratified)
        for fold in 0..<5 {
            let rows = folds.rows(in: fold)
            XCTAssertEqual(rows.count, 20)
            XCTAssertEqual(rows.filter { labels[$0] == 1 }.count, 6, "fold \(fold)")
            XCTAssertEqual(Set(rows).union(folds.rows(outside: fold)), Set(0..<100))
            XCTAssertTrue(Set(rows).isDisjoint(with: folds.rows(outside: fold)))
        }
        XCTAssertEqual(folds, try CrossValidationFolds(rowCount: 100, folds: 5, seed: 7, classes: labels, groups: nil))
        XCTAssertNotEqual(folds.foldOfRow, try CrossValidationFolds(rowCount: 100, folds: 5, seed: 8, classes: labels, groups: nil).foldOfRow)
    }

    /// Grouped: an entity's rows never fall in two folds; with classes, the entities of each
    /// class are spread over the folds.
    func testGroupedFoldsKeepEachEntityTogether() throws {
        // 40 entities of 1 to 4 rows; an entity's label is its own.
        var groups: [String] = [], labels: [Double] = []
        for entity in 0..<40 {
            for _ in 0...(entity % 4) {
                groups.append("e\(entity)")
                labels.append(entity % 5 == 0 ? 1 : 0)
            }
        }
        let folds = try CrossValidationFolds(rowCount: groups.count, folds: 4, seed: 3, classes: labels, groups: groups)
        XCTAssertEqual(folds.scheme, .groupedStratified)
        var foldOfEntity: [String: Int] = [:]
        for (row, group) in groups.enumerated() {
            XCTAssertEqual(foldOfEntity[group, default: folds.foldOfRow[row]], folds.foldOfRow[row], "entity \(group) is split")
            foldOfEntity[group] = folds.foldOfRow[row]
        }
        for fold in 0..<4 {
            XCTAssertTrue(folds.rows(in: fold).contains { labels[$0] == 1 }, "fold \(fold) has positives")
            XCTAssertTrue((15...35).contains(folds.rows(in: fold).count), "fold \(fold): \(folds.rows(in: fold).count) rows")
        }
        XCTAssertEqual(try CrossValidationFolds(rowCount: groups.count, folds: 4, seed: 3, classes: nil, groups: groups).scheme, .grouped)
        XCTAssertThrowsError(try CrossValidationFolds(rowCount: 6, folds: 3, seed: 1, classes: nil, groups: ["a", "a", "b", "b", "a", "b"])) {
            XCTAssertTrue("\($0)".contains("2 distinct values, fewer than the 3 folds"), "\($0)")
        }
    }

    /// Random (regression): a seeded permutation dealt round; at least as many rows as folds.
    func testRandomFoldsAndLimits() throws {
        let folds = try CrossValidationFolds(rowCount: 23, folds: 5, seed: 1, classes: nil, groups: nil)
        XCTAssertEqual(folds.scheme, .random)
        XCTAssertEqual((0..<5).map { folds.rows(in: $0).count }.sorted(), [4, 4, 5, 5, 5])
        XCTAssertThrowsError(try CrossValidationFolds(rowCount: 3, folds: 4, seed: 1, classes: nil, groups: nil))
        XCTAssertThrowsError(try CrossValidationFolds(rowCount: 30, folds: 1, seed: 1, classes: nil, groups: nil))
        XCTAssertThrowsError(try CrossValidationFolds(rowCount: 30, folds: 21, seed: 1, classes: nil, groups: nil))
    }

    /// The mean of the fold scores and its standard error equal numpy.mean and scipy.stats.sem
    /// (scipy 1.17.1: `sem([0.91, 0.87, 0.95, 0.89, 0.93])` = 0.014142135623730945).
    func testSummaryIsTheMeanAndScipysStandardError() {
        let five = CrossValidationFolds.summary([0.91, 0.87, 0.95, 0.89, 0.93])
        XCTAssertEqual(five.mean, 0.9099999999999999, accuracy: 1e-12)
        XCTAssertEqual(five.standardError, 0.014142135623730945, accuracy: 1e-12)
        let three = CrossValidationFolds.summary([0.8, 0.9, 0.7])
        XCTAssertEqual(three.mean, 0.8000000000000002, accuracy: 1e-12)
        XCTAssertEqual(three.standardError, 0.0577350269189626, accuracy: 1e-12)
    }

    /// `cv:` in the sweep file; a trial's experiment gets `validation: { split: kfold, folds: K }`
    /// in place of its own; the job key holds the folds.
    func testSweepFileCrossValidationSetsTheTrialsValidation() throws {
        let sweep = """
            experiment: churn-gbdt
            budget: { max_trials: 2 }
            trials: 2
            space:
              model.num_leaves: { int: [4, 31] }
            cv: 5
            """
        let spec = try SweepSpec.parse(yaml: sweep, file: "ml/sweeps/cv.yaml", name: "cv")
        XCTAssertEqual(spec.crossValidation, 5)
        let text = try spec.trialExperiment(["model.num_leaves": 9], experimentText: """
            suite: churn
            train: churn-train@v1
            validation: { split: random, fraction: 0.25 }
            model: { kind: gbdt, rounds: 30, num_leaves: 15 }
            """)
        let root = try YAMLCursor.document(yaml: text, file: "trial", requiredKey: "suite")
        let validation = try root.required("validation")
        XCTAssertEqual(try validation.required("split").string(), "kfold")
        XCTAssertEqual(try validation.required("folds").int(), 5)
        XCTAssertNil(try validation.optional("fraction"))
        XCTAssertEqual(try root.required("model").required("num_leaves").int(), 9)
        XCTAssertThrowsError(try SweepSpec.parse(yaml: sweep.replacingOccurrences(of: "cv: 5", with: "cv: 1"), file: "f", name: "cv")) {
            XCTAssertTrue("\($0)".contains("cv is a number of folds, 2 to 20"), "\($0)")
        }
        let values: [String: JSONValue] = ["model.num_leaves": 9]
        let plain = SweepSpec.jobKey(sweepFile: "s", experimentFile: "e", codeTree: "t", values: values)
        XCTAssertEqual(plain, SweepSpec.jobKey(sweepFile: "s", experimentFile: "e", codeTree: "t", values: values, crossValidation: nil))
        XCTAssertNotEqual(plain, SweepSpec.jobKey(sweepFile: "s", experimentFile: "e", codeTree: "t", values: values, crossValidation: 5))
    }
}
