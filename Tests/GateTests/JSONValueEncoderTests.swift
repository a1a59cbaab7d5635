import Evaluation
import Records
import XCTest

final class JSONValueEncoderTests: XCTestCase {
    private struct Sample: Encodable {
        let falsePositiveRate: Double
        let rocAUC: Double
        let count: Int
        let note: String?
        let flags: [Bool]
        let rule: OperatingPointRule
    }

    func testEncodesNestedValuesWithSnakeCaseKeysAndNonFiniteNumbers() throws {
        let value = try JSONValueEncoder().encode(Sample(falsePositiveRate: .nan, rocAUC: 0.75, count: 3, note: nil, flags: [true],
                                                         rule: .fixed(threshold: 0.5)))
        XCTAssertEqual(CanonicalJSON.encode(value),
                       #"{"count":3,"false_positive_rate":{"$float":"NaN"},"flags":[true],"roc_auc":0.75,"rule":{"fixed":{"threshold":0.5}}}"#)
    }
}
