import Foundation
import XCTest
@testable import Sweeps

final class SobolSequenceTests: XCTestCase {
    struct Golden: Decodable {
        let dimensions: Int
        let first: [[Double]]
        let at: [String: [Double]]
    }

    func golden() throws -> Golden {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden/sobol.json")
        return try JSONDecoder().decode(Golden.self, from: Data(contentsOf: url))
    }

    /// Equal to scipy.stats.qmc.Sobol(d=21, scramble=False), bit for bit (scripts/golden/sobol.py).
    func testPointsEqualScipysUnscrambledSobol() throws {
        let golden = try golden()
        let sequence = SobolSequence(dimensions: golden.dimensions)
        for (index, expected) in golden.first.enumerated() {
            XCTAssertEqual(sequence.point(index), expected, "point \(index)")
        }
        for (index, expected) in golden.at {
            XCTAssertEqual(sequence.point(Int(index)!), expected, "point \(index)")
        }
    }

    /// Fewer dimensions are the leading coordinates of more.
    func testLowerDimensionsArePrefixes() {
        let three = SobolSequence(dimensions: 3), five = SobolSequence(dimensions: 5)
        for index in [1, 2, 17, 999] {
            XCTAssertEqual(three.point(index), Array(five.point(index).prefix(3)))
        }
    }
}
