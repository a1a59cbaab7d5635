import Platform
import XCTest

final class ReleaseTests: XCTestCase {
    func testNewerFormatNamesTheNextMinorRelease() {
        XCTAssertEqual(Release.version.split(separator: ".").count, 3)
        let parts = Release.version.split(separator: ".").map { Int($0)! }
        XCTAssertEqual(Release.nextFormatRelease, "\(parts[0]).\(parts[1] + 1).0")
        XCTAssertEqual(Release.newerFormat(7, supported: 1),
                       "format version 7 is newer than GitML \(Release.version) reads (1); upgrade GitML to ≥ \(Release.nextFormatRelease)")
    }
}
