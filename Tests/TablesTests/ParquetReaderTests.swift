import Foundation
import Kernels
import XCTest
@testable import Tables

/// Files written by pyarrow, pandas, polars, DuckDB and fastparquet
/// (scripts/fixtures/parquet.py) read to exactly what pyarrow reads in them, and corrupt files
/// fail with errors naming the file, row group and column.
final class ParquetReaderTests: XCTestCase {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/parquet")

    private func expected() throws -> [String: [String: Any]] {
        let data = try Data(contentsOf: Self.fixtures.appendingPathComponent("expected.json"))
        return try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: [String: Any]])
    }

    func testEveryFixtureReadsAsPyarrowReadsIt() throws {
        let files = try expected()
        XCTAssertGreaterThanOrEqual(files.count, 25)
        for (file, expectation) in files.sorted(by: { $0.key < $1.key }) where expectation["error_column"] == nil && file != "hive" {
            let path = Self.fixtures.appendingPathComponent(file).path
            for threads in [ParallelFor.Threads.one, .all] {
                let table = try ParquetReader.read(contentsOf: path, options: ParquetReadOptions(threads: threads)).table
                try check(table, against: expectation, file: file)
            }
        }
    }

    private func check(_ table: Table, against expectation: [String: Any], file: String) throws {
        let columns = try XCTUnwrap(expectation["columns"] as? [[String: Any]])
        XCTAssertEqual(table.rowCount, expectation["rows"] as? Int, file)
        XCTAssertEqual(table.columnNames, columns.map { $0["name"] as! String }, file)
        for spec in columns {
            let name = spec["name"] as! String
            let column = try XCTUnwrap(table.column(named: name), "\(file): \(name)")
            XCTAssertEqual(column.type.rawValue, spec["type"] as? String, "\(file): \(name)")
            let values = try XCTUnwrap(spec["values"] as? [Any])
            XCTAssertEqual(values.count, column.count, "\(file): \(name)")
            var mismatches = 0
            for (row, value) in values.enumerated() where mismatches < 3 {
                let actual = rendered(column, row)
                let wanted = value is NSNull ? nil : "\(value)"
                if actual != wanted {
                    mismatches += 1
                    XCTFail("\(file): \(name) row \(row): \(actual ?? "null") ≠ \(wanted ?? "null")")
                }
            }
        }
    }

    /// A value as expected.json writes it: floats as hex bit patterns, others as text.
    private func rendered(_ column: Column, _ row: Int) -> String? {
        guard column.validity.isValid(row) else { return nil }
        switch column.values {
        case .float64(let v): return String(v[row].bitPattern, radix: 16).leftPadded(16)
        case .float32(let v): return String(v[row].bitPattern, radix: 16).leftPadded(8)
        case .int64(let v), .timestamp(let v): return String(v[row])
        case .bool(let v): return v[row] ? "1" : "0"
        case .category(let codes, let dictionary): return dictionary[Int(codes[row])]
        case .text(let text): return text.string(at: row)
        }
    }

    func testHivePartitionedDirectoryReadsAsPyarrowReadsIt() throws {
        let root = Self.fixtures.appendingPathComponent("hive").path
        let relative = try XCTUnwrap(FileManager.default.subpaths(atPath: root)).filter { path in
            (try? FileManager.default.attributesOfItem(atPath: root + "/" + path)[.type] as? FileAttributeType) == .typeRegular
        }
        XCTAssertTrue(relative.contains("_SUCCESS"))
        XCTAssertTrue(ParquetDataset.isDataset(relative))
        let table = try ParquetDataset.read(files: relative.map { ($0, root + "/" + $0) }).table
        try check(table, against: try XCTUnwrap(try expected()["hive"]), file: "hive")
        let projected = try ParquetDataset.read(files: relative.map { ($0, root + "/" + $0) },
                                                options: ParquetReadOptions(columns: ["region", "id"], schema: ["year": .float64])).table
        XCTAssertEqual(projected.columnNames, ["id", "region"])
        XCTAssertFalse(ParquetDataset.isDataset(["a.parquet", "notes.txt"]))
    }

    /// The null counts a contract reads without decoding values (definition levels, and the
    /// partition folders) equal those of the table read in full, partition keys included: the
    /// `region` of the rows under `region=__HIVE_DEFAULT_PARTITION__` is null.
    func testHiveDirectoryNullCountsEqualTheFullRead() throws {
        let root = Self.fixtures.appendingPathComponent("hive").path
        let relative = try XCTUnwrap(FileManager.default.subpaths(atPath: root)).filter { path in
            (try? FileManager.default.attributesOfItem(atPath: root + "/" + path)[.type] as? FileAttributeType) == .typeRegular
        }
        let files = relative.map { ($0, root + "/" + $0) }
        let table = try ParquetDataset.read(files: files).table
        let counts = try ParquetDataset.nullCounts(files: files, selection: .all)
        XCTAssertEqual(counts.rows, table.rowCount)
        XCTAssertEqual(counts.nulls, Dictionary(uniqueKeysWithValues: table.columns.map { ($0.name, $0.nullCount) }))
        let defaultPartitionRows = try relative.filter { $0.contains("region=__HIVE_DEFAULT_PARTITION__") && $0.hasSuffix(".parquet") }
            .map { try ParquetReader.read(contentsOf: root + "/" + $0).table.rowCount }.reduce(0, +)
        XCTAssertGreaterThan(defaultPartitionRows, 0)
        XCTAssertEqual(counts.nulls["region"], defaultPartitionRows)
        let some = try ParquetDataset.nullCounts(files: files, selection: .only(["region", "id"]))
        XCTAssertEqual(Set(some.nulls.keys), ["region", "id"])
        XCTAssertEqual(some.nulls["region"], defaultPartitionRows)
        XCTAssertEqual(some.rows, table.rowCount)
    }

    func testNestedColumnIsRefusedWithItsName() throws {
        let path = Self.fixtures.appendingPathComponent("pyarrow_nested.parquet").path
        XCTAssertThrowsError(try ParquetReader.read(contentsOf: path)) { error in
            XCTAssertEqual(error as? TableReadError, .invalidParquet(path: path, rowGroup: nil, column: "tags", problem: .nestedColumn(kind: "list")))
        }
        let flat = try ParquetReader.read(contentsOf: path, options: ParquetReadOptions(columns: ["flat"])).table
        XCTAssertEqual(flat.columnNames, ["flat"])
        XCTAssertEqual(flat.column(named: "flat"), Column.int64("flat", [0, 1, 2, 3, 4]))
    }

    func testProjectionReadsOnlyTheNamedColumnsInOrder() throws {
        let path = Self.fixtures.appendingPathComponent("pyarrow_default.parquet").path
        let all = try ParquetReader.read(contentsOf: path).table
        let some = try ParquetReader.read(contentsOf: path, options: ParquetReadOptions(columns: ["city", "id"])).table
        XCTAssertEqual(some.columnNames, ["city", "id"])
        XCTAssertEqual(some.column(named: "city"), all.column(named: "city"))
        XCTAssertThrowsError(try ParquetReader.read(contentsOf: path, options: ParquetReadOptions(columns: ["nope"]))) { error in
            XCTAssertEqual(error as? TableReadError, .unknownSchemaColumn("nope"))
        }
    }

    func testSchemaConvertsNumbersAndText() throws {
        let path = Self.fixtures.appendingPathComponent("pyarrow_default.parquet").path
        let table = try ParquetReader.read(contentsOf: path, options: ParquetReadOptions(schema: ["id": .float64, "count": .category])).table
        XCTAssertEqual(table.column(named: "id")?.type, .float64)
        XCTAssertEqual(table.column(named: "id")?.number(at: 7), 7)
        XCTAssertEqual(table.column(named: "count")?.type, .category)
    }

    // MARK: corrupt input

    private func corrupted(_ file: String, _ change: (inout [UInt8]) -> Void) throws -> String {
        var bytes = [UInt8](try Data(contentsOf: Self.fixtures.appendingPathComponent(file)))
        change(&bytes)
        let path = NSTemporaryDirectory() + "parquet-\(UUID().uuidString).parquet"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    private func assertProblem(_ path: String, rowGroup: Int? = nil, column: String? = nil,
                               _ matches: (ParquetProblem) -> Bool, line: UInt = #line) {
        XCTAssertThrowsError(try ParquetReader.read(contentsOf: path), line: line) { error in
            guard case .invalidParquet(let p, let g, let c, let problem)? = error as? TableReadError else {
                return XCTFail("\(error)", line: line)
            }
            XCTAssertEqual(p, path, line: line)
            XCTAssertEqual(g, rowGroup, line: line)
            XCTAssertEqual(c, column, line: line)
            XCTAssertTrue(matches(problem), "\(problem)", line: line)
        }
    }

    func testBadMagicIsNotParquet() throws {
        let path = try corrupted("pyarrow_default.parquet") { $0[0] = UInt8(ascii: "X") }
        assertProblem(path) { $0 == .notParquet }
    }

    func testFooterLengthPastTheFileIsTruncated() throws {
        let path = try corrupted("pyarrow_default.parquet") { bytes in
            let n = bytes.count
            bytes.replaceSubrange(n - 8..<n - 4, with: [0xFF, 0xFF, 0x00, 0x00])
        }
        assertProblem(path) { if case .truncated = $0 { true } else { false } }
    }

    func testCutShortFileIsAnErrorAtEveryLength() throws {
        let original = [UInt8](try Data(contentsOf: Self.fixtures.appendingPathComponent("pyarrow_row_groups.parquet")))
        for keep in stride(from: 0, to: original.count, by: 97) {
            let path = try corrupted("pyarrow_row_groups.parquet") { $0 = Array(original[0..<keep]) + Array("PAR1".utf8) }
            XCTAssertThrowsError(try ParquetReader.read(contentsOf: path)) { error in
                guard case .invalidParquet? = error as? TableReadError else { return XCTFail("\(keep): \(error)") }
            }
        }
    }

    /// Where the body of page `page` of column chunk `leaf` in row group 0 starts.
    private func pageBody(_ bytes: [UInt8], leaf: Int, page: Int) throws -> Int {
        try bytes.withUnsafeBytes { raw in
            let chunk = try ParquetMetadata(file: raw).rowGroups[0].chunks[leaf]
            var position = chunk.range.lowerBound
            for _ in 0..<page {
                let header = try ParquetPageHeader(raw, at: position, end: chunk.range.upperBound)
                position += header.headerSize + header.compressedSize
            }
            return position + (try ParquetPageHeader(raw, at: position, end: chunk.range.upperBound)).headerSize
        }
    }

    func testFlippedPageBytesFailTheChecksumNamingRowGroupAndColumn() throws {
        let bytes = [UInt8](try Data(contentsOf: Self.fixtures.appendingPathComponent("pyarrow_checksum.parquet")))
        let body = try pageBody(bytes, leaf: 4, page: 1)
        let path = try corrupted("pyarrow_checksum.parquet") { $0[body + 2] ^= 0xFF }
        assertProblem(path, rowGroup: 0, column: "city") { $0 == .checksumMismatch(page: 1) }
    }

    func testFlippedCompressedBytesNeverCrash() throws {
        let original = [UInt8](try Data(contentsOf: Self.fixtures.appendingPathComponent("pyarrow_codec_snappy.parquet")))
        for offset in stride(from: 4, to: original.count - 8, by: 41) {
            let path = try corrupted("pyarrow_codec_snappy.parquet") { $0[offset] ^= 0x5A }
            do {
                _ = try ParquetReader.read(contentsOf: path)
            } catch {
                guard case .invalidParquet = error else { return XCTFail("\(offset): \(error)") }
            }
        }
    }

    func testDictionaryIndexOutOfRangeIsNamed() throws {
        let bytes = [UInt8](try Data(contentsOf: Self.fixtures.appendingPathComponent("pyarrow_dictionary_small.parquet")))
        let body = try pageBody(bytes, leaf: 0, page: 1)
        // The data page holds three indices: bit width 8, one RLE run of 3 × index 200.
        let path = try corrupted("pyarrow_dictionary_small.parquet") { $0.replaceSubrange(body..<body + 3, with: [8, 3 << 1, 200]) }
        assertProblem(path, rowGroup: 0, column: "s") { $0 == .dictionaryIndexOutOfRange(index: 200, dictionarySize: 2) }
    }

    func testDictionaryGatherChecksIndices() {
        var integers = ParquetValueWriter(ParquetLeaf(physical: .int32, typeLength: 0, optional: false, conversion: .integer(unsigned: false)))
        XCTAssertNoThrow(try integers.setDictionary(.int32([1, 2])))
        XCTAssertThrowsError(try write([0, 2], with: &integers)) { error in
            XCTAssertEqual(error as? ParquetProblem, .dictionaryIndexOutOfRange(index: 2, dictionarySize: 2))
        }
        var texts = ParquetValueWriter(ParquetLeaf(physical: .byteArray, typeLength: 0, optional: false, conversion: .string))
        var dictionary = ByteArrays()
        dictionary.append(Array("a".utf8))
        XCTAssertNoThrow(try texts.setDictionary(.bytes(dictionary)))
        XCTAssertThrowsError(try write([0, 5], with: &texts)) { error in
            XCTAssertEqual(error as? ParquetProblem, .dictionaryIndexOutOfRange(index: 5, dictionarySize: 1))
        }
    }

    /// Stores the dictionary values at `indices` with `writer` (into a scratch buffer).
    private func write(_ indices: [UInt32], with writer: inout ParquetValueWriter) throws {
        var out = [UInt64](repeating: 0, count: indices.count)
        let result: Result<Void, ParquetProblem> = out.withUnsafeMutableBytes { raw in
            indices.withUnsafeBufferPointer { indices in
                do throws(ParquetProblem) {
                    return .success(try writer.write(indices: indices.baseAddress!, count: indices.count, to: raw.baseAddress!))
                } catch { return .failure(error) }
            }
        }
        try result.get()
    }

    /// A chunk whose dictionary outgrew the writer's limit goes on in PLAIN pages (pyarrow's
    /// fallback): a value seen through the dictionary and again in PLAIN keeps its code, and
    /// codes follow first appearance, not dictionary order.
    func testDictionaryAndPlainPagesOfAChunkShareCodes() throws {
        var writer = ParquetValueWriter(ParquetLeaf(physical: .byteArray, typeLength: 0, optional: false, conversion: .string))
        var dictionary = ByteArrays()
        for text in ["a", "b"] { dictionary.append(Array(text.utf8)) }
        try writer.setDictionary(.bytes(dictionary))
        var codes = [Int32](repeating: -1, count: 5)
        let plain: [UInt8] = ["a", "c", "b"].flatMap { [UInt8(1), 0, 0, 0] + Array($0.utf8) }
        try codes.withUnsafeMutableBytes { out in
            try [UInt32(1), 0].withUnsafeBufferPointer { indices in
                try writer.write(indices: indices.baseAddress!, count: 2, to: out.baseAddress!)
            }
            try plain.withUnsafeBytes { raw in
                var cursor = PageCursor(raw)
                try writer.writePlain(&cursor, count: 3, to: out.baseAddress! + 8, PageScratch())
            }
        }
        XCTAssertEqual(codes, [0, 1, 1, 2, 0])
        XCTAssertEqual(StringTable.merged([writer.strings.values]).dictionary, ["b", "a", "c"])
    }

    /// Text its writer stored outside a dictionary (none at all, or one that outgrew its limit
    /// with PLAIN pages after it) is kept as bytes; text a dictionary codes throughout stays a
    /// category. Either way each row reads as pyarrow reads it (`testEveryFixtureReadsAsPyarrowReadsIt`)
    /// and encodes to the same categories, nulls in the same rows.
    func testTextStoredOutsideADictionaryIsKeptAsBytes() throws {
        func read(_ file: String) throws -> Table { try ParquetReader.read(contentsOf: Self.fixtures.appendingPathComponent(file).path).table }
        let coded = try read("pyarrow_row_groups.parquet")
        let expectations = [("pyarrow_row_groups.parquet", ["city": false, "note": false]),
                            ("pyarrow_dictionary_fallback.parquet", ["city": false, "note": true]),
                            ("pyarrow_no_dictionary.parquet", ["city": true, "note": true]),
                            ("pyarrow_delta.parquet", ["city": true, "note": true])]
        for (file, keptAsBytes) in expectations {
            let table = try read(file)
            for (name, asBytes) in keptAsBytes {
                let column = try XCTUnwrap(table.column(named: name)), reference = try XCTUnwrap(coded.column(named: name))
                var isText = false
                if case .text = column.values { isText = true }
                XCTAssertEqual(isText, asBytes, "\(file): \(name)")
                XCTAssertEqual(column.type, .category)
                XCTAssertEqual(column.validity, reference.validity, "\(file): \(name)")
                XCTAssertEqual(column.categories?.dictionary, reference.categories?.dictionary, "\(file): \(name)")
                XCTAssertEqual(column.categories?.codes, reference.categories?.codes, "\(file): \(name)")
            }
        }
    }

    /// A chunk kept as bytes stores each row's length and appends its bytes, from dictionary
    /// and PLAIN pages alike; PLAIN values are checked as UTF-8 a page at a time, so a value
    /// cut inside a character is refused even where its page's bytes run on validly.
    func testTextKeptAsBytesStoresLengthsAndRefusesCutCharacters() throws {
        let leaf = ParquetLeaf(physical: .byteArray, typeLength: 0, optional: false, conversion: .string).keepingText()
        var writer = ParquetValueWriter(leaf)
        var dictionary = ByteArrays()
        for text in ["a", "bé"] { dictionary.append(Array(text.utf8)) }
        try writer.setDictionary(.bytes(dictionary))
        var lengths = [Int](repeating: -1, count: 5)
        func plain(_ values: [[UInt8]]) -> [UInt8] { values.flatMap { [UInt8($0.count), 0, 0, 0] + $0 } }
        func writePlain(_ page: [UInt8], count: Int, at row: Int) throws {
            try lengths.withUnsafeMutableBytes { out in
                try page.withUnsafeBytes { raw in
                    var cursor = PageCursor(raw)
                    try writer.writePlain(&cursor, count: count, to: out.baseAddress! + 8 * row, PageScratch())
                }
            }
        }
        try lengths.withUnsafeMutableBytes { out in
            try [UInt32(1), 0].withUnsafeBufferPointer { indices in
                try writer.write(indices: indices.baseAddress!, count: 2, to: out.baseAddress!)
            }
        }
        try writePlain(plain([Array("a".utf8), [], Array("東".utf8)]), count: 3, at: 2)
        XCTAssertEqual(lengths, [3, 1, 1, 0, 3])
        XCTAssertEqual(String(decoding: writer.text, as: UTF8.self), "béaa東")
        for values: [[UInt8]] in [[[0xC3], [0xA9]], [[0xFF]], [Array("ok".utf8), [0xE6, 0x9D]]] {
            XCTAssertThrowsError(try writePlain(plain(values), count: values.count, at: 0), "\(values)") { error in
                XCTAssertEqual(error as? ParquetProblem, .unsupported("binary values that are not UTF-8 text"))
            }
        }
    }

    /// Text is coded by its bytes within a chunk; chunks merge by `String` equality, so
    /// canonically equivalent spellings (precomposed and combining "é", KELVIN SIGN and "K")
    /// are one category, as the CSV reader makes them, and all-ASCII chunks merge by bytes.
    func testChunkDictionariesMergeAsStringsCompare() {
        func table(_ values: [String]) -> StringTable.Values {
            var table = StringTable()
            for value in values {
                var isNew = false
                var bytes = Array(value.utf8) + [0]
                _ = bytes.withUnsafeMutableBytes { table.code(of: $0.baseAddress!, length: $0.count - 1, isNew: &isNew) }
            }
            return table.values
        }
        let ascii = StringTable.merged([table(["b", "a", "b"]), table(["c", "a", ""])])
        XCTAssertEqual(ascii.dictionary, ["b", "a", "c", ""])
        XCTAssertEqual(ascii.codeMaps, [[0, 1], [2, 1, 3]])
        let text = StringTable.merged([table(["x", "\u{E9}"]), table(["e\u{301}", "K", "\u{212A}"])])
        XCTAssertEqual(text.dictionary, ["x", "\u{E9}", "K"])
        XCTAssertEqual(text.codeMaps, [[0, 1], [1, 2, 2]])
        let one = StringTable.merged([table(["\u{212A}", "K", "k"])])
        XCTAssertEqual(one.dictionary.count, 2)
        XCTAssertEqual(one.codeMaps, [[0, 0, 1]])
        // Merged on several threads (each matching a share of the hashes) as on one.
        let big = [table((0..<70_000).map { "v\($0)" }), table((35_000..<105_000).map { "v\($0)" })]
        let serial = StringTable.merged(big), parallel = StringTable.merged(big, threads: ParallelFor.Threads(3))
        XCTAssertEqual(parallel.dictionary, serial.dictionary)
        XCTAssertEqual(parallel.codeMaps, serial.codeMaps)
        XCTAssertEqual(parallel.dictionary, (0..<105_000).map { "v\($0)" })
        XCTAssertEqual(parallel.codeMaps[1].first, 35_000)
        // Many values: the table grows and every value keeps its code.
        let many = (0..<5_000).map { "value-\($0 % 3_001)" }
        let merged = StringTable.merged([table(many)])
        XCTAssertEqual(merged.dictionary, Array(many.prefix(3_001)))
    }

    /// Null rows hold the placeholder (0, false, code 0, no bytes) in every column of every fixture,
    /// including text columns read from several row groups or files (the Hive directory's
    /// later files once had their first value's code in null rows).
    func testNullRowsHoldThePlaceholder() throws {
        var tables: [(String, Table)] = [("hive", try ParquetDataset.read(directory: Self.fixtures.appendingPathComponent("hive").path).table)]
        for (file, expectation) in try expected().sorted(by: { $0.key < $1.key }) where expectation["error_column"] == nil && file != "hive" {
            tables.append((file, try ParquetReader.read(contentsOf: Self.fixtures.appendingPathComponent(file).path).table))
        }
        for (file, table) in tables {
            for column in table.columns {
                for row in 0..<column.count where column.isNull(row) {
                    let placeholder = switch column.values {
                    case .float64(let v): v[row] == 0
                    case .float32(let v): v[row] == 0
                    case .int64(let v), .timestamp(let v): v[row] == 0
                    case .bool(let v): !v[row]
                    case .category(let codes, _): codes[row] == 0
                    case .text(let text): text.offsets[row] == text.offsets[row + 1]
                    }
                    XCTAssertTrue(placeholder, "\(file): \(column.name) row \(row)")
                }
            }
        }
    }

    func testLZ4BlockRejectsOffsetsBeforeTheStart() {
        var failure: String?
        let output = UnsafeMutableRawBufferPointer.allocate(byteCount: 64, alignment: 1)
        defer { output.deallocate() }
        // One literal "a", then a match at offset 2 (before the start).
        let block: [UInt8] = [0x10, 0x61, 0x02, 0x00]
        let produced = block.withUnsafeBytes { LZ4Block.decompress($0, into: output, failure: &failure) }
        XCTAssertNil(produced)
        XCTAssertNotNil(failure)
        // "ab" then a match of 4 at offset 2 → "ababab", then final literal "c".
        let good: [UInt8] = [0x20, 0x61, 0x62, 0x02, 0x00, 0x10, 0x63]
        failure = nil
        let count = good.withUnsafeBytes { LZ4Block.decompress($0, into: output, failure: &failure) }
        XCTAssertEqual(count, 7)
        XCTAssertEqual(Array(output[0..<7]), Array("abababc".utf8))
    }

    /// Projection reads only the pages of the columns asked for: a column whose pages are
    /// all overwritten with garbage is never touched when left out, and is an error naming it
    /// when asked for.
    func testColumnsLeftOutAreNeverDecoded() throws {
        let path = ParquetReaderTests.fixtures.appendingPathComponent("pyarrow_codec_none.parquet").path
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        let metadata = try bytes.withUnsafeBytes { raw throws -> ParquetMetadata in try ParquetMetadata(file: raw) }
        let note = try XCTUnwrap(metadata.fields.firstIndex { $0.name == "note" })
        for group in metadata.rowGroups {
            for offset in group.chunks[metadata.fields[note].leaves.lowerBound].range { bytes[offset] = 0xFF }
        }
        let corrupt = NSTemporaryDirectory() + "projection-\(UUID().uuidString).parquet"
        try Data(bytes).write(to: URL(fileURLWithPath: corrupt))
        defer { try? FileManager.default.removeItem(atPath: corrupt) }
        let wanted = ["id", "amount", "city"]
        XCTAssertEqual(try ParquetReader.read(contentsOf: corrupt, options: ParquetReadOptions(columns: wanted)).table,
                       try ParquetReader.read(contentsOf: path, options: ParquetReadOptions(columns: wanted)).table)
        XCTAssertThrowsError(try ParquetReader.read(contentsOf: corrupt)) { error in
            guard case .invalidParquet(_, _, let column, _)? = error as? TableReadError else { return XCTFail("\(error)") }
            XCTAssertEqual(column, "note")
        }
        // Selections: file order, names the file lacks ignored, at least one column (the row count).
        let names = metadata.fields.map(\.name)
        // Headers from the footer alone: the types a full read gives; a nested column has none.
        XCTAssertEqual(try ParquetReader.columnHeaders(contentsOf: corrupt),
                       try ParquetReader.read(contentsOf: path).table.columns.map { ColumnHeader(name: $0.name, type: $0.type) })
        let nested = try ParquetReader.columnHeaders(contentsOf: ParquetReaderTests.fixtures.appendingPathComponent("pyarrow_nested.parquet").path)
        XCTAssertEqual(nested.first { $0.name == "tags" }, ColumnHeader(name: "tags", type: nil))
        XCTAssertEqual(try TableFile.read(contentsOf: corrupt, selection: .allBut(["note", "absent"])).table.columnNames,
                       names.filter { $0 != "note" })
        XCTAssertEqual(try TableFile.read(contentsOf: corrupt, selection: .only(["city", "id", "absent"])).table.columnNames,
                       ["id", "city"])
        let none = try TableFile.read(contentsOf: corrupt, selection: .only(["absent"])).table
        XCTAssertEqual(none.columnNames, ["id"])
        XCTAssertEqual(none.rowCount, 150)
    }
}

private extension String {
    func leftPadded(_ width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}

/// Hostile values and bytes: errors, never a crash or a wrapped-around value.
final class ParquetHostileInputTests: XCTestCase {
    func testDatesAndINT96OutsideInt64MicrosecondsAreErrors() {
        var out = [Int64](repeating: 0, count: 1)
        func store(_ values: PhysicalValues, _ physical: ParquetPhysicalType, _ conversion: ParquetConversion) throws {
            var writer = ParquetValueWriter(ParquetLeaf(physical: physical, typeLength: 0, optional: false, conversion: conversion))
            let result: Result<Void, ParquetProblem> = out.withUnsafeMutableBytes { raw in
                do throws(ParquetProblem) { return .success(try writer.write(values, to: raw.baseAddress!)) } catch { return .failure(error) }
            }
            try result.get()
        }
        XCTAssertThrowsError(try store(.int32([Int32.max]), .int32, .date)) { error in
            guard case .valueOutOfRange? = error as? ParquetProblem else { return XCTFail("\(error)") }
        }
        var int96 = [UInt8](repeating: 0, count: 12)
        int96.replaceSubrange(8..<12, with: [0xFF, 0xFF, 0xFF, 0xFF])
        XCTAssertThrowsError(try int96.withTypedBytes { raw throws(ParquetProblem) in
            var cursor = PageCursor(raw)
            return try ParquetEncoding.plain(&cursor, type: .int96, typeLength: 0, count: 1)
        }) { error in
            guard case .valueOutOfRange? = error as? ParquetProblem else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try store(.int64([-1]), .int64, .integer(unsigned: true))) { error in
            guard case .valueOutOfRange? = error as? ParquetProblem else { return XCTFail("\(error)") }
        }
    }

    func testDeeplyNestedThriftIsRefused() {
        // A struct field of type list whose elements are lists, 10 000 deep.
        let bytes: [UInt8] = [0x19] + [UInt8](repeating: 0x19, count: 10_000)
        XCTAssertThrowsError(try bytes.withTypedBytes { raw throws(ParquetProblem) in
            var reader = ThriftCompactReader(raw, from: 0, to: raw.count)
            return try reader.readStruct()
        })
    }

    /// Single-byte changes of small files (footer included), and of every few bytes of
    /// files with the delta, byte-stream-split and v2 page encodings and of one whose text is
    /// kept as bytes after a dictionary fallback, reads or fails with
    /// `invalidParquet`; a crash would end the test run.
    func testByteFlipsAreReadOrRefused() throws {
        let files = [("pyarrow_dictionary_small.parquet", 1), ("pyarrow_empty.parquet", 1), ("pyarrow_nested.parquet", 5),
                     ("pyarrow_delta.parquet", 37), ("pyarrow_byte_stream_split.parquet", 41), ("pyarrow_page_v2.parquet", 43),
                     ("pyarrow_int96.parquet", 47), ("pyarrow_decimal.parquet", 53), ("pyarrow_codec_lz4.parquet", 59),
                     ("pyarrow_dictionary_fallback.parquet", 61)]
        for (file, stride) in files {
            let original = [UInt8](try Data(contentsOf: ParquetReaderTests.fixtures.appendingPathComponent(file)))
            let path = NSTemporaryDirectory() + "flip-\(UUID().uuidString).parquet"
            defer { try? FileManager.default.removeItem(atPath: path) }
            for offset in Swift.stride(from: 0, to: original.count, by: stride) {
                for mask: UInt8 in [0x01, 0xFF] {
                    var bytes = original
                    bytes[offset] ^= mask
                    try Data(bytes).write(to: URL(fileURLWithPath: path))
                    do {
                        _ = try ParquetReader.read(contentsOf: path, options: ParquetReadOptions(threads: .one))
                    } catch {
                        switch error {
                        case .invalidParquet, .duplicateColumnName: break
                        default: XCTFail("\(file) byte \(offset) ^ \(mask): \(error)")
                        }
                    }
                }
            }
        }
    }

}
