import XCTest
@testable import Contracts
import Tables

/// Unknown keys in a contract are errors with file:line:column, the key path and the nearest
/// valid key (they used to be ignored, and the contract checked less than it said).
final class StrictYAMLTests: XCTestCase {
    private let contract = """
        apiVersion: v3.1.0
        kind: DataContract
        schema:
          - name: t
            properties:
              - name: id
                logicalType: integer
                required: true
              - name: score
                logicalType: number
                logicalTypeOptions: { minimum: 0, maximum: 0.5 }
        drift:
          thresholds: { psi: 0.2 }

        """

    private func error(_ yaml: String) -> ContractError? {
        do { _ = try Contract.load(yaml: yaml, file: "c.yaml"); return nil } catch { return error }
    }

    func testTheCleanContractLoads() throws {
        let loaded = try Contract.load(yaml: contract, file: "c.yaml")
        XCTAssertEqual(loaded.column(named: "id")?.required, true)
        XCTAssertEqual(loaded.column(named: "score")?.maximum, 0.5)
        XCTAssertEqual(loaded.drift.maxPSI, 0.2)
    }

    func testMisspeltPropertyKeyIsAnError() {
        let typo = error(contract.replacingOccurrences(of: "required: true", with: "requried: true"))
        XCTAssertEqual(typo, .unknownKey(file: "c.yaml", line: 8, column: 9, key: "schema[0].properties[0].requried", suggestion: "required"))
        XCTAssertEqual(typo?.description, "c.yaml:8:9: schema[0].properties[0].requried: unknown key 'requried' — did you mean 'required'?")
    }

    func testMisspeltLogicalTypeOptionIsAnError() {
        XCTAssertEqual(error(contract.replacingOccurrences(of: "maximum: 0.5", with: "maxmum: 0.5")),
                       .unknownKey(file: "c.yaml", line: 11, column: 43, key: "schema[0].properties[1].logicalTypeOptions.maxmum",
                                   suggestion: "maximum"))
    }

    func testMisspeltTopLevelBlockIsAnError() {
        XCTAssertEqual(error(contract.replacingOccurrences(of: "drift:", with: "drfit:")),
                       .unknownKey(file: "c.yaml", line: 12, column: 1, key: "drfit", suggestion: "drift"))
    }

    func testAKeyFarFromEveryValidKeyHasNoSuggestion() {
        let unknown = error(contract + "zzz: 1\n")
        XCTAssertEqual(unknown, .unknownKey(file: "c.yaml", line: 14, column: 1, key: "zzz", suggestion: nil))
        XCTAssertEqual(unknown?.description, "c.yaml:14:1: zzz: unknown key 'zzz' (not a key of this block: a typo?)")
    }

    func testNearestKeyCountsASwapAsOneEdit() {
        XCTAssertEqual(NearestName.suggestion(for: "drfit", among: ["drift", "label", "leakage"]), "drift")
        XCTAssertEqual(NearestName.suggestion(for: "requried", among: ["required", "unique", "primaryKey"]), "required")
        XCTAssertEqual(NearestName.suggestion(for: "maxLenght", among: ["maxLength", "minLength", "pattern"]), "maxLength")
        XCTAssertNil(NearestName.suggestion(for: "colour", among: ["name", "unique"]))
    }
}
