import Dispatch
import Foundation
import Platform

/// Appends compressed chunks to this process's open pack; one writer per process, so writers
/// never contend for a lock. A pack is written under `tmp/`, and only once it is complete is it
/// fsynced and renamed into `packs/`, followed by its index: readers only ever see whole packs,
/// and a crash leaves at most a temp file for `gc` to remove. The pack's bytes are hashed and
/// written by a `PackSink` on another thread while the caller fills the next buffer.
final class PackWriter {
    private let layout: StoreLayout
    private var fd: Int32 = -1
    private var tempPath = ""
    private var size = 0
    private var sink: PackSink?
    private var buffer: [UInt8] = []
    private var written: [PackEntry] = []
    /// Chunks in the open pack, for deduplication and reads before the pack is sealed.
    private(set) var pending: [Digest: PackEntry] = [:]
    /// Index paths of the packs this writer sealed.
    private(set) var sealed: [String] = []

    init(layout: StoreLayout) { self.layout = layout }

    deinit {
        if fd >= 0 {
            try? sink?.drain()
            close(fd)
            unlink(tempPath)
        }
    }

    /// Appends one stored chunk. `entry.offset` is assigned here.
    func append(_ entry: PackEntry, stored: [UInt8]) throws {
        if pending[entry.digest] != nil { return }
        if fd < 0 { try open() }
        var e = entry
        e.offset = UInt64(size)
        try write(e.packHeader())
        try write(stored)
        written.append(e)
        pending[e.digest] = e
        if size >= PackFormat.targetPackSize { try seal() }
    }

    /// The stored bytes of a chunk in the open (unsealed) pack, read back from the temp file.
    func pendingStored(_ digest: Digest) throws -> [UInt8]? {
        guard let e = pending[digest] else { return nil }
        try flushBuffer()
        try sink?.drain()
        var bytes = [UInt8](repeating: 0, count: Int(e.storedLength))
        try bytes.withUnsafeMutableBytes { try FileIO.read(fd, into: $0, at: Int(e.dataOffset), path: tempPath) }
        return bytes
    }

    /// Seals the open pack, if any: trailer, fsync, rename into packs/, then its index.
    func seal() throws {
        guard fd >= 0 else { return }
        var trailer = PackFormat.packTrailerMagic
        trailer.appendLittleEndian(UInt32(written.count))
        trailer.appendLittleEndian(0)
        try write(trailer)
        try flushBuffer()
        let checksum = try sink!.digest()
        try sink!.submit(checksum.bytes, hashed: false)
        try sink!.drain()
        sink = nil
        try FileIO.sync(fd, path: tempPath)
        close(fd)
        fd = -1
        let name = "pack-\(checksum.hex)"
        let packPath = "\(layout.packs)/\(name).pack"
        FaultPoint.reach("pack.synced-before-rename")
        try FileIO.rename(tempPath, to: packPath)
        FaultPoint.reach("pack.renamed-before-index")
        try FileIO.writeAtomically(PackIndex.encode(written), to: "\(layout.packs)/\(name).idx",
                                   temporaryDirectory: layout.tmp)
        sealed.append("\(layout.packs)/\(name).idx")
        written = []
        pending = [:]
    }

    private func open() throws {
        tempPath = layout.temporaryPath("pack") + ".tmp"
        fd = try FileIO.create(tempPath)
        size = 0
        sink = PackSink(fd: fd, path: tempPath)
        var header = PackFormat.packMagic
        header.appendLittleEndian(PackFormat.version)
        header.appendLittleEndian(0)
        try write(header)
    }

    /// Appends to the pack through a 1 MiB buffer: many small chunks cost few system calls.
    private func write(_ bytes: [UInt8]) throws {
        buffer += bytes
        size += bytes.count
        if buffer.count >= 1 << 20 { try flushBuffer() }
    }

    private func flushBuffer() throws {
        guard !buffer.isEmpty else { return }
        try sink!.submit(buffer)
        buffer = []
        buffer.reserveCapacity(1 << 20 + (1 << 18))
    }
}

/// Hashes and writes one pack's bytes, in order, on a serial background queue. At most one
/// buffer is in flight: `submit` waits for the previous one, so memory stays at two buffers.
/// A write error is thrown by the next `submit`, `drain` or `digest`, and by every call after.
private final class PackSink: @unchecked Sendable {  // state touched only on `queue`, or between waits on `idle`
    private let fd: Int32
    private let path: String
    private let queue = DispatchQueue(label: "gitml.pack-sink")
    private let idle = DispatchSemaphore(value: 1)
    private var hasher = StreamingDigest()
    private var failure: Error?

    init(fd: Int32, path: String) {
        self.fd = fd
        self.path = path
    }

    /// Queues `bytes` to be written after those already queued (and hashed unless `hashed` is false).
    func submit(_ bytes: [UInt8], hashed: Bool = true) throws {
        idle.wait()
        if let failure {
            idle.signal()
            throw failure
        }
        queue.async { [self] in
            defer { idle.signal() }
            if hashed { bytes.withUnsafeBytes { hasher.update($0) } }
            do {
                try bytes.withUnsafeBytes { try FileIO.write(fd, $0, path: path) }
            } catch {
                failure = error
            }
        }
    }

    /// Waits until every queued byte is written.
    func drain() throws {
        _ = try digest()
    }

    /// Waits until every queued byte is written; the SHA-256 of the hashed ones.
    func digest() throws -> Digest {
        idle.wait()
        defer { idle.signal() }
        if let failure { throw failure }
        return hasher.finalize()
    }
}
