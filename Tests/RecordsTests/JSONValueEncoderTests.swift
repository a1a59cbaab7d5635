import Records
import XCTest

final class JSONValueEncoderTests: XCTestCase {
    private enum Rule: Encodable {
        case fixed(threshold: Double)
    }

    private struct Sample: Encodable {
        let falsePositiveRate: Double
        let rocAUC: Double
        let count: Int
        let note: String?
        let flags: [Bool]
        let rule: Rule
    }

    func testEncodesNestedValuesWithSnakeCaseKeysAndNonFiniteNumbers() throws {
        let value = try JSONValueEncoder().encode(Sample(falsePositiveRate: .nan, rocAUC: 0.75, count: 3, note: nil, flags: [true],
                                                         rule: .fixed(threshold: 0.5)))
        XCTAssertEqual(value["roc_auc"], 0.75)
        XCTAssertNil(value["note"])
        XCTAssertEqual(CanonicalJSON.encode(value),
                       #"{"count":3,"false_positive_rate":{"$float":"NaN"},"flags":[true],"roc_auc":0.75,"rule":{"fixed":{"threshold":0.5}}}"#)
    }
}

extension JSONValueEncoderTests {
    func testSnakeCaseKeepsAcronymsTogether() throws {
        struct Keys: Encodable {
            let rocAUC = 1, maxUSDPerUnit = 2, p99 = 3, inCI = true, seedsPerModel = 4
        }
        let value = try JSONValueEncoder().encode(Keys())
        XCTAssertEqual(value.objectValue.map { Set($0.keys) }, ["roc_auc", "max_usd_per_unit", "p99", "in_ci", "seeds_per_model"])
        XCTAssertEqual(try JSONValueEncoder(snakeCaseKeys: false).encode(Keys())["rocAUC"], 1)
    }
}
