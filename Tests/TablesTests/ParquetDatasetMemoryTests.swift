import Foundation
import XCTest
@testable import Tables

/// A directory of Parquet files is read into one table without holding every file's table
/// and the joined table at once: each file's column is freed as soon as it is copied.
final class ParquetDatasetMemoryTests: XCTestCase {
    /// A Parquet file of one REQUIRED DOUBLE column `x` holding `first`, `first + 1`, …: one row
    /// group, one uncompressed PLAIN data page (v1), written with the tests' Thrift writer.
    static func doubles(count: Int, first: Double) -> [UInt8] {
        var values: [UInt8] = []
        values.reserveCapacity(8 * count)
        for i in 0..<count {
            let bits = (first + Double(i)).bitPattern
            for k in 0..<8 { values.append(UInt8(truncatingIfNeeded: bits >> (8 * k))) }
        }
        var header: [UInt8] = []
        ThriftWriter.structure([1: .int(0), 2: .int(Int64(values.count)), 3: .int(Int64(values.count)),
                                5: .structure([1: .int(Int64(count)), 2: .int(0), 3: .int(3), 4: .int(3)])], into: &header)
        var file = Array("PAR1".utf8)
        let pageOffset = Int64(file.count), chunkSize = Int64(header.count + values.count)
        file += header + values
        let chunk: [Int16: ThriftValue] = [1: .int(5), 2: .list([.int(0)]), 3: .list([.binary(Array("x".utf8))]), 4: .int(0),
                                           5: .int(Int64(count)), 6: .int(chunkSize), 7: .int(chunkSize), 9: .int(pageOffset)]
        let schema: [ThriftValue] = [.structure([4: .binary(Array("schema".utf8)), 5: .int(1)]),
                                     .structure([1: .int(5), 3: .int(0), 4: .binary(Array("x".utf8))])]
        let group: [Int16: ThriftValue] = [1: .list([.structure([2: .int(pageOffset), 3: .structure(chunk)])]), 2: .int(chunkSize), 3: .int(Int64(count))]
        var footer: [UInt8] = []
        ThriftWriter.structure([1: .int(1), 2: .list(schema), 3: .int(Int64(count)), 4: .list([.structure(group)])], into: &footer)
        return file + footer + (0..<4).map { UInt8(truncatingIfNeeded: footer.count >> (8 * $0)) } + Array("PAR1".utf8)
    }

    func testTheTestsWriterWritesWhatTheReaderReads() throws {
        let path = NSTemporaryDirectory() + "doubles-\(UUID().uuidString).parquet"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(Self.doubles(count: 5, first: 10)).write(to: URL(fileURLWithPath: path))
        let table = try ParquetReader.read(contentsOf: path).table
        XCTAssertEqual(table.column(named: "x")?.values, .float64([10, 11, 12, 13, 14]))
    }

    /// Four files of 5M doubles (160 MB of values; each file's column is larger than the 32 MiB
    /// above which malloc always maps memory, so a freed one leaves the process): the read's
    /// resident memory grows by the joined column and about one file's more, where holding
    /// every file's table while joining them took twice the values.
    func testADirectoryIsJoinedInLittleMoreThanItsValues() throws {
        let directory = NSTemporaryDirectory() + "dataset-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let files = 4, rows = 5_000_000
        for f in 0..<files {
            try Data(Self.doubles(count: rows, first: Double(f * rows))).write(to: URL(fileURLWithPath: directory + "/part-\(f).parquet"))
        }
        let (growth, result) = try ResidentMemory.growth {
            try ParquetDataset.read(directory: directory, options: ParquetReadOptions(threads: .one))
        }
        let values = 8 * files * rows
        guard case .float64(let x) = result.table.column(named: "x")?.values else { return XCTFail("no float64 column x") }
        XCTAssertEqual(x.count, files * rows)
        XCTAssertEqual(x[x.count - 1], Double(files * rows - 1))
        XCTAssertLessThan(growth, values + values / 2, "resident memory grew \(growth) bytes for \(values) bytes of values")
    }
}
