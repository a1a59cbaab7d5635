import Foundation
import XCTest

/// Loads a golden JSON file written by `scripts/golden/*.py` (NaN is stored as null).
func loadGolden<T: Decodable>(_ name: String, as type: T.Type) throws -> T {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Golden").appendingPathComponent(name)
    return try JSONDecoder().decode(T.self, from: Data(contentsOf: url))
}

/// Asserts |actual − expected| ≤ tolerance, where an expected nil means NaN.
func assertClose(_ actual: Double, _ expected: Double?, tolerance: Double = 1e-9, _ message: String,
                 file: StaticString = #filePath, line: UInt = #line) {
    guard let expected else {
        XCTAssertTrue(actual.isNaN, "\(message): expected NaN, got \(actual)", file: file, line: line)
        return
    }
    XCTAssertEqual(actual, expected, accuracy: tolerance, message, file: file, line: line)
}
