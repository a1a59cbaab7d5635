import XCTest
@testable import Records

final class CanonicalJSONTests: XCTestCase {
    /// Number forms from RFC 8785 Appendix B and ECMAScript Number::toString.
    func testNumberFormsMatchRFC8785() {
        let cases: [(Double, String)] = [
            (0, "0"), (-0.0, "0"), (1, "1"), (-1, "-1"), (1.5, "1.5"), (100, "100"),
            (1e21, "1e+21"), (1e20, "100000000000000000000"), (123456789012345680000, "123456789012345680000"),
            (0.000001, "0.000001"), (1e-7, "1e-7"), (4.5e-7, "4.5e-7"),
            (5e-324, "5e-324"), (1.7976931348623157e308, "1.7976931348623157e+308"),
            (9007199254740992, "9007199254740992"), (0.1 + 0.2, "0.30000000000000004"),
            (333333333.33333329, "333333333.3333333"), (-1.5e-9, "-1.5e-9"), (295147905179352830000, "295147905179352830000"),
        ]
        for (value, text) in cases {
            XCTAssertEqual(CanonicalJSON.formatNumber(value), text, "\(value)")
        }
    }

    func testKeysSortByUTF16AndStringsEscapeMinimally() {
        let value: JSONValue = ["b": 1, "a": ["x", nil, true], "\u{20AC}": "é\n\u{1}", "\u{1F600}": 2, "\u{FB33}": 3]
        // U+1F600 is the surrogate pair D83D DE00, which sorts before U+FB33 in UTF-16 order.
        XCTAssertEqual(CanonicalJSON.encode(value),
                       "{\"a\":[\"x\",null,true],\"b\":1,\"\u{20AC}\":\"é\\n\\u0001\",\"\u{1F600}\":2,\"\u{FB33}\":3}")
        // Strings longer than a small string's 15 bytes: clean ones are copied whole, one to
        // escape (its last bytes) is written escaped, with nothing of the copy path left before it.
        let clean = String(repeating: "data/part-0001/", count: 4), dirty = String(repeating: "é-long-", count: 4) + "\"q\\\t"
        XCTAssertEqual(CanonicalJSON.encode([clean: .string(dirty)]),
                       "{\"\(clean)\":\"\(String(repeating: "é-long-", count: 4))\\\"q\\\\\\t\"}")
    }

    func testRoundTripThroughPrettyAndParse() throws {
        let value: JSONValue = ["nested": ["k": [1.25, -3, "s"]], "empty": [:], "list": [], "nan": .number(.nan)]
        let pretty = CanonicalJSON.pretty(value)
        XCTAssertTrue(pretty.contains("\n  \"empty\": {}"))
        let back = try CanonicalJSON.parse(pretty)
        XCTAssertEqual(CanonicalJSON.encode(back), CanonicalJSON.encode(value))
        XCTAssertTrue(back["nan"]!.doubleValue!.isNaN)
    }

    func testNonFiniteNumbersUseExplicitEncoding() throws {
        XCTAssertEqual(CanonicalJSON.encode([.number(.infinity), .number(-.infinity), .number(.nan)]),
                       "[{\"$float\":\"Infinity\"},{\"$float\":\"-Infinity\"},{\"$float\":\"NaN\"}]")
    }

    func testMalformedInputNamesLineAndColumn() {
        XCTAssertThrowsError(try CanonicalJSON.parse("{\n  \"a\": 1,\n  \"a\": 2\n}")) { error in
            let e = error as! JSONSyntaxError
            XCTAssertEqual(e.line, 3)
            XCTAssertTrue(e.reason.contains("duplicate key"))
        }
        for bad in ["", "{", "[1,]", "01", "1.", "\"abc", "{\"a\" 1}", "tru", "[1] x", "\"\\ud800\""] {
            XCTAssertThrowsError(try CanonicalJSON.parse(bad), bad)
        }
        XCTAssertThrowsError(try CanonicalJSON.parse(bytes: [0x22, 0xFF, 0x22]))
        XCTAssertEqual(try CanonicalJSON.parse("[\"plain\", \"esc\\u00e9\\n\"]"), ["plain", "escé\n"])
    }

    func testDigestIsOfCanonicalBytes() {
        // printf '{"a":1}' | sha256sum
        XCTAssertEqual(CanonicalJSON.digest(["a": 1]),
                       "sha256:015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5cebeae62276a97f862")
    }
}
