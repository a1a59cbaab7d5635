import Foundation
import Platform

/// What a remote garbage collection removed (or, in a dry run, would remove).
public struct RemoteCollectReport: Sendable, Equatable {
    /// Whether this was a dry run (nothing on the remote changed).
    public var dryRun = false
    /// Packs on the remote, by their index, when the sweep began.
    public var packsExamined = 0
    /// Packs with no live object: index deleted, then pack.
    public var packsDeleted = 0
    /// Packs whose live objects (less than the repack threshold, by stored bytes) were copied
    /// into a new pack before the old one was deleted.
    public var packsRewritten = 0
    /// New packs uploaded by rewrites and consolidation.
    public var packsUploaded = 0
    /// Small packs with no dead object merged into new packs, then deleted: done when more than
    /// 8 such packs (under 32 MiB, past the grace period) are on the remote.
    public var packsConsolidated = 0
    /// Packs with dead objects left alone because they are younger than the grace period.
    public var packsInGrace = 0
    /// Unreachable objects removed.
    public var objectsRemoved = 0
    /// Stored bytes of the removed objects plus the sizes of removed stray packs.
    public var bytesFreed: UInt64 = 0
    /// Packs without an index (an interrupted push or deletion) older than the grace period, removed.
    public var strayPacksRemoved = 0
    /// Unfinished S3 multipart uploads older than the grace period, aborted (not in dry runs).
    public var uploadsAborted = 0
    /// Files of interrupted writes in a directory remote's `tmp/`, older than the grace period.
    public var temporaryFilesRemoved = 0
    public init() {}
}

extension RemoteSync {
    /// The objects the remote must keep for `files`: their manifest nodes, their chunks, and
    /// every delta base those chunks decode against according to the remote's indexes.
    ///
    /// Manifest nodes the local store lacks are downloaded and verified first (nodes only, not
    /// chunks), so call this holding the store lock shared. A node that neither the local store
    /// nor the remote holds cannot name anything on the remote and is skipped.
    public func remoteReachable(from files: [StoredFile]) throws -> Set<Digest> {
        let packs = try remoteIndex(report: nil)
        func onRemote(_ digest: Digest) -> PackEntry? { packs.lookup(digest)?.entry }

        var keep = Set<Digest>()
        func add(_ digest: Digest) {
            var current: Digest? = digest
            while let d = current, keep.insert(d).inserted { current = onRemote(d)?.base }
        }
        files.filter { $0.manifest == nil }.forEach { add($0.digest) }
        // Walk the manifest trees level by level: a node's children are known once it is local.
        var visited = Set<Digest>()
        var frontier = Set(files.compactMap(\.manifest))
        while !frontier.isEmpty {
            visited.formUnion(frontier)
            let available = frontier.filter { store.contains($0) || onRemote($0) != nil }.sorted()
            try fetch(available, from: packs, tally: Tally(PullReport()), meter: ProgressMeter(nil))
            var next = Set<Digest>()
            for digest in available {
                add(digest)
                let node = try ManifestNode.decode(try store.read(digest), digest: digest)
                if node.level > 0 { next.formUnion(node.entries.map(\.digest)) } else { node.entries.forEach { add($0.digest) } }
            }
            frontier = next.subtracting(visited)
        }
        try store.flush()
        return keep
    }

    /// Removes from the remote every object not in `keep`, touching only packs whose pack and
    /// index were both last written before `cutoff`: a pack with no live object is deleted
    /// (index first, then pack); a pack whose live objects are less than `repackBelow` of its
    /// stored bytes is rewritten (its live frames copied as stored into a new pack, uploaded
    /// pack then index, before the old index and pack are deleted); when more than
    /// `MasterIndex.looseLimit` packs under `ObjectStore.consolidationThreshold` bytes hold only
    /// live objects, they are merged the same way into packs of about 64 MiB (so a remote that
    /// got many small pushes is read with few requests); packs without an index
    /// older than `cutoff` are deleted, as are a directory remote's `tmp/` files and, on S3,
    /// unfinished multipart uploads started before `cutoff`. With `dryRun` it only reports.
    ///
    /// The caller holds `lock`, the remote's exclusive `RemoteLock` (nil only for `dryRun`), so
    /// no push runs meanwhile, and computed `keep` after taking it; the lock is confirmed
    /// (`RemoteLock.confirm`) before each deletion, so a GC that lost it stops with
    /// `RemoteError.lockLost` before deleting anything more.
    public func collectGarbage(keep: Set<Digest>, olderThan cutoff: Date, repackBelow: Double = 0.5,
                               holding lock: RemoteLock?, dryRun: Bool) throws -> RemoteCollectReport {
        precondition(dryRun || lock != nil, "remote GC deletes only while holding the remote's exclusive lock")
        var report = RemoteCollectReport()
        report.dryRun = dryRun
        let listing = try remote.list(prefix: RemoteLayout.packsPrefix)
        let objects = Dictionary(listing.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        func isOld(_ key: String) -> Bool { objects[key]?.modified.map { $0 < cutoff } ?? false }

        let indexes = try remotePackIndexes()
        report.packsExamined = indexes.count
        var small: [(packKey: String, entries: [PackEntry], name: String)] = []
        for index in indexes {
            let packKey = RemoteLayout.packKey(index.name), indexKey = RemoteLayout.indexKey(index.name)
            let entries = index.entries()
            if let bad = entries.first(where: { $0.impossibility != nil }) {
                throw RemoteError.corruptObject(remote: remote.name, key: indexKey, detail: "object \(bad.digest): \(bad.impossibility!)")
            }
            let live = entries.filter { keep.contains($0.digest) }
            if live.count == entries.count, isOld(packKey), isOld(indexKey),
               (objects[packKey]?.size ?? .max) < ObjectStore.consolidationThreshold {
                small.append((packKey, entries, index.name))
            }
            guard live.count < entries.count else { continue }
            guard isOld(packKey), isOld(indexKey) else {
                report.packsInGrace += 1
                continue
            }
            let liveBytes = live.reduce(UInt64(0)) { $0 + UInt64($1.storedLength) }
            let allBytes = entries.reduce(UInt64(0)) { $0 + UInt64($1.storedLength) }
            if live.isEmpty {
                report.packsDeleted += 1
            } else if Double(liveBytes) < repackBelow * Double(allBytes) {
                report.packsRewritten += 1
                if !dryRun { try lock?.confirm() }
                if !dryRun { report.packsUploaded += try uploadCopy(of: [(packKey, live)]).count }
            } else {
                continue
            }
            report.objectsRemoved += entries.count - live.count
            report.bytesFreed += allBytes - liveBytes
            if !dryRun {
                FaultPoint.reach("remote-gc.copied-before-delete")
                try deletePack(index.name, holding: lock)
            }
        }
        if small.count > MasterIndex.looseLimit {
            report.packsConsolidated = small.count
            if !dryRun {
                try lock?.confirm()
                let uploaded = Set(try uploadCopy(of: small.map { ($0.packKey, $0.entries) }))
                report.packsUploaded += uploaded.count
                FaultPoint.reach("remote-gc.copied-before-delete")
                for pack in small where !uploaded.contains(pack.name) { try deletePack(pack.name, holding: lock) }
            }
        }
        for info in listing where RemoteLayout.packName(ofPackKey: info.key) != nil && isOld(info.key)
            && objects[String(info.key.dropLast(5)) + ".idx"] == nil {
            report.strayPacksRemoved += 1
            report.bytesFreed += info.size
            if !dryRun {
                try lock?.confirm()
                try remote.delete(info.key)
            }
        }
        if !dryRun, let s3 = remote as? S3Remote {
            try lock?.confirm()
            report.uploadsAborted = try s3.abortUploads(startedBefore: cutoff)
        }
        if let directory = remote as? DirectoryRemote {
            if !dryRun { try lock?.confirm() }
            report.temporaryFilesRemoved = directory.removeTemporaryFiles(writtenBefore: cutoff, dryRun: dryRun)
        }
        return report
    }

    /// Deletes a remote pack, index first, once the lock is confirmed; forgets its cached index.
    private func deletePack(_ name: String, holding lock: RemoteLock?) throws {
        try lock?.confirm()
        try remote.delete(RemoteLayout.indexKey(name))
        FaultPoint.reach("remote-gc.index-deleted-before-pack")
        try remote.delete(RemoteLayout.packKey(name))
        unlink("\(indexCache)/\(name).idx")
    }

    /// Copies the `entries` of each remote pack (frames as stored, each header checked against
    /// its index entry; one ranged read per pack, from its first entry to its last) into new
    /// packs and uploads each pack before its index. Returns the names of the packs that went up.
    private func uploadCopy(of sources: [(packKey: String, entries: [PackEntry])]) throws -> [String] {
        let staging = StoreLayout(root: store.layout.temporaryPath("remote-gc"))
        try staging.create()
        defer { try? FileManager.default.removeItem(atPath: staging.root) }
        let writer = PackWriter(layout: staging)
        for (packKey, entries) in sources where !entries.isEmpty {
            let sorted = entries.sorted { $0.offset < $1.offset }
            let start = sorted[0].offset, end = sorted.map { $0.dataOffset + UInt64($0.storedLength) }.max()!
            let bytes = try remote.get(packKey, range: start..<end)
            for entry in sorted {
                let at = Int(entry.offset - start), stop = Int(entry.dataOffset - start) + Int(entry.storedLength)
                let header = stop <= bytes.count ? bytes.withUnsafeBytes {
                    PackEntry.parsePackHeader(UnsafeRawBufferPointer(rebasing: $0[at..<(at + PackFormat.entryHeaderSize)]),
                                              offset: entry.offset)
                } : nil
                guard header == entry else {
                    throw RemoteError.corruptObject(remote: remote.name, key: packKey,
                                                    detail: "the entry at byte \(entry.offset) is not \(entry.digest) as its index says")
                }
                try writer.append(entry, stored: Array(bytes[(at + PackFormat.entryHeaderSize)..<stop]))
            }
        }
        try writer.seal()
        return try writer.sealed.map { indexPath in
            let name = ((indexPath as NSString).lastPathComponent as NSString).deletingPathExtension
            try remote.put(RemoteLayout.packKey(name), file: String(indexPath.dropLast(4)) + ".pack")
            try remote.put(RemoteLayout.indexKey(name), file: indexPath)
            return name
        }
    }
}

extension DirectoryRemote {
    /// Files in `tmp/` (writes that never got renamed into place) last modified before
    /// `cutoff`: deletes them unless `dryRun`, and returns how many.
    func removeTemporaryFiles(writtenBefore cutoff: Date, dryRun: Bool) -> Int {
        let folder = root + "/tmp"
        return ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { name in
            let path = folder + "/" + name
            guard let modified = ObjectStore.modificationDate(path), modified < cutoff else { return false }
            return dryRun || unlink(path) == 0
        }.count
    }
}
