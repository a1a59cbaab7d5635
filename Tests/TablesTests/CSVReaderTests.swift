import XCTest
import Kernels
@testable import Tables

final class CSVReaderTests: XCTestCase {
    private func read(_ text: String, _ options: CSVReadOptions = CSVReadOptions()) throws -> TableReadResult {
        try CSVReader.read(text: text, options: options)
    }

    private func assertError(_ text: String, _ expected: TableReadError, _ options: CSVReadOptions = CSVReadOptions(),
                             file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try CSVReader.read(bytes: Array(text.utf8), options: options), file: file, line: line) { error in
            XCTAssertEqual(error as? TableReadError, expected, file: file, line: line)
        }
    }

    func testInfersTypesAndNulls() throws {
        let table = try read("id,x,flag,when,name,count\n1,1.5,true,2024-01-02,a,7\n2,,false,2024-01-03T04:05:06Z,b,NA\n3,2e3,TRUE,,a,9\n").table
        XCTAssertEqual(table.columnNames, ["id", "x", "flag", "when", "name", "count"])
        XCTAssertEqual(table.rowCount, 3)
        XCTAssertEqual(table.column(named: "id")?.values, .int64([1, 2, 3]))
        XCTAssertEqual(table.column(named: "x")?.type, .float64)
        XCTAssertEqual(table.column(named: "x")?.number(at: 2), 2000)
        XCTAssertTrue(table.column(named: "x")!.isNull(1))
        XCTAssertEqual(table.column(named: "flag")?.values, .bool([true, false, true]))
        XCTAssertEqual(table.column(named: "when")?.type, .timestamp)
        XCTAssertEqual(table.column(named: "when")?.text(at: 1), "2024-01-03T04:05:06Z")
        XCTAssertEqual(table.column(named: "when")?.nullCount, 1)
        XCTAssertEqual(table.column(named: "name")?.values, .category(codes: [0, 1, 0], dictionary: ["a", "b"]))
        XCTAssertEqual(table.column(named: "count")?.type, .int64)
        XCTAssertEqual(table.column(named: "count")?.nullCount, 1)
    }

    func testQuotingCRLFAndBOM() throws {
        let text = "\u{FEFF}name,note\r\n\"Smith, J\",\"said \"\"hi\"\"\r\nthen left\"\r\nplain,\"\"\r\n"
        let table = try read(text).table
        XCTAssertEqual(table.columnNames, ["name", "note"])
        XCTAssertEqual(table.column(named: "name")?.text(at: 0), "Smith, J")
        XCTAssertEqual(table.column(named: "note")?.text(at: 0), "said \"hi\"\r\nthen left")
        XCTAssertTrue(table.column(named: "note")!.isNull(1), "an empty field is a null token by default")
    }

    func testDetectsDelimiters() throws {
        XCTAssertEqual(try read("a\tb\n1\t2\n").table.columnNames, ["a", "b"])
        XCTAssertEqual(try read("a;b;c\n1;2,5;3\n").table.columnNames, ["a", "b", "c"])
        XCTAssertEqual(try read("a|b\n1|2\n").table.columnNames, ["a", "b"])
        XCTAssertEqual(try read("a,b\n", CSVReadOptions(header: .present)).table.rowCount, 0)
        XCTAssertEqual(try read("x\t\"p,q\"\n1\t2\n", .tsv).table.columnNames, ["x", "p,q"])
    }

    func testDetectsMissingHeader() throws {
        let table = try read("1,a\n2,b\n").table
        XCTAssertEqual(table.columnNames, ["column1", "column2"])
        XCTAssertEqual(table.rowCount, 2)
        XCTAssertEqual(try read("a,b\n", CSVReadOptions(header: .absent)).table.rowCount, 1)
        let pandasStyle = try read(",x\n0,1.5\n1,2.5\n").table
        XCTAssertEqual(pandasStyle.columnNames, ["column1", "x"])
        XCTAssertEqual(pandasStyle.column(named: "x")?.values, .float64([1.5, 2.5]))
    }

    func testNullTokensAndSchemaOverride() throws {
        let options = CSVReadOptions(nullTokens: ["-"], schema: ["code": .category, "v": .float64, "b": .bool])
        let table = try read("code,v,b\n007,1,1\n-,2,0\n,3,-\n", options).table
        XCTAssertEqual(table.column(named: "code")?.text(at: 0), "007")
        XCTAssertTrue(table.column(named: "code")!.isNull(1))
        XCTAssertEqual(table.column(named: "code")?.text(at: 2), "")
        XCTAssertEqual(table.column(named: "v")?.values, .float64([1, 2, 3]))
        XCTAssertEqual(table.column(named: "b")?.values, .bool([true, false, false]))
        XCTAssertEqual(table.column(named: "b")?.nullCount, 1)
        assertError("v\n1\nx\n", .valueDoesNotMatchType(line: 3, column: 1, columnName: "v", value: "x", expected: .int64),
                    CSVReadOptions(schema: ["v": .int64]))
        assertError("v\n1\n", .unknownSchemaColumn("w"), CSVReadOptions(schema: ["w": .int64]))
        let skipped = try read("v,w\n1,a\nx,b\n3,c\n", CSVReadOptions(schema: ["v": .int64], badRows: .skip))
        XCTAssertEqual(skipped.table.column(named: "v")?.values, .int64([1, 3]))
        XCTAssertEqual(skipped.table.column(named: "w")?.values, .category(codes: [0, 1], dictionary: ["a", "c"]))
        XCTAssertEqual(skipped.skippedRows, [SkippedRow(line: 3, reason: .valueDoesNotMatchType(
            line: 3, column: 1, columnName: "v", value: "x", expected: .int64))])
    }

    /// A column typed as a category takes any text as is, coded by its bytes once its row is
    /// kept: a row skipped for another column's value leaves nothing in the dictionary.
    func testExplicitCategoryColumnsCodeKeptRowsOnly() throws {
        let options = CSVReadOptions(schema: ["v": .int64, "w": .category, "x": .category], badRows: .skip)
        let result = try read("v,w,x\n1,\"a \"\"q\"\"\",1\nbad,never,2\n3,,1.0\n4,\"a \"\"q\"\"\",1\n", options)
        XCTAssertEqual(result.skippedRows.map(\.line), [3])
        XCTAssertEqual(result.table.column(named: "v")?.values, .int64([1, 3, 4]))
        let w = try XCTUnwrap(result.table.column(named: "w"))
        XCTAssertEqual(w.categories?.dictionary, ["a \"q\""])
        XCTAssertEqual((0..<3).map(w.text(at:)), ["a \"q\"", nil, "a \"q\""])
        XCTAssertEqual(result.table.column(named: "x")?.values, .category(codes: [0, 1, 0], dictionary: ["1", "1.0"]))
    }

    /// Explicitly typed values are stored as the row check parses them; a row refused by a
    /// later field leaves nothing behind: the next kept row, a null included, takes its place,
    /// and a refused last row is past the rows kept.
    func testExplicitValuesOfASkippedRowLeaveNothing() throws {
        let options = CSVReadOptions(schema: ["a": .int64, "b": .float64, "c": .float32, "d": .bool, "e": .timestamp],
                                     badRows: .skip)
        let text = "a,b,c,d,e\n" +
            "1,1.5,0.25,1,2024-01-02\n" +
            "2,2.5,0.5,true,never\n" +
            ",,,,\n" +
            "4,4.5,1e3,FALSE,2024-01-03T00:00:01Z\n" +
            "5,5.5,2,yes,2024-01-04\n"
        for chunkSize in [8, 1 << 20] {
            let result = try CSVReader.read(bytes: Array(text.utf8), options: options, chunkSize: chunkSize)
            XCTAssertEqual(result.skippedRows.map(\.line), [3, 6], "chunk size \(chunkSize)")
            let table = result.table
            XCTAssertEqual(table.column(named: "a")?.values, .int64([1, 0, 4]))
            XCTAssertEqual(table.column(named: "b")?.values, .float64([1.5, 0, 4.5]))
            XCTAssertEqual(table.column(named: "c")?.values, .float32([0.25, 0, 1000]))
            XCTAssertEqual(table.column(named: "d")?.values, .bool([true, false, false]))
            XCTAssertEqual(table.column(named: "e")?.values, .timestamp([Timestamp.parse("2024-01-02")!, 0, Timestamp.parse("2024-01-03T00:00:01Z")!]))
            XCTAssertEqual(table.columns.map { $0.isNull(1) }, [true, true, true, true, true])
            XCTAssertEqual(table.columns.map { $0.isNull(2) }, [false, false, false, false, false])
        }
    }

    func testWideningAndOverflow() throws {
        let table = try read("a,b,c\n1,9223372036854775807,x\n2.5,9223372036854775808,1\n").table
        XCTAssertEqual(table.column(named: "a")?.values, .float64([1, 2.5]))
        XCTAssertEqual(table.column(named: "b")?.type, .float64)
        XCTAssertEqual(table.column(named: "c")?.values, .category(codes: [0, 1], dictionary: ["x", "1"]))
    }

    /// A column settled as float or text reads its later values without classifying them
    /// again, and gets what classifying gives: an integer in a float column is the same double,
    /// "-0" (an integer) is +0 where "-0.0" is −0, a number in a text column is its text.
    func testSettledFloatAndTextColumnsReadAsClassified() throws {
        let table = try read("f,t\n1.5,x\n-0,2\n-0.0,nan\n9007199254740993,true\n,-0\n").table
        guard case .float64(let f) = table.column(named: "f")?.values else { return XCTFail("f is not float64") }
        XCTAssertEqual(f.map(\.bitPattern), [1.5, 0.0, -0.0, 9007199254740992, 0].map(\.bitPattern))
        XCTAssertEqual(table.column(named: "f")?.isNull(4), true)
        XCTAssertEqual((0..<5).map { table.column(named: "t")?.text(at: $0) }, ["x", "2", "nan", "true", "-0"])
    }

    /// Integer, timestamp and boolean columns parse their later values as their kind and get
    /// what classifying gives: signs and leading zeros are integers, a day that does not exist
    /// or a "1" among booleans widens the column to text, an integer too large widens to float.
    func testSettledIntegerTimestampAndBoolColumnsReadAsClassified() throws {
        let text = "i,w,t,u,b,c\n" +
            "1,1,2024-01-02T03:04:05,2024-01-02,true,true\n" +
            "+7,9223372036854775808,2024-01-02,2024-02-30,False,1\n" +
            "-0,2,,2024-03-01,TRUE,false\n" +
            "007,3,2024-03-01T00:00:00.5Z,x,,FALSE\n"
        let table = try read(text).table
        XCTAssertEqual(table.column(named: "i")?.values, .int64([1, 7, 0, 7]))
        XCTAssertEqual(table.column(named: "w")?.values, .float64([1, 9223372036854775808, 2, 3]))
        XCTAssertEqual(table.column(named: "t")?.values, .timestamp([
            Timestamp.parse("2024-01-02T03:04:05")!, Timestamp.parse("2024-01-02")!, 0, Timestamp.parse("2024-03-01T00:00:00.5Z")!,
        ]))
        XCTAssertEqual((0..<4).map { table.column(named: "u")?.text(at: $0) }, ["2024-01-02", "2024-02-30", "2024-03-01", "x"])
        XCTAssertEqual(table.column(named: "b")?.values, .bool([true, false, true, false]))
        XCTAssertEqual(table.column(named: "b")?.isNull(3), true)
        XCTAssertEqual((0..<4).map { table.column(named: "c")?.text(at: $0) }, ["true", "1", "false", "FALSE"])
    }

    /// Text is coded by its bytes within a chunk and chunks merge as `String`s compare, so
    /// canonically equivalent spellings are one category, spelled as it first appears, within a
    /// chunk and across chunks alike.
    func testCanonicallyEquivalentTextIsOneCategoryAcrossChunks() throws {
        let values = (0..<400).map { ["\u{E9}t\u{E9}", "e\u{301}te\u{301}", "K", "\u{212A}", "plain"][$0 % 5] }
        let text = "v\n" + values.joined(separator: "\n") + "\n"
        for chunkSize in [64, 1 << 20] {
            let table = try CSVReader.read(bytes: Array(text.utf8), options: CSVReadOptions(), chunkSize: chunkSize).table
            guard case .category(let codes, let dictionary) = table.column(named: "v")?.values else { return XCTFail("v is not a category") }
            XCTAssertEqual(dictionary, ["\u{E9}t\u{E9}", "K", "plain"], "chunk size \(chunkSize)")
            XCTAssertEqual(codes.prefix(5), [0, 0, 1, 1, 2], "chunk size \(chunkSize)")
            XCTAssertEqual(Set(codes.indices.map { codes[$0] == codes[$0 % 5] }), [true])
        }
    }

    func testRaggedRowsFailWithLineOrAreSkippedAndCounted() throws {
        let text = "a,b\n1,2\n3\n4,5\n6,7,8\n"
        assertError(text, .raggedRow(line: 3, expectedFields: 2, foundFields: 1))
        let result = try read(text, CSVReadOptions(badRows: .skip))
        XCTAssertEqual(result.table.column(named: "a")?.values, .int64([1, 4]))
        XCTAssertEqual(result.skippedRows, [
            SkippedRow(line: 3, reason: .raggedRow(line: 3, expectedFields: 2, foundFields: 1)),
            SkippedRow(line: 5, reason: .raggedRow(line: 5, expectedFields: 2, foundFields: 3)),
        ])
    }

    func testInvalidUTF8ReportsLineAndColumn() throws {
        var bytes = Array("a,b\nok,fine\nx,".utf8)
        bytes += [0x66, 0xC3, 0x28]  // "f" then an invalid two-byte sequence
        bytes += Array("\n".utf8)
        XCTAssertThrowsError(try CSVReader.read(bytes: bytes)) { error in
            XCTAssertEqual(error as? TableReadError, .invalidUTF8(line: 3, column: 4))
        }
        let result = try CSVReader.read(bytes: bytes, options: CSVReadOptions(badRows: .skip))
        XCTAssertEqual(result.table.rowCount, 1)
        XCTAssertEqual(result.skippedRows.count, 1)
    }

    /// Rows inside an all-ASCII chunk skip the UTF-8 check; a bad byte anywhere, in a row
    /// that crosses into the next chunk included, is still found at every chunk size.
    func testInvalidUTF8IsFoundWhereverChunksCut() throws {
        let text = Array(("id,name\n" + (0..<12).map { "\($0),name-\($0)\n" }.joined()).utf8)
        let lines = text.indices.filter { text[$0] == 0x0A }
        for position in lines.indices.dropFirst().map({ lines[$0 - 1] + 5 }) {
            var bytes = text
            bytes[position] = 0xFF
            let line = lines.firstIndex { $0 > position }! + 1
            let column = position - lines[line - 2]
            for chunkSize in [16, 23, 64, 1 << 20] {
                XCTAssertThrowsError(try CSVReader.read(bytes: bytes, options: CSVReadOptions(), chunkSize: chunkSize)) { error in
                    XCTAssertEqual(error as? TableReadError, .invalidUTF8(line: line, column: column), "chunk size \(chunkSize)")
                }
            }
        }
    }

    func testQuotingErrors() {
        assertError("a,b\n1,\"open\n2,3\n", .unterminatedQuote(line: 2, column: 3))
        assertError("a,b\n1,ab\"c\n", .unexpectedQuote(line: 2, column: 5))
        assertError("a,b\n1,\"ab\"c,\"\"\n", .unexpectedQuote(line: 2, column: 7))
        assertError("a,b\n1,\"ab\"c\n", .unexpectedQuote(line: 2, column: 7), CSVReadOptions(badRows: .skip))
    }

    func testFirstErrorInRowOrderAcrossBlocks() {
        var text = "a,b\n"
        for i in 0..<400 { text += i == 10 ? "1\n" : (i == 203 ? "1,\"x\"y\n" : "1,2\n") }
        XCTAssertThrowsError(try CSVReader.read(bytes: Array(text.utf8), options: CSVReadOptions(), chunkSize: 64)) { error in
            XCTAssertEqual(error as? TableReadError, .raggedRow(line: 12, expectedFields: 2, foundFields: 1))
        }
    }

    func testHugeFieldAndEmptyInputs() throws {
        let big = String(repeating: "x", count: 5000)
        assertError("a,b\n1,\(big)\n", .fieldTooLarge(line: 2, column: 3, bytes: 5000, limit: 4096), CSVReadOptions(maxFieldBytes: 4096))
        XCTAssertEqual(try read("a,b\n1,\(big)\n").table.column(named: "b")?.text(at: 0)?.count, 5000)
        assertError("", .emptyInput)
        assertError("\u{FEFF}", .emptyInput)
        assertError("\n\r\n\n", .emptyInput)
        let blanks = try read("a\n\n1\n\n2")
        XCTAssertEqual(blanks.table.column(named: "a")?.values, .int64([1, 2]))
        XCTAssertEqual(blanks.blankLines, 2)
    }

    /// Types widen across and within parallel chunks (4 KiB here, about 200 rows each):
    /// values parsed speculatively as the chunk's kind are converted or parsed again, never lost.
    func testTypeWideningAcrossBlocks() throws {
        let rowsPerBlock = 8192
        let rows = 3 * rowsPerBlock
        var text = "a,b,c,d\n"
        for i in 0..<rows {
            let a = i < rows / 2 ? "\(i)" : "\(i).5"
            let b = i == rows - 10 ? "x" : "\(i)"
            let c = i < rowsPerBlock + 5 ? "" : (i % 2 == 0 ? "true" : "false")
            let d = i < rows - 3 ? "true" : "7"
            text += "\(a),\(b),\(c),\(d)\n"
        }
        let table = try CSVReader.read(bytes: Array(text.utf8), options: CSVReadOptions(), chunkSize: 4096).table
        XCTAssertEqual(table, try read(text).table)
        XCTAssertEqual(table.column(named: "a")?.values, .float64((0..<rows).map { $0 < rows / 2 ? Double($0) : Double($0) + 0.5 }))
        let b = try XCTUnwrap(table.column(named: "b"))
        XCTAssertEqual(b.type, .category)
        XCTAssertEqual(b.text(at: 5), "5")
        XCTAssertEqual(b.text(at: rows - 10), "x")
        let c = try XCTUnwrap(table.column(named: "c"))
        XCTAssertEqual(c.type, .bool)
        XCTAssertEqual(c.nullCount, rowsPerBlock + 5)
        XCTAssertEqual(c.text(at: rows - 2), "true")
        let d = try XCTUnwrap(table.column(named: "d"))
        XCTAssertEqual(d.type, .category)
        XCTAssertEqual(d.text(at: 0), "true")
        XCTAssertEqual(d.text(at: rows - 1), "7")
    }

    /// Many rows with quoted newlines and delimiters crossing the 1 MiB parallel chunk
    /// boundaries: one thread and all threads give the same table, equal to the generated rows.
    func testParallelSplitIsCorrectWithQuotedNewlines() throws {
        var rng = SplitMix64(seed: 3)
        var text = "id,note,value\n"
        var notes: [String] = []
        var values: [Double] = []
        let rows = 40_000
        for id in 0..<rows {
            let note = (0..<(1 + rng.index(below: 4))).map { _ in String(repeating: "w", count: rng.index(below: 30)) }.joined(separator: rng.index(below: 2) == 0 ? "\n" : ", \"\"")
            let value = rng.unit() * 1000 - 500
            notes.append(note.replacingOccurrences(of: "\"\"", with: "\""))
            values.append(value)
            text += "\(id),\"\(note)\",\(value)\r\n"
        }
        XCTAssertGreaterThan(text.utf8.count, 2 * RowSplit.defaultChunkSize)
        let parallel = try read(text, CSVReadOptions(threads: ParallelFor.Threads(4))).table
        let serial = try read(text, CSVReadOptions(threads: .one)).table
        XCTAssertEqual(parallel, serial)
        XCTAssertEqual(parallel.rowCount, rows)
        XCTAssertEqual(parallel.column(named: "value")?.values, .float64(values))
        let noteColumn = parallel.column(named: "note")!
        for i in stride(from: 0, to: rows, by: 97) { XCTAssertEqual(noteColumn.text(at: i) ?? "", notes[i]) }
    }

    /// Chunk boundaries anywhere (inside quoted newlines, CRLF pairs, blank lines, the header,
    /// a byte-order mark, bad rows) never change what is read. (One thread: the chunks here
    /// are a few bytes; threads are covered by the test above.)
    func testEveryChunkSizeReadsTheSameTable() throws {
        var rng = SplitMix64(seed: 11)
        var text = "\u{FEFF}id,note,x,flag\r\n\r\n"
        for id in 0..<300 {
            let note = rng.index(below: 3) == 0 ? "\"a\nb,\"\"c\"\"\r\n\"" : (rng.index(below: 2) == 0 ? "" : "w\(id % 7)")
            let x = rng.index(below: 5) == 0 ? "NA" : (id < 150 ? "\(id)" : "\(id).25")
            let flag = id == 299 ? "maybe" : (id % 2 == 0 ? "true" : "false")
            text += rng.index(below: 10) == 0 ? "\(id),bad\n" : "\(id),\(note),\(x),\(flag)\(rng.index(below: 2) == 0 ? "\r\n" : "\n")"
            if rng.index(below: 8) == 0 { text += rng.index(below: 2) == 0 ? "\n" : "\r\n" }
        }
        let options = CSVReadOptions(badRows: .skip, threads: .one)
        let expected = try read(text, options)
        XCTAssertGreaterThan(expected.skippedRows.count, 0)
        XCTAssertGreaterThan(expected.blankLines, 0)
        for chunkSize in [1, 2, 3, 7, 16, 61, 200, 1024] {
            let result = try CSVReader.read(bytes: Array(text.utf8), options: options, chunkSize: chunkSize)
            XCTAssertEqual(result.table, expected.table, "chunk size \(chunkSize)")
            XCTAssertEqual(result.skippedRows, expected.skippedRows, "chunk size \(chunkSize)")
            XCTAssertEqual(result.blankLines, expected.blankLines, "chunk size \(chunkSize)")
        }
        XCTAssertEqual(expected.table.column(named: "x")?.type, .float64)
        XCTAssertEqual(expected.table.column(named: "flag")?.type, .category)
        XCTAssertEqual(expected.table.column(named: "note")?.text(at: 0).map { $0.hasPrefix("a\nb") || $0.hasPrefix("w") }, true)
    }

    /// float32 only when the schema asks: correctly rounded (also where rounding the double
    /// would round twice), nulls and type errors as for any column.
    func testFloat32ColumnsOnRequest() throws {
        let options = CSVReadOptions(schema: ["x": .float32])
        let table = try read("x,y\n0.1,0.1\n,2\n1.0000000596046447753906251,3\n3.5e38,4\n", options).table
        XCTAssertEqual(table.column(named: "x")?.values, .float32([0.1, 0, Float(1).nextUp, .infinity]))
        XCTAssertEqual(table.column(named: "x")?.nullCount, 1)
        XCTAssertEqual(table.column(named: "x")?.number(at: 0), Double(Float(0.1)))
        XCTAssertEqual(table.column(named: "x")?.text(at: 0), "0.1")
        XCTAssertEqual(table.column(named: "y")?.type, .float64)
        assertError("x\n1\nabc\n", .valueDoesNotMatchType(line: 3, column: 1, columnName: "x", value: "abc", expected: .float32), options)
        XCTAssertEqual(try read("x\n1\n2\n").table.column(named: "x")?.type, .int64)
    }
}

final class CSVFileTests: XCTestCase {
    /// A file of several 1 MiB chunks, read through the mapping whose pages are released behind
    /// each pass (and fault back in when a later pass reads them), equals the same bytes read
    /// from memory.
    func testMappedMultiChunkFileEqualsInMemoryRead() throws {
        var text = "id,note,x\n"
        for id in 0..<60_000 { text += "\(id),\"n \(id % 13)\(id % 500 == 0 ? "\n" : ""), \"\"q\"\"\",\(Double(id) / 7)\n" }
        XCTAssertGreaterThan(text.utf8.count, 2 * RowSplit.defaultChunkSize)
        let path = NSTemporaryDirectory() + "gitml-tables-mapped-\(getpid()).csv"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let mapped = try CSVReader.read(contentsOf: path, options: CSVReadOptions(threads: ParallelFor.Threads(2))).table
        XCTAssertEqual(mapped, try CSVReader.read(text: text).table)
        XCTAssertEqual(mapped.rowCount, 60_000)
    }

    func testReadsFilesAndReportsMissingOnes() throws {
        let path = NSTemporaryDirectory() + "gitml-tables-\(getpid()).csv"
        try "a,b\n1,x\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        XCTAssertEqual(try CSVReader.read(contentsOf: path).table.rowCount, 1)
        try "".write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try CSVReader.read(contentsOf: path)) { XCTAssertEqual($0 as? TableReadError, .emptyInput) }
        XCTAssertThrowsError(try CSVReader.read(contentsOf: path + ".missing")) { error in
            guard case .unreadableFile(let p, _)? = error as? TableReadError else { return XCTFail("\(error)") }
            XCTAssertEqual(p, path + ".missing")
        }
    }
}
