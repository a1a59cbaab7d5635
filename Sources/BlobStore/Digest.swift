import Crypto
import Foundation

/// A SHA-256 content address. A file's digest is the SHA-256 of its bytes, so `sha256sum`
/// verifies it; a chunk's digest is the SHA-256 of its raw (uncompressed) bytes.
///
/// Written as `sha256:<64 lowercase hex>`; stored as 32 raw bytes in packs and indexes.
public struct Digest: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    /// The 32 digest bytes as four big-endian words: cheap to hash, compare and copy.
    public let w0: UInt64, w1: UInt64, w2: UInt64, w3: UInt64

    public static let byteCount = 32
    public static let prefix = "sha256:"

    /// Builds a digest from exactly 32 bytes.
    public init<Bytes: Collection>(bytes: Bytes) where Bytes.Element == UInt8 {
        precondition(bytes.count == Digest.byteCount, "a SHA-256 digest has 32 bytes")
        var words = [UInt64](repeating: 0, count: 4)
        for (i, byte) in bytes.enumerated() { words[i / 8] = words[i / 8] << 8 | UInt64(byte) }
        (w0, w1, w2, w3) = (words[0], words[1], words[2], words[3])
    }

    /// Reads a digest from 32 bytes at `pointer`.
    public init(pointer: UnsafeRawPointer) {
        func word(_ offset: Int) -> UInt64 {
            UInt64(bigEndian: pointer.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
        }
        (w0, w1, w2, w3) = (word(0), word(8), word(16), word(24))
    }

    /// Parses `sha256:<hex>` or bare 64-character hex (lowercase).
    public init?(parsing text: some StringProtocol) {
        var utf8 = Substring(text).utf8[...]
        if utf8.starts(with: Digest.prefix.utf8) { utf8 = utf8.dropFirst(Digest.prefix.utf8.count) }
        guard utf8.count == 64 else { return nil }
        var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        var index = 0
        for c in utf8 {
            let v: UInt64
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): v = UInt64(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): v = UInt64(c - UInt8(ascii: "a") + 10)
            default: return nil
            }
            switch index / 16 {
            case 0: words.0 = words.0 << 4 | v
            case 1: words.1 = words.1 << 4 | v
            case 2: words.2 = words.2 << 4 | v
            default: words.3 = words.3 << 4 | v
            }
            index += 1
        }
        (w0, w1, w2, w3) = words
    }

    /// The SHA-256 of `data`.
    public static func of(_ data: UnsafeRawBufferPointer) -> Digest {
        SHA256.hash(data: data).withUnsafeBytes { Digest(pointer: $0.baseAddress!) }
    }

    /// The SHA-256 of `data`.
    public static func of<D: DataProtocol>(_ data: D) -> Digest {
        SHA256.hash(data: data).withUnsafeBytes { Digest(pointer: $0.baseAddress!) }
    }

    /// The 32 bytes, big-endian.
    public var bytes: [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        out.withUnsafeMutableBytes { write(to: $0.baseAddress!) }
        return out
    }

    /// Writes the 32 bytes at `pointer`.
    public func write(to pointer: UnsafeMutableRawPointer) {
        for (i, w) in [w0, w1, w2, w3].enumerated() {
            pointer.storeBytes(of: w.bigEndian, toByteOffset: i * 8, as: UInt64.self)
        }
    }

    /// 64 lowercase hex characters.
    public var hex: String {
        // Written in place, word by word from its last digit: a store of 10,000 packs names each
        // of them when it opens (an array per call made this 40× slower in debug builds).
        String(unsafeUninitializedCapacity: 64) { out in
            func put(_ word: UInt64, at start: Int) {
                var word = word, i = start + 15
                while i >= start {
                    let digit = UInt8(truncatingIfNeeded: word & 0xF)
                    out[i] = digit < 10 ? 48 + digit : 87 + digit
                    word >>= 4
                    i -= 1
                }
            }
            put(w0, at: 0)
            put(w1, at: 16)
            put(w2, at: 32)
            put(w3, at: 48)
            return 64
        }
    }

    /// `sha256:<hex>`.
    public var description: String { Digest.prefix + hex }

    /// The first byte, for fan-out tables.
    public var firstByte: UInt8 { UInt8(w0 >> 56) }

    public static func < (a: Digest, b: Digest) -> Bool {
        (a.w0, a.w1, a.w2, a.w3) < (b.w0, b.w1, b.w2, b.w3)
    }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let digest = Digest(parsing: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                    debugDescription: "not a sha256 digest: \(text)"))
        }
        self = digest
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// An incremental SHA-256 over a stream of buffers.
public struct StreamingDigest: Sendable {
    private var hasher = SHA256()
    public init() {}
    public mutating func update(_ data: UnsafeRawBufferPointer) { hasher.update(bufferPointer: data) }
    public func finalize() -> Digest {
        hasher.finalize().withUnsafeBytes { Digest(pointer: $0.baseAddress!) }
    }
}
