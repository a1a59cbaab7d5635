/// The ordered chunks of one file. A manifest is itself stored as a chunk; a long one is split
/// into nodes and a higher level lists the nodes, so no manifest object exceeds the chunk limit
/// and a 100 GB file needs no huge manifest.
///
/// Node layout (version 1, little-endian): `GMMF`, u8 version, u8 level, u16 reserved,
/// u64 bytes covered, u32 entry count, u32 reserved, then per entry a 32-byte digest, a u64
/// length and a u64 boundary fingerprint. Level 0 entries are data chunks; level n > 0 entries
/// are level n-1 nodes with the bytes they cover (fingerprint 0). A chunk's boundary
/// fingerprint is a hash of its last 32 bytes — the bytes its content-defined cut depends on —
/// so the next version can pair each new chunk with the old chunk that ends the same way and
/// store it as a delta against it, however far edits have shifted the offsets. Node boundaries are content-defined (after an entry whose digest's low
/// 10 bits are zero, or at `maxEntries`), so an edit changes only the nodes around it.
public struct ManifestNode: Equatable, Sendable {
    public struct Entry: Equatable, Sendable {
        public let digest: Digest
        public let length: UInt64
        public var boundary: UInt64 = 0
    }

    public let level: UInt8
    public let entries: [Entry]
    public var coveredBytes: UInt64 { entries.reduce(0) { $0 + $1.length } }

    static let magic = Array("GMMF".utf8)
    static let version: UInt8 = 1
    static let headerSize = 24
    static let entrySize = 48
    /// Keeps a node under the 256 KiB chunk maximum.
    static let maxEntries = 6000

    public func encode() -> [UInt8] {
        var out = ManifestNode.magic
        out.append(ManifestNode.version)
        out.append(level)
        out.append(contentsOf: [0, 0])
        withUnsafeBytes(of: coveredBytes.littleEndian) { out.append(contentsOf: $0) }
        out.appendLittleEndian(UInt32(entries.count))
        out.appendLittleEndian(0)
        out.reserveCapacity(out.count + entries.count * ManifestNode.entrySize)
        for e in entries {
            out.append(contentsOf: e.digest.bytes)
            withUnsafeBytes(of: e.length.littleEndian) { out.append(contentsOf: $0) }
            withUnsafeBytes(of: e.boundary.littleEndian) { out.append(contentsOf: $0) }
        }
        return out
    }

    /// Decodes a node read from the store as `digest`.
    public static func decode(_ bytes: [UInt8], digest: Digest) throws -> ManifestNode {
        func bad(_ why: String) -> StoreError { .corruptObject(digest, detail: "not a manifest: \(why)") }
        guard bytes.count >= headerSize, Array(bytes[0..<4]) == magic else { throw bad("bad header") }
        guard bytes[4] == version else { throw StoreError.unsupportedVersion(path: "manifest \(digest)", version: Int(bytes[4]), supported: Int(version)) }
        return try bytes.withUnsafeBytes { p in
            let count = Int(UInt32(littleEndian: p.loadUnaligned(fromByteOffset: 16, as: UInt32.self)))
            let covered = UInt64(littleEndian: p.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
            guard bytes.count == headerSize + count * entrySize else { throw bad("size does not match \(count) entries") }
            let entries = (0..<count).map { i in
                let at = headerSize + i * entrySize
                return Entry(digest: Digest(pointer: p.baseAddress! + at),
                             length: UInt64(littleEndian: p.loadUnaligned(fromByteOffset: at + 32, as: UInt64.self)),
                             boundary: UInt64(littleEndian: p.loadUnaligned(fromByteOffset: at + 40, as: UInt64.self)))
            }
            // Summed with an overflow check: a hostile node's lengths must not trap `coveredBytes`.
            var total: UInt64 = 0
            for entry in entries {
                let (sum, overflow) = total.addingReportingOverflow(entry.length)
                guard !overflow else { throw bad("entry lengths overflow") }
                total = sum
            }
            guard total == covered else { throw bad("entry lengths do not add up") }
            return ManifestNode(level: bytes[5], entries: entries)
        }
    }

    /// Appends a leaf node's chunks to `list`; a length no chunk can have (a hostile or damaged
    /// node) is an error, never a trap. Nodes above the leaves add nothing.
    public func appendChunks(to list: inout ChunkList, digest: Digest) throws {
        guard level == 0 else { return }
        for e in entries {
            guard e.length <= UInt64(UInt32.max) else {
                throw StoreError.corruptObject(digest, detail: "not a manifest: a chunk of \(e.length) bytes")
            }
            list.append(e.digest, length: Int(e.length), boundary: e.boundary)
        }
    }

    /// Whether a node should end after `entry`.
    static func endsNode(after entry: Entry, count: Int) -> Bool {
        entry.digest.w3 & 0x3FF == 0 || count >= maxEntries
    }
}

/// A file's chunk list as the ingest and restore paths see it: flat, with offsets.
public struct ChunkList: Sendable, Equatable {
    public var digests: [Digest] = []
    public var lengths: [UInt32] = []
    /// Boundary fingerprints (0 when unknown, as for a single-chunk file).
    public var boundaries: [UInt64] = []

    public init() {}

    public var totalBytes: UInt64 { lengths.reduce(0) { $0 + UInt64($1) } }

    public mutating func append(_ digest: Digest, length: Int, boundary: UInt64 = 0) {
        digests.append(digest)
        lengths.append(UInt32(length))
        boundaries.append(boundary)
    }

    /// The fingerprint of a chunk's last 32 bytes (never 0, which means unknown).
    static func boundaryFingerprint(_ chunk: UnsafeRawBufferPointer) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(min(chunk.count, 32))
        for byte in chunk.suffix(32) { h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return h == 0 ? 1 : h
    }
}

extension ObjectStore {
    /// Stores the manifest tree of `chunks` and returns its root node's digest.
    public func storeManifest(_ chunks: ChunkList) throws -> Digest {
        var level: UInt8 = 0
        var entries = chunks.digests.indices.map {
            ManifestNode.Entry(digest: chunks.digests[$0], length: UInt64(chunks.lengths[$0]), boundary: chunks.boundaries[$0])
        }
        while true {
            var parents: [ManifestNode.Entry] = []
            var current: [ManifestNode.Entry] = []
            for entry in entries {
                current.append(entry)
                if ManifestNode.endsNode(after: entry, count: current.count) {
                    parents.append(try storeNode(ManifestNode(level: level, entries: current)))
                    current = []
                }
            }
            if !current.isEmpty || parents.isEmpty {
                parents.append(try storeNode(ManifestNode(level: level, entries: current)))
            }
            if parents.count == 1 { return parents[0].digest }
            entries = parents
            level += 1
        }
    }

    private func storeNode(_ node: ManifestNode) throws -> ManifestNode.Entry {
        ManifestNode.Entry(digest: try put(node.encode()), length: node.coveredBytes)
    }

    /// Reads a manifest tree back into the flat chunk list, verifying every node.
    public func loadManifest(_ root: Digest) throws -> ChunkList {
        var list = ChunkList()
        try walkManifest(root) { node, digest in
            try node.appendChunks(to: &list, digest: digest)
        }
        return list
    }

    /// Visits every node of a manifest tree, parents before children, in order.
    public func walkManifest(_ root: Digest, _ visit: (ManifestNode, Digest) throws -> Void) throws {
        try walkManifest(root, expectedLevel: nil, visit)
    }

    private func walkManifest(_ digest: Digest, expectedLevel: UInt8?, _ visit: (ManifestNode, Digest) throws -> Void) throws {
        let node = try ManifestNode.decode(try read(digest), digest: digest)
        if let expectedLevel, node.level != expectedLevel {
            throw StoreError.corruptObject(digest, detail: "manifest node at level \(node.level), expected \(expectedLevel)")
        }
        try visit(node, digest)
        if node.level > 0 {
            for child in node.entries { try walkManifest(child.digest, expectedLevel: node.level - 1, visit) }
        }
    }
}
