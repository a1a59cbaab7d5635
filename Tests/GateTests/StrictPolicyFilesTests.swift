import XCTest
import Contracts
@testable import Gate

/// Every mapping of a suite and of `ml/gate.yaml` is strict, nested ones included: a misspelt
/// key is an error at its line and column naming the nearest valid key.
final class StrictPolicyFilesTests: XCTestCase {
    private let suite = """
        task: binary
        label: { column: y, positive: "1" }
        eval: e@v1
        primary: { metric: recall, operating_point: { threshold: 0.5 } }
        guardrails:
          - { metric: ece, max: 0.1 }
        significance: { resamples: 200 }

        """

    private func suiteError(_ yaml: String) -> GateConfigError? {
        do { _ = try Suite.parse(yaml: yaml, file: "s.yaml", name: "s"); return nil } catch { return error }
    }

    func testSuiteTyposNameTheNearestKey() throws {
        XCTAssertNoThrow(try Suite.parse(yaml: suite, file: "s.yaml", name: "s"))
        XCTAssertEqual(suiteError(suite.replacingOccurrences(of: "{ threshold: 0.5 }", with: "{ treshold: 0.5 }")),
                       .unknownKey(file: "s.yaml", line: 4, column: 47, key: "primary.operating_point.treshold", suggestion: "threshold"))
        XCTAssertEqual(suiteError(suite.replacingOccurrences(of: "max: 0.1", with: "maxx: 0.1")),
                       .unknownKey(file: "s.yaml", line: 6, column: 20, key: "guardrails[0].maxx", suggestion: "max"))
        XCTAssertEqual(suiteError(suite.replacingOccurrences(of: "resamples: 200", with: "resample: 200")),
                       .unknownKey(file: "s.yaml", line: 7, column: 17, key: "significance.resample", suggestion: "resamples"))
        XCTAssertEqual(suiteError(suite.replacingOccurrences(of: "positive: \"1\"", with: "postive: \"1\"")),
                       .unknownKey(file: "s.yaml", line: 2, column: 21, key: "label.postive", suggestion: "positive"))
    }

    func testGatePolicyTyposNameTheNearestKey() {
        let policy = "protected: [main]\nbenchmark: { min_effect: 0.01 }\ndeployment: { on_shadw: reject }\n"
        XCTAssertThrowsError(try GatePolicy.parse(yaml: policy, file: "ml/gate.yaml")) { error in
            XCTAssertEqual(error as? GateConfigError,
                           .unknownKey(file: "ml/gate.yaml", line: 3, column: 15, key: "deployment.on_shadw", suggestion: "on_shadow"))
            XCTAssertEqual("\(error)", "ml/gate.yaml:3:15: deployment.on_shadw: unknown key 'on_shadw' — did you mean 'on_shadow'?")
        }
        XCTAssertThrowsError(try GatePolicy.parse(yaml: "protected: [main]\nbenchmark: { min_effect: 0.01 }\nreproducability: {}\n",
                                                  file: "ml/gate.yaml")) { error in
            XCTAssertEqual(error as? GateConfigError,
                           .unknownKey(file: "ml/gate.yaml", line: 3, column: 1, key: "reproducability", suggestion: "reproducibility"))
        }
    }
}
