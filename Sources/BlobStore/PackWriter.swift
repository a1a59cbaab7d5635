import Foundation
import Platform

/// Appends compressed chunks to this process's open pack; one writer per process, so writers
/// never contend for a lock. A pack is written under `tmp/`, and only once it is complete is it
/// fsynced and renamed into `packs/`, followed by its index: readers only ever see whole packs,
/// and a crash leaves at most a temp file for `gc` to remove.
final class PackWriter {
    private let layout: StoreLayout
    /// The store's pack folder, told of each pack sealed into it (nil: a staging folder).
    private let folder: PackFolder?
    private var fd: Int32 = -1
    private var tempPath = ""
    private var size = 0
    private var hasher = StreamingDigest()
    private var buffer: [UInt8] = []
    private var written: [PackEntry] = []
    /// Chunks in the open pack, for deduplication and reads before the pack is sealed.
    private(set) var pending: [Digest: PackEntry] = [:]
    /// Index paths of the packs this writer sealed.
    private(set) var sealed: [String] = []

    init(layout: StoreLayout, folder: PackFolder? = nil) {
        self.layout = layout
        self.folder = folder
    }

    deinit {
        if fd >= 0 {
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
        let checksum = hasher.finalize()
        buffer += checksum.bytes
        try flushBuffer()
        try FileIO.sync(fd, path: tempPath)
        close(fd)
        fd = -1
        let name = "pack-\(checksum.hex)"
        let publish = { [self] () throws -> PackFolder.Change in
            FaultPoint.reach("pack.synced-before-rename")
            try FileIO.rename(tempPath, to: "\(layout.packs)/\(name).pack")
            FaultPoint.reach("pack.renamed-before-index")
            try FileIO.writeAtomically(PackIndex.encode(written), to: "\(layout.packs)/\(name).idx",
                                       temporaryDirectory: layout.tmp)
            return PackFolder.Change(added: [checksum])
        }
        do {
            if let folder { try folder.change(publish) } else { _ = try publish() }
        } catch {
            // The pack is closed: its chunks are no longer pending here (a pack renamed without
            // its index, or a temp file left behind, is gc's to remove).
            unlink(tempPath)
            written = []
            pending = [:]
            throw error
        }
        sealed.append("\(layout.packs)/\(name).idx")
        written = []
        pending = [:]
    }

    private func open() throws {
        tempPath = layout.temporaryPath("pack") + ".tmp"
        fd = try FileIO.create(tempPath)
        size = 0
        hasher = StreamingDigest()
        var header = PackFormat.packMagic
        header.appendLittleEndian(PackFormat.version)
        header.appendLittleEndian(0)
        try write(header)
    }

    /// Appends to the pack through a 1 MiB buffer: many small chunks cost few system calls.
    private func write(_ bytes: [UInt8]) throws {
        bytes.withUnsafeBytes { hasher.update($0) }
        buffer += bytes
        size += bytes.count
        if buffer.count >= 1 << 20 { try flushBuffer() }
    }

    private func flushBuffer() throws {
        guard !buffer.isEmpty else { return }
        try buffer.withUnsafeBytes { try FileIO.write(fd, $0, path: tempPath) }
        buffer.removeAll(keepingCapacity: true)
    }
}
