import Contracts
import Learners
import Metering
import XCTest
@testable import Runner

final class ExperimentTests: XCTestCase {
    func testParsesEveryBlock() throws {
        let e = try Experiment.parse(yaml: """
            suite: churn
            train: churn-train@v12
            validation: { split: time, column: snapshot_date, last_fraction: 0.3 }
            features: { include: [a, b], exclude: [id] }
            model: { kind: gbdt, rounds: 300, num_leaves: 31, learning_rate: 0.05, hidden: [8, 4], standardize: true, objective: x }
            seeds: [1, 2, 3]
            candidate: seed:2
            budget: { max_cpu_seconds: 900, max_usd: 0.10 }
            gpus: 2
            """, file: "e.yaml", name: "e")
        XCTAssertEqual(e.suite, "churn")
        XCTAssertEqual(e.train, "churn-train@v12")
        XCTAssertEqual(e.validation, .time(column: "snapshot_date", fraction: 0.3))
        XCTAssertEqual(e.include, ["a", "b"])
        XCTAssertEqual(e.exclude, ["id"])
        XCTAssertEqual(e.modelKind, "gbdt")
        XCTAssertEqual(e.hyperparameters["rounds"], .number(300))
        XCTAssertEqual(e.hyperparameters["hidden"], .numbers([8, 4]))
        XCTAssertEqual(e.hyperparameters["standardize"], .flag(true))
        XCTAssertEqual(e.hyperparameters["objective"], .text("x"))
        XCTAssertEqual(e.seeds, [1, 2, 3])
        XCTAssertEqual(e.candidate, .seed(2))
        XCTAssertEqual(e.candidateIndex, 1)
        XCTAssertEqual(e.budget, Budget(maxCPUSeconds: 900, maxUSD: 0.10))
        XCTAssertEqual(e.gpus, 2)
    }

    func testDefaults() throws {
        let e = try Experiment.parse(yaml: "suite: s\ntrain: t@v1\nmodel: { kind: logistic_regression }\n", file: "e.yaml", name: "e")
        XCTAssertEqual(e.validation, .random(fraction: 0.2))
        XCTAssertEqual(e.seeds, [0])
        XCTAssertEqual(e.candidate, .seed(0))
        XCTAssertEqual(e.budget, Budget())
    }

    func testErrorsNameTheLineAndKey() {
        func error(_ yaml: String) -> ContractError? {
            do { _ = try Experiment.parse(yaml: yaml, file: "ml/experiments/e.yaml", name: "e"); return nil } catch { return error }
        }
        XCTAssertEqual(error("suite: s\ntrain: t@v1\nmodel: { kind: gbdt }\nbudgte: { max_usd: 1 }\n"),
                       .unknownKey(file: "ml/experiments/e.yaml", line: 4, column: 1, key: "budgte", suggestion: "budget"))
        XCTAssertEqual(error("suite: s\ntrain: t@v1\n"), .missingKey(file: "ml/experiments/e.yaml", line: 1, key: "model"))
        guard case .invalidValue(_, 3, "model", let message)? = error("suite: s\ntrain: t@v1\nmodel: { kind: forest }\n") else {
            return XCTFail("an unknown model kind is an error on its line")
        }
        XCTAssertTrue(message.contains("gbdt"))
        guard case .invalidValue(_, 4, "candidate", _)? = error("suite: s\ntrain: t@v1\nmodel: { kind: gbdt }\ncandidate: seed:9\nseeds: [1]\n") else {
            return XCTFail("a candidate seed that did not run is an error")
        }
        guard case .invalidValue(_, 4, "budget.max_cpu_seconds", _)? = error("suite: s\ntrain: t@v1\nmodel: { kind: gbdt }\nbudget: { max_cpu_seconds: -1 }\n") else {
            return XCTFail("a negative budget is an error")
        }
        guard case .invalidValue(_, 4, "seeds", _)? = error("suite: s\ntrain: t@v1\nmodel: { kind: gbdt }\nseeds: [1, 1]\n") else {
            return XCTFail("repeated seeds are an error")
        }
    }

    func testTheTemplateParses() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let text = try String(contentsOf: root.appendingPathComponent("templates/ml/experiments/example.yaml"), encoding: .utf8)
        let e = try Experiment.parse(yaml: text, file: "templates/ml/experiments/example.yaml", name: "example")
        XCTAssertEqual(e.seeds.count, 5)
        XCTAssertEqual(e.candidate, .ensemble)
    }
}
