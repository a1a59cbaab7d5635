import Dispatch
import Foundation

/// Which files `ObjectStore.checkContent` reassembles and hashes. Only a file of several chunks
/// can be wrong as a whole while every object is intact (its manifest may list valid chunks in
/// another order, or another file's chunks); a file of one chunk is that chunk, whose digest the
/// store check verifies.
public enum ContentCheck: Sendable {
    /// The files whose (manifest, digest) pair this store has never seen assemble to its digest
    /// (`VerifiedManifests`): what a checkout would hash. A remembered pair needs no hash: its
    /// bytes are its manifest's chunks in order, each verified by the store check.
    case unverifiedOnly
    /// Every file of several chunks, remembered or not (`git ml fsck --read-data`): trusts
    /// nothing but the chunks and the record.
    case everyFile
}

extension ObjectStore {
    /// Chunks per batch of `checkContent`: decoded on all cores, then hashed in order. Bounds the
    /// memory held (at most 64 chunks of at most 256 KiB each).
    static let contentCheckBatch = 64

    /// Reassembles `file` from `chunks` (its `chunkList`, whose total the caller has compared with
    /// the record's size) and checks that the bytes' SHA-256 is the record's digest, streaming:
    /// nothing is written and at most one batch of chunks is held. Returns whether it hashed
    /// (`mode` and the pair decide; see `ContentCheck`). A match is remembered, so a later
    /// checkout or check does not hash the pair again. Throws `recordMismatch` when the bytes
    /// are another file's, or the chunk's error when one is missing or damaged.
    @discardableResult
    public func checkContent(of file: StoredFile, chunks: ChunkList, _ mode: ContentCheck) throws -> Bool {
        guard file.manifest != nil, mode == .everyFile || !verifiedManifests.contains(file) else { return false }
        var hasher = StreamingDigest()
        let digests = chunks.digests, lengths = chunks.lengths
        for first in stride(from: 0, to: digests.count, by: Self.contentCheckBatch) {
            let range = first..<min(first + Self.contentCheckBatch, digests.count)
            let decoded = ChunkSlots(count: range.count)
            let failure = FirstError()
            DispatchQueue.concurrentPerform(iterations: range.count) { k in
                do {
                    decoded.set(k, try self.readChunk(digests[range.lowerBound + k], length: lengths[range.lowerBound + k]))
                } catch {
                    failure.record(error)
                }
            }
            try failure.rethrow()
            for chunk in decoded.all { chunk.withUnsafeBytes { hasher.update($0) } }
        }
        let actual = hasher.finalize()
        guard actual == file.digest else { throw StoreError.assemblyMismatch(file, actual: actual) }
        verifiedManifests.remember(file)
        return true
    }

    /// Decodes the chunk `digest` of a manifest that says it is `length` bytes into `destination`
    /// (exactly `length` bytes), verifying it; a stored length other than the manifest's is damage.
    func decodeChunk(_ digest: Digest, length: UInt32, into destination: UnsafeMutableRawBufferPointer) throws {
        guard let (entry, pack) = locate(digest) else { throw StoreError.missingObject(digest) }
        guard entry.rawLength == length else {
            throw StoreError.corruptObject(digest, detail: "stored length \(entry.rawLength), manifest says \(length)")
        }
        try decode(entry, in: pack, into: destination)
    }

    private func readChunk(_ digest: Digest, length: UInt32) throws -> [UInt8] {
        try [UInt8](writingAll: Int(length)) { try decodeChunk(digest, length: length, into: $0) }
    }
}

extension StoreError {
    /// A file's manifest lists verified chunks whose bytes, in order, are not the file its
    /// record names (`actual` is their SHA-256): the record or its manifest is forged or damaged.
    static func assemblyMismatch(_ file: StoredFile, actual: Digest) -> StoreError {
        .recordMismatch(file.digest, detail: "its manifest \(file.manifest.map(\.description) ?? "") assembles \(file.size) bytes whose SHA-256 is \(actual)")
    }
}

/// One slot per chunk of a batch, each written by one worker of `concurrentPerform`.
private final class ChunkSlots: @unchecked Sendable {  // `slots` is guarded by `lock`
    private let lock = NSLock()
    private var slots: [[UInt8]]
    init(count: Int) { slots = Array(repeating: [], count: count) }
    func set(_ k: Int, _ bytes: [UInt8]) { lock.withLock { slots[k] = bytes } }
    var all: [[UInt8]] { lock.withLock { slots } }
}
