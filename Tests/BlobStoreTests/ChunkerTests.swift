import XCTest
@testable import BlobStore

final class ChunkerTests: XCTestCase {
    private func cuts(_ data: [UInt8], _ chunker: Chunker = .standard) -> [Int] {
        data.withUnsafeBytes { p in
            var out: [Int] = []
            var start = 0
            while let end = chunker.cut(in: p, from: start, atEnd: true) { out.append(end - start); start = end }
            return out
        }
    }

    func testSizesRespectBoundsAndCoverTheInput() {
        let data = csvLikeBytes(rows: 120_000, seed: 1)
        let sizes = cuts(data)
        XCTAssertEqual(sizes.reduce(0, +), data.count)
        for s in sizes.dropLast() {
            XCTAssertGreaterThan(s, Chunker.standard.minSize)
            XCTAssertLessThanOrEqual(s, Chunker.standard.maxSize)
        }
        let mean = Double(data.count) / Double(sizes.count)
        XCTAssertTrue((40_000...110_000).contains(mean), "mean chunk \(mean)")
    }

    func testAnInsertionOnlyMovesNearbyBoundaries() {
        let data = csvLikeBytes(rows: 120_000, seed: 2)
        var edited = data
        edited.insert(contentsOf: Array("inserted row\n".utf8), at: data.count / 2)
        func chunkSet(_ d: [UInt8]) -> Set<[UInt8]> {
            var start = 0
            return Set(cuts(d).map { len in defer { start += len }; return Array(d[start..<start + len]) })
        }
        let common = chunkSet(data).intersection(chunkSet(edited))
        XCTAssertGreaterThanOrEqual(common.count, chunkSet(data).count - 2)
    }

    func testNeedsMoreDataBeforeMaxUnlessAtEnd() {
        let data = [UInt8](repeating: 7, count: 100_000)  // constant bytes never hit a mask... or cut at max
        data.withUnsafeBytes { p in
            XCTAssertNil(Chunker.standard.cut(in: p, from: 0, atEnd: false))
            XCTAssertEqual(Chunker.standard.cut(in: p, from: 0, atEnd: true), 100_000)
        }
        let long = [UInt8](repeating: 7, count: 300_000)
        long.withUnsafeBytes { p in
            XCTAssertEqual(Chunker.standard.cut(in: p, from: 0, atEnd: false), Chunker.standard.maxSize)
        }
    }
}
