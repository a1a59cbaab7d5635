import Dispatch
import Foundation
import Platform

/// A file the small-file path stored, with the stat key it had while it was read.
public struct IngestedSmallFile: Sendable {
    public let stored: StoredFile
    public let statistics: IngestStatistics
    /// The file's key from `fstat` just before its bytes were read (and equal just after), so a
    /// `StatCache` opened before the ingest may remember it.
    public let key: StatCache.Key
}

extension ObjectStore {
    /// Stores the files among `paths` that are small — each at most `chunker.minSize` bytes,
    /// hence one chunk whose digest is the file's digest — opening, reading, hashing and
    /// compressing them in parallel, a batch at a time, then appending in order. Per-file work
    /// is an open, a read and a compression, so ten thousand small files cost about what their
    /// bytes cost. The result has one element per path: nil for a file larger than one chunk,
    /// which the caller streams with `ingest(path:)`. A path that is not a regular file throws;
    /// a file that changes while read throws `StoreError.fileChanged`.
    public func ingestSmallFiles(_ paths: [String], chunker: Chunker = .standard) throws -> [IngestedSmallFile?] {
        var results: [IngestedSmallFile?] = []
        results.reserveCapacity(paths.count)
        let batchSize = 512
        for start in stride(from: 0, to: paths.count, by: batchSize) {
            let batch = Array(paths[start..<min(start + batchSize, paths.count)])
            let slots = SmallFileSlots(count: batch.count)
            let failure = FirstError()
            let limit = chunker.minSize
            DispatchQueue.concurrentPerform(iterations: batch.count) { i in
                do {
                    slots.set(i, try self.readSmallFile(batch[i], limit: limit))
                } catch {
                    failure.record(error)
                }
            }
            try failure.rethrow()
            for item in slots.values() {
                guard let item else {
                    results.append(nil)
                    continue
                }
                var stats = IngestStatistics()
                stats.chunks = 1
                if let chunk = item.prepared, !contains(item.file.digest) {
                    try append(chunk)
                    stats.newChunks = 1
                    stats.newStoredBytes = UInt64(chunk.storedLength)
                }
                results.append(IngestedSmallFile(stored: item.file, statistics: stats, key: item.key))
            }
        }
        return results
    }

    fileprivate struct SmallFile: Sendable {
        let file: StoredFile
        let key: StatCache.Key
        let prepared: PreparedChunk?
    }

    /// Reads, hashes and compresses the file at `path`, or returns nil when it holds more than
    /// `limit` bytes (`FileIO.openRegularFile`: a path replaced by a FIFO is refused).
    private func readSmallFile(_ path: String, limit: Int) throws -> SmallFile? {
        let (fd, before) = try FileIO.openRegularFile(path)
        defer { close(fd) }
        guard before.size <= UInt64(limit) else { return nil }
        // One byte more than the size, so a file that grew since the stat is noticed; only the
        // bytes read are ever kept.
        var n = 0
        let bytes = try [UInt8](unsafeUninitializedCapacity: Int(before.size) + 1) { buffer, count in
            n = try FileIO.readSome(fd, into: UnsafeMutableRawBufferPointer(buffer), path: path)
            count = min(n, Int(before.size))
        }
        let after = try StatCache.Key(fd: fd, path: path)
        guard UInt64(n) == before.size, before == after else { throw StoreError.fileChanged(path: path) }
        let digest = Digest.of(bytes)
        let prepared = contains(digest) ? nil : try bytes.withUnsafeBytes { try prepare($0, digest: digest, base: nil) }
        return SmallFile(file: StoredFile(digest: digest, size: UInt64(n), manifest: nil), key: before, prepared: prepared)
    }
}

private final class SmallFileSlots: @unchecked Sendable {  // each index written once, read after the parallel loop
    private var items: [ObjectStore.SmallFile??]
    private let lock = NSLock()
    init(count: Int) { items = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ item: ObjectStore.SmallFile?) { lock.withLock { items[i] = .some(item) } }
    func values() -> [ObjectStore.SmallFile?] { items.map { $0! } }
}
