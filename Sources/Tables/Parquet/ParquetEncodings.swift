/// Values of one physical type, as decoded from a page (non-null values only).
enum PhysicalValues: Sendable {
    case bool([Bool])
    case int32([Int32])
    case int64([Int64])
    /// INT96 timestamps, already as microseconds since the epoch (rounded down).
    case int96([Int64])
    case float([Float])
    case double([Double])
    case bytes(ByteArrays)
}

/// Variable-length byte strings stored end to end.
struct ByteArrays: Sendable {
    var data: [UInt8] = []
    var offsets: [Int] = [0]

    var count: Int { offsets.count - 1 }
    subscript(i: Int) -> ArraySlice<UInt8> { data[offsets[i]..<offsets[i + 1]] }

    mutating func append<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        data.append(contentsOf: bytes)
        offsets.append(data.count)
    }
}

/// A bounds-checked reader over a page's decoded bytes.
struct PageCursor {
    let bytes: UnsafeRawBufferPointer
    var position: Int
    let end: Int

    init(_ bytes: UnsafeRawBufferPointer, from start: Int = 0, to end: Int? = nil) {
        self.bytes = bytes
        self.position = start
        self.end = end ?? bytes.count
    }

    var remaining: Int { end - position }

    mutating func take(_ n: Int, _ what: String) throws(ParquetProblem) -> Int {
        guard n >= 0, n <= remaining else { throw .truncated("\(what) needs \(n) bytes, \(remaining) left in the page") }
        defer { position += n }
        return position
    }

    mutating func byte() throws(ParquetProblem) -> UInt8 { bytes[try take(1, "a byte")] }

    mutating func uint32() throws(ParquetProblem) -> UInt32 {
        bytes.loadUnaligned(fromByteOffset: try take(4, "a length"), as: UInt32.self).littleEndian
    }

    mutating func varint() throws(ParquetProblem) -> UInt64 {
        var result: UInt64 = 0
        for shift in stride(from: 0, to: 64, by: 7) {
            let b = try byte()
            result |= UInt64(b & 0x7F) << UInt64(shift)
            if b & 0x80 == 0 { return result }
        }
        throw .malformed("a varint longer than 10 bytes")
    }

    mutating func zigzag() throws(ParquetProblem) -> Int64 {
        let v = try varint()
        return Int64(bitPattern: v >> 1) ^ -Int64(bitPattern: v & 1)
    }

    /// `count` values of `width` bits packed from the least significant bit, starting at the
    /// current position (which moves past `ceil(count × width / 8)` bytes).
    mutating func unpack(count: Int, width: Int, _ body: (UInt64) -> Void) throws(ParquetProblem) {
        guard width > 0 else { for _ in 0..<count { body(0) }; return }
        let start = try take((count * width + 7) / 8, "bit-packed values")
        let mask: UInt64 = width == 64 ? ~0 : (1 << UInt64(width)) - 1
        for k in 0..<count { body(packed(start: start, index: k, width: width, mask: mask)) }
    }

    /// `unpack` of at most 32-bit values into `out[0..<count]`.
    mutating func unpack(count: Int, width: Int, into out: UnsafeMutablePointer<UInt32>) throws(ParquetProblem) {
        guard width > 0 else { out.update(repeating: 0, count: count); return }
        let start = try take((count * width + 7) / 8, "bit-packed values")
        let mask: UInt64 = (1 << UInt64(width)) - 1
        for k in 0..<count { out[k] = UInt32(truncatingIfNeeded: packed(start: start, index: k, width: width, mask: mask)) }
    }

    /// Value `index` of `width` bits packed from byte `start`.
    @inline(__always)
    private func packed(start: Int, index k: Int, width: Int, mask: UInt64) -> UInt64 {
        let bit = k * width
        let at = start + bit >> 3, shift = bit & 7
        if width + shift <= 64 && at + 8 <= bytes.count {
            // One load from the buffer (bits past the value are masked off).
            return UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: UInt64.self)) >> UInt64(shift) & mask
        }
        var value: UInt64 = 0, got = 0, position = bit
        while got < width {
            let offset = position & 7
            let take = min(8 - offset, width - got)
            value |= UInt64((bytes[start + position >> 3] >> UInt8(offset)) & UInt8(truncatingIfNeeded: (1 << take) - 1)) << UInt64(got)
            got += take
            position += take
        }
        return value
    }
}

/// The encodings of Parquet values and levels (`Encoding` in parquet.thrift).
enum ParquetEncodingID: Int64 {
    case plain = 0, plainDictionary = 2, rle = 3, bitPacked = 4, deltaBinaryPacked = 5, deltaLengthByteArray = 6
    case deltaByteArray = 7, rleDictionary = 8, byteStreamSplit = 9
}

/// Decoders of the Parquet encodings, each reading from a `PageCursor`.
enum ParquetEncoding {
    /// The RLE / bit-packing hybrid: `count` values of `width` bits (runs may hold more than
    /// are asked for: bit-packed runs are padded to groups of eight).
    static func hybrid(_ cursor: inout PageCursor, width: Int, count: Int) throws(ParquetProblem) -> [UInt32] {
        var failure: ParquetProblem?
        let values = [UInt32](unsafeUninitializedCapacity: count) { buffer, initialized in
            do throws(ParquetProblem) {
                if let base = buffer.baseAddress { try hybrid(&cursor, width: width, count: count, into: base) }
                initialized = count
            } catch {
                failure = error
                initialized = 0
            }
        }
        if let failure { throw failure }
        return values
    }

    /// `hybrid` into `out[0..<count]`.
    static func hybrid(_ cursor: inout PageCursor, width: Int, count: Int, into out: UnsafeMutablePointer<UInt32>) throws(ParquetProblem) {
        guard (0...32).contains(width) else { throw .malformed("RLE bit width \(width)") }
        var done = 0
        while done < count {
            let header = try cursor.varint()
            let runLength = Int(truncatingIfNeeded: header >> 1)
            if header & 1 == 0 {
                guard runLength > 0 else { throw .malformed("an empty RLE run") }
                let bytes = (width + 7) / 8
                let at = try cursor.take(bytes, "an RLE value")
                var value: UInt32 = 0
                for k in 0..<bytes { value |= UInt32(cursor.bytes[at + k]) << UInt32(8 * k) }
                let n = min(runLength, count - done)
                (out + done).update(repeating: value, count: n)
                done += n
            } else {
                guard runLength > 0, runLength <= 1 << 28 else { throw .malformed("a bit-packed run of \(runLength) groups") }
                let wanted = min(runLength * 8, count - done)
                let runStart = cursor.position
                // Writers may end the last run early; read only the values asked for, then skip the run.
                try cursor.unpack(count: wanted, width: width, into: out + done)
                done += wanted
                cursor.position = max(cursor.position, min(cursor.end, runStart + runLength * width))
            }
        }
    }

    /// DELTA_BINARY_PACKED integers, exactly `count` of them; the cursor ends after the last
    /// miniblock holding values (miniblocks are written whole, padded).
    static func deltaBinaryPacked(_ cursor: inout PageCursor, count: Int) throws(ParquetProblem) -> [Int64] {
        let blockSize = Int(truncatingIfNeeded: try cursor.varint())
        let miniblocks = Int(truncatingIfNeeded: try cursor.varint())
        let total = Int(truncatingIfNeeded: try cursor.varint())
        var value = try cursor.zigzag()
        guard blockSize > 0, blockSize % 128 == 0, miniblocks > 0, blockSize % miniblocks == 0,
              blockSize <= 1 << 20, (blockSize / miniblocks) % 32 == 0, total == count else {
            throw .malformed("DELTA_BINARY_PACKED header (block \(blockSize), miniblocks \(miniblocks), values \(total) of \(count))")
        }
        var out: [Int64] = []
        out.reserveCapacity(total)
        if total > 0 { out.append(value) }
        let perMiniblock = blockSize / miniblocks
        while out.count < total {
            let minDelta = try cursor.zigzag()
            let widthsAt = try cursor.take(miniblocks, "miniblock bit widths")
            for m in 0..<miniblocks where out.count < total {
                let width = Int(cursor.bytes[widthsAt + m])
                guard width <= 64 else { throw .malformed("miniblock bit width \(width)") }
                let start = try cursor.take(perMiniblock * width / 8, "a miniblock")
                var miniblock = PageCursor(cursor.bytes, from: start, to: cursor.position)
                try miniblock.unpack(count: min(perMiniblock, total - out.count), width: width) { packed in
                    value = value &+ minDelta &+ Int64(bitPattern: packed)
                    out.append(value)
                }
            }
        }
        return out
    }

    /// Lengths of DELTA_LENGTH_BYTE_ARRAY, then the bytes.
    static func deltaLengthByteArray(_ cursor: inout PageCursor, count: Int) throws(ParquetProblem) -> ByteArrays {
        let lengths = try deltaBinaryPacked(&cursor, count: count)
        var out = ByteArrays()
        out.offsets.reserveCapacity(count + 1)
        for k in 0..<count {
            guard lengths[k] >= 0, lengths[k] <= Int64(cursor.remaining) else { throw .truncated("a byte array of \(lengths[k]) bytes") }
            let at = try cursor.take(Int(lengths[k]), "a byte array")
            out.append(cursor.bytes[at..<at + Int(lengths[k])])
        }
        return out
    }

    /// DELTA_BYTE_ARRAY: each value is a prefix of the previous one plus a suffix.
    static func deltaByteArray(_ cursor: inout PageCursor, count: Int) throws(ParquetProblem) -> ByteArrays {
        let prefixes = try deltaBinaryPacked(&cursor, count: count)
        let suffixes = try deltaLengthByteArray(&cursor, count: count)
        var out = ByteArrays()
        var previous: ArraySlice<UInt8> = []
        for k in 0..<count {
            let prefix = prefixes[k]
            guard prefix >= 0, prefix <= Int64(previous.count) else { throw .malformed("prefix of \(prefix) bytes after a value of \(previous.count)") }
            let start = out.data.count
            out.data.append(contentsOf: previous.prefix(Int(prefix)))
            out.data.append(contentsOf: suffixes[k])
            out.offsets.append(out.data.count)
            previous = out.data[start...]
        }
        return out
    }

    /// PLAIN values of a physical type (`typeLength`: bytes of FIXED_LEN_BYTE_ARRAY).
    static func plain(_ cursor: inout PageCursor, type: ParquetPhysicalType, typeLength: Int, count: Int) throws(ParquetProblem) -> PhysicalValues {
        let bytes = cursor.bytes
        switch type {
        case .boolean:
            var out: [Bool] = []
            out.reserveCapacity(count)
            try cursor.unpack(count: count, width: 1) { out.append($0 != 0) }
            return .bool(out)
        case .int32:
            let at = try cursor.take(count * 4, "INT32 values")
            return .int32((0..<count).map { Int32(littleEndian: bytes.loadUnaligned(fromByteOffset: at + 4 * $0, as: Int32.self)) })
        case .int64:
            let at = try cursor.take(count * 8, "INT64 values")
            return .int64((0..<count).map { Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: at + 8 * $0, as: Int64.self)) })
        case .float:
            let at = try cursor.take(count * 4, "FLOAT values")
            return .float((0..<count).map { Float(bitPattern: UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: at + 4 * $0, as: UInt32.self))) })
        case .double:
            let at = try cursor.take(count * 8, "DOUBLE values")
            return .double((0..<count).map { Double(bitPattern: UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: at + 8 * $0, as: UInt64.self))) })
        case .int96:
            let at = try cursor.take(count * 12, "INT96 values")
            var out: [Int64] = []
            out.reserveCapacity(count)
            for k in 0..<count {
                let nanos = Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: at + 12 * k, as: Int64.self))
                let julianDay = Int64(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: at + 12 * k + 8, as: UInt32.self)))
                let (days, overflow) = (julianDay - 2_440_588).multipliedReportingOverflow(by: 86_400_000_000)
                let (micros, overflow2) = days.addingReportingOverflow(floorDivide(nanos, 1000))
                if overflow || overflow2 { throw .valueOutOfRange("INT96 timestamp (Julian day \(julianDay)) is outside int64 microseconds") }
                out.append(micros)
            }
            return .int96(out)
        case .byteArray:
            var out = ByteArrays()
            out.offsets.reserveCapacity(count + 1)
            for _ in 0..<count {
                let length = Int(try cursor.uint32())
                let at = try cursor.take(length, "a byte array")
                out.append(bytes[at..<at + length])
            }
            return .bytes(out)
        case .fixedLenByteArray:
            let at = try cursor.take(count * typeLength, "fixed-length byte arrays")
            var out = ByteArrays()
            out.data = Array(bytes[at..<at + count * typeLength])
            out.offsets = (0...count).map { $0 * typeLength }
            return .bytes(out)
        }
    }

    /// BYTE_STREAM_SPLIT: byte k of every value is in stream k; streams are put back together
    /// and read as PLAIN.
    static func byteStreamSplit(_ cursor: inout PageCursor, type: ParquetPhysicalType, typeLength: Int, count: Int) throws(ParquetProblem) -> PhysicalValues {
        let width: Int
        switch type {
        case .int32, .float: width = 4
        case .int64, .double: width = 8
        case .fixedLenByteArray: width = typeLength
        default: throw .malformed("BYTE_STREAM_SPLIT on \(type)")
        }
        let at = try cursor.take(count * width, "BYTE_STREAM_SPLIT values")
        var joined = [UInt8](repeating: 0, count: count * width)
        for k in 0..<width {
            for i in 0..<count { joined[i * width + k] = cursor.bytes[at + k * count + i] }
        }
        return try joined.withTypedBytes { raw throws(ParquetProblem) in
            var plainCursor = PageCursor(raw)
            return try plain(&plainCursor, type: type, typeLength: typeLength, count: count)
        }
    }

    static func floorDivide(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }
}
