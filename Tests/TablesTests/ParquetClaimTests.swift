import Foundation
import XCTest
@testable import Tables

/// Row counts in a Parquet footer are claims: a file whose row groups claim more rows in all
/// than an Int64 holds trapped in the sum (the process died); a file claiming 10^9 rows it does
/// not hold is refused by the first column that runs out of pages.
final class ParquetClaimTests: XCTestCase {
    private let fixture = ParquetReaderTests.fixtures.appendingPathComponent("pyarrow_row_groups.parquet")

    /// The fixture with its footer decoded, changed by `change` and encoded again.
    private func withFooter(_ change: (inout [Int16: ThriftValue]) -> Void) throws -> String {
        let original = [UInt8](try Data(contentsOf: fixture))
        let n = original.count
        let length = Int(original[n - 8]) | Int(original[n - 7]) << 8 | Int(original[n - 6]) << 16 | Int(original[n - 5]) << 24
        var meta = try original.withUnsafeBytes { raw in
            var reader = ThriftCompactReader(raw, from: n - 8 - length, to: n - 8)
            return try reader.readStruct()
        }
        change(&meta)
        var footer: [UInt8] = []
        ThriftWriter.structure(meta, into: &footer)
        let count = UInt32(footer.count)
        let bytes = Array(original[0..<(n - 8 - length)]) + footer + [0, 8, 16, 24].map { UInt8(truncatingIfNeeded: count >> $0) } + Array("PAR1".utf8)
        let path = NSTemporaryDirectory() + "claim-\(UUID().uuidString).parquet"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    /// Sets row group `g`'s row count, and every column chunk's value count to match.
    private func claim(_ rows: Int64, group g: Int, in meta: inout [Int16: ThriftValue]) {
        guard var groups = meta[4]?.list, var group = groups[g].fields, let chunks = group[1]?.list else { return XCTFail("no row group \(g)") }
        group[3] = .int(rows)
        group[1] = .list(chunks.map { chunk in
            guard var c = chunk.fields, var m = c[3]?.fields else { return chunk }
            m[5] = .int(rows)
            c[3] = .structure(m)
            return .structure(c)
        })
        groups[g] = .structure(group)
        meta[4] = .list(groups)
    }

    func testTheFooterRoundTripsThroughTheTestsWriter() throws {
        let table = try ParquetReader.read(contentsOf: try withFooter { _ in }).table
        XCTAssertEqual(table.rowCount, try ParquetReader.read(contentsOf: fixture.path).table.rowCount)
    }

    func testRowCountsPastInt64AreRefused() throws {
        let path = try withFooter { meta in
            XCTAssertGreaterThanOrEqual(meta[4]?.list?.count ?? 0, 2, "the fixture has two row groups or more")
            self.claim(1 << 62, group: 0, in: &meta)
            self.claim(1 << 62, group: 1, in: &meta)
            meta[3] = .int(Int64.max)
        }
        XCTAssertThrowsError(try ParquetReader.read(contentsOf: path)) { error in
            XCTAssertTrue("\(error)".contains("more than \(Int64.max) rows"), "\(error)")
        }
    }

    func testABillionRowsClaimedOverAFewIsRefused() throws {
        let path = try withFooter { meta in
            guard let rows = meta[3]?.int, let first = meta[4]?.list?[0].fields?[3]?.int else { return XCTFail("no row counts") }
            self.claim(first + 1_000_000_000, group: 0, in: &meta)
            meta[3] = .int(rows + 1_000_000_000)
        }
        XCTAssertThrowsError(try ParquetReader.read(contentsOf: path)) { error in
            guard case .invalidParquet(_, 0?, _, .truncated(_))? = error as? TableReadError else { return XCTFail("\(error)") }
        }
    }
}

/// The Thrift compact protocol's encoding of a decoded value, every integer as an i64 (the
/// reader takes any integer type), to write changed footers.
enum ThriftWriter {
    static func varint(_ value: UInt64, into out: inout [UInt8]) {
        var v = value
        while v >= 0x80 {
            out.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
    }

    static func zigzag(_ v: Int64) -> UInt64 { UInt64(bitPattern: (v << 1) ^ (v >> 63)) }

    static func type(_ value: ThriftValue) -> UInt8 {
        switch value {
        case .bool(let b): b ? 1 : 2
        case .int: 6
        case .double: 7
        case .binary: 8
        case .list: 9
        case .map: 11
        case .structure: 12
        }
    }

    static func value(_ value: ThriftValue, into out: inout [UInt8]) {
        switch value {
        case .bool(let b): out.append(b ? 1 : 2)
        case .int(let i): varint(zigzag(i), into: &out)
        case .double(let d): out += (0..<8).map { UInt8(truncatingIfNeeded: d.bitPattern >> (8 * $0)) }
        case .binary(let bytes):
            varint(UInt64(bytes.count), into: &out)
            out += bytes
        case .list(let items):
            let element = items.first.map { type($0) == 2 ? 1 : type($0) } ?? 12
            if items.count < 15 {
                out.append(UInt8(items.count) << 4 | element)
            } else {
                out.append(0xF0 | element)
                varint(UInt64(items.count), into: &out)
            }
            for item in items { self.value(item, into: &out) }
        case .map(let pairs):
            varint(UInt64(pairs.count), into: &out)
            guard let (k, v) = pairs.first else { return }
            out.append(type(k) << 4 | type(v))
            for (key, item) in pairs {
                self.value(key, into: &out)
                self.value(item, into: &out)
            }
        case .structure(let fields): structure(fields, into: &out)
        }
    }

    static func structure(_ fields: [Int16: ThriftValue], into out: inout [UInt8]) {
        var last: Int16 = 0
        for (id, field) in fields.sorted(by: { $0.key < $1.key }) {
            let t = type(field)
            if id > last, id - last <= 15 {
                out.append(UInt8(id - last) << 4 | t)
            } else {
                out.append(t)
                varint(zigzag(Int64(id)), into: &out)
            }
            if case .bool = field {} else { value(field, into: &out) }
            last = id
        }
        out.append(0)
    }
}
