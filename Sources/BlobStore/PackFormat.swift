/// Byte layouts of pack and index files (version 1). docs/FORMAT.md is the prose version;
/// all integers are little-endian.
///
/// Pack: a 16-byte header (`GITMLPK\0`, u32 version, u32 reserved), then entries of an 80-byte
/// header followed by the stored bytes (one zstd frame), then a 48-byte trailer (`GITMLEND`, u32
/// entry count, u32 reserved, SHA-256 of every byte before the trailer).
///
/// Index: a 16-byte header (`GITMLIX\0`, u32 version, u32 entry count), a 256-entry u32 fan-out
/// table (entries whose first digest byte is ≤ i), the entries sorted by digest (84 bytes each),
/// then the SHA-256 of every byte before it.
enum PackFormat {
    static let version: UInt32 = 1
    static let packMagic = Array("GITMLPK\0".utf8)
    static let packTrailerMagic = Array("GITMLEND".utf8)
    static let indexMagic = Array("GITMLIX\0".utf8)
    static let headerSize = 16
    static let entryHeaderSize = 80
    static let trailerSize = 48
    static let indexEntrySize = 84
    static let fanoutSize = 256 * 4
    /// A pack is closed and a new one started once it holds this many bytes.
    static let targetPackSize = 64 << 20
}

/// How a chunk's bytes are stored.
public enum EntryKind: UInt8, Sendable {
    /// One zstd frame of the raw bytes.
    case full = 0
    /// One zstd frame compressed against the raw bytes of `base` (zstd reference prefix).
    case delta = 1
}

/// Where a chunk lives and how to decode it: one index entry.
public struct PackEntry: Sendable, Equatable {
    public var digest: Digest
    public var offset: UInt64        // of the entry header in its pack
    public var rawLength: UInt32
    public var storedLength: UInt32
    public var kind: EntryKind
    /// Delta chain length: 0 for a full frame, base's depth + 1 for a delta.
    public var depth: UInt8
    /// The reference chunk of a delta; nil for a full frame.
    public var base: Digest?

    /// Offset of the stored bytes in the pack.
    var dataOffset: UInt64 { offset + UInt64(PackFormat.entryHeaderSize) }

    /// No pack comes near this size (packs are written ~64 MiB each): an offset past it is
    /// damage, and below it every sum of an offset and a length stays far inside `Int`.
    static let maxOffset: UInt64 = 1 << 48
    /// The most raw bytes per stored byte of any zstd frame: a block regenerates at most 128 KiB
    /// and costs at least 4 bytes (a 3-byte header and one RLE byte).
    static let maxExpansion: UInt64 = 32_768

    /// Why this entry cannot describe an object — an offset past any pack's size, or more raw
    /// bytes than its stored bytes can decode to — or nil. Index entries arrive with packs from
    /// remotes: every reader checks this before it sizes a buffer or a read by the entry.
    var impossibility: String? {
        if offset > Self.maxOffset { return "its index entry gives offset \(offset), past the end of any pack" }
        if UInt64(rawLength) > UInt64(storedLength) * Self.maxExpansion {
            return "its index entry gives \(rawLength) raw bytes for \(storedLength) stored bytes, more than any zstd frame of that size decodes to"
        }
        return nil
    }

    /// The 80-byte pack entry header.
    func packHeader() -> [UInt8] {
        var out = [UInt8](repeating: 0, count: PackFormat.entryHeaderSize)
        out.withUnsafeMutableBytes { p in
            digest.write(to: p.baseAddress!)
            base?.write(to: p.baseAddress! + 32)
            p[64] = kind.rawValue
            p[65] = depth
            p.storeBytes(of: rawLength.littleEndian, toByteOffset: 68, as: UInt32.self)
            p.storeBytes(of: storedLength.littleEndian, toByteOffset: 72, as: UInt32.self)
        }
        return out
    }

    /// Decodes an 80-byte pack entry header found at `offset`.
    static func parsePackHeader(_ p: UnsafeRawBufferPointer, offset: UInt64) -> PackEntry? {
        guard let kind = EntryKind(rawValue: p[64]) else { return nil }
        let base = Digest(pointer: p.baseAddress! + 32)
        return PackEntry(digest: Digest(pointer: p.baseAddress!), offset: offset,
                         rawLength: UInt32(littleEndian: p.loadUnaligned(fromByteOffset: 68, as: UInt32.self)),
                         storedLength: UInt32(littleEndian: p.loadUnaligned(fromByteOffset: 72, as: UInt32.self)),
                         kind: kind, depth: p[65], base: kind == .delta ? base : nil)
    }

    /// The 84-byte index entry.
    func indexRecord() -> [UInt8] {
        var out = [UInt8](repeating: 0, count: PackFormat.indexEntrySize)
        out.withUnsafeMutableBytes { p in
            digest.write(to: p.baseAddress!)
            p.storeBytes(of: offset.littleEndian, toByteOffset: 32, as: UInt64.self)
            p.storeBytes(of: rawLength.littleEndian, toByteOffset: 40, as: UInt32.self)
            p.storeBytes(of: storedLength.littleEndian, toByteOffset: 44, as: UInt32.self)
            p[48] = kind.rawValue
            p[49] = depth
            base?.write(to: p.baseAddress! + 52)
        }
        return out
    }

    /// Decodes an 84-byte index entry.
    static func parseIndexRecord(_ p: UnsafeRawPointer) -> PackEntry? {
        guard let kind = EntryKind(rawValue: p.load(fromByteOffset: 48, as: UInt8.self)) else { return nil }
        return PackEntry(digest: Digest(pointer: p),
                         offset: UInt64(littleEndian: p.loadUnaligned(fromByteOffset: 32, as: UInt64.self)),
                         rawLength: UInt32(littleEndian: p.loadUnaligned(fromByteOffset: 40, as: UInt32.self)),
                         storedLength: UInt32(littleEndian: p.loadUnaligned(fromByteOffset: 44, as: UInt32.self)),
                         kind: kind, depth: p.load(fromByteOffset: 49, as: UInt8.self),
                         base: kind == .delta ? Digest(pointer: p + 52) : nil)
    }
}

extension Array where Element == UInt8 {
    mutating func appendLittleEndian(_ value: UInt32) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }
}

/// The on-disk format versions of the store's files that this build reads and writes
/// (`git ml version` prints them; docs/FORMAT.md specifies each).
public enum StoreFormat {
    public static let versions: [(file: String, version: Int)] = [
        ("pack", Int(PackFormat.version)), ("pack index", Int(PackFormat.version)),
        ("multi-pack index", Int(MultiPackIndex.version)), ("pack folder record", Int(PackFolderRecord.version)),
        ("manifest", Int(ManifestNode.version)),
    ]
}
