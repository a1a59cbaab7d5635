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
            try forget(index)
        }
        report.temporaryFilesRemoved = removeStaleFiles(olderThan: cutoff)
        return report
    }

    private func copyStored(_ entry: PackEntry, from index: PackIndex) throws {
        let stored = try storedBytes(entry, in: index)
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
