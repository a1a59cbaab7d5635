import Foundation
import XCTest
@testable import GitMLCLI

/// `PredictionsFile.labels` decides each distinct value's text once; these pin that the result,
/// and the row an error names, are what deciding every row's text gives.
final class PredictionsFileTests: XCTestCase {
    private var folder = ""

    override func setUpWithError() throws {
        folder = NSTemporaryDirectory() + "predictions-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: folder) }

    private func labels(_ csv: String, positive: String? = nil) throws -> [Bool] {
        let path = folder + "/p.csv"
        try csv.write(toFile: path, atomically: true, encoding: .utf8)
        return try PredictionsFile(path: path).labels("y", positive: positive)
    }

    private func error(_ csv: String, positive: String? = nil) -> String {
        do {
            _ = try labels(csv, positive: positive)
            return "no error"
        } catch {
            return "\(error)"
        }
    }

    func testIntegerFloatBooleanAndTextLabels() throws {
        XCTAssertEqual(try labels("y\n0\n1\n1\n0\n1\n"), [false, true, true, false, true])
        XCTAssertEqual(try labels("y\n1.0\n0.0\n0.0\n1.0\n"), [true, false, false, true])
        XCTAssertEqual(try labels("y\ntrue\nfalse\ntrue\n"), [true, false, true])
        XCTAssertEqual(try labels("y\nTrue\nFALSE\nfalse\nTRUE\n"), [true, false, false, true])
        XCTAssertEqual(try labels("y\ncat\ndog\ncat\n", positive: "dog"), [false, true, false])
    }

    func testPositiveClassAmongManyValuesIsMatchedBeyondTheRememberedOnes() throws {
        let values = (0..<40).map { $0 % 20 } + [7, 19]
        let got = try labels("y\n" + values.map(String.init).joined(separator: "\n") + "\n", positive: "19")
        XCTAssertEqual(got, values.map { $0 == 19 })
    }

    func testABadLabelIsNamedAtItsFirstRowEvenAfterRememberedValues() {
        XCTAssertTrue(error("y\n0\n1\n0\n2\n1\n").contains("label '2' at row 4"), error("y\n0\n1\n0\n2\n1\n"))
        XCTAssertTrue(error("y\n0.0\n-0.0\n").contains("label '-0.0' at row 2"), error("y\n0.0\n-0.0\n"))
        XCTAssertTrue(error("y\ntrue\nmaybe\n").contains("label 'maybe' at row 2"), error("y\ntrue\nmaybe\n"))
    }

    func testAnEmptyCellIsNamedEvenWhereItsPlaceholderMatchesARememberedValue() {
        let message = error("y,p\n0,0.1\n1,0.2\n,0.3\n")
        XCTAssertTrue(message.contains("column 'y' is empty at row 3"), message)
    }
}
