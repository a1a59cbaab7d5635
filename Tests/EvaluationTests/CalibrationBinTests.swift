import XCTest
@testable import Evaluation

final class CalibrationBinTests: XCTestCase {
    /// The O(1) uniform bin equals the binary search on every edge, its neighbours and a grid.
    func testUniformBinMatchesTheBinarySearchExactly() {
        for n in [1, 2, 10, 15, 100] {
            let edges = Calibration.uniformEdges(n)
            let interior = edges.dropFirst().dropLast()
            var values: [Double] = [0, 1, -0.0, 1e-300]
            for edge in edges { values += [edge, edge.nextUp, edge.nextDown] }
            values += (0...10_000).map { Double($0) / 10_000 }
            for value in values where value >= 0 && value <= 1 {
                XCTAssertEqual(Calibration.uniformBin(value, edges: edges), Calibration.countBelow(value, in: interior), "n \(n), value \(value)")
            }
        }
    }
}
