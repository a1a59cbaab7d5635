import Foundation
import XCTest
@testable import Kernels

final class TranscendentalsTests: XCTestCase {
    /// Error in units in the last place of the reference value.
    private func ulps(_ value: Double, _ reference: Double) -> Double {
        if value == reference { return 0 }
        return abs(value - reference) / reference.ulp
    }

    private func maxError(over inputs: [Double], _ ours: (Double) -> Double, _ reference: (Double) -> Double) -> Double {
        inputs.map { ulps(ours($0), reference($0)) }.max() ?? 0
    }

    private func grid(_ range: ClosedRange<Double>, count: Int) -> [Double] {
        (0...count).map { range.lowerBound + (range.upperBound - range.lowerBound) * Double($0) / Double(count) }
    }

    /// Measured on x86_64 (glibc): exp 1 ulp, log1p 2 ulp, sigmoid 4 ulp, log1pexp 3 ulp (the
    /// last two against formulas built from libm exp/log1p, which add their own rounding).
    func testMaximumErrorAgainstFoundationIsStated() {
        let expError = maxError(over: grid(-700...700, count: 200_000) + grid(-1...1, count: 20_000),
                                Transcendentals.exp, Foundation.exp)
        XCTAssertLessThanOrEqual(expError, 2, "exp max error \(expError) ulp")
        let smallValues = grid(-0.999...1, count: 50_000) + grid(-30...30, count: 10_000).map { Foundation.exp($0) }
        let log1pError = maxError(over: smallValues + grid(1...1e6, count: 50_000), Transcendentals.log1p, Foundation.log1p)
        XCTAssertLessThanOrEqual(log1pError, 2, "log1p max error \(log1pError) ulp")
        let sigmoidError = maxError(over: grid(-700...36, count: 100_000), Transcendentals.sigmoid) { 1 / (1 + Foundation.exp(-$0)) }
        XCTAssertLessThanOrEqual(sigmoidError, 4, "sigmoid max error \(sigmoidError) ulp")
        let log1pexpError = maxError(over: grid(-700...700, count: 100_000), Transcendentals.log1pexp) {
            max($0, 0) + Foundation.log1p(Foundation.exp(-abs($0)))
        }
        XCTAssertLessThanOrEqual(log1pexpError, 4, "log1pexp max error \(log1pexpError) ulp")
    }

    func testSpecialValues() {
        XCTAssertEqual(Transcendentals.exp(0), 1)
        XCTAssertEqual(Transcendentals.exp(800), .infinity)
        XCTAssertEqual(Transcendentals.exp(-800), 0)
        XCTAssertTrue(Transcendentals.exp(.nan).isNaN)
        XCTAssertEqual(Transcendentals.exp(-.infinity), 0)
        XCTAssertEqual(Transcendentals.log1p(0), 0)
        XCTAssertEqual(Transcendentals.log1p(1e-300), 1e-300)
        XCTAssertEqual(Transcendentals.log1p(-1), -.infinity)
        XCTAssertTrue(Transcendentals.log1p(-2).isNaN)
        XCTAssertEqual(Transcendentals.log1p(.infinity), .infinity)
        XCTAssertEqual(Transcendentals.sigmoid(0), 0.5)
        XCTAssertEqual(Transcendentals.sigmoid(-1000), 0)
        XCTAssertEqual(Transcendentals.sigmoid(1000), 1)
        XCTAssertEqual(Transcendentals.log1pexp(1000), 1000)
        XCTAssertEqual(Transcendentals.log1pexp(-1000), 0)
    }

    func testApplyMatchesScalarCallsIncludingTail() {
        let input = (0..<21).map { Double($0) * 0.37 - 4 }
        var output = [Double](repeating: 0, count: input.count)
        Transcendentals.apply(Transcendentals.sigmoid, input, &output, count: input.count)
        XCTAssertEqual(output.map(\.bitPattern), input.map { Transcendentals.sigmoid($0).bitPattern })
    }
}
