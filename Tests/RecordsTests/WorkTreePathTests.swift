import XCTest
@testable import Records

/// The paths a record, lock or manifest may name, and those refused (docs/security/paths.md).
final class WorkTreePathTests: XCTestCase {
    func testAcceptedPaths() throws {
        for good in ["data/train.csv", "train.csv", "a/b/c/d.parquet", ".gitignore-data/x", ".github/x.csv", "git/x", "x.git/y",
                     ".gitx", "data/..x", "data/x..", "données/é.csv", "a b/c d.csv", "...", "com10.csv", "auxiliary/x", "gitt~1"] {
            XCTAssertEqual(try WorkTreePath(validating: good).string, good)
        }
        XCTAssertEqual(try WorkTreePath(validating: "a/b/c").components, ["a", "b", "c"])
        let joined = try WorkTreePath(validating: "data").appending(try WorkTreePath(validating: "x/y.csv"))
        XCTAssertEqual(joined.string, "data/x/y.csv")
    }

    func testRefusedPaths() {
        let refused: [(String, WorkTreePath.Violation)] = [
            ("", .empty),
            ("/etc/x", .absolute),
            ("C:/x", .absolute),
            ("c:x", .absolute),
            ("a\\b", .backslash),
            ("..\\x", .backslash),
            ("a\u{0000}b", .controlCharacter),
            ("a\nb", .controlCharacter),
            ("a\u{7F}", .controlCharacter),
            ("a\u{9B}b", .controlCharacter),
            ("a//b", .emptyComponent),
            ("a/", .emptyComponent),
            ("./a", .dotComponent),
            ("a/./b", .dotComponent),
            ("..", .dotDotComponent),
            ("../x", .dotDotComponent),
            ("a/../../x", .dotDotComponent),
            ("a/..", .dotDotComponent),
            (".git", .gitDirectory(component: ".git")),
            (".git/config", .gitDirectory(component: ".git")),
            (".GIT/hooks/x", .gitDirectory(component: ".GIT")),
            (".Git/x", .gitDirectory(component: ".Git")),
            ("sub/.git/x", .gitDirectory(component: ".git")),
            (".git /x", .gitDirectory(component: ".git ")),
            (".git./x", .gitDirectory(component: ".git.")),
            (".git . ./x", .gitDirectory(component: ".git . .")),
            (".git::$INDEX_ALLOCATION/x", .gitDirectory(component: ".git::$INDEX_ALLOCATION")),
            ("git~1/config", .gitDirectory(component: "git~1")),
            ("GIT~1/config", .gitDirectory(component: "GIT~1")),
            (".git\u{200C}/config", .gitDirectory(component: ".git\u{200C}")),
            (".g\u{200D}it/config", .gitDirectory(component: ".g\u{200D}it")),
            ("\u{FEFF}.git/config", .gitDirectory(component: "\u{FEFF}.git")),
            (".gi\u{206A}t/x", .gitDirectory(component: ".gi\u{206A}t")),
            ("NUL", .device(component: "NUL")),
            ("data/aux.csv", .device(component: "aux.csv")),
            ("con/x", .device(component: "con")),
            ("COM1.txt", .device(component: "COM1.txt")),
            ("lpt9", .device(component: "lpt9")),
        ]
        for (text, violation) in refused {
            XCTAssertThrowsError(try WorkTreePath(validating: text), text.debugDescription) { error in
                XCTAssertEqual(error as? WorkTreePath.Violation, violation, text.debugDescription)
            }
        }
    }

    /// A dataset record is checked when it is read: the error names the version and the field.
    func testRecordWithHostilePathIsRefusedNamingVersionAndField() throws {
        func record(path: String, type: String, files: [String]) -> JSONValue {
            let listed = files.map { DatasetRecord.File(path: $0, digest: "sha256:00", size: 1, manifest: nil) }
            return .object([
                "format_version": 1, "kind": "dataset", "name": "evil", "version": 3,
                "digest": .string(type == "directory" ? DatasetRecord.directoryDigest(listed) : "sha256:00"),
                "size": .number(Double(type == "directory" ? files.count : 1)),
                "path": .string(path), "type": .string(type),
                "files": .array(files.map { ["path": .string($0), "digest": "sha256:00", "size": 1] }),
                "parent": .null, "created_by": "x", "created_at": "2026-01-01T00:00:00Z",
            ])
        }
        XCTAssertNoThrow(try DatasetRecord(json: record(path: "data/x.csv", type: "file", files: [""])))
        XCTAssertNoThrow(try DatasetRecord(json: record(path: "data", type: "directory", files: ["a.csv", "b/c.csv"])))
        let cases: [(JSONValue, String)] = [
            (record(path: ".git/config", type: "file", files: [""]), "field \"path\""),
            (record(path: "/tmp/x", type: "file", files: [""]), "field \"path\""),
            (record(path: "data", type: "directory", files: ["a.csv", "b.csv", "c.csv", "../x"]), "field \"files[3].path\""),
            (record(path: "data", type: "file", files: ["x"]), "field \"files\""),
        ]
        for (json, field) in cases {
            XCTAssertThrowsError(try DatasetRecord(json: json)) { error in
                let text = "\(error)"
                XCTAssertTrue(text.contains("evil@v3"), text)
                XCTAssertTrue(text.contains(field), text)
                XCTAssertTrue(text.contains("git update-ref -d"), text)
            }
        }
        XCTAssertThrowsError(try DatasetRecord(json: record(path: ".git\u{200C}/config", type: "file", files: [""]))) { error in
            XCTAssertTrue("\(error)".contains(".git\\u{200C}/config"), "\(error)")  // shown escaped
        }
    }

    func testLockWithHostilePathOrNameIsRefused() {
        func lock(name: String, path: String) -> String {
            #"{"format_version": 1, "datasets": {"\#(name)": {"version": "v1", "digest": "sha256:\#(String(repeating: "0", count: 64))", "size": 1, "path": "\#(path)"}}}"#
        }
        XCTAssertNoThrow(try Lock(text: lock(name: "train", path: "data/train.csv")))
        for (name, path) in [("train", "../x"), ("train", ".git/hooks/pre-commit"), ("train", "/tmp/x"), ("../x", "data/x.csv")] {
            XCTAssertThrowsError(try Lock(text: lock(name: name, path: path)), "\(name) \(path)")
        }
    }

    /// ASCII paths take a byte-level path through the rules: it must refuse exactly what the
    /// general rules refuse, with the same violation, on paths built from the characters the
    /// rules look at.
    func testASCIIFastPathAgreesWithTheGeneralRules() {
        let alphabet = ["/", "/", ".", "..", ".git", ".GiT", "git~1", "GIT", "com1", "COM9", "com0", "lpt3", "nul", "con", "Aux",
                        "conout$", "c:", "Z", ":", " ", "~", "x", "data", ".csv", "\\", "\t", "\u{7F}"]
        var state: UInt64 = 0x9E3779B97F4A7C15
        func next() -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int(state >> 33)
        }
        var refused = 0
        for _ in 0..<50_000 {
            let text = (0..<(next() % 8)).map { _ in alphabet[next() % alphabet.count] }.joined()
            let expected = WorkTreePath.violation(text)
            do {
                _ = try WorkTreePath(validating: text)
                XCTAssertNil(expected, "accepted \(text.debugDescription)")
            } catch {
                XCTAssertEqual(error, expected, text.debugDescription)
                refused += 1
            }
        }
        XCTAssertGreaterThan(refused, 1000)
        for text in [".git", "GIT~1", ".git. . ", ".git:x", "nul.csv", "CON ", "com7", "lpt1.x", "c:", "Z:x"] {
            XCTAssertNotNil(WorkTreePath.violation(text), text)
            XCTAssertThrowsError(try WorkTreePath(validating: text), text)
        }
    }
}
