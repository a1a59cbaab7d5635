import Foundation
import XCTest
@testable import Tables

/// gzip and zstd compressed CSV, TSV and JSON Lines read as their plain text does, recognized
/// by magic bytes; cut-short streams are errors naming the file.
final class CompressedTextTests: XCTestCase {
    private var directory = ""

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "compressed-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    private func write(_ name: String, _ text: String) throws -> String {
        let path = directory + "/" + name
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Compresses `path` with the real `gzip` / `zstd` tool into `path + suffix`.
    private func compress(_ path: String, tool: String, to name: String) throws -> String {
        let out = directory + "/" + name
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool, "-c", "-q", path]
        XCTAssertTrue(FileManager.default.createFile(atPath: out, contents: nil))
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: out))
        try process.run()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        return out
    }

    private var csv: String {
        "id,score,city,when\n" + (0..<5000).map { "\($0),\(Double($0) / 7),c\($0 % 13),2026-01-0\($0 % 9 + 1)T00:00:00Z" }.joined(separator: "\n") + "\n"
    }

    func testGzipAndZstdCSVReadAsThePlainFile() throws {
        let plain = try write("data.csv", csv)
        let expected = try TableFile.read(contentsOf: plain).table
        for (tool, suffix) in [("gzip", ".gz"), ("zstd", ".zst")] {
            let compressed = try compress(plain, tool: tool, to: "data.csv" + suffix)
            XCTAssertEqual(try TableFile.read(contentsOf: compressed).table, expected, tool)
        }
    }

    func testMoreThanOnePieceOfOutput() throws {
        // Several MiB of text: output arrives in many 1 MiB pieces.
        let big = "a,b\n" + (0..<200_000).map { "\($0),\(String(repeating: "x", count: $0 % 40))" }.joined(separator: "\n") + "\n"
        let plain = try write("big.csv", big)
        let expected = try TableFile.read(contentsOf: plain).table
        XCTAssertEqual(try TableFile.read(contentsOf: compress(plain, tool: "gzip", to: "big.csv.gz")).table, expected)
        XCTAssertEqual(try TableFile.read(contentsOf: compress(plain, tool: "zstd", to: "big.csv.zst")).table, expected)
    }

    func testTSVAndJSONLinesKeepTheirFormatUnderCompression() throws {
        let tsv = try write("data.tsv", "a\tb\n1\tx\n2\ty\n")
        XCTAssertEqual(try TableFile.read(contentsOf: compress(tsv, tool: "gzip", to: "data.tsv.gz")).table,
                       try TableFile.read(contentsOf: tsv).table)
        let jsonl = try write("data.jsonl", "{\"a\": 1, \"b\": \"x\"}\n{\"a\": 2, \"b\": null}\n")
        let expected = try TableFile.read(contentsOf: jsonl).table
        XCTAssertEqual(expected.columnNames, ["a", "b"])
        XCTAssertEqual(try TableFile.read(contentsOf: compress(jsonl, tool: "gzip", to: "data.jsonl.gz")).table, expected)
        XCTAssertEqual(try TableFile.read(contentsOf: compress(jsonl, tool: "zstd", to: "data.jsonl.zst")).table, expected)
    }

    func testMagicBytesNotTheNameDecide() throws {
        let plain = try write("data.csv", csv)
        let compressed = try compress(plain, tool: "gzip", to: "misnamed.csv")
        XCTAssertEqual(try TableFile.read(contentsOf: compressed).table, try TableFile.read(contentsOf: plain).table)
    }

    func testConcatenatedGzipMembersReadAsOneText() throws {
        let first = try compress(try write("a.csv", "n,s\n1,a\n"), tool: "gzip", to: "a.csv.gz")
        let second = try compress(try write("b.csv", "2,b\n"), tool: "gzip", to: "b.csv.gz")
        let joined = directory + "/joined.csv.gz"
        try Data(try Data(contentsOf: URL(fileURLWithPath: first)) + Data(contentsOf: URL(fileURLWithPath: second)))
            .write(to: URL(fileURLWithPath: joined))
        let table = try TableFile.read(contentsOf: joined).table
        XCTAssertEqual(table.column(named: "n"), Column.int64("n", [1, 2]))
    }

    func testCutShortStreamsAreErrorsNamingTheFile() throws {
        let plain = try write("data.csv", csv)
        for (tool, suffix) in [("gzip", "gzip"), ("zstd", "zstd")] {
            let compressed = try compress(plain, tool: tool, to: "data.csv." + suffix)
            let bytes = try Data(contentsOf: URL(fileURLWithPath: compressed))
            let cut = directory + "/cut.csv." + suffix
            try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: cut))
            XCTAssertThrowsError(try TableFile.read(contentsOf: cut), tool) { error in
                guard case .corruptCompressedInput(let path, let format, _)? = error as? TableReadError else { return XCTFail("\(error)") }
                XCTAssertEqual(path, cut)
                XCTAssertEqual(format, tool)
            }
        }
    }

    func testColumnsKeepsTheNamedColumnsInEveryFormat() throws {
        let plain = try write("data.csv", csv)
        let compressed = try compress(plain, tool: "zstd", to: "data.csv.zst")
        let parquet = ParquetReaderTests.fixtures.appendingPathComponent("churn_twin.parquet").path
        for path in [plain, compressed] {
            let table = try TableFile.read(contentsOf: path, columns: ["city", "id"]).table
            XCTAssertEqual(table.columnNames, ["city", "id"])
            XCTAssertEqual(table.column(named: "id"), try TableFile.read(contentsOf: plain).table.column(named: "id"))
        }
        XCTAssertEqual(try TableFile.read(contentsOf: parquet, columns: ["region"]).table.columnNames, ["region"])
        XCTAssertThrowsError(try TableFile.read(contentsOf: plain, columns: ["nope"])) { error in
            XCTAssertEqual(error as? TableReadError, .unknownSchemaColumn("nope"))
        }
    }

    func testNamesGitMLReadsAsTables() {
        for name in ["a.csv", "a.CSV.GZ", "a.tsv.gz", "a.jsonl.zst", "a.ndjson.gz", "a.parquet", "a.csv.zst"] {
            XCTAssertTrue(TableFile.isTabular(name), name)
        }
        for name in ["a.txt", "a.gz", "a.parquet.gz", "a.csv.bz2"] { XCTAssertFalse(TableFile.isTabular(name), name) }
        XCTAssertEqual(TableFile.format(of: "x.tsv.gz"), .tsv)
        XCTAssertEqual(TableFile.format(of: "x.jsonl.zst"), .jsonLines)
        XCTAssertEqual(TableFile.format(of: "x.parquet"), .parquet)
    }
}
