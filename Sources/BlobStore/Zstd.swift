import CZstd
import Foundation

/// The zstd library as the store uses it: one frame per chunk, optionally compressed against a
/// reference chunk (a delta, through zstd's reference prefix). Only `BlobStore` touches zstd.
public enum Zstd {
    /// The linked libzstd version, e.g. "1.5.4".
    public static var versionString: String { String(cString: ZSTD_versionString()) }
}

/// A reusable compression context. Not thread-safe: each thread takes its own from a `ZstdPool`.
final class ZstdCompressor {
    private let context: OpaquePointer
    let level: Int32

    init(level: Int32) {
        context = ZSTD_createCCtx()
        self.level = level
        ZSTD_CCtx_setParameter(context, ZSTD_c_compressionLevel, level)
    }

    deinit { ZSTD_freeCCtx(context) }

    /// One zstd frame holding `source`; with `reference`, compressed against it (the reader must
    /// hand the same reference to `ZstdDecompressor.decompress`).
    func compress(_ source: UnsafeRawBufferPointer, reference: UnsafeRawBufferPointer? = nil) throws -> [UInt8] {
        let bound = ZSTD_compressBound(source.count)
        if let reference {
            let code = ZSTD_CCtx_refPrefix(context, reference.baseAddress, reference.count)
            if ZSTD_isError(code) != 0 { throw StoreError.compression(String(cString: ZSTD_getErrorName(code))) }
        }
        // Written into uninitialized capacity: only the frame's bytes are ever set or kept.
        var written = 0
        let output = [UInt8](unsafeUninitializedCapacity: bound) { out, count in
            written = ZSTD_compress2(context, out.baseAddress, bound, source.baseAddress, source.count)
            count = ZSTD_isError(written) != 0 ? 0 : written
        }
        if ZSTD_isError(written) != 0 { throw StoreError.compression(String(cString: ZSTD_getErrorName(written))) }
        return output
    }
}

/// A reusable decompression context. Not thread-safe: one per thread.
final class ZstdDecompressor {
    private let context: OpaquePointer

    init() { context = ZSTD_createDCtx() }
    deinit { ZSTD_freeDCtx(context) }

    /// Decompresses one frame into exactly `rawLength` bytes at `destination`, or throws when
    /// the frame is damaged or decodes to another length.
    func decompress(_ frame: UnsafeRawBufferPointer, into destination: UnsafeMutableRawBufferPointer,
                    reference: UnsafeRawBufferPointer? = nil) throws {
        if let reference {
            let code = ZSTD_DCtx_refPrefix(context, reference.baseAddress, reference.count)
            if ZSTD_isError(code) != 0 { throw StoreError.compression(String(cString: ZSTD_getErrorName(code))) }
        }
        let produced = ZSTD_decompressDCtx(context, destination.baseAddress, destination.count,
                                           frame.baseAddress, frame.count)
        if ZSTD_isError(produced) != 0 { throw StoreError.compression(String(cString: ZSTD_getErrorName(produced))) }
        if produced != destination.count {
            throw StoreError.compression("frame decoded to \(produced) bytes, expected \(destination.count)")
        }
    }
}

/// Contexts shared by the threads of one process: a thread borrows one for a unit of work.
/// Creating a context costs far more than compressing a small chunk, so they are reused.
final class ZstdPool: @unchecked Sendable {
    private let lock = NSLock()
    private var compressors: [ZstdCompressor] = []
    private var decompressors: [ZstdDecompressor] = []
    let level: Int32

    init(level: Int32) { self.level = level }

    func withCompressor<T>(_ body: (ZstdCompressor) throws -> T) rethrows -> T {
        let c = lock.withLock { compressors.popLast() } ?? ZstdCompressor(level: level)
        defer { lock.withLock { compressors.append(c) } }
        return try body(c)
    }

    func withDecompressor<T>(_ body: (ZstdDecompressor) throws -> T) rethrows -> T {
        let d = lock.withLock { decompressors.popLast() } ?? ZstdDecompressor()
        defer { lock.withLock { decompressors.append(d) } }
        return try body(d)
    }
}
