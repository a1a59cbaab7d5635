import Foundation

/// Which packs a pack folder held when its stat stamp was `stamp` (`cache/pack-folder`,
/// docs/FORMAT.md "Pack folder record"): the checksums of the packs with an index, sorted.
/// A cache that lets a command know the packs without listing the folder; never a source of
/// truth (a record that fails its checks, or whose stamp is not the folder's, is not used).
struct PackFolderRecord: Equatable, Sendable {
    static let version: UInt32 = 1
    static let magic = Array("GITMLPF\0".utf8)
    static let headerSize = 48

    /// The folder's stat key when `packs` was exact.
    let stamp: StatCache.Key
    /// The checksum of each pack that has an index (the pack is `pack-<hex>`), sorted.
    let packs: [Digest]

    init(stamp: StatCache.Key, packs: [Digest]) {
        self.stamp = stamp
        self.packs = packs
    }

    /// The file's bytes: header (magic, version, pack count, the stamp), the checksums, and the
    /// SHA-256 of all of it.
    func encoded() -> [UInt8] {
        var out = Self.magic
        out.reserveCapacity(Self.headerSize + packs.count * 32 + 32)
        out.appendLittleEndian(Self.version)
        out.appendLittleEndian(UInt32(packs.count))
        for word in [stamp.size, UInt64(bitPattern: stamp.mtime), UInt64(bitPattern: stamp.ctime), stamp.inode] {
            withUnsafeBytes(of: word.littleEndian) { out.append(contentsOf: $0) }
        }
        for pack in packs { out += pack.bytes }
        out += Digest.of(out).bytes
        return out
    }

    /// The record in `bytes`; nil when they are not a whole record of this version (a cache:
    /// anything else is ignored and rebuilt).
    init?(decoding bytes: [UInt8]) {
        guard bytes.count >= Self.headerSize + 32, Array(bytes.prefix(8)) == Self.magic else { return nil }
        let record: PackFolderRecord? = bytes.withUnsafeBytes { raw in
            func u32(_ at: Int) -> UInt32 { UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: UInt32.self)) }
            func u64(_ at: Int) -> UInt64 { UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: UInt64.self)) }
            let count = Int(u32(12))
            guard u32(8) == Self.version, raw.count == Self.headerSize + count * 32 + 32,
                  Digest.of(UnsafeRawBufferPointer(rebasing: raw[..<(raw.count - 32)])) == Digest(pointer: raw.baseAddress! + raw.count - 32)
            else { return nil }
            let stamp = StatCache.Key(size: u64(16), mtime: Int64(bitPattern: u64(24)), ctime: Int64(bitPattern: u64(32)), inode: u64(40))
            let packs = (0..<count).map { Digest(pointer: raw.baseAddress! + Self.headerSize + $0 * 32) }
            guard zip(packs, packs.dropFirst()).allSatisfy({ $0 < $1 }) else { return nil }
            return PackFolderRecord(stamp: stamp, packs: packs)
        }
        guard let record else { return nil }
        self = record
    }
}
