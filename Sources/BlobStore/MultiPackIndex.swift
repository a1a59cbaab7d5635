import Foundation

/// A sealed pack: its checksum (the pack is `pack-<hex>`, so a name always means the same
/// bytes), the folder holding its `.pack` and `.idx`, and how many objects its index lists.
/// The name and paths are made when asked for: a multi-pack index over 10,000 packs makes
/// 10,000 of these on every open, and most are never read.
struct PackFile: Sendable, Hashable {
    let checksum: Digest
    let count: Int
    let directory: String

    init(checksum: Digest, directory: String, count: Int) {
        self.checksum = checksum
        self.count = count
        self.directory = directory
    }

    /// `pack-<64 hex>`.
    var name: String { "pack-" + checksum.hex }
    var packPath: String { directory + "/" + name + ".pack" }
    var indexPath: String { Self.indexPath(of: checksum, in: directory) }

    /// The index path of the pack with this checksum in `directory`.
    static func indexPath(of checksum: Digest, in directory: String) -> String {
        directory + "/pack-" + checksum.hex + ".idx"
    }
}

/// One table of the objects of many packs (git's multi-pack-index, restic's MasterIndex): the
/// entries of every covered pack's index, sorted by digest, each naming its pack. Lookups are one
/// binary search within a fan-out bucket, whatever the number of packs.
///
/// The bytes are a cache derived from the packs' own indexes (docs/FORMAT.md, "Multi-pack index"):
/// they are checked (magic, version, sizes, fan-out, checksum) when read, a file that fails is
/// never used, and every object read through it is still verified against its digest.
/// Immutable after init.
final class MultiPackIndex: @unchecked Sendable {
    static let version: UInt32 = 1
    static let magic = Array("GITMLMX\0".utf8)
    static let headerSize = 24
    static let packRecordSize = 40
    static let entrySize = PackFormat.indexEntrySize + 4

    /// The checksums of the covered packs, sorted; entries name a pack by its position here.
    let checksums: [Digest]
    /// The number of objects of each covered pack.
    private let counts: [Int]
    /// The folder of the covered packs.
    let directory: String
    private let data: Data
    private let count: Int
    private let fanoutOffset: Int
    private let entriesOffset: Int

    /// Reads and checks the bytes of a multi-pack index whose packs live in `directory`.
    init(data: Data, directory: String, path: String) throws {
        func corrupt(_ detail: String) -> StoreError { .corruptFile(path: path, detail: detail) }
        guard data.count >= Self.headerSize + PackFormat.fanoutSize + 32, Array(data.prefix(8)) == Self.magic else {
            throw corrupt("not a GitML multi-pack index")
        }
        func u32(_ at: Int) -> Int {
            data.withUnsafeBytes { Int(UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: at, as: UInt32.self))) }
        }
        let version = u32(8)
        guard version == Int(Self.version) else {
            throw StoreError.unsupportedVersion(path: path, version: version, supported: Int(Self.version))
        }
        let packCount = u32(12)
        count = u32(16)
        fanoutOffset = Self.headerSize + packCount * Self.packRecordSize
        entriesOffset = fanoutOffset + PackFormat.fanoutSize
        guard data.count == entriesOffset + count * Self.entrySize + 32 else {
            throw corrupt("size does not match its \(packCount) packs and \(count) entries")
        }
        let valid = data.withUnsafeBytes { all in
            Digest.of(UnsafeRawBufferPointer(rebasing: all[0..<(all.count - 32)])) == Digest(pointer: all.baseAddress! + all.count - 32)
        }
        guard valid else { throw corrupt("checksum mismatch") }
        let checksums = data.withUnsafeBytes { raw in
            (0..<packCount).map { Digest(pointer: raw.baseAddress! + Self.headerSize + $0 * Self.packRecordSize) }
        }
        guard zip(checksums, checksums.dropFirst()).allSatisfy({ $0 < $1 }) else { throw corrupt("packs out of order") }
        counts = (0..<packCount).map { u32(Self.headerSize + $0 * Self.packRecordSize + 32) }
        var previous = 0
        for i in 0..<256 {
            let running = u32(fanoutOffset + i * 4)
            guard running >= previous, running <= count else { throw corrupt("fan-out table out of order") }
            previous = running
        }
        guard previous == count else { throw corrupt("fan-out table does not end at its \(count) entries") }
        self.checksums = checksums
        self.directory = directory
        self.data = data
    }

    /// The covered pack at `position`.
    func pack(_ position: Int) -> PackFile {
        PackFile(checksum: checksums[position], directory: directory, count: counts[position])
    }

    /// Every covered pack, in order.
    var packs: [PackFile] { checksums.indices.map(pack) }

    /// The position of the pack with this checksum, if covered.
    func position(of checksum: Digest) -> Int? {
        let at = checksums.partitionPoint { $0 < checksum }
        return at < checksums.count && checksums[at] == checksum ? at : nil
    }

    /// Maps the multi-pack index at `path` (its packs are in the same folder).
    convenience init(path: String) throws {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
        } catch {
            throw StoreError.io(path: path, operation: "map", message: error.localizedDescription)
        }
        try self.init(data: data, directory: (path as NSString).deletingLastPathComponent, path: path)
    }

    /// The entry for `digest` in the first covered pack not in `excluded` that holds it (a
    /// repack leaves an object in two packs until the old one is deleted), and that pack's position.
    func lookup(_ digest: Digest, excluding excluded: Set<Int> = []) -> (entry: PackEntry, pack: Int)? {
        data.withUnsafeBytes { p -> (entry: PackEntry, pack: Int)? in
            let base = p.baseAddress!
            func fan(_ i: Int) -> Int {
                Int(UInt32(littleEndian: base.loadUnaligned(fromByteOffset: fanoutOffset + i * 4, as: UInt32.self)))
            }
            let bucket = Int(digest.firstByte)
            var low = bucket == 0 ? 0 : fan(bucket - 1)
            var high = fan(bucket)
            while low < high {  // the first entry not below `digest`
                let mid = (low + high) / 2
                if Digest(pointer: base + entriesOffset + mid * Self.entrySize) < digest { low = mid + 1 } else { high = mid }
            }
            var i = low
            while i < count, Digest(pointer: base + entriesOffset + i * Self.entrySize) == digest {
                let record = base + entriesOffset + i * Self.entrySize
                i += 1
                let pack = Self.packNumber(record)
                guard pack < checksums.count, !excluded.contains(pack), let entry = PackEntry.parseIndexRecord(record) else { continue }
                return (entry, pack)
            }
            return nil
        }
    }

    private static func packNumber(_ record: UnsafeRawPointer) -> Int {
        Int(UInt32(littleEndian: record.loadUnaligned(fromByteOffset: PackFormat.indexEntrySize, as: UInt32.self)))
    }

    /// Every entry that names a listed pack, in digest order (fsck compares them, and their
    /// number per pack, with the packs' own indexes).
    func entries() -> [(entry: PackEntry, pack: Int)] {
        data.withUnsafeBytes { p in
            (0..<count).compactMap { i in
                let record = p.baseAddress! + entriesOffset + i * Self.entrySize
                let pack = Self.packNumber(record)
                guard pack < checksums.count else { return nil }
                return PackEntry.parseIndexRecord(record).map { ($0, pack) }
            }
        }
    }

    /// The bytes of a multi-pack index over `packs` (each listed once, any order) and their
    /// entries.
    static func encode(_ packs: [(pack: PackFile, entries: [PackEntry])]) -> [UInt8] {
        let sorted = packs.sorted { $0.pack.checksum < $1.pack.checksum }
        var all: [(entry: PackEntry, pack: UInt32)] = []
        all.reserveCapacity(sorted.reduce(0) { $0 + $1.entries.count })
        for (number, item) in sorted.enumerated() {
            all += item.entries.map { ($0, UInt32(number)) }
        }
        all.sort { $0.entry.digest < $1.entry.digest || ($0.entry.digest == $1.entry.digest && $0.pack < $1.pack) }
        var out = magic
        out.appendLittleEndian(version)
        out.appendLittleEndian(UInt32(sorted.count))
        out.appendLittleEndian(UInt32(all.count))
        out.appendLittleEndian(0)
        for item in sorted {
            out += item.pack.checksum.bytes
            out.appendLittleEndian(UInt32(item.pack.count))
            out.appendLittleEndian(0)
        }
        var fanout = [UInt32](repeating: 0, count: 256)
        for e in all { fanout[Int(e.entry.digest.firstByte)] += 1 }
        var running: UInt32 = 0
        for i in 0..<256 { running += fanout[i]; out.appendLittleEndian(running) }
        out.reserveCapacity(out.count + all.count * entrySize + 32)
        for e in all {
            out += e.entry.indexRecord()
            out.appendLittleEndian(e.pack)
        }
        out += Digest.of(out).bytes
        return out
    }

    /// Each covered pack with its entries (to write a new multi-pack index without reading the
    /// packs' own indexes again).
    func packsWithEntries() -> [(pack: PackFile, entries: [PackEntry])] {
        var grouped = [[PackEntry]](repeating: [], count: checksums.count)
        for (entry, pack) in entries() { grouped[pack].append(entry) }
        return zip(packs, grouped).map { ($0, $1) }
    }
}
