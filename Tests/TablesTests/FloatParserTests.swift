import Foundation
import Kernels
import XCTest
@testable import Tables

final class FloatParserTests: XCTestCase {
    private func assertSameAsStrtod(_ text: String, file: StaticString = #filePath, line: UInt = #line) {
        let expected = Double(text)
        let parsed = FloatParser.parse(text)
        XCTAssertEqual(parsed?.bitPattern, expected?.bitPattern, "\(text)", file: file, line: line)
    }

    func testKnownValues() {
        XCTAssertEqual(FloatParser.parse("0"), 0)
        XCTAssertEqual(FloatParser.parse("-0")?.sign, .minus)
        XCTAssertEqual(FloatParser.parse("1.5"), 1.5)
        XCTAssertEqual(FloatParser.parse("-2.25e3"), -2250)
        XCTAssertEqual(FloatParser.parse(".5"), 0.5)
        XCTAssertEqual(FloatParser.parse("5."), 5)
        XCTAssertEqual(FloatParser.parse("+7E-1"), 0.7)
        XCTAssertEqual(FloatParser.parse("1e23"), 1e23)
        XCTAssertEqual(FloatParser.parse("Infinity"), .infinity)
        XCTAssertEqual(FloatParser.parse("-inf"), -.infinity)
        XCTAssertTrue(FloatParser.parse("NaN")!.isNaN)
        for text in ["0.1", "0.3", "2.2250738585072014e-308", "4.9e-324", "1.7976931348623157e308", "1e400",
                     "1e-400", "9007199254740993", "123456789012345678901234567890", "0.000000000000000000000000001",
                     "3.14159265358979323846264338327950288", "1e22", "1e37", "12345e30", "8.98846567431158e307",
                     "00000000000000000000000000000000001.5", "2.4703282292062328e-324", "2.4703282292062327e-324"] {
            assertSameAsStrtod(text)
        }
    }

    func testRejectsMalformedText() {
        for text in ["", "-", "+", ".", "e5", "1e", "1e+", "1.2.3", "1,5", " 1", "1 ", "0x1p3", "abc", "1e5x", "--1", "infx"] {
            XCTAssertNil(FloatParser.parse(text), text)
        }
    }

    func testRandomBitPatternsRoundTripThroughDescription() {
        var rng = SplitMix64(seed: 42)
        for _ in 0..<20_000 {
            let value = Double(bitPattern: rng.next())
            guard value.isFinite else { continue }
            let parsed = FloatParser.parse(value.description)
            XCTAssertEqual(parsed?.bitPattern, value.bitPattern, value.description)
        }
    }

    func testRandomShortDecimalsMatchStrtod() {
        var rng = SplitMix64(seed: 7)
        for _ in 0..<20_000 {
            let digits = String(rng.next() % 10_000_000_000)
            let point = rng.index(below: digits.count + 1)
            var text = String(digits.prefix(point)) + "." + String(digits.dropFirst(point))
            if rng.index(below: 3) == 0 { text += "e\(rng.index(below: 80) - 40)" }
            if rng.index(below: 2) == 0 { text = "-" + text }
            assertSameAsStrtod(text)
        }
    }

    /// Up to 19 significant digits over the whole exponent range (the Eisel–Lemire path),
    /// including subnormals, overflow and values halfway between doubles.
    func testSignificandsUpTo19DigitsAcrossTheExponentRange() {
        var rng = SplitMix64(seed: 11)
        for _ in 0..<20_000 {
            let digits = String(rng.next() % 10_000_000_000_000_000_000)
            assertSameAsStrtod("\(digits)e\(rng.index(below: 700) - 360)")
        }
        for text in ["9007199254740993", "9007199254740995", "4503599627370497.5", "1.00000000000000011102230246251565404",
                     "2.2250738585072011e-308", "4.9406564584124654e-324", "1.7976931348623158e308", "7.2057594037927933e16"] {
            assertSameAsStrtod(text)
        }
    }

    func testRandomLongSignificandsMatchStrtod() {
        var rng = SplitMix64(seed: 9)
        for _ in 0..<5_000 {
            let digits = (0..<(15 + rng.index(below: 25))).map { _ in String(rng.index(below: 10)) }.joined()
            assertSameAsStrtod("0.\(digits)e\(rng.index(below: 640) - 320)")
        }
    }

    /// Fraction digits are taken eight at a time once a non-zero digit was seen: windows that
    /// hold a non-digit (bytes just below '0' and just above '9' included), leading zeros, more
    /// than 19 digits and every window offset read as `strtod` reads them.
    func testFractionDigitsReadEightAtATimeMatchStrtod() {
        for text in ["1.12345678", "1.123456789", "0.000000001234567891234", "-0.93701234567891234", "7.123456789012345678901",
                     "3.1234567e5", "3.12345678e-5", "0.00000000", "5.10000000000000000001", "2.99999999999999999999"] {
            assertSameAsStrtod(text)
        }
        for bad in ["1.1234567/9", "1.1234567:9", "1.12345 78", "1.1234567\u{0}"] {
            XCTAssertNil(FloatParser.parse(bad), bad)
        }
        var rng = SplitMix64(seed: 5)
        for _ in 0..<20_000 {
            let digits = (0..<(1 + rng.index(below: 24))).map { _ in String(rng.index(below: 10)) }.joined()
            let zeros = String(repeating: "0", count: rng.index(below: 4))
            assertSameAsStrtod("\(rng.index(below: 3)).\(zeros)\(digits)")
        }
    }

    /// float32 parsing equals `strtof` (Swift's `Float(_:)`), also for decimals just off a
    /// midpoint between two floats, where rounding the correctly rounded double would round twice.
    func testFloat32MatchesStrtof() {
        let justAboveMidpoint = "1.0000000596046447753906251"
        XCTAssertEqual(FloatParser.parseFloat32(justAboveMidpoint), Float(1).nextUp)
        XCTAssertEqual(Float(FloatParser.parse(justAboveMidpoint)!), 1)  // the double rounding avoided
        XCTAssertEqual(FloatParser.parseFloat32("340282356779733661637539395458142568447"), .greatestFiniteMagnitude)
        XCTAssertEqual(FloatParser.parseFloat32("340282356779733661637539395458142568448"), .infinity)
        XCTAssertEqual(FloatParser.parseFloat32("-1e-50")?.sign, .minus)
        XCTAssertNil(FloatParser.parseFloat32("1e"))
        var rng = SplitMix64(seed: 5)
        for _ in 0..<20_000 {
            let value = Float(bitPattern: UInt32(truncatingIfNeeded: rng.next()))
            guard value.isFinite else { continue }
            XCTAssertEqual(FloatParser.parseFloat32(value.description)?.bitPattern, value.bitPattern, value.description)
        }
        for _ in 0..<5_000 {
            // Midpoints of floats in [2^-10, 2^10) have short exact decimals: nudge them up or down.
            let value = Float(sign: .plus, exponent: rng.index(below: 20) - 10, significand: 1 + Float(rng.index(below: 1 << 23)) / Float(1 << 23))
            let midpoint = (Double(value) + Double(value.nextUp)) / 2
            let exact = String(format: "%.45f", midpoint)
            for text in [exact, exact + "1", String(format: "%.45f", midpoint.nextDown)] {
                XCTAssertEqual(FloatParser.parseFloat32(text)?.bitPattern, Float(text)?.bitPattern, text)
            }
        }
    }
}
