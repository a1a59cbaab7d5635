import Foundation
import XCTest
@testable import Contracts

/// A "billion laughs" document whose mapping key is an alias of 9^10 nodes hung Yams' reader
/// (its duplicate-key check hashes whole keys: over 30 s, killed); a document nested 200,000
/// levels deep was stopped by libyaml at 1,000 with an error quoting the whole 200 KB line.
/// Both are refused before Yams reads them (`YAMLLimits`), in one line naming file and line.
final class YAMLLimitsTests: XCTestCase {
    private func refusal(_ yaml: String) -> String? {
        do {
            _ = try YAMLCursor.optionalDocument(yaml: yaml, file: "ml/config.yaml")
            return nil
        } catch {
            return "\(error)"
        }
    }

    private func assertTooDeep(_ yaml: String, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        let message = refusal(yaml)
        XCTAssertTrue(message?.contains("nested deeper than 64 levels") == true, "\(what): \(message ?? "accepted")", file: file, line: line)
    }

    func testDeeplyNestedDocumentsAreRefusedBeforeYamsReadsThem() {
        let deep = 100_000
        assertTooDeep(String(repeating: "[", count: deep), "flow sequences")
        assertTooDeep("key: " + String(repeating: "{a: ", count: deep), "flow mappings")
        assertTooDeep(String(repeating: "- ", count: deep) + "x", "compact block sequences")
        assertTooDeep((0..<40).map { String(repeating: " ", count: $0) + "k\($0):" }.joined(separator: "\n"), "block mappings by indentation")
        // Ways to make a scanner lose count that YAML does not take as text.
        assertTooDeep("--- " + String(repeating: "[", count: deep), "after a document marker")
        assertTooDeep("key: !!seq " + String(repeating: "[", count: deep), "after a tag")
        assertTooDeep("{\"a\":" + String(repeating: "[", count: deep), "after a JSON-like key")
        assertTooDeep("[a\n:\"\n, " + String(repeating: "[", count: deep), "a quote inside a plain scalar of a flow collection")
        assertTooDeep("- key: |\n  other: " + String(repeating: "[", count: deep), "a key beside an empty block scalar")
        assertTooDeep("key: value # \"\n" + String(repeating: "[", count: deep), "a quote in a comment")
    }

    func testTextThatOnlyLooksDeepIsRead() throws {
        let brackets = String(repeating: "[", count: 10_000)
        for yaml in ["key: \"\(brackets)\"", "key: '\(brackets)'", "key: |\n  \(brackets)\n  more\nnext: 1", "key: value \(brackets)",
                     "key: first line\n  \(brackets)\nnext: 1", "# \(brackets)\nkey: 1", "key: a[b]{c}", "key: 'it''s [not] a list'"] {
            XCTAssertNotNil(try YAMLCursor.optionalDocument(yaml: yaml, file: "t.yaml"), yaml.prefix(40).description)
        }
    }

    func testAnchorsAndAliasesAreRefused() {
        var laughs = "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        for k in 1...9 { laughs += "a\(k): &a\(k) [" + Array(repeating: "*a\(k - 1)", count: 9).joined(separator: ", ") + "]\n" }
        laughs += "? *a9\n: boom\n"
        for yaml in [laughs, "suite: &s churn\ntrain: *s", "key: [*undefined]"] {
            let message = refusal(yaml)
            XCTAssertTrue(message?.contains("anchors and aliases") == true, "\(yaml.prefix(30)): \(message ?? "accepted")")
        }
        XCTAssertTrue(refusal("a: 1\nb: &x 2")?.contains("ml/config.yaml:2") == true, "the line is named")
        XCTAssertNotNil(try? YAMLCursor.optionalDocument(yaml: "description: R&D *and* more\nglob: \"*.csv\"", file: "t.yaml"), "& and * inside text")
    }

    /// The commented templates users start from nest well within the limit.
    func testTheTemplatesPass() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../templates/ml")
        for path in ["gate.yaml", "suites/example.yaml", "experiments/example.yaml", "contracts/example.yaml"] {
            let text = try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
            XCTAssertNoThrow(try YAMLLimits.check(text, file: path), path)
        }
    }
}
