import Contracts
import Records
import XCTest
@testable import Sweeps

final class TrialExperimentTests: XCTestCase {
    let experiment = """
        suite: churn
        train: churn-train@v1
        model: { kind: gbdt, rounds: 30, num_leaves: 15 }
        seeds: [1]
        """

    /// Values land at their dotted keys (integers as integers, strings quoted), missing
    /// mappings are created, and the rest of the file is kept.
    func testAppliesValuesAtTheirDottedKeys() throws {
        let text = try TrialExperiment.applying(["model.rounds": 120, "model.learning_rate": 0.05, "model.objective": "huber",
                                                 "budget.max_cpu_seconds": 7.5], to: experiment)
        let root = try YAMLCursor.document(yaml: text, file: "trial", requiredKey: "suite")
        let model = try root.required("model")
        XCTAssertEqual(try model.required("rounds").string(), "120")
        XCTAssertEqual(try model.required("num_leaves").string(), "15")
        XCTAssertEqual(try model.required("learning_rate").double(), 0.05)
        XCTAssertEqual(try model.required("objective").string(), "huber")
        XCTAssertEqual(try root.required("budget").required("max_cpu_seconds").double(), 7.5)
        XCTAssertEqual(try root.required("train").string(), "churn-train@v1")
    }

    func testAKeyUnderAScalarIsRefused() {
        XCTAssertThrowsError(try TrialExperiment.applying(["suite.name": "x"], to: experiment)) { error in
            XCTAssertTrue("\(error)".contains("is not a mapping"), "\(error)")
        }
    }

    /// The job key changes with anything that changes the result, and only with that.
    func testJobKeyFollowsWhatDeterminesTheResult() {
        let key = SweepSpec.jobKey(sweepFile: "s", experimentFile: experiment, codeTree: "t", values: ["model.rounds": 5])
        XCTAssertEqual(key, SweepSpec.jobKey(sweepFile: "s", experimentFile: experiment, codeTree: "t", values: ["model.rounds": 5]))
        XCTAssertNotEqual(key, SweepSpec.jobKey(sweepFile: "s", experimentFile: experiment, codeTree: "t", values: ["model.rounds": 10]))
        XCTAssertNotEqual(key, SweepSpec.jobKey(sweepFile: "s", experimentFile: experiment, codeTree: "u", values: ["model.rounds": 5]))
        XCTAssertNotEqual(key, SweepSpec.jobKey(sweepFile: "s2", experimentFile: experiment, codeTree: "t", values: ["model.rounds": 5]))
    }
}
