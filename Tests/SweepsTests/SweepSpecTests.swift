import Contracts
import Records
import XCTest
@testable import Sweeps

final class SweepSpecTests: XCTestCase {
    let file = "ml/sweeps/wide.yaml"

    func parse(_ yaml: String) throws(ContractError) -> SweepSpec {
        try SweepSpec.parse(yaml: yaml, file: file, name: "wide")
    }

    func testRandomSweepDrawsTypedValuesByTrialIndex() throws {
        let spec = try parse("""
            experiment: churn-gbdt
            budget: { max_usd: 0.5, max_trials: 12 }
            search: random
            trials: 12
            seed: 7
            space:
              model.learning_rate: { log_uniform: [0.01, 0.3] }
              model.num_leaves: { int: [8, 64] }
              model.kind: { choice: [gbdt, logistic] }
            halving: { resource: model.rounds, min: 25, max: 300 }
            parallel: 2
            """)
        XCTAssertEqual(spec.trials, 12)
        XCTAssertEqual(spec.halving, .init(resource: "model.rounds", minResource: 25, maxResource: 300, eta: 3))
        var seen = Set<[String: JSONValue]>()
        for trial in 0..<12 {
            let values = spec.values(trial: trial)
            XCTAssertEqual(values, spec.values(trial: trial), "the same values every time")
            let rate = try XCTUnwrap(values["model.learning_rate"]?.doubleValue)
            XCTAssertTrue((0.01...0.3).contains(rate))
            let leaves = try XCTUnwrap(values["model.num_leaves"]?.doubleValue)
            XCTAssertTrue((8...64).contains(leaves) && leaves == leaves.rounded())
            XCTAssertTrue(["gbdt", "logistic"].contains(values["model.kind"]?.stringValue ?? ""))
            seen.insert(values)
        }
        XCTAssertEqual(seen.count, 12)
    }

    func testGridRunsEveryCombination() throws {
        let spec = try parse("""
            experiment: e
            budget: { max_cpu_hours: 1 }
            search: grid
            space:
              model.l2: { log_uniform: [0.001, 10], grid: 5 }
              model.kind: { choice: [gbdt, logistic] }
            """)
        XCTAssertEqual(spec.trials, 10)
        XCTAssertEqual(spec.values(trial: 0), ["model.l2": .number(0.001), "model.kind": .string("gbdt")])
        XCTAssertEqual(spec.values(trial: 9), ["model.l2": .number(10), "model.kind": .string("logistic")])
        XCTAssertEqual(spec.values(trial: 2)["model.l2"]?.doubleValue ?? 0, 0.01, accuracy: 1e-15)
    }

    func testSobolSpreadsPointsEvenly() throws {
        let spec = try parse("""
            experiment: e
            budget: { max_trials: 4 }
            search: sobol
            trials: 4
            space:
              model.learning_rate: { uniform: [0, 1] }
            """)
        XCTAssertEqual((0..<4).map { spec.values(trial: $0)["model.learning_rate"] }, [0, 0.5, 0.75, 0.25].map(JSONValue.number))
    }

    /// Every mistake names the file, the line and the key.
    func testErrorsNameFileLineAndKey() {
        let cases: [(String, String)] = [
            ("experiment: e\nsearch: random\ntrials: 3\nspace: { model.a: { uniform: [0, 1] } }\n", "missing required key budget"),
            ("experiment: e\nbudget: {}\nsearch: random\ntrials: 3\nspace: { model.a: { uniform: [0, 1] } }\n", "a sweep needs a budget"),
            ("experiment: e\nbudget: { max_usd: -1 }\ntrials: 3\nspace: { model.a: { uniform: [0, 1] } }\n", "max_usd must be a positive number"),
            ("experiment: e\nbudget: { max_usd: 1 }\ntrials: 3\nspace:\n  model.a: { log_uniform: [0, 1] }\n", "ml/sweeps/wide.yaml:5: space.model.a.log_uniform: log_uniform needs low > 0"),
            ("experiment: e\nbudget: { max_usd: 1 }\ntrials: 3\nspace:\n  train: { choice: [a, b] }\n", "dotted key"),
            ("experiment: e\nbudget: { max_usd: 1 }\ntrials: 3\nspace:\n  suite.x: { choice: [a, b] }\n", "keys under model or features"),
            ("experiment: e\nbudget: { max_usd: 1 }\ntrials: 99999999\nspace: { model.a: { uniform: [0, 1] } }\n", "trials must be 1 to 10000"),
            ("experiment: e\nbudget: { max_usd: 1 }\nsearch: grid\nspace: { model.a: { uniform: [0, 1] } , model.b: { int: [1, 1000], grid: 1000 } }\n", ""),
            ("experiment: e\nbudget: { max_usd: 1 }\ntrials: 3\nspace: { model.a: { uniform: [0, 1] } }\nhalving: { resource: model.a, min: 1, max: 9 }\n", "cannot also be in the space"),
            ("experiment: e\nbudget: { max_usd: 1 }\ntrials: 3\nspace: { model.a: { uniform: [0, 1] } }\nparalel: 2\n", "paralel"),
        ]
        for (yaml, expected) in cases {
            do {
                let spec = try parse(yaml)
                if !expected.isEmpty { XCTFail("accepted: \(yaml)") } else { XCTAssertEqual(spec.trials, 1000) }
            } catch {
                XCTAssertTrue(error.description.contains(expected), "\(error.description) should contain \(expected)")
                XCTAssertTrue(error.description.hasPrefix(file), error.description)
            }
        }
    }
}
