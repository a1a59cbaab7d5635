import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension ObjectStore {
    /// Writes the exact bytes of `file` to `path`: chunks are decoded and verified against their
    /// digests on all cores, written to a temp file beside `path`, and renamed over it — a reader
    /// never sees a half-written file, and a damaged chunk fails the restore before anything is
    /// replaced. Every chunk and manifest node is verified, so the whole file needs no rehash.
    public func restore(_ file: StoredFile, to path: String, progress: (@Sendable (UInt64) -> Void)? = nil) throws {
        let chunks = try chunkList(of: file)
        guard chunks.totalBytes == file.size else {
            throw StoreError.corruptObject(file.root, detail: "manifest covers \(chunks.totalBytes) bytes, record says \(file.size)")
        }
        let directory = (path as NSString).deletingLastPathComponent
        try FileIO.makeDirectory(directory.isEmpty ? "." : directory)
        let temp = "\(directory.isEmpty ? "." : directory)/.gitml-restore-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
        let fd = try FileIO.create(temp)
        var closed = false
        defer {
            if !closed { close(fd); unlink(temp) }
        }
        let batchBytes = 32 << 20
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: batchBytes + (256 << 10), alignment: 64)
        defer { buffer.deallocate() }
        var first = 0
        var written: UInt64 = 0
        while first < chunks.digests.count {
            // A batch: as many whole chunks as fit the buffer (at least one).
            var last = first
            var size = 0
            while last < chunks.digests.count, size == 0 || size + Int(chunks.lengths[last]) <= batchBytes {
                size += Int(chunks.lengths[last])
                last += 1
            }
            var offsets: [Int] = []
            var at = 0
            for i in first..<last { offsets.append(at); at += Int(chunks.lengths[i]) }
            let target = UnsafeMutableRawPointerBox(buffer)
            let failure = FirstError()
            let range = first..<last
            let digests = chunks.digests
            let lengths = chunks.lengths
            let starts = offsets
            DispatchQueue.concurrentPerform(iterations: range.count) { k in
                let i = range.lowerBound + k
                do {
                    guard let (entry, index) = self.locate(digests[i]) else { throw StoreError.missingObject(digests[i]) }
                    guard entry.rawLength == lengths[i] else {
                        throw StoreError.corruptObject(digests[i], detail: "stored length \(entry.rawLength), manifest says \(lengths[i])")
                    }
                    let slice = UnsafeMutableRawBufferPointer(rebasing: target.buffer[starts[k]..<(starts[k] + Int(lengths[i]))])
                    try self.decode(entry, in: index, into: slice)
                } catch {
                    failure.record(error)
                }
            }
            try failure.rethrow()
            try FileIO.write(fd, UnsafeRawBufferPointer(rebasing: buffer[0..<size]), path: temp)
            written += UInt64(size)
            progress?(written)
            first = last
        }
        if fchmod(fd, 0o644) != 0 { throw FileIO.error(temp, "chmod") }
        close(fd)
        closed = true
        do {
            try FileIO.rename(temp, to: path)
        } catch {
            unlink(temp)
            throw error
        }
    }
}

extension ObjectStore {
    /// The chunks of a stored file, in order.
    public func chunkList(of file: StoredFile) throws -> ChunkList {
        if let manifest = file.manifest { return try loadManifest(manifest) }
        var single = ChunkList()
        single.append(file.digest, length: Int(file.size))
        return single
    }
}

private struct UnsafeMutableRawPointerBox: @unchecked Sendable {
    let buffer: UnsafeMutableRawBufferPointer
    init(_ buffer: UnsafeMutableRawBufferPointer) { self.buffer = buffer }
}
