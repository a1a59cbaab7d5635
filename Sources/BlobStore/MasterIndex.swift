import Foundation

/// Where every object of one folder of sealed packs is (the local `packs/`, or the cached indexes
/// of a remote): one digest → (pack, entry) map, as restic's MasterIndex and git's
/// multi-pack-index. Most packs are covered by a `MultiPackIndex` file, read once per process;
/// the few packs sealed since it was written are "loose" and looked up through their own index.
/// A lookup is one binary search in the multi-pack index plus one per loose pack, whatever the
/// number of packs.
///
/// The multi-pack index is trusted only as far as it is checked: a file that fails its checks
/// (damaged, truncated, an unknown version) or names a pack whose index is gone (a gc or repack
/// deleted it) is not used and is replaced at once (temporary file, fsync, rename) by the
/// command that finds it; so is a usable one once more than `looseLimit` packs are outside it.
/// A value: copy it to look up without a lock.
struct MasterIndex: Sendable {
    /// Packs outside the multi-pack index beyond which loading writes a new one.
    static let looseLimit = 8
    /// The file name of the multi-pack index in a pack folder.
    static let defaultFileName = "multi-pack-index"

    let directory: String
    private(set) var multi: MultiPackIndex?
    /// Positions in `multi.checksums` of packs forgotten since it was read.
    private var removed: Set<Int> = []
    private(set) var loose: [PackIndex] = []
    /// The checksums of the loose packs.
    private var looseChecksums: Set<Digest> = []

    /// The multi-pack index's file name in `directory`.
    let fileName: String

    /// An empty index over `directory`.
    init(directory: String, fileName: String = defaultFileName) {
        self.directory = directory
        self.fileName = fileName
    }

    /// Stores the bytes of a rewritten multi-pack index at the path it is given (atomically:
    /// readers see the old file or the new one).
    typealias Writer = (_ bytes: [UInt8], _ path: String) throws -> Void

    /// Loads the packs `packs` (sorted checksums, each pack with an index in `directory`) through
    /// the multi-pack index `directory/<fileName>` where it is usable, and rewrites that file
    /// when it is unusable (damaged, stale) or more than `looseLimit` packs are outside it
    /// (through `write`; with nil, or when writing fails, the new table is only kept in memory).
    /// A damaged pack index is left out (its objects read as missing; fsck names it); one in a
    /// newer format than this build reads is an error.
    static func load(directory: String, packs: [Digest], write: Writer?, fileName: String = defaultFileName,
                     damaged: DamagedIndex = .skip) throws -> (MasterIndex, IndexLoadReport) {
        var report = IndexLoadReport()
        var master = MasterIndex(directory: directory, fileName: fileName)
        let path = directory + "/" + fileName
        var outside = packs
        if let multi = try? MultiPackIndex(path: path), let rest = Self.subtract(multi.checksums, from: packs) {
            master.multi = multi
            outside = rest
            report.multiPackIndexUsed = true
        }
        for checksum in outside {
            report.indexesOpened += 1
            if let index = try openIndex(PackFile.indexPath(of: checksum, in: directory), damaged: damaged) { master.adopt(index) }
        }
        let unusable = master.multi == nil && FileManager.default.fileExists(atPath: path)
        if master.loose.count > looseLimit || unusable {
            try master.rewrite(write: write)
            report.multiPackIndexWritten = true
        }
        return (master, report)
    }

    /// `all` without `covered` (both sorted); nil when `covered` holds one that `all` lacks.
    private static func subtract(_ covered: [Digest], from all: [Digest]) -> [Digest]? {
        var rest: [Digest] = []
        var i = covered.startIndex
        for checksum in all {
            if i < covered.endIndex, covered[i] < checksum { return nil }
            if i < covered.endIndex, covered[i] == checksum { i += 1 } else { rest.append(checksum) }
        }
        return i == covered.endIndex ? rest : nil
    }

    /// What loading does with a pack index that cannot be read.
    enum DamagedIndex: Sendable {
        /// Leaves it out (its objects read as missing; fsck names it): the local store.
        case skip
        /// Throws: a remote's cached indexes (were one left out, a push would think the
        /// remote lacks its objects, and a pull that it lost them).
        case fail
    }

    /// The index at `path`; nil when it is damaged and `damaged` is `.skip`. One in a newer
    /// format than this build reads always throws.
    static func openIndex(_ path: String, damaged: DamagedIndex = .skip) throws -> PackIndex? {
        do {
            return try PackIndex(indexPath: path)
        } catch StoreError.unsupportedVersion(let path, let version, let supported) where version > supported {
            throw StoreError.unsupportedVersion(path: path, version: version, supported: supported)
        } catch where damaged == .skip {
            return nil
        }
    }

    /// Folds the loose packs into a new multi-pack index over every pack, written to
    /// `directory/<fileName>` through `write` (kept in memory only when that is nil or the write
    /// fails: the folder may be read-only).
    mutating func rewrite(write: Writer?) throws {
        var packs = notRemoved(multi?.packsWithEntries() ?? [])
        packs += loose.map { ($0.file, $0.entries()) }
        let bytes = MultiPackIndex.encode(packs)
        let path = directory + "/" + fileName
        try? write?(bytes, path)
        let rebuilt = try MultiPackIndex(data: Data(bytes), directory: directory, path: path)
        multi = rebuilt
        removed = []
        loose.removeAll { rebuilt.position(of: $0.file.checksum) != nil }
        looseChecksums = Set(loose.map(\.file.checksum))
    }

    /// Whether the pack with this checksum is known (covered or loose).
    func knows(_ checksum: Digest) -> Bool {
        if looseChecksums.contains(checksum) { return true }
        guard let multi, let position = multi.position(of: checksum) else { return false }
        return !removed.contains(position)
    }

    /// Adds a pack sealed (or found) since loading.
    mutating func adopt(_ index: PackIndex) {
        guard !knows(index.file.checksum) else { return }
        looseChecksums.insert(index.file.checksum)
        loose.append(index)
    }

    /// Drops a pack about to be deleted: no lookup finds its objects any more.
    mutating func forget(_ checksum: Digest) {
        if looseChecksums.remove(checksum) != nil { loose.removeAll { $0.file.checksum == checksum } }
        if let position = multi?.position(of: checksum) { removed.insert(position) }
    }

    /// Every pack, covered then loose.
    var packs: [PackFile] {
        notRemoved(multi?.packs ?? []) + loose.map(\.file)
    }

    /// The items of a per-covered-pack list whose pack has not been forgotten.
    private func notRemoved<T>(_ perPack: [T]) -> [T] {
        perPack.enumerated().filter { !removed.contains($0.offset) }.map(\.element)
    }

    /// Where `digest` is: its entry and its pack.
    func lookup(_ digest: Digest) -> (entry: PackEntry, pack: PackFile)? {
        if let multi, let hit = multi.lookup(digest, excluding: removed) { return (hit.entry, multi.pack(hit.pack)) }
        for index in loose {
            if let entry = index.lookup(digest) { return (entry, index.file) }
        }
        return nil
    }
}

/// What opening a pack folder read to find its objects (tests and the pack benchmark count it).
public struct IndexLoadReport: Sendable, Equatable {
    /// Pack indexes opened one by one (the loose packs, or every pack when the multi-pack index
    /// was unusable).
    public var indexesOpened = 0
    /// Whether a usable multi-pack index was read.
    public var multiPackIndexUsed = false
    /// Whether a new multi-pack index was built (and written where the folder allows).
    public var multiPackIndexWritten = false
    /// Whether the pack folder was listed (its record did not match it; `PackFolder`).
    public var packFolderListed = false
}
