import XCTest
@testable import BlobStore

/// `ingest` streams a file in segments, reading and cutting the next one on another thread
/// while the current one is stored; where segments begin and end must never show in what is
/// stored.
final class SegmentedIngestTests: XCTestCase {
    private let chunker = Chunker(minSize: 256, averageSize: 1024, maxSize: 4096)
    private let segment = 8192

    /// Files of every size around segment boundaries give the chunks, digest and bytes that one
    /// segment holding the whole file gives, with and without a previous version to delta against.
    func testSegmentBoundariesChangeNeitherTheChunksNorTheBytes() throws {
        let dir = TemporaryDirectory()
        let store = try ObjectStore(layout: StoreLayout(root: dir.path + "/ml"))
        let whole = csvLikeBytes(rows: 20_000, seed: 21)
        let sizes = [0, 1, segment - 1, segment, segment + 1, 2 * segment, 3 * segment + 17, 7 * segment + segment / 2, whole.count]
        for size in sizes {
            let v1 = Array(whole.prefix(size))
            var v2 = v1
            for i in stride(from: 100, to: v2.count, by: 3_000) { v2[i] ^= 0x20 }
            v2 += csvLikeBytes(rows: 50, seed: 22)
            write(v1, to: dir.path + "/v1")
            write(v2, to: dir.path + "/v2")
            var previous: [ChunkList?] = []
            for (index, segmentSize) in [segment, 64 << 20].enumerated() {
                let (f1, _) = try store.ingest(path: dir.path + "/v1", previous: nil, chunker: chunker, segmentSize: segmentSize, progress: nil)
                let list1 = try store.chunkList(of: f1)
                let (f2, _) = try store.ingest(path: dir.path + "/v2", previous: list1, chunker: chunker, segmentSize: segmentSize, progress: nil)
                XCTAssertEqual(f1.digest, Digest.of(v1), "size \(size)")
                XCTAssertEqual(f2.digest, Digest.of(v2), "size \(size)")
                try store.restore(f2, to: dir.path + "/out")
                XCTAssertEqual(try FileIO.readAll(dir.path + "/out"), v2, "size \(size)")
                let list2 = try store.chunkList(of: f2)
                if index == 0 {
                    previous = [list1, list2]
                } else {
                    XCTAssertEqual(previous[0]?.digests, list1.digests, "size \(size): v1's chunks depend on the segments")
                    XCTAssertEqual(previous[1]?.digests, list2.digests, "size \(size): v2's chunks depend on the segments")
                    XCTAssertEqual(previous[1]?.lengths, list2.lengths, "size \(size)")
                }
            }
        }
    }

    /// Progress reaches the file's size in steps of at most one segment.
    func testProgressIsReportedPerSegmentUpToTheFileSize() throws {
        let dir = TemporaryDirectory()
        let store = try ObjectStore(layout: StoreLayout(root: dir.path + "/ml"))
        let data = csvLikeBytes(rows: 5_000, seed: 23)
        write(data, to: dir.path + "/a")
        let seen = ProgressLog()
        _ = try store.ingest(path: dir.path + "/a", previous: nil, chunker: chunker, segmentSize: segment) { seen.add($0) }
        let steps = seen.values
        XCTAssertEqual(steps.last, UInt64(data.count))
        XCTAssertEqual(steps.count, data.count / segment + 1)
        XCTAssertEqual(steps, steps.sorted())
    }
}

private final class ProgressLog: @unchecked Sendable {  // appended from the ingesting thread only
    private(set) var values: [UInt64] = []
    func add(_ value: UInt64) { values.append(value) }
}
