import Dispatch
import Foundation
import Platform

extension ObjectStore {
    /// Stores many small files — each at most `chunker.minSize` bytes, hence one chunk whose
    /// digest is the file's digest — reading, hashing and compressing them in parallel, a batch
    /// at a time, then appending in order. Per-file work is a read and a compression, so ten
    /// thousand small files cost about what their bytes cost. A file that grows past the limit
    /// or changes while read throws `StoreError.fileChanged`.
    public func ingestSmallFiles(_ paths: [String], chunker: Chunker = .standard) throws -> [(StoredFile, IngestStatistics)] {
        var results: [(StoredFile, IngestStatistics)] = []
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
                var stats = IngestStatistics()
                stats.chunks = 1
                if let chunk = item.prepared, !contains(item.file.digest) {
                    try append(chunk)
                    stats.newChunks = 1
                    stats.newStoredBytes = UInt64(chunk.storedLength)
                }
                results.append((item.file, stats))
            }
        }
        return results
    }

    fileprivate struct SmallFile: Sendable {
        let file: StoredFile
        let prepared: PreparedChunk?
    }

    private func readSmallFile(_ path: String, limit: Int) throws -> SmallFile {
        let fd = try FileIO.openForReading(path)
        defer { close(fd) }
        let before = try FileStat(fd: fd, path: path)
        var bytes = [UInt8](repeating: 0, count: limit + 1)
        let n = try bytes.withUnsafeMutableBytes { try FileIO.readSome(fd, into: $0, path: path) }
        let after = try FileStat(fd: fd, path: path)
        guard n <= limit, UInt64(n) == before.size, before == after else { throw StoreError.fileChanged(path: path) }
        bytes.removeLast(bytes.count - n)
        let digest = Digest.of(bytes)
        let prepared = contains(digest) ? nil : try bytes.withUnsafeBytes { try prepare($0, digest: digest, base: nil) }
        return SmallFile(file: StoredFile(digest: digest, size: UInt64(n), manifest: nil), prepared: prepared)
    }
}

private final class SmallFileSlots: @unchecked Sendable {  // each index written once, read after the parallel loop
    private var items: [ObjectStore.SmallFile?]
    private let lock = NSLock()
    init(count: Int) { items = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ item: ObjectStore.SmallFile) { lock.withLock { items[i] = item } }
    func values() -> [ObjectStore.SmallFile] { items.map { $0! } }
}
