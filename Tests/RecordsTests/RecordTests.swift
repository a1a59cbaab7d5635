import Platform
import XCTest
@testable import Records

final class RecordTests: XCTestCase {
    private func record(purged: DatasetRecord.Purge? = nil) -> DatasetRecord {
        DatasetRecord(name: "train", version: 2, digest: "sha256:" + String(repeating: "a", count: 64), size: 10,
                      path: "data/train.csv", isDirectory: false,
                      files: [.init(path: "", digest: "sha256:" + String(repeating: "a", count: 64), size: 10, manifest: nil)],
                      parent: "sha256:" + String(repeating: "b", count: 64), createdBy: "T <t@x>", createdAt: "2026-11-30T00:00:00Z",
                      purged: purged)
    }

    func testDatasetRecordRoundTripsThroughCanonicalJSON() throws {
        for r in [record(), record(purged: .init(at: "2026-12-01T00:00:00Z", by: "T", reason: "erasure"))] {
            let text = CanonicalJSON.encode(r.json)
            XCTAssertEqual(try DatasetRecord(json: try CanonicalJSON.parse(text)), r)
        }
        XCTAssertEqual(record().label, "train@v2")
    }

    func testRecordsFromANewerFormatAreRefusedClearly() throws {
        guard case .object(var o) = record().json else { return XCTFail() }
        o["format_version"] = 99
        XCTAssertThrowsError(try DatasetRecord(json: .object(o))) { error in
            XCTAssertTrue("\(error)".contains("format version 99 is newer than GitML"), "\(error)")
            XCTAssertTrue("\(error)".contains("upgrade GitML to ≥ "), "\(error)")
        }
        o["format_version"] = 1
        o["size"] = "ten"
        XCTAssertThrowsError(try DatasetRecord(json: .object(o))) { error in
            XCTAssertTrue("\(error)".contains("\"size\""))
        }
    }

    /// A record's digest and size are its files': one that says otherwise (a forged record
    /// claiming a trusted version's digest over other bytes) is refused when read. Before the
    /// fix each of these parsed, and the lock and runs took the claimed digest for the data.
    func testARecordWhoseDigestOrSizeIsNotItsFilesIsRefused() throws {
        guard case .object(let honest) = record().json else { return XCTFail() }
        let other = "sha256:" + String(repeating: "c", count: 64)
        let directoryFiles: JSONValue = [["path": "a.csv", "digest": .string(other), "size": 4], ["path": "b.csv", "digest": .string(other), "size": 6]]
        let cases: [(String, [String: JSONValue], String)] = [
            ("digest", ["digest": .string(other)], "field \"digest\" is \(other), but its files' digest is sha256:aaaa"),
            ("size", ["size": 11], "field \"size\" is 11, but its files hold 10 bytes"),
            ("directory digest", ["type": "directory", "path": "data", "files": directoryFiles], "field \"digest\""),
        ]
        for (what, changes, message) in cases {
            let json = JSONValue.object(honest.merging(changes) { $1 })
            XCTAssertThrowsError(try DatasetRecord(json: json), what) { error in
                XCTAssertTrue("\(error)".contains(message) && "\(error)".contains("train@v2"), "\(what): \(error)")
            }
        }
        let files = [DatasetRecord.File(path: "a.csv", digest: other, size: 4, manifest: nil), DatasetRecord.File(path: "b.csv", digest: other, size: 6, manifest: nil)]
        let directory = honest.merging(["type": "directory", "path": "data", "files": directoryFiles,
                                        "digest": .string(DatasetRecord.directoryDigest(files))]) { $1 }
        XCTAssertNoThrow(try DatasetRecord(json: .object(directory)), "a directory whose digest and size are its files'")
    }

    func testDirectoryDigestIgnoresListingOrder() {
        let a = DatasetRecord.File(path: "a", digest: "sha256:1", size: 1, manifest: nil)
        let b = DatasetRecord.File(path: "b", digest: "sha256:2", size: 2, manifest: "sha256:3")
        XCTAssertEqual(DatasetRecord.directoryDigest([a, b]), DatasetRecord.directoryDigest([b, a]))
        XCTAssertNotEqual(DatasetRecord.directoryDigest([a]), DatasetRecord.directoryDigest([a, b]))
    }

    /// The digest is pinned by bytes Python's `json.dumps(sort_keys=True, separators=(",", ":"),
    /// ensure_ascii=False)` writes for the same list (RFC 8785 for these values), and equals the
    /// generic canonical writer's: paths that need escapes, non-ASCII and a size above 2^32.
    func testDirectoryDigestIsTheCanonicalJSONOfTheSortedFileList() {
        let files = [
            DatasetRecord.File(path: "c/\u{E9}t\u{E9}/\u{1F600}.csv", digest: "sha256:" + String(repeating: "f", count: 64), size: 7, manifest: nil),
            DatasetRecord.File(path: "a \"quoted\" \\ name.csv", digest: "sha256:" + String(repeating: "0", count: 64), size: 0, manifest: "sha256:9"),
            DatasetRecord.File(path: "b/line\nbreak\u{1}.csv", digest: "sha256:" + String(repeating: "a", count: 64), size: 12_345_678_901, manifest: nil),
        ]
        let pinned = "sha256:1091b6b298fb6dd14bfc41c117de20ecf8cf990276fcebea3ce7417b292d750d"
        XCTAssertEqual(DatasetRecord.directoryDigest(files), pinned)
        XCTAssertEqual(DatasetRecord.directoryDigest(files.sorted { $0.path < $1.path }), pinned)
        let generic = CanonicalJSON.digest(.array(files.sorted { $0.path < $1.path }.map {
            ["path": .string($0.path), "digest": .string($0.digest), "size": .number(Double($0.size))]
        }))
        XCTAssertEqual(generic, pinned)
    }

    func testLockKeepsUnknownSectionsAndIsOneMemberPerLine() throws {
        var lock = Lock(datasets: ["train": .init(version: 3, digest: "sha256:" + String(repeating: "a", count: 64), size: 5, path: "t.csv")],
                        otherSections: ["promotions_seen": ["churn": ["count": 1]]])
        let text = lock.text
        XCTAssertTrue(text.contains("\n      \"version\": \"v3\""))
        let back = try Lock(text: text)
        XCTAssertEqual(back, lock)
        lock.datasets["eval"] = .init(version: 1, digest: "sha256:" + String(repeating: "d", count: 64), size: 1, path: "e.csv")
        XCTAssertNotEqual(try Lock(text: lock.text), back)
        XCTAssertThrowsError(try Lock(text: "{\"format_version\": 1, \"datasets\": {\"x\": {\"version\": \"three\"}}}"))
        // A digest that is not one (a changed character that still parses) is refused by name.
        for bad in ["sha256:abc", "sha256:" + String(repeating: "A", count: 64), "sha257:" + String(repeating: "a", count: 64)] {
            lock.datasets["eval"]?.digest = bad
            XCTAssertThrowsError(try Lock(text: lock.text)) { XCTAssertTrue("\($0)".contains("\"digest\""), "\($0)") }
        }
    }

    func testThreeWayLockMerge() {
        let base = Lock(datasets: ["a": .init(version: 1, digest: "d1", size: 1, path: "a"),
                                   "b": .init(version: 1, digest: "e1", size: 1, path: "b")])
        var ours = base
        ours.datasets["a"] = .init(version: 2, digest: "d2", size: 1, path: "a")
        var theirs = base
        theirs.datasets["b"] = .init(version: 2, digest: "e2", size: 1, path: "b")
        theirs.datasets["c"] = .init(version: 1, digest: "f1", size: 1, path: "c")
        let (merged, conflicts) = Lock.merge(base: base, ours: ours, theirs: theirs)
        XCTAssertEqual(conflicts, [])
        XCTAssertEqual(merged.datasets["a"]?.version, 2)
        XCTAssertEqual(merged.datasets["b"]?.version, 2)
        XCTAssertEqual(merged.datasets["c"]?.version, 1)

        theirs.datasets["a"] = .init(version: 2, digest: "d3", size: 1, path: "a")
        let (_, clash) = Lock.merge(base: base, ours: ours, theirs: theirs)
        XCTAssertEqual(clash, ["datasets.a"])
    }
}
