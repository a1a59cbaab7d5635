import CBzip2
import CIsal
import CZstd

/// The compressions GitML undoes before reading text tables, recognized by their magic bytes
/// (never by the file name alone).
public enum TextCompression: String, Sendable, CaseIterable {
    /// gzip (RFC 1952), including several members one after another (`cat a.gz b.gz`). Inflated
    /// by ISA-L's igzip (`libisal`), several times zlib's speed, with the members' CRC-32 and
    /// length checked.
    case gzip
    /// Zstandard frames (RFC 8878), one or several.
    case zstd
    /// bzip2 streams (`BZh1`–`BZh9`), one or several (as `pbzip2` writes).
    case bzip2

    /// The compression `bytes` start with, or nil for anything else.
    public static func detect(_ bytes: UnsafeRawBufferPointer) -> TextCompression? {
        if bytes.starts(with: [0x1F, 0x8B]) { return .gzip }
        if bytes.starts(with: [0x28, 0xB5, 0x2F, 0xFD]) { return .zstd }
        if bytes.count >= 4, bytes.starts(with: [0x42, 0x5A, 0x68]), (0x31...0x39).contains(bytes[3]) { return .bzip2 }
        return nil
    }
}

/// A compressed stream decoded piece by piece, so that no more than one piece of the
/// decompressed text need be in memory: the compressed bytes are read in order and released
/// behind the decoder (`InputBytes.release`). Concatenated members, frames or streams are
/// decoded one after another; a stream cut short or corrupt is an error with the codec's reason.
/// Safety of the unchecked `Sendable`: one thread at a time uses it (`TextBlockStream` hands it
/// to its decoding thread, which alone calls it from then on).
final class TextDecompressor: @unchecked Sendable {
    /// Why the stream could not be decoded (the codec's words).
    struct Failure: Error {
        let reason: String
    }

    private enum Codec {
        case gzip(UnsafeMutablePointer<inflate_state>)
        case zstd(OpaquePointer)
        case bzip2(UnsafeMutablePointer<bz_stream>)
    }

    let compression: TextCompression
    private let input: InputBytes
    private let codec: Codec
    private var consumed = 0
    /// Whether the last member, frame or stream has ended with the input.
    private(set) var isFinished = false

    init(_ compression: TextCompression, input: InputBytes) throws(Failure) {
        self.compression = compression
        self.input = input
        switch compression {
        case .gzip:
            let state = UnsafeMutablePointer<inflate_state>.allocate(capacity: 1)
            Self.startMember(state)
            codec = .gzip(state)
        case .zstd:
            guard let context = ZSTD_createDStream() else { throw Failure(reason: "zstd could not start") }
            codec = .zstd(context)
        case .bzip2:
            let stream = UnsafeMutablePointer<bz_stream>.allocate(capacity: 1)
            stream.initialize(to: bz_stream())
            guard BZ2_bzDecompressInit(stream, 0, 0) == BZ_OK else { stream.deallocate(); throw Failure(reason: "libbz2 could not start") }
            codec = .bzip2(stream)
        }
    }

    deinit {
        switch codec {
        case .gzip(let state): state.deallocate()
        case .zstd(let context): ZSTD_freeDStream(context)
        case .bzip2(let stream): BZ2_bzDecompressEnd(stream); stream.deallocate()
        }
    }

    /// Appends up to `limit` decompressed bytes to `output`: exactly `limit` unless the
    /// stream ends first (then `isFinished`). Returns how many were appended.
    @discardableResult
    func read(appendingTo output: inout [UInt8], limit: Int) throws(Failure) -> Int {
        guard !isFinished, limit > 0 else { return 0 }
        let start = output.count
        output.append(contentsOf: repeatElement(0, count: limit))
        var produced = 0
        let failure: String? = output.withUnsafeMutableBytes { raw in
            let out = UnsafeMutableRawBufferPointer(rebasing: raw[start...])
            while produced < out.count && !isFinished {
                let (count, failure) = step(into: UnsafeMutableRawBufferPointer(rebasing: out[produced...]))
                produced += count
                if let failure { return failure }
            }
            return nil
        }
        output.removeLast(limit - produced)
        input.release(0..<consumed)
        if let failure { throw Failure(reason: failure) }
        return produced
    }

    /// One call into the codec: bytes written to `out`, or why it failed.
    private func step(into out: UnsafeMutableRawBufferPointer) -> (Int, String?) {
        let bytes = input.bytes
        let remaining = bytes.count - consumed
        let next = bytes.baseAddress.map { $0 + consumed }
        switch codec {
        case .gzip(let state):
            state.pointee.next_in = UnsafeMutablePointer(mutating: next?.assumingMemoryBound(to: UInt8.self))
            state.pointee.avail_in = UInt32(min(remaining, Int(UInt32.max)))
            state.pointee.next_out = out.baseAddress!.assumingMemoryBound(to: UInt8.self)
            state.pointee.avail_out = UInt32(min(out.count, Int(UInt32.max)))
            let (inBefore, outBefore) = (state.pointee.avail_in, state.pointee.avail_out)
            let status = isal_inflate(state)
            let taken = Int(inBefore - state.pointee.avail_in)
            consumed += taken
            let produced = Int(outBefore - state.pointee.avail_out)
            guard status == ISAL_DECOMP_OK else { return (produced, Self.gzipFailure(status)) }
            if state.pointee.block_state == ISAL_BLOCK_FINISH {
                // The member's trailer is checked; another member may follow (padding-free concatenation only).
                if consumed == bytes.count { isFinished = true } else { Self.startMember(state) }
                return (produced, nil)
            }
            if taken == 0 && produced == 0 {
                return (0, consumed == bytes.count ? "the stream ends before its last block" : "igzip made no progress")
            }
            return (produced, nil)
        case .zstd(let context):
            var inBuffer = ZSTD_inBuffer(src: bytes.baseAddress, size: bytes.count, pos: consumed)
            var outBuffer = ZSTD_outBuffer(dst: out.baseAddress, size: out.count, pos: 0)
            let result = ZSTD_decompressStream(context, &outBuffer, &inBuffer)
            if ZSTD_isError(result) != 0 { return (0, String(cString: ZSTD_getErrorName(result))) }
            consumed = inBuffer.pos
            // 0: a frame ended and is flushed; more input may start another.
            if consumed == bytes.count {
                if result == 0 { isFinished = true }
                else if outBuffer.pos < outBuffer.size { return (outBuffer.pos, "the stream ends inside a frame") }
            }
            return (outBuffer.pos, nil)
        case .bzip2(let stream):
            stream.pointee.next_in = UnsafeMutablePointer(mutating: next?.assumingMemoryBound(to: CChar.self))
            stream.pointee.avail_in = UInt32(min(remaining, Int(UInt32.max)))
            stream.pointee.next_out = out.baseAddress!.assumingMemoryBound(to: CChar.self)
            stream.pointee.avail_out = UInt32(min(out.count, Int(UInt32.max)))
            let (inBefore, outBefore) = (stream.pointee.avail_in, stream.pointee.avail_out)
            let status = BZ2_bzDecompress(stream)
            consumed += Int(inBefore - stream.pointee.avail_in)
            let produced = Int(outBefore - stream.pointee.avail_out)
            switch status {
            case BZ_STREAM_END:
                if consumed == bytes.count { isFinished = true; return (produced, nil) }
                // Another stream follows (pbzip2, `cat a.bz2 b.bz2`): start over.
                BZ2_bzDecompressEnd(stream)
                stream.pointee = bz_stream()
                return (produced, BZ2_bzDecompressInit(stream, 0, 0) == BZ_OK ? nil : "libbz2 could not restart")
            case BZ_OK:
                if consumed == bytes.count && stream.pointee.avail_out > 0 { return (produced, "the stream ends before its end-of-stream marker") }
                return (produced, nil)
            case BZ_DATA_ERROR, BZ_DATA_ERROR_MAGIC: return (produced, "the data is corrupt (bzip2 error \(status))")
            case BZ_MEM_ERROR: return (produced, "libbz2 ran out of memory")
            default: return (produced, "bzip2 error \(status)")
            }
        }
    }

    /// Readies `state` for a gzip member: header, deflate blocks, CRC-32 and length trailer.
    private static func startMember(_ state: UnsafeMutablePointer<inflate_state>) {
        isal_inflate_init(state)
        state.pointee.crc_flag = UInt32(ISAL_GZIP)
    }

    /// igzip's status in words.
    private static func gzipFailure(_ status: Int32) -> String {
        switch status {
        case ISAL_INVALID_BLOCK: "the data is corrupt (invalid deflate block)"
        case ISAL_INVALID_SYMBOL: "the data is corrupt (invalid deflate symbol)"
        case ISAL_INVALID_LOOKBACK: "the data is corrupt (a distance points before the start)"
        case ISAL_INVALID_WRAPPER: "the data is corrupt (invalid gzip header)"
        case ISAL_UNSUPPORTED_METHOD: "the gzip member uses a compression method other than deflate"
        case ISAL_INCORRECT_CHECKSUM: "the data is corrupt (CRC-32 or length mismatch)"
        default: "igzip error \(status)"
        }
    }
}
