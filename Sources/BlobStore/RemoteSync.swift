import Foundation
import Platform

/// What a push sent.
public struct PushReport: Sendable, Equatable {
    /// Objects the pushed files need, delta bases included.
    public var objectsNeeded = 0
    /// Objects no index on the remote listed, now in the packs this push sent or resumed.
    public var objectsUploaded = 0
    /// Packs uploaded now.
    public var packsUploaded = 0
    /// Packs found already complete on the remote (left by an interrupted push): only their
    /// index was uploaded.
    public var packsResumed = 0
    /// Pack and index bytes sent.
    public var bytesUploaded: UInt64 = 0
    public init() {}
}

/// The objects a push would send: those of the files' closure that no index on the remote lists,
/// in the order they are packed (their order in the local packs).
public struct PushPlan: Sendable {
    struct Source: Sendable {
        let entry: PackEntry
        let pack: PackFile
    }

    /// Objects the files need, delta bases included.
    public let objectsNeeded: Int
    let lacking: [Source]
    /// How many objects the remote lacks.
    public var objectsLacking: Int { lacking.count }
    /// Their stored (compressed) size: about what the push uploads.
    public var storedBytesLacking: UInt64 { lacking.reduce(0) { $0 + UInt64($1.entry.storedLength) } }
}

/// What a pull fetched.
public struct PullReport: Sendable, Equatable {
    /// Objects downloaded, verified and stored.
    public var objectsFetched = 0
    /// Pack bytes downloaded (ranges include the entry headers and small gaps between entries).
    public var bytesDownloaded: UInt64 = 0
    /// Ranged GET requests made for pack bytes.
    public var rangeRequests = 0
    /// Remote pack indexes downloaded (the others were cached).
    public var indexesDownloaded = 0
    public init() {}
}

/// Moves objects between the local store and a remote, as packs (never one object per key).
///
/// Push uploads, for the given files, the objects of their closure (manifests, chunks, delta
/// bases) that no index on the remote lists: large local packs the remote lacks entirely as they
/// are, the other objects copied as stored into new packs; each pack goes
/// up before its index, so a reader never sees an index whose pack is incomplete. Packs are
/// built deterministically (same missing objects, same pack name), so a push re-run after an
/// interruption finds a pack that already went up whole and sends only its index.
///
/// Pull downloads the remote's indexes (cached under `cache/remote-indexes/`; they are named by
/// their pack's checksum and so never change), then ranged reads of only the entries it needs,
/// each checked against its index entry, decoded and verified against its digest before it is
/// stored locally.
public struct RemoteSync: Sendable {
    public let store: ObjectStore
    public let remote: any RemoteBackend
    /// How many transfers run at once.
    public var parallelTransfers: Int
    /// Entries of one pack closer than this are fetched in one ranged read.
    public var rangeGap: UInt64 = 1 << 20
    /// The largest single ranged read.
    public var maxRange: UInt64 = 16 << 20
    /// A local pack at least this large whose objects a push sends all goes up as it is (no
    /// local copy); smaller ones are combined into new packs, so small adds do not leave many
    /// small packs on the remote.
    public var wholePackMinimum = UInt64(PackFormat.targetPackSize / 4)
    /// Called from transfer threads after each file or range moved, with the bytes moved so far
    /// and the bytes planned so far (a pull plans more as it walks deeper into manifests).
    public var progress: (@Sendable (_ done: UInt64, _ planned: UInt64) -> Void)?

    public init(store: ObjectStore, remote: any RemoteBackend, parallelTransfers: Int = 8) {
        self.store = store
        self.remote = remote
        self.parallelTransfers = parallelTransfers
    }

    // MARK: Push

    /// What a push of `files` would send (for `--dry-run`, and the first half of `push`).
    /// Seals the local open pack first; throws `.missingLocally` when the store lacks part of
    /// the files' closure. The plan names local packs: push it while holding the store lock
    /// shared (as the whole push should), so a local gc cannot repack them in between.
    public func plan(_ files: [StoredFile]) throws -> PushPlan {
        try store.flush()
        let closure = store.reachable(from: files.map { ($0, $0.digest.description) })
        guard closure.missing.isEmpty else { throw RemoteError.missingLocally(objects: closure.missing.map(\.object)) }
        let onRemote = try remoteIndex(report: nil)
        let lacking = closure.objects.compactMap { digest -> PushPlan.Source? in
            if onRemote.lookup(digest) != nil { return nil }
            guard let (entry, pack) = store.locate(digest), let pack else { return nil }
            return PushPlan.Source(entry: entry, pack: pack)
        }.sorted { ($0.pack.name, $0.entry.offset) < ($1.pack.name, $1.entry.offset) }
        return PushPlan(objectsNeeded: closure.objects.count, lacking: lacking)
    }

    /// Uploads what the remote lacks for `files`: `push(plan(files))`.
    @discardableResult
    public func push(_ files: [StoredFile]) throws -> PushReport { try push(try plan(files)) }

    /// Uploads the objects of `plan`, each pack before its index: a local pack of at least
    /// `wholePackMinimum` bytes whose objects the remote lacks entirely goes up as it is, the
    /// lacking objects of other packs in new packs.
    @discardableResult
    public func push(_ plan: PushPlan) throws -> PushReport {
        var report = PushReport()
        report.objectsNeeded = plan.objectsNeeded
        guard !plan.lacking.isEmpty else { return report }
        report.objectsUploaded = plan.lacking.count

        // A large local pack all of whose objects the remote lacks goes up as it is (a first
        // push); the lacking objects of the other packs are copied into new packs.
        var whole: [String] = []
        var copied: [PushPlan.Source] = []
        for sources in Dictionary(grouping: plan.lacking, by: \.pack).values {
            let pack = sources[0].pack
            if sources.count == pack.count, try FileIO.size(pack.packPath) >= wholePackMinimum {
                whole.append(pack.indexPath)
            } else {
                copied += sources
            }
        }
        copied.sort { ($0.pack.name, $0.entry.offset) < ($1.pack.name, $1.entry.offset) }
        removeAbandonedStaging()
        let staging = StoreLayout(root: store.layout.temporaryPath("push"))
        defer { try? FileManager.default.removeItem(atPath: staging.root) }
        var sealed: [String] = []
        if !copied.isEmpty {
            try staging.create()
            let writer = PackWriter(layout: staging)
            for source in copied {
                try writer.append(source.entry, stored: try store.storedBytes(source.entry, in: source.pack))
            }
            try writer.seal()
            sealed = writer.sealed
        }
        let staged = sealed + whole.sorted()
        let tally = Tally(report)
        let meter = ProgressMeter(progress)
        meter.plan(try staged.reduce(0) { $0 + (try FileIO.size($1)) + (try FileIO.size(String($1.dropLast(4)) + ".pack")) })
        try RemoteTransferPool.forEach(staged.count, width: parallelTransfers) { [remote] i in
            let indexPath = staged[i]
            let packPath = String(indexPath.dropLast(4)) + ".pack"
            let name = ((indexPath as NSString).lastPathComponent as NSString).deletingPathExtension
            let packSize = try FileIO.size(packPath)
            let indexSize = try FileIO.size(indexPath)
            if try remote.stat(RemoteLayout.packKey(name))?.size == packSize {
                tally.update { $0.packsResumed += 1 }
            } else {
                try remote.put(RemoteLayout.packKey(name), file: packPath)
                tally.update { $0.packsUploaded += 1; $0.bytesUploaded += packSize }
            }
            meter.advance(packSize)
            FaultPoint.reach("push.pack-before-index")
            try remote.put(RemoteLayout.indexKey(name), file: indexPath)
            tally.update { $0.bytesUploaded += indexSize }
            meter.advance(indexSize)
        }
        return tally.value
    }

    /// Staging folders (`tmp/push-*`) of pushes that died: untouched for a day.
    private func removeAbandonedStaging() {
        let cutoff = Date().addingTimeInterval(-86_400)
        for name in (try? FileManager.default.contentsOfDirectory(atPath: store.layout.tmp)) ?? [] where name.hasPrefix("push-") {
            let path = store.layout.tmp + "/" + name
            if let modified = ObjectStore.modificationDate(path), modified < cutoff {
                try? FileManager.default.removeItem(atPath: path)
            }
        }
    }

    // MARK: Pull

    /// Downloads, verifies and stores every object `files` need that the local store lacks,
    /// then seals the local pack.
    @discardableResult
    public func pull(_ files: [StoredFile]) throws -> PullReport {
        let tally = Tally(PullReport())
        let meter = ProgressMeter(progress)
        var packs = try remoteIndex(report: tally)
        // Walk manifest trees level by level: a node's children are known once it is local.
        var frontier = Self.unique(files.map { ($0.root, $0.manifest != nil) })
        while !frontier.isEmpty {
            try fetchListingAgainIfPacksVanish(frontier.map(\.digest), packs: &packs, tally: tally, meter: meter)
            var next: [(digest: Digest, isNode: Bool)] = []
            for (digest, isNode) in frontier where isNode {
                let node = try ManifestNode.decode(try store.read(digest), digest: digest)
                next += node.entries.map { ($0.digest, node.level > 0) }
            }
            frontier = Self.unique(next)
        }
        FaultPoint.reach("pull.fetched-before-seal")
        try store.flush()
        return tally.value
    }

    private static func unique(_ items: [(Digest, Bool)]) -> [(digest: Digest, isNode: Bool)] {
        var seen: Set<Digest> = []
        return items.filter { seen.insert($0.0).inserted }.map { (digest: $0.0, isNode: $0.1) }
    }

    /// `fetch`, listing the remote's indexes anew once when a pack vanished meanwhile. A remote GC
    /// uploads a rewritten pack and its index before it deletes the old index and then the old
    /// pack, so every live object stays listed by an index whose pack is whole: after a new
    /// listing the pull finds it (or `.missingOnRemote` when it really is gone). A pack that
    /// vanishes again gives `.changedDuringRead`, which a retry resolves.
    private func fetchListingAgainIfPacksVanish(_ digests: [Digest], packs: inout MasterIndex,
                                                tally: Tally<PullReport>, meter: ProgressMeter) throws {
        do {
            return try fetch(digests, from: packs, tally: tally, meter: meter)
        } catch RemoteError.notFound(_, let key) where key.hasPrefix(RemoteLayout.packsPrefix) {
            packs = try remoteIndex(report: tally)
        }
        do {
            try fetch(digests, from: packs, tally: tally, meter: meter)
        } catch RemoteError.notFound(_, let key) where key.hasPrefix(RemoteLayout.packsPrefix) {
            throw RemoteError.changedDuringRead(remote: remote.name, key: key)
        }
    }

    /// One ranged read: a pack, the byte range, and the entries inside it.
    private struct RangeRead: Sendable {
        let pack: String
        var range: Range<UInt64>
        var entries: [PackEntry]
    }

    /// Fetches `digests` and the delta bases they need, shallowest first, so every base is
    /// local before a delta against it is verified.
    func fetch(_ digests: [Digest], from packs: MasterIndex, tally: Tally<PullReport>, meter: ProgressMeter) throws {
        var wanted: [Digest: (entry: PackEntry, pack: String)] = [:]
        var absent: [Digest] = []
        var pending = digests
        while let digest = pending.popLast() {
            if wanted[digest] != nil || store.contains(digest) { continue }
            guard let (entry, pack) = packs.lookup(digest).map({ ($0.entry, $0.pack.name) }) else {
                absent.append(digest)
                continue
            }
            if let why = entry.impossibility {
                throw RemoteError.corruptObject(remote: remote.name, key: RemoteLayout.indexKey(pack), detail: "object \(digest): \(why)")
            }
            wanted[digest] = (entry, pack)
            if let base = entry.base { pending.append(base) }
        }
        guard absent.isEmpty else { throw RemoteError.missingOnRemote(remote: remote.name, objects: absent.sorted()) }
        for (_, layer) in Dictionary(grouping: wanted.values, by: \.entry.depth).sorted(by: { $0.key < $1.key }) {
            let reads = coalesce(layer)
            tally.update { $0.rangeRequests += reads.count }
            meter.plan(reads.reduce(0) { $0 + UInt64($1.range.count) })
            try RemoteTransferPool.forEach(reads.count, width: parallelTransfers) { i in
                try self.perform(reads[i], tally: tally)
                meter.advance(UInt64(reads[i].range.count))
            }
        }
    }

    /// Groups entries by pack and merges neighbours into ranged reads.
    private func coalesce(_ items: [(entry: PackEntry, pack: String)]) -> [RangeRead] {
        var reads: [RangeRead] = []
        for (pack, group) in Dictionary(grouping: items, by: \.pack).sorted(by: { $0.key < $1.key }) {
            var current: RangeRead?
            for entry in group.map(\.entry).sorted(by: { $0.offset < $1.offset }) {
                let span = entry.offset..<(entry.dataOffset + UInt64(entry.storedLength))
                if var open = current, span.lowerBound <= open.range.upperBound + rangeGap,
                   span.upperBound - open.range.lowerBound <= maxRange {
                    open.range = open.range.lowerBound..<span.upperBound
                    open.entries.append(entry)
                    current = open
                } else {
                    if let open = current { reads.append(open) }
                    current = RangeRead(pack: pack, range: span, entries: [entry])
                }
            }
            if let open = current { reads.append(open) }
        }
        return reads
    }

    /// Downloads one range, checks each entry header against the index, decodes and verifies
    /// each object, and appends it to the local store.
    private func perform(_ read: RangeRead, tally: Tally<PullReport>) throws {
        let key = RemoteLayout.packKey(read.pack)
        let bytes = try remote.get(key, range: read.range)
        guard bytes.count == read.range.count else {
            throw RemoteError.corruptObject(remote: remote.name, key: key,
                                            detail: "got \(bytes.count) bytes for a range of \(read.range.count)")
        }
        for entry in read.entries {
            let start = Int(entry.offset - read.range.lowerBound)
            let header = bytes.withUnsafeBytes {
                PackEntry.parsePackHeader(UnsafeRawBufferPointer(rebasing: $0[start..<(start + PackFormat.entryHeaderSize)]),
                                          offset: entry.offset)
            }
            guard header == entry else {
                throw RemoteError.corruptObject(remote: remote.name, key: key,
                                                detail: "the entry at byte \(entry.offset) is not \(entry.digest) "
                                                    + "as its index says")
            }
            let dataStart = start + PackFormat.entryHeaderSize
            let stored = Array(bytes[dataStart..<(dataStart + Int(entry.storedLength))])
            try verify(entry, stored: stored, key: key)
            var local = entry
            local.offset = 0
            try store.append(ObjectStore.PreparedChunk(entry: local, stored: stored))
        }
        tally.update {
            $0.objectsFetched += read.entries.count
            $0.bytesDownloaded += UInt64(bytes.count)
        }
    }

    /// Decodes `stored` (against its base, already local) and checks the digest. A base that
    /// cannot be read here is a local error (`StoreError`), not damage on the remote.
    private func verify(_ entry: PackEntry, stored: [UInt8], key: String) throws {
        let reference = try entry.base.map { try store.read($0) }
        let raw: [UInt8]
        do {
            raw = try [UInt8](writingAll: Int(entry.rawLength)) { destination in
                try stored.withUnsafeBytes { frame in
                    try store.zstd.withDecompressor { d in
                        if let reference {
                            try reference.withUnsafeBytes { try d.decompress(frame, into: destination, reference: $0) }
                        } else {
                            try d.decompress(frame, into: destination)
                        }
                    }
                }
            }
        } catch {
            throw RemoteError.corruptObject(remote: remote.name, key: key, detail: "\(entry.digest) does not decode: \(error)")
        }
        guard Digest.of(raw) == entry.digest else {
            throw RemoteError.corruptObject(remote: remote.name, key: key,
                                            detail: "the bytes of \(entry.digest) do not match its digest")
        }
    }

    // MARK: Check

    /// The files of `subjects` whose objects no pack on the remote lists (`git ml fsck --remote`),
    /// each subject once, in the given order. Every object of a file's closure that the local
    /// store knows is checked (manifest nodes, chunks, delta bases); of a file this clone never
    /// downloaded, its top object (the remote's own packs hold the rest of its closure).
    public func lacking(_ subjects: [(file: StoredFile, subject: String)]) throws -> [String] {
        let onRemote = try remoteIndex(report: nil)
        var out: [String] = [], reported = Set<String>()
        for (file, subject) in subjects where !reported.contains(subject) {
            let closure = store.reachable(from: [(file, subject)])
            if closure.objects.union([file.root]).contains(where: { onRemote.lookup($0) == nil }) {
                out.append(subject)
                reported.insert(subject)
            }
        }
        return out
    }

    // MARK: Indexes

    /// Where the remote's pack indexes are cached (named by their pack, so shared by remotes).
    var indexCache: String { store.layout.cache + "/remote-indexes" }

    /// Where every object on the remote is: `remotePackNames` through a master index over the
    /// cache, whose multi-pack index (`multi-pack-index-<hex>`, one per remote name) is
    /// rewritten when more than a few of the remote's packs are outside it.
    func remoteIndex(report: Tally<PullReport>?) throws -> MasterIndex {
        let key = Digest.of(Array(remote.name.utf8)).hex.prefix(16)
        let tmp = store.layout.tmp
        let packs = try remotePackNames(report: report).compactMap { Digest(parsing: $0.dropFirst(5)) }.sorted()
        return try MasterIndex.load(directory: indexCache, packs: packs,
                                    write: { try FileIO.writeAtomically($0, to: $1, temporaryDirectory: tmp) },
                                    fileName: "\(MasterIndex.defaultFileName)-\(key)", damaged: .fail).0
    }

    /// The index of every pack on the remote, each read whole from the cache (remote GC).
    func remotePackIndexes() throws -> [PackIndex] {
        try remotePackNames(report: nil).map { try PackIndex(indexPath: "\(indexCache)/\($0).idx") }
    }

    /// The names of every pack on the remote, downloading (and checksumming) the indexes not
    /// cached. An index that vanishes between the listing and its download is left out: a remote
    /// GC deletes an index only after every live object of its pack is listed by another one.
    func remotePackNames(report: Tally<PullReport>?) throws -> [String] {
        let cache = indexCache
        try FileIO.makeDirectory(cache)
        let names = try remote.list(prefix: RemoteLayout.packsPrefix)
            .compactMap { RemoteLayout.packName(ofIndexKey: $0.key) }.sorted()
        let absent = names.filter { !FileManager.default.fileExists(atPath: "\(cache)/\($0).idx") }
        let vanished = Tally(Set<String>())
        try RemoteTransferPool.forEach(absent.count, width: parallelTransfers) { [remote, store] i in
            let key = RemoteLayout.indexKey(absent[i])
            let bytes: [UInt8]
            do {
                bytes = try remote.get(key, range: nil)
            } catch RemoteError.notFound {
                vanished.update { $0.insert(absent[i]) }
                return
            }
            guard bytes.count >= 32, Digest.of(bytes[..<(bytes.count - 32)]) == Digest(bytes: bytes[(bytes.count - 32)...]) else {
                throw RemoteError.corruptObject(remote: remote.name, key: key, detail: "the index fails its checksum")
            }
            try FileIO.writeAtomically(bytes, to: "\(cache)/\(absent[i]).idx", temporaryDirectory: store.layout.tmp)
            report?.update { $0.indexesDownloaded += 1 }
        }
        return names.filter { !vanished.value.contains($0) }
    }
}

/// A report updated from transfer threads.
final class Tally<Report: Sendable>: @unchecked Sendable {  // guarded by `lock`
    private let lock = NSLock()
    private var report: Report
    init(_ report: Report) { self.report = report }
    var value: Report { lock.withLock { report } }
    func update(_ change: (inout Report) -> Void) { lock.withLock { change(&report) } }
}

/// Bytes planned and moved, reported to a progress callback from transfer threads.
final class ProgressMeter: @unchecked Sendable {  // guarded by `lock`
    private let lock = NSLock()
    private let callback: (@Sendable (UInt64, UInt64) -> Void)?
    private var done: UInt64 = 0
    private var planned: UInt64 = 0

    init(_ callback: (@Sendable (UInt64, UInt64) -> Void)?) { self.callback = callback }

    func plan(_ bytes: UInt64) { lock.withLock { planned += bytes; callback?(done, planned) } }
    func advance(_ bytes: UInt64) { lock.withLock { done += bytes; callback?(done, planned) } }
}
