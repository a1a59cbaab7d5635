import Foundation
import Platform

/// A store's pack folder (`packs/`): which packs it holds, known without listing it.
///
/// Listing a folder of 10,000 packs (20,000 names) costs more than everything else a small
/// command does to open the store. So every change GitML makes to the folder (a pack sealed,
/// the multi-pack index written, a pack deleted) is made holding `locks/packs`, and followed,
/// under the same lock, by a `PackFolderRecord` of the packs now present with the folder's stat
/// stamp. A process that finds the folder's stamp equal to the record's knows the packs without
/// listing; otherwise it lists the folder holding the lock (so no GitML change can slip between
/// the listing and the stamp) and writes the record for the next one.
///
/// What the record cannot see: a change made without the lock (an older GitML, a copy by hand)
/// in the same timestamp tick as a GitML change, which leaves the stamp as the record has it.
/// Such a pack stays unknown to lookups until the folder changes again; a read that misses an
/// object lists the folder before it reports the object missing (`ObjectStore.read`), and fsck
/// always lists.
final class PackFolder: @unchecked Sendable {  // `seen` is guarded by `lock`
    let layout: StoreLayout
    /// The folder, open: packs are opened relative to it.
    let handle: PackHandle
    private let lock = NSLock()
    /// The stamp of the last listing this process was handed (nil: none yet, or not trusted).
    private var seen: StatCache.Key?

    var path: String { layout.packs }
    var recordPath: String { layout.cache + "/pack-folder" }
    var lockPath: String { layout.locks + "/packs" }

    init(layout: StoreLayout) throws {
        self.layout = layout
        handle = PackHandle(fd: try FileIO.openForReading(layout.packs, flags: O_DIRECTORY))
    }

    /// The packs of a `refresh`.
    struct Packs {
        /// The checksum of each pack that has an index, sorted.
        var checksums: [Digest]
        /// Whether the folder was listed (its record did not match it).
        var listed: Bool
    }

    /// The packs that have an index; nil when the folder is as this process last saw it (unless
    /// `force`, which also lists it whatever its record says).
    ///
    /// "As last seen" is trusted only for a stamp older than the file system's timestamp tick
    /// can hide (git's racy rule, `StatCache.racyWindow`): two changes within one tick leave the
    /// same stamp, and the second one's record must still be read. Until then each refresh reads
    /// the record again (a few hundred KB at 10,000 packs), which is what lets this process see a
    /// pack another sealed in the same tick as its own.
    func refresh(force: Bool = false) -> Packs? {
        if !force, let stamp = stamp(), lock.withLock({ seen == stamp }) { return nil }
        return packs(force: force)
    }

    /// The packs that have an index: from the record when it matches the folder (unless
    /// `force`), else listed.
    func packs(force: Bool = false) -> Packs {
        let started = StatCache.now()
        func see(_ stamp: StatCache.Key?) {
            lock.withLock { seen = stamp.flatMap { $0.isRacy(startedAt: started) ? nil : $0 } }
        }
        if !force, let stamp = stamp(), let record = readRecord(), record.stamp == stamp {
            see(stamp)
            return Packs(checksums: record.packs, listed: false)
        }
        let listed = (try? FileLock.withLock(path: lockPath, mode: .exclusive) { () -> PackFolderRecord? in
            guard let stamp = self.stamp() else { return nil }
            let record = PackFolderRecord(stamp: stamp, packs: list())
            writeRecord(record)
            return record
        }) ?? nil
        if let listed {
            see(listed.stamp)
            return Packs(checksums: listed.packs, listed: true)
        }
        // No lock (a read-only store): the same rule for a listing made without it.
        let unlocked = self.stamp()
        let packs = list()
        see(unlocked)
        return Packs(checksums: packs, listed: true)
    }

    /// What a change did to the folder's packs.
    struct Change {
        var added: [Digest] = []
        var removed: [Digest] = []
    }

    /// Runs `body`, which changes the folder, holding the lock, then records the packs now
    /// present: derived from the record when it matched the folder before `body`, listed
    /// otherwise. The folder's stamp is new, so this process's next `refresh` reads the record.
    func change(_ body: () throws -> Change) throws {
        try FileLock.withLock(path: lockPath, mode: .exclusive) {
            let before = stamp()
            let record = readRecord()
            let change = try body()
            guard let after = stamp() else { return }
            var packs: [Digest]
            if let before, let record, record.stamp == before {
                packs = record.packs
                for gone in change.removed {
                    let at = packs.partitionPoint { $0 < gone }
                    if at < packs.count, packs[at] == gone { packs.remove(at: at) }
                }
                for new in change.added {
                    let at = packs.partitionPoint { $0 < new }
                    if at == packs.count || packs[at] != new { packs.insert(new, at: at) }
                }
            } else {
                packs = list()
            }
            writeRecord(PackFolderRecord(stamp: after, packs: packs))
        }
    }

    /// The folder's stat key now; nil when it cannot be read.
    func stamp() -> StatCache.Key? {
        var info = stat()
        guard fstat(handle.fd, &info) == 0 else { return nil }
        return StatCache.Key(info)
    }

    /// The checksums of the packs that have an index, listed with readdir (none when the folder
    /// cannot be read). Names other than `pack-<64 hex>.idx` are not packs.
    func list() -> [Digest] {
        guard let folder = opendir(path) else { return [] }
        defer { closedir(folder) }
        let prefix = Array("pack-".utf8), suffix = Array(".idx".utf8)
        var packs: [Digest] = []
        while let entry = readdir(folder) {
            let pack = entry.pointee.withName { bytes -> Digest? in
                guard bytes.count == prefix.count + 64 + suffix.count, bytes.starts(with: prefix),
                      bytes.suffix(suffix.count).elementsEqual(suffix) else { return nil }
                return Digest(parsing: String(decoding: bytes.dropFirst(prefix.count).dropLast(suffix.count), as: UTF8.self))
            }
            if let pack { packs.append(pack) }
        }
        return packs.sorted()
    }

    func readRecord() -> PackFolderRecord? {
        (try? FileIO.readAll(recordPath)).flatMap(PackFolderRecord.init(decoding:))
    }

    /// Writes the record (temporary file, rename; no fsync: a record lost in a crash is rebuilt,
    /// and one that survives names its stamp). A folder that cannot be written keeps none.
    private func writeRecord(_ record: PackFolderRecord) {
        try? FileIO.writeAtomically(record.encoded(), to: recordPath, temporaryDirectory: layout.tmp, durable: false)
    }
}

extension Array {
    /// The index of the first element for which `belongs` is false, in an array where every
    /// element for which it is true comes first (a binary search).
    func partitionPoint(_ belongs: (Element) -> Bool) -> Int {
        var low = 0, high = count
        while low < high {
            let mid = (low + high) / 2
            if belongs(self[mid]) { low = mid + 1 } else { high = mid }
        }
        return low
    }
}
