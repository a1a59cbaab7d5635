import CZlib
import CZstd

/// The compressions GitML undoes before reading text tables, recognized by their magic bytes
/// (never by the file name alone).
public enum TextCompression: String, Sendable, CaseIterable {
    /// gzip (RFC 1952), including several members one after another (`cat a.gz b.gz`).
    case gzip
    /// Zstandard frames (RFC 8878), one or several.
    case zstd

    /// The compression `bytes` start with, or nil for anything else.
    public static func detect(_ bytes: UnsafeRawBufferPointer) -> TextCompression? {
        if bytes.starts(with: [0x1F, 0x8B]) { return .gzip }
        if bytes.starts(with: [0x28, 0xB5, 0x2F, 0xFD]) { return .zstd }
        return nil
    }

    /// Decompresses the whole of `input` into one array. The compressed bytes are read in
    /// order and released behind the decoder (`InputBytes.release`), and output is produced
    /// in 1 MiB pieces appended to the result, reserved up front from the size the stream
    /// declares where it declares one. Memory: the decompressed text once (the text readers
    /// need all of it to split rows in parallel) plus one piece.
    func decompress(_ input: InputBytes, path: String) throws(TableReadError) -> [UInt8] {
        var output: [UInt8] = []
        let failure: String? = switch self {
        case .gzip: Self.inflate(input, into: &output)
        case .zstd: Self.unzstd(input, into: &output)
        }
        if let failure { throw .corruptCompressedInput(path: path, format: rawValue, reason: failure) }
        return output
    }

    private static let pieceSize = 1 << 20

    private static func inflate(_ input: InputBytes, into output: inout [UInt8]) -> String? {
        let bytes = input.bytes
        // The trailer's size (mod 2³²) of the last member: a hint for one-member files.
        if bytes.count >= 18 {
            output.reserveCapacity(Int(bytes.loadUnaligned(fromByteOffset: bytes.count - 4, as: UInt32.self).littleEndian))
        }
        var stream = z_stream()
        guard gitml_inflate_init(&stream, 15 + 16) == Z_OK else { return "zlib could not start" }
        defer { inflateEnd(&stream) }
        var piece = [UInt8](repeating: 0, count: pieceSize)
        var consumed = 0
        while true {
            let remaining = bytes.count - consumed
            stream.next_in = UnsafeMutablePointer(mutating: bytes.baseAddress!.assumingMemoryBound(to: Bytef.self) + consumed)
            stream.avail_in = uInt(min(remaining, Int(Int32.max)))
            let before = stream.avail_in
            let status = piece.withUnsafeMutableBytes { out -> Int32 in
                stream.next_out = out.baseAddress!.assumingMemoryBound(to: Bytef.self)
                stream.avail_out = uInt(out.count)
                return CZlib.inflate(&stream, Z_NO_FLUSH)
            }
            consumed += Int(before - stream.avail_in)
            output.append(contentsOf: piece[0..<(pieceSize - Int(stream.avail_out))])
            input.release(0..<consumed)
            switch status {
            case Z_STREAM_END:
                // Another member may follow; only padding-free concatenation is accepted.
                if consumed == bytes.count { return nil }
                guard inflateReset(&stream) == Z_OK else { return "zlib could not restart" }
            case Z_OK:
                if consumed == bytes.count && stream.avail_out != 0 { return "the stream ends before its last block" }
            case Z_BUF_ERROR:
                if consumed == bytes.count { return "the stream ends before its last block" }
            default:
                return stream.msg.map { String(cString: $0) } ?? "zlib error \(status)"
            }
        }
    }

    private static func unzstd(_ input: InputBytes, into output: inout [UInt8]) -> String? {
        let bytes = input.bytes
        let declared = ZSTD_getFrameContentSize(bytes.baseAddress, bytes.count)
        if declared < UInt64(Int.max) / 2 { output.reserveCapacity(Int(declared)) }
        guard let context = ZSTD_createDStream() else { return "zstd could not start" }
        defer { ZSTD_freeDStream(context) }
        var piece = [UInt8](repeating: 0, count: pieceSize)
        var inBuffer = ZSTD_inBuffer(src: bytes.baseAddress, size: bytes.count, pos: 0)
        var pending = 1  // nonzero while a frame is unfinished
        while inBuffer.pos < inBuffer.size || pending != 0 {
            let before = inBuffer.pos
            var produced = 0
            let result = piece.withUnsafeMutableBytes { out -> Int in
                var outBuffer = ZSTD_outBuffer(dst: out.baseAddress, size: out.count, pos: 0)
                let result = ZSTD_decompressStream(context, &outBuffer, &inBuffer)
                produced = outBuffer.pos
                return result
            }
            if ZSTD_isError(result) != 0 { return String(cString: ZSTD_getErrorName(result)) }
            output.append(contentsOf: piece[0..<produced])
            input.release(0..<inBuffer.pos)
            pending = result
            if inBuffer.pos == before && produced == 0 {
                return pending != 0 ? "the stream ends inside a frame" : nil
            }
        }
        return nil
    }
}
