import Foundation
import XCTest
@testable import Runner

/// A predictions file an external command wrote is untrusted: a file without the expected
/// columns is refused with the columns it needs and the ones it has.
final class ExternalScoresFileTests: XCTestCase {
    private func write(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("scores-\(UUID().uuidString).csv").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    func testAFileWithOtherColumnsNamesTheNeededAndTheFoundOnes() throws {
        let binary = try write("row,prob\n0,0.5\n1,0.25\n")
        XCTAssertThrowsError(try ExternalScoresFile(path: binary, name: "predictions.csv", rowCount: 2, classes: nil)) { error in
            guard case let RunnerError.invalidPredictions(file, problem) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(file, "predictions.csv")
            XCTAssertEqual(problem, "needs the columns row and score (it has row, prob)")
        }
        let multiclass = try write("row,p_a,p_c\n0,0.5,0.5\n")
        XCTAssertThrowsError(try ExternalScoresFile(path: multiclass, name: "p.csv", rowCount: 1, classes: ["a", "b"])) { error in
            guard case let RunnerError.invalidPredictions(_, problem) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(problem, "needs the columns row and p_a, p_b (it has row, p_a, p_c)")
        }
        let good = try write("row,score\n1,0.25\n0,0.5\n")
        let scores = try ExternalScoresFile(path: good, name: "p.csv", rowCount: 2, classes: nil)
        XCTAssertEqual(scores.rows, [1, 0])
        XCTAssertEqual(scores.scores, [0.25, 0.5])
    }
}
