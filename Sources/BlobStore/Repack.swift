import Foundation
import Platform

/// What a repack removed.
public struct RepackReport: Sendable, Equatable {
    public var packsDeleted = 0
    public var packsRewritten = 0
    public var objectsRemoved = 0
    public var bytesFreed: UInt64 = 0
    public var deltasExpanded = 0
    public var temporaryFilesRemoved = 0
    public init() {}
}

extension ObjectStore {
    /// Removes every object not in `keep` from packs last modified before `cutoff` (newer packs
    /// are never touched: a concurrent writer may be about to reference them). A pack with no
    /// live object is deleted; a pack with some is rewritten with only the live ones (frames are
    /// copied, not recompressed). Objects in `expand` are re-stored as full frames first, so
    /// their delta bases can go. Leftover temp files older than `cutoff` are deleted too.
    /// The caller holds the store lock exclusively.
    public func repack(keep: Set<Digest>, expand: Set<Digest> = [], olderThan cutoff: Date) throws -> RepackReport {
        var report = RepackReport()
        // Expand first, while every base is still readable.
        for digest in expand.sorted() {
            let raw = try read(digest)
            let chunk = try raw.withUnsafeBytes { try prepare($0, digest: digest, base: nil) }
            try forceAppend(chunk)
            report.deltasExpanded += 1
        }
        try flush()
        let expandedPacks = Set(sealedPackIndexPaths)
        for index in packIndexes where !expandedPacks.contains(index.indexPath) {
            let entries = index.entries()
            let modified = Self.modificationDate(index.packPath) ?? Date()
            let touched = entries.contains { expand.contains($0.digest) } || modified < cutoff
            guard touched else { continue }
            let live = entries.filter { keep.contains($0.digest) && !expand.contains($0.digest) }
            if live.count == entries.count { continue }
            for e in live { try copyStored(e, from: index) }
            try flush()
            report.objectsRemoved += entries.count - live.count
            report.bytesFreed += UInt64(entries.filter { !keep.contains($0.digest) || expand.contains($0.digest) }
                .reduce(0) { $0 + Int($1.storedLength) })
            if live.isEmpty { report.packsDeleted += 1 } else { report.packsRewritten += 1 }
            try forget([index.file])
        }
        report.temporaryFilesRemoved = removeStaleFiles(olderThan: cutoff)
        return report
    }

    private func copyStored(_ entry: PackEntry, from index: PackIndex) throws {
        let stored = try storedBytes(entry, in: index.file)
        try forceAppend(PreparedChunk(entry: entry, stored: stored))
    }

    static func modificationDate(_ path: String) -> Date? {
        (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
    }

    /// Leftovers in `tmp/` (files and folders of interrupted commands, whose process is gone)
    /// and packs without an index (interrupted writes) older than `cutoff`.
    func removeStaleFiles(olderThan cutoff: Date) -> Int {
        var removed = 0
        let fm = FileManager.default
        for leftover in layout.leftovers() {
            if let m = Self.modificationDate(leftover.path), m < cutoff, FileIO.removeTree(leftover.path) { removed += 1 }
        }
        for name in (try? fm.contentsOfDirectory(atPath: layout.packs)) ?? [] where name.hasSuffix(".pack") {
            let path = layout.packs + "/" + name
            let idx = String(path.dropLast(5)) + ".idx"
            if !fm.fileExists(atPath: idx), let m = Self.modificationDate(path), m < cutoff, unlink(path) == 0 { removed += 1 }
        }
        return removed
    }
}

/// What a consolidation did.
public struct ConsolidationReport: Sendable, Equatable {
    /// Sealed packs before and after.
    public var packsBefore = 0
    public var packsAfter = 0
    /// Small packs whose objects were copied into new packs, then deleted.
    public var packsMerged = 0
    /// New packs written.
    public var packsWritten = 0
    /// Objects copied (an object held by two small packs is copied once).
    public var objectsCopied = 0
    /// Stored bytes copied.
    public var bytesCopied: UInt64 = 0
    public init() {}
}

extension ObjectStore {
    /// Packs smaller than this are merged by `consolidate`.
    public static let consolidationThreshold = UInt64(PackFormat.targetPackSize / 2)

    /// Merges the packs smaller than `smallerThan` bytes (at least two of them) into packs of about
    /// 64 MiB, then writes a multi-pack index over every pack. Frames are copied as stored (no
    /// recompression, digests unchanged) into this process's pack writer; only once the new
    /// packs are sealed (fsynced, renamed, indexed, the folder fsynced) is each old pack
    /// deleted, index first. A kill at any point leaves every object readable: before the
    /// deletions both copies exist, after them the new ones, and a multi-pack index that names
    /// a deleted pack is not used (the next command writes a new one).
    /// The caller holds the store lock exclusively.
    public func consolidate(smallerThan threshold: UInt64 = consolidationThreshold) throws -> ConsolidationReport {
        try flush()
        var report = ConsolidationReport()
        let before = packs
        report.packsBefore = before.count
        let small = before.filter { (try? FileIO.size($0.packPath)).map { $0 < threshold } ?? false }.sorted { $0.name < $1.name }
        if small.count >= 2 {
            var copied = Set<Digest>()
            for pack in small {
                guard let index = try MasterIndex.openIndex(pack.indexPath, damaged: .fail) else { continue }
                for entry in index.entries().sorted(by: { $0.offset < $1.offset }) where copied.insert(entry.digest).inserted {
                    let stored = try storedBytes(entry, in: pack)
                    try forceAppend(PreparedChunk(entry: entry, stored: stored))
                    report.bytesCopied += UInt64(stored.count)
                }
            }
            report.objectsCopied = copied.count
            let sealedBefore = sealedPackIndexPaths.count
            try flush()
            report.packsWritten = sealedPackIndexPaths.count - sealedBefore
            FaultPoint.reach("repack.sealed-before-delete")
            let written = Set(sealedPackIndexPaths)
            let merged = small.filter { !written.contains($0.indexPath) }
            try forget(merged)
            report.packsMerged = merged.count
            FaultPoint.reach("repack.deleted-before-multi-pack-index")
        }
        try rewriteMultiPackIndex()
        report.packsAfter = packs.count
        return report
    }
}
