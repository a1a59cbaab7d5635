import Gate
import XCTest

final class GatePolicyTests: XCTestCase {
    static let designExample = """
        protected: [main, "release/*"]
        benchmark: { min_effect: 0.5, confidence: 0.95 }   # in the primary metric's units
        cost: { max_usd_per_unit: 2.0 }     # per unit of primary-metric improvement
        reproducibility: { require_attestation: true, tolerance: 1.0e-9 }
        deployment:
          promote: all_pass
          shadow: better_not_significant
          reject: otherwise
        """

    func testParsesTheDesignExample() throws {
        let policy = try GatePolicy.parse(yaml: Self.designExample, file: "ml/gate.yaml")
        XCTAssertEqual(policy.protected, ["main", "release/*"])
        XCTAssertEqual(policy.benchmark.minEffect, 0.5)
        XCTAssertEqual(policy.benchmark.confidence, 0.95)
        XCTAssertNil(policy.benchmark.maxEvaluations)
        XCTAssertEqual(policy.guardrails.confidence, 0.95)
        XCTAssertTrue(policy.guardrails.missingValueFails)
        XCTAssertEqual(policy.cost.maxUSDPerUnit, 2.0)
        XCTAssertEqual(policy.reproducibility.requireAttestation, true)
        XCTAssertEqual(policy.reproducibility.ciOnly, false)
        XCTAssertEqual(policy.reproducibility.tolerance, 1e-9)
        XCTAssertEqual(policy.deployment.shadow, .betterNotSignificant)
    }

    func testProtectedGlobs() throws {
        let policy = try GatePolicy.parse(yaml: "protected: [main, \"release/*\", \"team/**/prod\"]\nbenchmark: { min_effect: 0 }\n",
                                          file: "g.yaml")
        XCTAssertTrue(policy.protects(branch: "main"))
        XCTAssertTrue(policy.protects(branch: "release/2.1"))
        XCTAssertFalse(policy.protects(branch: "release/2.1/hotfix"))
        XCTAssertFalse(policy.protects(branch: "mainline"))
        XCTAssertTrue(policy.protects(branch: "team/a/b/prod"))
        XCTAssertFalse(policy.protects(branch: "feature/x"))
    }

    func testErrorsNameFileLineAndKey() {
        XCTAssertThrowsError(try GatePolicy.parse(yaml: "protected: [main]\nbenchmark: { min_effect: 0.1, confidense: 0.9 }\n", file: "ml/gate.yaml")) {
            XCTAssertEqual($0 as? GateConfigError, .unknownKey(file: "ml/gate.yaml", line: 2, column: 31, key: "benchmark.confidense", suggestion: "confidence"))
        }
        XCTAssertThrowsError(try GatePolicy.parse(yaml: "protected: [main]\nbenchmark: { min_effect: 0.1 }\ndeployment: { shadow: sometimes }\n", file: "ml/gate.yaml")) {
            guard case .invalidValue(_, 3, "deployment.shadow", let message)? = $0 as? GateConfigError else { return XCTFail("\($0)") }
            XCTAssertTrue(message.contains("better_not_significant, never"), message)
        }
        XCTAssertThrowsError(try GatePolicy.parse(yaml: "protected: [main]\n", file: "ml/gate.yaml")) {
            XCTAssertEqual($0 as? GateConfigError, .missingKey(file: "ml/gate.yaml", line: 1, key: "benchmark"))
        }
    }
}
