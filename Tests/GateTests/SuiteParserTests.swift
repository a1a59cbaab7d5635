import Evaluation
import Gate
import XCTest

final class SuiteParserTests: XCTestCase {
    func testParsesTheDesignExample() throws {
        let suite = try Suite.parse(yaml: Fixtures.churnSuite, file: "ml/suites/churn.yaml", name: "churn")
        XCTAssertEqual(suite.name, "churn")
        XCTAssertEqual(suite.task, .binary)
        XCTAssertEqual(suite.label, Suite.Label(column: "churned", positive: "yes"))
        XCTAssertEqual(suite.evaluation, DatasetReference(name: "churn-eval", version: .label(4)))
        XCTAssertEqual(suite.entity, "customer_id")
        XCTAssertEqual(suite.primary.metric, SuiteMetric(name: .expectedCost))
        let costs = CostMatrix(falsePositive: 1, falseNegative: 20)
        XCTAssertEqual(suite.primary.costs, costs)
        XCTAssertEqual(suite.primary.operatingPoint, .minimumCost(costs))
        XCTAssertEqual(suite.primary.direction, .minimize)
        XCTAssertEqual(suite.guardrails.count, 3)
        XCTAssertEqual(suite.guardrails[0].maximum, 0.03)
        XCTAssertEqual(suite.guardrails[1].slices, ["region", "plan"])
        XCTAssertEqual(suite.guardrails[1].nonInferiorityMargin, 0.02)
        XCTAssertEqual(suite.guardrails[1].minimumSliceRows, 500)
        XCTAssertEqual(suite.guardrails[1].minimumSlicePositives, Suite.defaultMinimumSlicePositives)
        XCTAssertEqual(suite.guardrails[2].metric.name, .latencyP99Microseconds)
        XCTAssertEqual(suite.significance, Suite.Significance(method: .pairedBootstrap, resamples: 2000, confidence: 0.95, seed: 7))
        XCTAssertEqual(suite.requiredColumns, ["customer_id", "region", "plan"])
    }

    func testOperatingPointForms() throws {
        let cases: [(String, OperatingPointRule)] = [
            ("{ threshold: 0.4 }", .fixed(threshold: 0.4)),
            ("{ recall_at_precision: 0.9 }", .maximumRecall(minimumPrecision: 0.9)),
            ("{ top_fraction: 0.05 }", .topFraction(0.05)),
            ("{ capacity: 120 }", .capacity(rows: 120)),
        ]
        for (form, rule) in cases {
            let suite = try Suite.parse(yaml: suiteText(primary: "{ metric: recall, operating_point: \(form) }"), file: "s.yaml", name: "s")
            XCTAssertEqual(suite.primary.operatingPoint, rule, form)
            XCTAssertEqual(suite.primary.direction, .maximize)
        }
        let digest = try Suite.parse(yaml: suiteText(primary: "{ metric: roc_auc }", eval: "e@sha256:00ab12cd"), file: "s.yaml", name: "s")
        XCTAssertEqual(digest.evaluation.description, "e@sha256:00ab12cd")
        XCTAssertNil(digest.primary.operatingPoint)
    }

    func testUnknownMetricNamesFileLineAndKey() {
        let yaml = """
            task: binary
            label: { column: y, positive: "1" }
            eval: e@v1
            primary:
              metric: auc2
            """
        assertError(yaml, line: 5, key: "primary.metric") { message in
            XCTAssertTrue(message.hasPrefix("unknown metric 'auc2' (one of roc_auc, partial_auc"), message)
        }
    }

    func testUnknownKeysAreErrors() {
        XCTAssertThrowsError(try Suite.parse(yaml: suiteText(primary: "{ metric: roc_auc }") + "\nslicez: [a]\n", file: "f.yaml", name: "s")) {
            XCTAssertEqual($0 as? GateConfigError, .unknownKey(file: "f.yaml", line: 6, column: 1, key: "slicez", suggestion: "slices"))
        }
        XCTAssertThrowsError(try Suite.parse(yaml: suiteText(primary: "{ metric: roc_auc, treshold: 1 }"), file: "f.yaml", name: "s")) {
            XCTAssertEqual($0 as? GateConfigError, .unknownKey(file: "f.yaml", line: 4, column: 29, key: "primary.treshold", suggestion: nil))
        }
    }

    func testInconsistentSettingsAreErrors() {
        assertError(suiteText(primary: "{ metric: recall }"), line: 4, key: "primary.metric") {
            XCTAssertTrue($0.contains("add operating_point"), $0)
        }
        assertError(suiteText(primary: "{ metric: roc_auc, direction: minimize }"), line: 4, key: "primary.direction") {
            XCTAssertTrue($0.contains("direction must be maximize"), $0)
        }
        assertError(suiteText(primary: "{ metric: expected_cost }"), line: 4, key: "primary.metric") {
            XCTAssertTrue($0.contains("needs cost"), $0)
        }
        assertError(suiteText(primary: "{ metric: partial_auc }"), line: 4, key: "primary.metric") {
            XCTAssertTrue($0.contains("max_fpr"), $0)
        }
        assertError(suiteText(primary: "{ metric: roc_auc }", eval: "churn-eval"), line: 3, key: "eval") {
            XCTAssertTrue($0.contains("name@vN"), $0)
        }
        assertError(suiteText(primary: "{ metric: roc_auc }") + "\nguardrails:\n  - { metric: recall, max: 0.9 }\n",
                    line: 7, key: "guardrails[0].metric") {
            XCTAssertTrue($0.contains("operating_point"), $0)
        }
        assertError(suiteText(primary: "{ metric: roc_auc }") + "\nguardrails:\n  - { metric: ece }\n", line: 7, key: "guardrails[0]") {
            XCTAssertTrue($0.contains("max, min or non_inferiority_margin"), $0)
        }
        XCTAssertThrowsError(try Suite.parse(yaml: "task: binary\n", file: "f.yaml", name: "s")) {
            XCTAssertEqual($0 as? GateConfigError, .missingKey(file: "f.yaml", line: 1, key: "label"))
        }
        XCTAssertThrowsError(try Suite.parse(yaml: "task: [binary\n", file: "f.yaml", name: "s")) {
            guard case .invalidYAML(let file, _, _)? = $0 as? GateConfigError else { return XCTFail("\($0)") }
            XCTAssertEqual(file, "f.yaml")
        }
    }

    private func suiteText(primary: String, eval: String = "e@v1") -> String {
        "task: binary\nlabel: { column: y, positive: \"1\" }\neval: \(eval)\nprimary: \(primary)\n"
    }

    private func assertError(_ yaml: String, line: Int, key: String, file: StaticString = #filePath, sourceLine: UInt = #line,
                             _ check: (String) -> Void) {
        do {
            _ = try Suite.parse(yaml: yaml, file: "ml/suites/churn.yaml", name: "churn")
            XCTFail("no error", file: file, line: sourceLine)
        } catch {
            guard case .invalidValue(let errorFile, let errorLine, let errorKey, let message) = error else {
                return XCTFail("\(error)", file: file, line: sourceLine)
            }
            XCTAssertEqual(errorFile, "ml/suites/churn.yaml", file: file, line: sourceLine)
            XCTAssertEqual(errorLine, line, file: file, line: sourceLine)
            XCTAssertEqual(errorKey, key, file: file, line: sourceLine)
            check(message)
        }
    }
}
