import Dispatch
import Foundation
import Platform

extension ObjectStore {
    /// Stores many small files — each at most `chunker.minSize` bytes, hence one chunk whose
    /// digest is the file's digest — reading, hashing and compressing them in parallel, a batch
    /// at a time, then appending in order; the next batch is read while one is appended. Per-file
    /// work is a read and a compression, so ten thousand small files cost about what their bytes
    /// cost. A file that grows past the limit or changes while read throws `StoreError.fileChanged`.
    public func ingestSmallFiles(_ paths: [String], chunker: Chunker = .standard) throws -> [(StoredFile, IngestStatistics)] {
        let batchSize = 512
        let batches = stride(from: 0, to: paths.count, by: batchSize).map { Array(paths[$0..<min($0 + batchSize, paths.count)]) }
        var results: [(StoredFile, IngestStatistics)] = []
        results.reserveCapacity(paths.count)
        var reading = batches.first.map { SmallFileBatch(reading: $0, from: self, limit: chunker.minSize) }
        for index in batches.indices {
            let current = reading!
            reading = index + 1 < batches.count ? SmallFileBatch(reading: batches[index + 1], from: self, limit: chunker.minSize) : nil
            do {
                for item in try current.wait() {
                    var stats = IngestStatistics()
                    stats.chunks = 1
                    if let chunk = item.prepared, !contains(item.file.digest) {
                        try append(chunk)
                        stats.newChunks = 1
                        stats.newStoredBytes = UInt64(chunk.storedLength)
                    }
                    results.append((item.file, stats))
                }
            } catch {
                _ = try? reading?.wait()  // no read outlives the call
                throw error
            }
        }
        return results
    }

    fileprivate struct SmallFile: Sendable {
        let file: StoredFile
        let prepared: PreparedChunk?
    }

    fileprivate func readSmallFile(_ path: String, limit: Int) throws -> SmallFile {
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

/// One batch of small files read, hashed and compressed on all cores in the background.
private final class SmallFileBatch: @unchecked Sendable {  // each slot written once, read after `done`
    private var items: [ObjectStore.SmallFile?]
    private let lock = NSLock()
    private let failure = FirstError()
    private let done = DispatchSemaphore(value: 0)

    init(reading paths: [String], from store: ObjectStore, limit: Int) {
        items = Array(repeating: nil, count: paths.count)
        DispatchQueue.global().async { [self] in
            DispatchQueue.concurrentPerform(iterations: paths.count) { i in
                do {
                    let item = try store.readSmallFile(paths[i], limit: limit)
                    lock.withLock { items[i] = item }
                } catch {
                    failure.record(error)
                }
            }
            done.signal()
        }
    }

    /// The batch's files in order, once all are read; the first error if any failed.
    func wait() throws -> [ObjectStore.SmallFile] {
        done.wait()
        done.signal()
        try failure.rethrow()
        return items.map { $0! }
    }
}
