import XCTest
@testable import Tables

final class TimestampTests: XCTestCase {
    func testParsesISO8601Forms() {
        XCTAssertEqual(Timestamp.parse("1970-01-01"), 0)
        XCTAssertEqual(Timestamp.parse("2000-02-29T12:34:56Z"), 951_827_696_000_000)
        XCTAssertEqual(Timestamp.parse("2000-02-29 12:34:56.5"), 951_827_696_500_000)
        XCTAssertEqual(Timestamp.parse("2000-02-29T14:34:56+02:00"), 951_827_696_000_000)
        XCTAssertEqual(Timestamp.parse("2000-02-29T07:04:56-0530"), 951_827_696_000_000)
        XCTAssertEqual(Timestamp.parse("1969-12-31T23:59:59.999999Z"), -1)
        XCTAssertEqual(Timestamp.parse("2024-05-01T10:00"), Timestamp.parse("2024-05-01T10:00:00Z"))
    }

    func testRejectsImpossibleOrMalformedValues() {
        for text in ["2023-02-29", "2024-13-01", "2024-00-10", "2024-04-31", "2024-01-01T24:00:00", "2024-01-01T10:60",
                     "2024-1-01", "2024-01-01T", "2024-01-01T10:00:00.", "2024-01-01T10:00:00+5", "20240101", "2024-01-01Z"] {
            XCTAssertNil(Timestamp.parse(text), text)
        }
    }

    func testFormatsRoundTrip() {
        for micros: Int64 in [0, -1, 951_827_696_500_000, 253_402_300_799_000_000, -62_135_596_800_000_000] {
            XCTAssertEqual(Timestamp.parse(Timestamp.iso8601(microseconds: micros)), micros)
        }
        XCTAssertEqual(Timestamp.iso8601(microseconds: 951_827_696_500_000), "2000-02-29T12:34:56.500000Z")
    }
}
