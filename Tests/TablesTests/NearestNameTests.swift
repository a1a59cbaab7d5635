import XCTest
import Tables

final class NearestNameTests: XCTestCase {
    func testSuggestsTheClosestNameWithinAThirdOfItsLength() {
        XCTAssertEqual(NearestName.suggestion(for: "requried", among: ["required", "unique", "primaryKey"]), "required")
        XCTAssertEqual(NearestName.suggestion(for: "maxmum", among: ["minimum", "maximum"]), "maximum")
        XCTAssertEqual(NearestName.suggestion(for: "Region", among: ["region", "tenure"]), "region")
        XCTAssertNil(NearestName.suggestion(for: "zzz", among: ["region", "tenure"]))
        XCTAssertNil(NearestName.suggestion(for: "x", among: []))
        XCTAssertEqual(NearestName.hint(for: "regon", among: ["region"]), " (did you mean 'region'?)")
        XCTAssertEqual(NearestName.hint(for: "qqqqqq", among: ["region"]), "")
    }
}
