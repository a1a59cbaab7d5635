import Foundation
import Platform

/// The folders of a store, inside the git directory shared by all worktrees (`.git/ml`).
public struct StoreLayout: Sendable {
    public let root: String
    public var packs: String { root + "/packs" }
    public var tmp: String { root + "/tmp" }
    public var locks: String { root + "/locks" }
    public var cache: String { root + "/cache" }

    public init(root: String) { self.root = root }

    /// Creates the folders if missing.
    /// A fresh path under `tmp` for this process (`<purpose>-<pid>-<random>`): no two callers,
    /// processes or crashed leftovers collide.
    public func temporaryPath(_ purpose: String) -> String {
        "\(tmp)/\(purpose)-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
    }

    public func create() throws {
        for dir in [packs, tmp, locks, cache] { try FileIO.makeDirectory(dir) }
    }
}

/// Content-addressed chunk storage in pack files: lookup, verified reads, and writes through
/// this process's `PackWriter`. Reads may run on many threads at once; writes happen on one.
public final class ObjectStore: @unchecked Sendable {  // mutable state is guarded by `lock`
    public let layout: StoreLayout
    /// zstd level for new chunks.
    public let compressionLevel: Int32
    /// Longest delta chain a new chunk may start (reads decode at most this many frames).
    public let maxDeltaDepth: UInt8 = 4

    let zstd: ZstdPool
    private let lock = NSLock()
    private var master: MasterIndex
    /// What loading the indexes did when the store was opened.
    public let loadReport: IndexLoadReport
    /// Open packs by checksum.
    private var handles: [Digest: PackHandle] = [:]
    /// The pack folder: which packs it holds, and its open descriptor (packs are opened relative
    /// to it, one path component to resolve instead of the whole path for each of thousands).
    private let packFolder: PackFolder
    /// Packs kept open at once for reads; beyond, one is closed (once no read uses it), so a
    /// checkout over thousands of packs stays below the process's descriptor limit.
    static let maxOpenPacks = 128
    private let writer: PackWriter
    /// Manifests known to assemble their files' digests (`restore` hashes the others once).
    let verifiedManifests: VerifiedManifests
    /// Serializes the listings of reads that miss; `listedOnMiss` is the folder's stamp at the
    /// last one (guarded by `missLock`).
    private let missLock = NSLock()
    private var listedOnMiss: StatCache.Key?

    /// Opens (and creates if needed) the store at `layout`.
    public init(layout: StoreLayout, compressionLevel: Int32 = 1) throws {
        self.layout = layout
        self.compressionLevel = compressionLevel
        zstd = ZstdPool(level: compressionLevel)
        verifiedManifests = VerifiedManifests(layout: layout)
        try layout.create()
        packFolder = try PackFolder(layout: layout)
        writer = PackWriter(layout: layout, folder: packFolder)
        let packs = packFolder.packs()
        let loaded = try MasterIndex.load(directory: layout.packs, packs: packs.checksums, write: Self.multiPackIndexWriter(packFolder))
        master = loaded.0
        var report = loaded.1
        report.packFolderListed = packs.listed
        loadReport = report
    }

    /// Writes a multi-pack index into the pack folder as a change of it (under its lock, and
    /// recorded): its rename changes the folder's stamp.
    private static func multiPackIndexWriter(_ folder: PackFolder) -> MasterIndex.Writer {
        { bytes, path in
            try folder.change {
                try FileIO.writeAtomically(bytes, to: path, temporaryDirectory: folder.layout.tmp)
                return PackFolder.Change()
            }
        }
    }

    /// Picks up packs sealed since the last look (by this or another process); with `force`,
    /// lists the folder whatever its record says. A damaged index
    /// is left out (its objects read as missing) rather than failing every command: `fsck`
    /// names it, and `gc`/a pull can repair what it held. An index in a newer format than this
    /// build reads is refused (the error names the release to upgrade to), never read as missing.
    public func reloadIndexes(force: Bool = false) throws {
        guard let packs = packFolder.refresh(force: force) else { return }
        let fresh = lock.withLock { packs.checksums.filter { !master.knows($0) } }
        var loaded: [PackIndex] = []
        for checksum in fresh {
            if let index = try MasterIndex.openIndex(PackFile.indexPath(of: checksum, in: layout.packs)) { loaded.append(index) }
        }
        lock.withLock { for index in loaded { master.adopt(index) } }
    }

    /// Writes a multi-pack index over every pack now (after a repack).
    func rewriteMultiPackIndex() throws {
        try lock.withLock { try master.rewrite(write: Self.multiPackIndexWriter(packFolder)) }
    }

    /// Every sealed pack, as this process knows them.
    var packs: [PackFile] { lock.withLock { master.packs } }

    /// The index of every sealed pack, each read from its file (fsck and repack read whole
    /// indexes; lookups go through the master index). Damaged ones are left out.
    var packIndexes: [PackIndex] { packs.compactMap { try? PackIndex(indexPath: $0.indexPath) } }

    /// Where `digest` is stored: its entry and its pack (nil while in the open pack).
    func locate(_ digest: Digest) -> (PackEntry, PackFile?)? {
        let (pending, master) = lock.withLock { (writer.pending[digest], self.master) }
        if let pending { return (pending, nil) }
        return master.lookup(digest).map { ($0.entry, $0.pack) }
    }

    /// `locate`, and when it misses, again after listing the pack folder, once per state of the
    /// folder: a pack added without GitML's lock in the same tick as a GitML change is not in the
    /// folder's record (`PackFolder`), and a read must not call its object missing. Threads that
    /// miss while one lists wait for its listing.
    private func locateListingOnMiss(_ digest: Digest) throws -> (PackEntry, PackFile?)? {
        if let found = locate(digest) { return found }
        try missLock.withLock {
            let stamp = packFolder.stamp()
            guard stamp == nil || stamp != listedOnMiss else { return }
            try reloadIndexes(force: true)
            listedOnMiss = stamp
        }
        return locate(digest)
    }

    /// Whether the store holds `digest`.
    public func contains(_ digest: Digest) -> Bool { locate(digest) != nil }

    /// The index entry of `digest`.
    public func entry(_ digest: Digest) -> PackEntry? { locate(digest)?.0 }

    /// The raw bytes of a chunk, decoded and verified against its digest.
    public func read(_ digest: Digest) throws -> [UInt8] {
        try read(digest, verify: true)
    }

    /// Decodes a chunk; `verify: false` skips the digest check, for delta bases only: a wrong
    /// base cannot yield the delta's own (always verified) digest, so checking it twice is waste.
    private func read(_ digest: Digest, verify: Bool) throws -> [UInt8] {
        guard let (entry, index) = try locateListingOnMiss(digest) else { throw StoreError.missingObject(digest) }
        // The stored bytes first: they bound what the raw length may be (`impossibility`).
        let stored = try storedBytes(entry, in: index)
        return try [UInt8](writingAll: Int(entry.rawLength)) { try decode(entry, stored: stored, into: $0, verify: verify) }
    }

    /// Decodes `entry` into `destination` (exactly `rawLength` bytes) and verifies its digest.
    func decode(_ entry: PackEntry, in pack: PackFile?, into destination: UnsafeMutableRawBufferPointer,
                verify: Bool = true) throws {
        try decode(entry, stored: try storedBytes(entry, in: pack), into: destination, verify: verify)
    }

    /// Decodes `stored`, the entry's stored bytes, into `destination` and verifies its digest.
    func decode(_ entry: PackEntry, stored: [UInt8], into destination: UnsafeMutableRawBufferPointer,
                verify: Bool = true) throws {
        let reference = try entry.base.map { try read($0, verify: false) }
        try stored.withUnsafeBytes { frame in
            try zstd.withDecompressor { d in
                do {
                    if let reference {
                        try reference.withUnsafeBytes { try d.decompress(frame, into: destination, reference: $0) }
                    } else {
                        try d.decompress(frame, into: destination)
                    }
                } catch let error as StoreError {
                    throw StoreError.corruptObject(entry.digest, detail: "\(error)")
                }
            }
        }
        guard !verify || Digest.of(UnsafeRawBufferPointer(destination)) == entry.digest else {
            throw StoreError.corruptObject(entry.digest, detail: "content does not match its digest")
        }
    }

    /// The stored (compressed) bytes of an entry; an entry whose bytes would lie past the end of
    /// its pack is damage, refused before anything is read.
    func storedBytes(_ entry: PackEntry, in pack: PackFile?) throws -> [UInt8] {
        if let why = entry.impossibility { throw StoreError.corruptObject(entry.digest, detail: why) }
        guard let pack else {
            if let bytes = try lock.withLock({ try writer.pendingStored(entry.digest) }) { return bytes }
            // Sealed since it was located: it is in a loaded index now.
            guard let (sealed, pack) = locate(entry.digest), let pack else { throw StoreError.missingObject(entry.digest) }
            return try storedBytes(sealed, in: pack)
        }
        let handle = try handle(for: pack)
        guard entry.dataOffset + UInt64(entry.storedLength) <= handle.size else {
            throw StoreError.corruptObject(entry.digest, detail: "its index entry points past the end of \(pack.name).pack")
        }
        return try withExtendedLifetime(handle) {
            try [UInt8](writingAll: Int(entry.storedLength)) { try FileIO.read(handle.fd, into: $0, at: Int(entry.dataOffset), path: pack.packPath) }
        }
    }

    /// The open file of one of this store's packs (a name means the same bytes wherever it is,
    /// so the pack is always opened in this store's folder).
    private func handle(for pack: PackFile) throws -> PackHandle {
        if let handle = lock.withLock({ handles[pack.checksum] }) { return handle }
        let fd = openat(packFolder.handle.fd, pack.name + ".pack", O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw FileIO.error(layout.packs + "/" + pack.name + ".pack", "open") }
        let opened = PackHandle(fd: fd)
        return lock.withLock {
            if let existing = handles[pack.checksum] { return existing }
            if handles.count >= Self.maxOpenPacks { handles.remove(at: handles.startIndex) }
            handles[pack.checksum] = opened
            return opened
        }
    }

    // MARK: Writing

    /// A chunk compressed and ready to append; made on any thread by `prepare`.
    public struct PreparedChunk: Sendable {
        let entry: PackEntry
        let stored: [UInt8]
        public var storedLength: Int { stored.count }
        public var isDelta: Bool { entry.kind == .delta }
    }

    /// A reference for delta compression: a chunk already in the store and its raw bytes.
    public struct DeltaBase: Sendable {
        public let digest: Digest
        public let depth: UInt8
        public let raw: [UInt8]
    }

    /// The delta base for `digest` if it is usable (stored, chain short enough), with its bytes.
    public func deltaBase(_ digest: Digest) throws -> DeltaBase? {
        guard let e = entry(digest), e.depth < maxDeltaDepth else { return nil }
        return DeltaBase(digest: digest, depth: e.depth, raw: try read(digest))
    }

    /// Compresses `raw` (whose digest is `digest`), as a delta against `base` when that is
    /// smaller. Thread-safe.
    public func prepare(_ raw: UnsafeRawBufferPointer, digest: Digest, base: DeltaBase?) throws -> PreparedChunk {
        try zstd.withCompressor { c in
            func full() throws -> PreparedChunk {
                let stored = try c.compress(raw)
                return PreparedChunk(entry: PackEntry(digest: digest, offset: 0, rawLength: UInt32(raw.count),
                                                      storedLength: UInt32(stored.count), kind: .full, depth: 0, base: nil),
                                     stored: stored)
            }
            guard let base else { return try full() }
            let delta = try base.raw.withUnsafeBytes { try c.compress(raw, reference: $0) }
            let chunk = PreparedChunk(entry: PackEntry(digest: digest, offset: 0, rawLength: UInt32(raw.count),
                                                       storedLength: UInt32(delta.count), kind: .delta,
                                                       depth: base.depth + 1, base: base.digest),
                                      stored: delta)
            // A delta that saves little means the content is new: compare with a plain frame.
            if delta.count * 4 > raw.count {
                let plain = try full()
                if plain.stored.count <= delta.count { return plain }
            }
            return chunk
        }
    }

    /// Appends a prepared chunk to this process's open pack (no-op if already stored).
    public func append(_ chunk: PreparedChunk) throws {
        if contains(chunk.entry.digest) { return }
        try forceAppend(chunk)
    }

    /// Appends even when a sealed pack holds the object (repack moves objects between packs).
    func forceAppend(_ chunk: PreparedChunk) throws {
        try lock.withLock {
            let before = writer.sealed.count
            try writer.append(chunk.entry, stored: chunk.stored)
            try adoptSealedPacks(since: before)
        }
    }

    /// Adopts the indexes of the packs the writer sealed since it had sealed `count`; called with
    /// `lock` held, in the same critical section as the seal, so that no reader ever sees an
    /// object neither pending nor in a loaded index (a pull reading a delta base on one thread
    /// while another thread's append sealed the pack found the base "not in the store").
    private func adoptSealedPacks(since count: Int) throws {
        for path in writer.sealed[count...] { master.adopt(try PackIndex(indexPath: path)) }
    }

    /// Index paths of the packs this process sealed.
    var sealedPackIndexPaths: [String] { lock.withLock { writer.sealed } }

    /// Drops packs from the store: each one's index first (so no reader finds it), then the pack;
    /// one directory sync and one update of the folder's record for all of them. When that fails,
    /// the packs still there are found again by a listing.
    func forget(_ packs: [PackFile]) throws {
        lock.withLock {
            for pack in packs {
                master.forget(pack.checksum)
                handles[pack.checksum] = nil
            }
        }
        do {
            try deleteFiles(of: packs)
        } catch {
            try? reloadIndexes(force: true)
            throw error
        }
    }

    private func deleteFiles(of packs: [PackFile]) throws {
        try packFolder.change {
            var removed = PackFolder.Change()
            for pack in packs {
                for path in [pack.indexPath, pack.packPath] where unlink(path) != 0 && errno != ENOENT {
                    throw FileIO.error(path, "delete")
                }
                removed.removed.append(pack.checksum)
            }
            try FileIO.syncDirectory(layout.packs)
            return removed
        }
    }

    /// Stores a small object (a manifest, a listing) whole; returns its digest.
    @discardableResult
    public func put(_ bytes: [UInt8]) throws -> Digest {
        let digest = Digest.of(bytes)
        if !contains(digest) {
            let chunk = try bytes.withUnsafeBytes { try prepare($0, digest: digest, base: nil) }
            try append(chunk)
        }
        return digest
    }

    /// Seals the open pack so everything written is durable and visible to other processes.
    /// Call before publishing any ref that points at new chunks.
    public func flush() throws {
        try lock.withLock {
            let before = writer.sealed.count
            try writer.seal()
            try adoptSealedPacks(since: before)
        }
        try reloadIndexes()
    }

    /// Runs `body` on the calling thread while `flush()` seals the open pack on another (hashing,
    /// writing its index, the fsyncs), then waits for the seal and returns `body`'s result. For
    /// work that may precede the seal but nothing that relies on it: a version's record and
    /// commit can be written while its chunks are sealed, its ref only after. The seal's error
    /// is thrown first.
    public func flush<T>(overlapping body: () throws -> T) throws -> T {
        let sealed = DispatchSemaphore(value: 0)
        let failure = FirstError()
        DispatchQueue.global().async {
            do { try self.flush() } catch { failure.record(error) }
            sealed.signal()
        }
        let result = Result { try body() }
        sealed.wait()
        try failure.rethrow()
        return try result.get()
    }
}

/// An open pack file (or the pack folder), closed when the last read that uses it lets go.
final class PackHandle: Sendable {
    let fd: Int32
    /// The pack's size when opened (packs are immutable once sealed).
    let size: UInt64
    init(fd: Int32) {
        self.fd = fd
        var info = stat()
        size = fstat(fd, &info) == 0 ? UInt64(max(0, info.st_size)) : 0
    }
    deinit { close(fd) }
}
