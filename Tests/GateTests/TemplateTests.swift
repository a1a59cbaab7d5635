import Foundation
import Gate
import XCTest

/// The commented templates in templates/ml must stay valid for the parsers.
final class TemplateTests: XCTestCase {
    private func template(_ path: String) throws -> String {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../templates/ml/\(path)")
        return try String(contentsOf: url.standardized, encoding: .utf8)
    }

    func testSuiteTemplateParses() throws {
        let suite = try Suite.parse(yaml: try template("suites/example.yaml"), file: "templates/ml/suites/example.yaml", name: "example")
        XCTAssertEqual(suite.primary.metric.name, .expectedCost)
        XCTAssertEqual(suite.guardrails.map(\.metric.name), [.ece, .recall, .recall, .latencyP99Microseconds])
        XCTAssertEqual(suite.guardrails[2].metric.groups, "region")
        XCTAssertEqual(suite.guardrails[1].minimumSlicePositives, 20)
        XCTAssertEqual(suite.requiredColumns, ["customer_id", "region", "plan"])
    }

    func testGatePolicyTemplateParses() throws {
        let policy = try GatePolicy.parse(yaml: try template("gate.yaml"), file: "templates/ml/gate.yaml")
        XCTAssertEqual(policy.benchmark.maxEvaluations, 20)
        XCTAssertEqual(policy.deployment.shadow, .betterNotSignificant)
        XCTAssertTrue(policy.protects(branch: "release/1.0"))
    }
}
