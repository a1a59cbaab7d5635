import CSnappy
import CZlib
import CZstd

/// Page decompression: each codec turns a page's compressed bytes into exactly the declared
/// number of bytes, or fails with `ParquetProblem.decompressionFailed`.
enum ParquetCodecs {
    /// A page's bytes: `input` (a page body) itself when uncompressed, else decompressed with
    /// codec `raw` straight into the first `size` bytes of `scratch`'s page buffer (zstd with
    /// the chunk's one decompression context, made once and reused page after page).
    static func decompress(_ input: UnsafeRawBufferPointer, codec raw: Int64, size: Int,
                           into scratch: PageScratch) throws(ParquetProblem) -> UnsafeRawBufferPointer {
        guard let codec = ParquetCodec(rawValue: raw) else { throw .unsupported("compression codec \(raw)") }
        if codec == .lzo || codec == .brotli || codec == .lz4 { throw .unsupported("compression codec \(codec.name)") }
        if codec == .uncompressed {
            guard input.count == size else { throw .malformed("uncompressed page of \(input.count) bytes declares \(size)") }
            return input
        }
        var failure: String?
        let out = UnsafeMutableRawBufferPointer(rebasing: scratch.page(size)[0..<size])
        let produced: Int?
        switch codec {
        case .snappy: produced = snappy(input, out, failure: &failure)
        case .gzip: produced = gzip(input, out, failure: &failure)
        case .zstd: produced = zstd(input, out, context: scratch.zstdContext, failure: &failure)
        case .lz4Raw: produced = LZ4Block.decompress(input, into: out, failure: &failure)
        case .uncompressed, .lzo, .brotli, .lz4: produced = nil; failure = "unsupported"
        }
        if let produced, produced != size, failure == nil { failure = "produced \(produced) bytes, the page declares \(size)" }
        if let failure { throw .decompressionFailed(codec: codec.name, reason: failure) }
        return UnsafeRawBufferPointer(out)
    }

    private static func snappy(_ input: UnsafeRawBufferPointer, _ out: UnsafeMutableRawBufferPointer, failure: inout String?) -> Int? {
        guard let source = input.baseAddress?.assumingMemoryBound(to: CChar.self) else { failure = "empty input"; return nil }
        var length = 0
        guard snappy_uncompressed_length(source, input.count, &length) == SNAPPY_OK, length == out.count else {
            failure = "the snappy header does not declare the page's size"; return nil
        }
        guard length > 0 else { return 0 }
        guard snappy_uncompress(source, input.count, out.baseAddress!.assumingMemoryBound(to: CChar.self), &length) == SNAPPY_OK else {
            failure = "invalid snappy data"; return nil
        }
        return length
    }

    private static func gzip(_ input: UnsafeRawBufferPointer, _ out: UnsafeMutableRawBufferPointer, failure: inout String?) -> Int? {
        var stream = z_stream()
        guard gitml_inflate_init(&stream, 15 + 32) == Z_OK else { failure = "zlib could not start"; return nil }
        defer { inflateEnd(&stream) }
        stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.avail_in = uInt(input.count)
        var outBase = out.baseAddress?.assumingMemoryBound(to: Bytef.self)
        var produced = 0
        while true {
            stream.next_out = outBase
            stream.avail_out = uInt(out.count - produced)
            let status = inflate(&stream, Z_FINISH)
            produced = out.count - Int(stream.avail_out)
            outBase = out.baseAddress.map { $0.assumingMemoryBound(to: Bytef.self) + produced }
            if status == Z_STREAM_END {
                guard stream.avail_in > 0 else { return produced }
                guard inflateReset(&stream) == Z_OK else { failure = "zlib could not restart"; return nil }
                continue
            }
            failure = status == Z_BUF_ERROR ? "the data ends early or is larger than declared"
                : stream.msg.map { String(cString: $0) } ?? "zlib error \(status)"
            return nil
        }
    }

    private static func zstd(_ input: UnsafeRawBufferPointer, _ out: UnsafeMutableRawBufferPointer, context: OpaquePointer?,
                             failure: inout String?) -> Int? {
        guard let context else { failure = "zstd could not start"; return nil }
        let result = ZSTD_decompressDCtx(context, out.baseAddress, out.count, input.baseAddress, input.count)
        if ZSTD_isError(result) != 0 { failure = String(cString: ZSTD_getErrorName(result)); return nil }
        return result
    }
}

/// LZ4 block format decompression (the raw block, as Parquet's LZ4_RAW stores it), written
/// here because it is a few dozen lines and spares a system dependency. Every length and
/// match offset is checked against the input and output bounds.
enum LZ4Block {
    static func decompress(_ input: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer, failure: inout String?) -> Int? {
        var i = 0, o = 0
        let n = input.count
        func extended(_ base: Int, _ i: inout Int) -> Int? {
            var length = base
            guard base == 15 else { return length }
            while true {
                guard i < n else { return nil }
                let b = Int(input[i]); i += 1
                length += b
                if b != 255 { return length }
            }
        }
        while i < n {
            let token = Int(input[i]); i += 1
            guard let literals = extended(token >> 4, &i), literals <= n - i, literals <= out.count - o else {
                failure = "a literal run past the block's bounds"; return nil
            }
            if literals > 0 { out.baseAddress!.advanced(by: o).copyMemory(from: input.baseAddress! + i, byteCount: literals) }
            i += literals; o += literals
            if i == n { return o }  // the last sequence has literals only
            guard n - i >= 2 else { failure = "a match without its offset"; return nil }
            let offset = Int(input[i]) | Int(input[i + 1]) << 8
            i += 2
            guard offset > 0, offset <= o else { failure = "a match offset \(offset) before the block's start"; return nil }
            guard let match = extended(token & 15, &i).map({ $0 + 4 }), match <= out.count - o else {
                failure = "a match past the block's bounds"; return nil
            }
            // Byte by byte: a match may overlap the bytes it produces.
            for k in 0..<match { out[o + k] = out[o - offset + k] }
            o += match
        }
        return o
    }
}
