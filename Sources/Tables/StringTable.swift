import Kernels

/// Distinct byte strings in order of first appearance, each coded by its position: the text
/// values of one part of a column (a Parquet column chunk, a CSV chunk, a block of rows), keyed
/// by their bytes. Hashing a value's bytes where they lie is much cheaper than building a
/// `String` per value; a `String` is made once per distinct value, when parts are merged
/// (`merged(_:threads:)`).
///
/// Byte equality implies `String` equality but not the reverse (canonically equivalent text,
/// such as a precomposed "é" and "e" + U+0301, or U+212A KELVIN SIGN and "K"), so `merged`
/// joins by `String` equality unless every value is ASCII, where the two agree.
struct StringTable: TextCoder {
    /// The distinct values end to end; value `c` is `bytes[offsets[c]..<offsets[c + 1]]`.
    private var bytes: [UInt8] = []
    private var offsets: [Int] = [0]
    private var hashes: [UInt64] = []
    /// Open addressing, linear probing: 0 = empty, else the hash's high 32 bits above code + 1.
    private var slots: [UInt64] = Array(repeating: 0, count: 16)
    /// Whether every byte of every value is below 0x80.
    private(set) var isASCII = true
    /// What `touch` loaded (its only use is that the loads happen).
    private var touched: UInt64 = 0

    var count: Int { hashes.count }

    /// The code of `value`'s bytes, adding them when new.
    @inline(__always)
    mutating func code(of value: UnsafeRawBufferPointer) -> Int32 {
        var isNew = false
        guard let start = value.baseAddress else { return Self.withAddress([]) { code(of: $0, length: 0, isNew: &isNew) } }
        return code(of: start, length: value.count, isNew: &isNew)
    }

    /// The code of the `length` bytes at `start`, adding them when new (`isNew` tells).
    @inline(__always)
    mutating func code(of start: UnsafeRawPointer, length: Int, isNew: inout Bool) -> Int32 {
        code(of: start, length: length, hash: Self.hash(start, length), isNew: &isNew)
    }

    /// Loads the slot where a value of hash `hash` is looked for first, so that its lookup a
    /// few values later finds it in cache (the lookups of a large table wait on memory, and
    /// these loads overlap). Keeps the loaded bits in `touched` so the load is not dropped.
    @inline(__always)
    mutating func touch(_ hash: UInt64) {
        touched ^= slots.withUnsafeBufferPointer { $0[Int(truncatingIfNeeded: hash) & ($0.count - 1)] }
    }

    /// `code(of:length:isNew:)` of a value whose `hash(_:_:)` is known.
    mutating func code(of start: UnsafeRawPointer, length: Int, hash: UInt64, isNew: inout Bool) -> Int32 {
        let tag = hash & 0xFFFF_FFFF_0000_0000
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let entry = slots[slot]
            if entry == 0 { break }
            if entry & 0xFFFF_FFFF_0000_0000 == tag {
                let code = Int(entry & 0xFFFF_FFFF) - 1
                let from = offsets[code], to = offsets[code + 1]
                if to - from == length, length == 0 || bytes.withUnsafeBytes({ Self.equal($0.baseAddress! + from, start, length) }) {
                    isNew = false
                    return Int32(code)
                }
            }
            slot = (slot + 1) & mask
        }
        let code = hashes.count
        slots[slot] = tag | UInt64(code + 1)
        hashes.append(hash)
        let value = UnsafeRawBufferPointer(start: start, count: length)
        bytes.append(contentsOf: value)
        offsets.append(bytes.count)
        if isASCII && !Self.allASCII(value) { isASCII = false }
        if hashes.count * 2 > slots.count { grow() }
        isNew = true
        return Int32(code)
    }

    /// Doubles the slots (the table stays at most half full).
    private mutating func grow() {
        slots = Array(repeating: 0, count: slots.count * 2)
        let mask = slots.count - 1
        for (code, hash) in hashes.enumerated() {
            var slot = Int(truncatingIfNeeded: hash) & mask
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = hash & 0xFFFF_FFFF_0000_0000 | UInt64(code + 1)
        }
    }

    /// The code of `text`'s UTF-8 bytes (`TextCoder`).
    mutating func code(for text: String) -> Int32 {
        var text = text
        return text.withUTF8 { code(of: UnsafeRawBufferPointer($0)) }
    }

    /// The values without the lookup index (what `merged` needs, in less memory).
    var values: Values { Values(bytes: bytes, offsets: offsets, hashes: hashes, isASCII: isASCII) }

    /// A table's distinct values, in code order, with their hashes.
    struct Values: Sendable {
        fileprivate let bytes: [UInt8]
        fileprivate let offsets: [Int]
        fileprivate let hashes: [UInt64]
        let isASCII: Bool

        var count: Int { hashes.count }

        /// Value `code` as text (the bytes were checked to be UTF-8 when added).
        func string(at code: Int) -> String {
            bytes.withUnsafeBytes { String(decoding: $0[offsets[code]..<offsets[code + 1]], as: UTF8.self) }
        }
    }

    /// The chunks' values as one dictionary in order of first appearance (chunk by chunk), and
    /// for each chunk the dictionary code of each of its codes. All-ASCII values are matched by
    /// bytes on `threads` threads, each taking the values of one share of the hashes; others
    /// by `String` equality, on one.
    static func merged(_ parts: [Values], threads: ParallelFor.Threads = .one) -> (dictionary: [String], codeMaps: [[Int32]]) {
        guard parts.allSatisfy(\.isASCII) else {
            var encoder = CategoryEncoder()
            let maps = parts.map { part in (0..<part.count).map { encoder.code(for: part.string(at: $0)) } }
            return (encoder.dictionary, maps)
        }
        if parts.count == 1 { return ((0..<parts[0].count).map(parts[0].string(at:)), [(0..<Int32(parts[0].count)).map { $0 }]) }
        // Values are numbered chunk by chunk; `first[e]` is the number of value e's first appearance.
        var starts: [Int] = []
        var total = 0
        for part in parts {
            starts.append(total)
            total += part.count
        }
        let first = UnsafeMutableBufferPointer<Int>.allocate(capacity: max(1, total))
        defer { first.deallocate() }
        let shares = max(1, min(threads.count, total / 65_536))
        let numbers = starts, out = SendablePointer(first.baseAddress!)
        _ = ParallelFor.mapTasks(count: shares, threads: threads) { share in
            var table = StringTable()
            var representatives: [Int] = []
            for (g, part) in parts.enumerated() {
                withAddress(part.bytes) { base in
                    for c in 0..<part.count where Int(part.hashes[c] >> 32) % shares == share {
                        if c + lookahead < part.count { table.touch(part.hashes[c + lookahead]) }
                        var isNew = false
                        let from = part.offsets[c]
                        let code = Int(table.code(of: base + from, length: part.offsets[c + 1] - from, hash: part.hashes[c], isNew: &isNew))
                        if isNew { representatives.append(numbers[g] + c) }
                        out.base[numbers[g] + c] = representatives[code]
                    }
                }
            }
        }
        var codes = [Int32](repeating: 0, count: total)
        var dictionary: [String] = []
        for (g, part) in parts.enumerated() {
            for c in 0..<part.count {
                let e = starts[g] + c
                if first[e] == e {
                    codes[e] = Int32(dictionary.count)
                    dictionary.append(part.string(at: c))
                } else {
                    codes[e] = codes[first[e]]
                }
            }
        }
        return (dictionary, parts.indices.map { g in Array(codes[starts[g]..<starts[g] + parts[g].count]) })
    }

    /// Calls `body` with the address of `bytes` (of a one-byte buffer when they are empty, so
    /// that empty values have an address too).
    static func withAddress<R>(_ bytes: [UInt8], _ body: (UnsafeRawPointer) -> R) -> R {
        (bytes.isEmpty ? [0] : bytes).withUnsafeBytes { body($0.baseAddress!) }
    }

    /// How many values ahead lookups `touch` their slots.
    static let lookahead = 8

    /// Whether the `length` bytes at `a` and `b` are equal (short values: no call to memcmp).
    @inline(__always)
    private static func equal(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ length: Int) -> Bool {
        var i = 0
        while i + 8 <= length {
            if a.loadUnaligned(fromByteOffset: i, as: UInt64.self) != b.loadUnaligned(fromByteOffset: i, as: UInt64.self) { return false }
            i += 8
        }
        while i < length {
            if a.load(fromByteOffset: i, as: UInt8.self) != b.load(fromByteOffset: i, as: UInt8.self) { return false }
            i += 1
        }
        return true
    }

    private static func allASCII(_ value: UnsafeRawBufferPointer) -> Bool {
        var i = 0
        while i + 8 <= value.count {
            if value.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 != 0 { return false }
            i += 8
        }
        while i < value.count {
            if value[i] >= 0x80 { return false }
            i += 1
        }
        return true
    }

    /// A 64-bit hash of `length` bytes: eight bytes at a time through a multiply-xorshift mix.
    @inline(__always)
    static func hash(_ start: UnsafeRawPointer, _ length: Int) -> UInt64 {
        var h = 0x9E37_79B9_7F4A_7C15 ^ UInt64(length)
        var i = 0
        while i + 8 <= length {
            h = mix(h ^ UInt64(littleEndian: start.loadUnaligned(fromByteOffset: i, as: UInt64.self)))
            i += 8
        }
        if i < length {
            var tail: UInt64 = 0
            for k in i..<length { tail |= UInt64(start.load(fromByteOffset: k, as: UInt8.self)) << UInt64(8 * (k - i)) }
            h = mix(h ^ tail)
        }
        return mix(h)
    }

    @inline(__always)
    private static func mix(_ x: UInt64) -> UInt64 {
        var z = x &* 0xBF58_476D_1CE4_E5B9
        z ^= z >> 31
        z = z &* 0x94D0_49BB_1331_11EB
        return z ^ z >> 29
    }
}
