import Dispatch
import Foundation
import Platform

/// A file as stored: its digest (SHA-256 of its bytes), size, and how to find its chunks.
public struct StoredFile: Sendable, Hashable, Codable {
    /// SHA-256 of the file's bytes: `sha256sum` prints the same.
    public var digest: Digest
    public var size: UInt64
    /// The manifest root; nil when the file is a single chunk, whose digest is `digest`.
    public var manifest: Digest?

    public init(digest: Digest, size: UInt64, manifest: Digest?) {
        self.digest = digest
        self.size = size
        self.manifest = manifest
    }

    /// The object that roots this file's chunks (for reachability).
    public var root: Digest { manifest ?? digest }
}

/// What an ingest wrote, for reports and benchmarks.
public struct IngestStatistics: Sendable, Equatable {
    public var chunks = 0
    public var newChunks = 0
    public var deltaChunks = 0
    /// Compressed bytes appended to packs (chunk frames; manifests excluded).
    public var newStoredBytes: UInt64 = 0
    public init() {}

    public static func += (a: inout IngestStatistics, b: IngestStatistics) {
        a.chunks += b.chunks
        a.newChunks += b.newChunks
        a.deltaChunks += b.deltaChunks
        a.newStoredBytes += b.newStoredBytes
    }
}

extension ObjectStore {
    /// Stores the file at `path`: chunks it (FastCDC), hashes and compresses chunks on all cores,
    /// stores only chunks the store lacks — as deltas against the chunk at the same position of
    /// `previous` (the previous version of this path) where that is smaller — and returns its
    /// address. Streams in fixed-size segments, two buffers of one segment each, so memory does
    /// not grow with the file: while one segment is hashed, compressed and appended, the next
    /// is read and cut on another thread. Throws `StoreError.fileChanged` if the file changes
    /// while it is read.
    public func ingest(path: String, previous: ChunkList? = nil, chunker: Chunker = .standard,
                       progress: (@Sendable (UInt64) -> Void)? = nil) throws -> (StoredFile, IngestStatistics) {
        try ingest(path: path, previous: previous, chunker: chunker, segmentSize: 16 << 20, progress: progress)
    }

    /// `ingest(path:previous:chunker:progress:)` in segments of `segmentSize` bytes (tests use
    /// small ones: the chunks do not depend on it).
    func ingest(path: String, previous: ChunkList?, chunker: Chunker, segmentSize: Int,
                progress: (@Sendable (UInt64) -> Void)?) throws -> (StoredFile, IngestStatistics) {
        let (fd, before) = try FileIO.openRegularFile(path)
        defer { close(fd) }
        let aligner = previous.map { DeltaAligner(previous: $0) }
        var stats = IngestStatistics()
        var chunks = ChunkList()
        var fileHash = StreamingDigest()
        let reader = SegmentReader(fd: fd, path: path, chunker: chunker, segmentSize: segmentSize)
        let buffers = (0..<2).map { _ in
            UnsafeMutableRawBufferPointer.allocate(byteCount: reader.segmentSize + chunker.maxSize, alignment: 64)
        }
        defer { buffers.forEach { $0.deallocate() } }
        var readAhead: ReadAhead?
        defer { readAhead?.finish() }  // before the buffers are freed, whatever was thrown
        var segment = try reader.read(into: buffers[0], tail: nil)
        var total: UInt64 = 0
        for index in 1... {
            let current = segment
            readAhead = current.atEnd ? nil : ReadAhead(reader, into: buffers[index % 2], tail: current.tail)
            let batch = try storeBatch(current.bytes, cuts: current.cuts, aligner: aligner, margin: chunker.minSize / 4,
                                       fileBytes: current.freshBytes, fileHash: &fileHash)
            for (i, range) in batch.cuts.enumerated() { chunks.append(batch.digests[i], length: range.count, boundary: batch.boundaries[i]) }
            stats += batch.stats
            total += UInt64(current.fresh)
            progress?(total)
            guard let next = readAhead else { break }
            segment = try next.segment()
        }
        let after = try StatCache.Key(fd: fd, path: path)
        guard before == after, total == before.size else { throw StoreError.fileChanged(path: path) }
        let digest = fileHash.finalize()
        let manifest = chunks.digests.count == 1 ? nil : try storeManifest(chunks)
        let file = StoredFile(digest: digest, size: total, manifest: manifest)
        verifiedManifests.remember(file)  // the digest was computed from the bytes the manifest lists
        return (file, stats)
    }

    private struct BatchResult {
        /// The segment's chunks: the chunker's cuts, with new chunks also cut where a chunk of
        /// the previous version ends inside them.
        var cuts: [Range<Int>] = []
        var digests: [Digest] = []
        var boundaries: [UInt64] = []
        var stats = IngestStatistics()
    }

    /// Hashes the chunks of one segment (and feeds the file hash) in parallel, then compresses
    /// the new ones in parallel, then appends them in order. With a previous version, a new
    /// chunk is cut again wherever one of that version's chunks ends inside it (more than
    /// `margin` bytes from its ends): an edit that moves the chunker's cuts would otherwise leave
    /// a chunk straddling two old chunks, and a delta against one of them stores the other's
    /// part as new bytes.
    private func storeBatch(_ data: UnsafeRawBufferPointer, cuts: [Range<Int>], aligner: DeltaAligner?, margin: Int,
                            fileBytes: UnsafeRawBufferPointer, fileHash: inout StreamingDigest) throws -> BatchResult {
        let digests = UnsafeMutableBufferPointer<Digest>.allocate(capacity: cuts.count)
        defer { digests.deallocate() }
        let shared = SharedHash(fileHash)
        let base = UnsafeRawPointerBox(data)
        let fresh = UnsafeRawPointerBox(fileBytes)
        let out = DigestSlots(digests)
        // Work item 0 advances the whole-file hash while the others hash chunks.
        DispatchQueue.concurrentPerform(iterations: cuts.count + 1) { i in
            if i == 0 { shared.update(fresh.buffer); return }
            let r = cuts[i - 1]
            out.buffer[i - 1] = Digest.of(UnsafeRawBufferPointer(rebasing: base.buffer[r]))
        }
        fileHash = shared.hash
        var result = BatchResult()

        // Decide, in order, which chunks are new and which base each new chunk deltas against.
        var jobs: [(index: Int, base: Digest?)] = []
        var seen = Set<Digest>()
        var offset = 0
        func place(_ r: Range<Int>, _ d: Digest) {
            let boundary = ChunkList.boundaryFingerprint(UnsafeRawBufferPointer(rebasing: data[r]))
            if contains(d) || !seen.insert(d).inserted {
                aligner?.matched(d, atNewOffset: offset)
            } else {
                jobs.append((result.cuts.count, aligner?.base(forNewOffset: offset, length: r.count, boundary: boundary)))
            }
            result.cuts.append(r)
            result.digests.append(d)
            result.boundaries.append(boundary)
            offset += r.count
        }
        for (i, r) in cuts.enumerated() {
            // Only a new chunk of a new version is cut again (without one, no lookup is made twice).
            let inner = aligner.map { aligner in
                contains(digests[i]) || seen.contains(digests[i]) ? [] : aligner.previousEnds(insideNewOffset: offset, length: r.count, margin: margin)
            } ?? []
            guard !inner.isEmpty else {
                place(r, digests[i])
                continue
            }
            for piece in zip([0] + inner, inner + [r.count]).map({ (r.lowerBound + $0.0)..<(r.lowerBound + $0.1) }) {
                place(piece, Digest.of(UnsafeRawBufferPointer(rebasing: data[piece])))
            }
        }
        aligner?.advance(by: offset)
        result.stats.chunks = result.cuts.count

        let newChunks = jobs
        let chunkDigests = result.digests, chunkCuts = result.cuts
        let prepared = PreparedSlots(count: jobs.count)
        let failure = FirstError()
        DispatchQueue.concurrentPerform(iterations: newChunks.count) { j in
            let job = newChunks[j]
            do {
                let deltaBase = try job.base.flatMap { try self.deltaBase($0) }
                let raw = UnsafeRawBufferPointer(rebasing: base.buffer[chunkCuts[job.index]])
                prepared.store(try self.prepare(raw, digest: chunkDigests[job.index], base: deltaBase), at: j)
            } catch {
                failure.record(error)
            }
        }
        try failure.rethrow()
        for chunk in prepared.values() {
            try append(chunk)
            result.stats.newChunks += 1
            result.stats.newStoredBytes += UInt64(chunk.storedLength)
            if chunk.isDelta { result.stats.deltaChunks += 1 }
        }
        return result
    }
}

/// One segment of a streamed file in its buffer: the previous segment's undecided tail
/// (`carried` bytes), then `fresh` bytes read, cut into `cuts`; the bytes after the last cut
/// are the tail the next segment starts with.
private struct Segment: @unchecked Sendable {  // the buffer is written only before the segment is handed over
    let buffer: UnsafeMutableRawBufferPointer
    let carried: Int
    let fresh: Int
    let atEnd: Bool
    let cuts: [Range<Int>]

    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: buffer[0..<(carried + fresh)]) }
    var freshBytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: buffer[carried..<(carried + fresh)]) }
    var tail: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: buffer[(cuts.last?.upperBound ?? 0)..<(carried + fresh)]) }
}

/// Reads a file a segment at a time and cuts each segment into chunks.
private struct SegmentReader: Sendable {
    let fd: Int32
    let path: String
    let chunker: Chunker
    let segmentSize: Int

    /// Fills `buffer` with `tail` (the previous segment's undecided bytes; nil for the first
    /// segment) and the next bytes of the file, and cuts them. The empty file is one empty chunk.
    func read(into buffer: UnsafeMutableRawBufferPointer, tail: UnsafeRawBufferPointer?) throws -> Segment {
        let carried = tail?.count ?? 0
        if let tail, carried > 0 { buffer.baseAddress!.copyMemory(from: tail.baseAddress!, byteCount: carried) }
        let fresh = try FileIO.readSome(fd, into: UnsafeMutableRawBufferPointer(rebasing: buffer[carried..<(carried + segmentSize)]), path: path)
        let atEnd = fresh < segmentSize
        let view = UnsafeRawBufferPointer(rebasing: buffer[0..<(carried + fresh)])
        var cuts: [Range<Int>] = []
        var start = 0
        while let end = chunker.cut(in: view, from: start, atEnd: atEnd) {
            cuts.append(start..<end)
            start = end
        }
        if tail == nil && atEnd && view.isEmpty { cuts = [0..<0] }
        return Segment(buffer: buffer, carried: carried, fresh: fresh, atEnd: atEnd, cuts: cuts)
    }
}

/// A segment read and cut on its own thread while the caller stores the one before it.
private final class ReadAhead: @unchecked Sendable {  // `result` is written before `done` is signalled and read after
    private let reader: SegmentReader
    private let buffer: UnsafeMutableRawBufferPointer
    private let tail: UnsafeRawBufferPointer
    private var result: Result<Segment, Error>?
    private let done = DispatchSemaphore(value: 0)

    /// Starts `reader.read(into: buffer, tail: tail)`; `tail` lies in the other buffer, which
    /// the caller only reads until `segment()` returns.
    init(_ reader: SegmentReader, into buffer: UnsafeMutableRawBufferPointer, tail: UnsafeRawBufferPointer) {
        self.reader = reader
        self.buffer = buffer
        self.tail = tail
        Thread { [self] in
            result = Result { try self.reader.read(into: self.buffer, tail: self.tail) }
            done.signal()
        }.start()
    }

    /// Waits for the read and returns its segment or throws its error.
    func segment() throws -> Segment {
        finish()
        return try result!.get()
    }

    /// Waits for the read (any number of times).
    func finish() {
        done.wait()
        done.signal()
    }
}

/// Picks the delta base of each new chunk among the previous version's chunks: the old chunk
/// that ends with the same bytes (same boundary fingerprint, nearest the expected position), or
/// else the old chunk covering the new chunk's midpoint at the expected position. The expected
/// position is the new offset plus a shift learned from every pairing (an identical chunk or a
/// boundary match), so insertions, deletions and rows that change length keep chunks paired
/// with their old selves anywhere in the file.
final class DeltaAligner: @unchecked Sendable {  // used from one thread at a time
    private let previous: ChunkList
    private let starts: [Int64]
    private var firstIndex: [Digest: Int] = [:]
    private var byBoundary: [UInt64: [Int]] = [:]
    private var shift: Int64 = 0
    private var segmentStart: Int64 = 0

    init(previous: ChunkList) {
        self.previous = previous
        var s: [Int64] = []
        s.reserveCapacity(previous.digests.count + 1)
        var at: Int64 = 0
        for len in previous.lengths { s.append(at); at += Int64(len) }
        s.append(at)
        starts = s
        for (i, d) in previous.digests.enumerated() where firstIndex[d] == nil { firstIndex[d] = i }
        for (i, b) in previous.boundaries.enumerated() where b != 0 { byBoundary[b, default: []].append(i) }
    }

    /// A chunk at `offset` (within the current segment) equals a stored chunk.
    func matched(_ digest: Digest, atNewOffset offset: Int) {
        guard let i = firstIndex[digest] else { return }
        shift = starts[i] - (segmentStart + Int64(offset))
    }

    /// The base for a new chunk of `length` bytes at `offset` with boundary fingerprint `boundary`.
    func base(forNewOffset offset: Int, length: Int, boundary: UInt64) -> Digest? {
        let count = previous.digests.count
        guard count > 0 else { return nil }
        let newEnd = segmentStart + Int64(offset + length)
        if let candidates = byBoundary[boundary] {
            let expectedEnd = newEnd + shift
            let i = candidates.min { abs(starts[$0 + 1] - expectedEnd) < abs(starts[$1 + 1] - expectedEnd) }!
            shift = starts[i + 1] - newEnd
            return previous.digests[i]
        }
        let middle = segmentStart + Int64(offset + length / 2) + shift
        // The last old chunk starting at or before the middle.
        var low = 0, high = count
        while low < high {
            let mid = (low + high) / 2
            if starts[mid] <= middle { low = mid + 1 } else { high = mid }
        }
        return previous.digests[min(max(0, low - 1), count - 1)]
    }

    /// Where the previous version's chunks end strictly inside the new chunk of `length` bytes
    /// at `offset` (at the expected position), more than `margin` bytes from either of its
    /// ends: offsets within the new chunk, ascending.
    func previousEnds(insideNewOffset offset: Int, length: Int, margin: Int) -> [Int] {
        let start = segmentStart + Int64(offset) + shift
        let lower = start + Int64(margin), upper = start + Int64(length - margin)
        guard lower < upper else { return [] }
        // The first old chunk start above `lower`: the end of the chunk before it.
        var low = 0, high = starts.count
        while low < high {
            let mid = (low + high) / 2
            if starts[mid] <= lower { low = mid + 1 } else { high = mid }
        }
        var ends: [Int] = []
        while low < starts.count, starts[low] < upper {
            // Empty old chunks (a damaged or hostile list) would repeat an end: no empty pieces.
            let end = Int(starts[low] - start)
            if end != ends.last { ends.append(end) }
            low += 1
        }
        return ends
    }

    func advance(by bytes: Int) { segmentStart += Int64(bytes) }
}

// Small wrappers that let concurrentPerform iterations write disjoint slots. Each iteration
// writes only its own index, and all writes finish before concurrentPerform returns.

private final class SharedHash: @unchecked Sendable {
    var hash: StreamingDigest
    init(_ hash: StreamingDigest) { self.hash = hash }
    func update(_ bytes: UnsafeRawBufferPointer) { hash.update(bytes) }
}

private struct UnsafeRawPointerBox: @unchecked Sendable {
    let buffer: UnsafeRawBufferPointer
    init(_ buffer: UnsafeRawBufferPointer) { self.buffer = buffer }
}

private struct DigestSlots: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<Digest>
    init(_ buffer: UnsafeMutableBufferPointer<Digest>) { self.buffer = buffer }
}

final class PreparedSlots: @unchecked Sendable {
    private var slots: [ObjectStore.PreparedChunk?]
    private let lock = NSLock()
    init(count: Int) { slots = Array(repeating: nil, count: count) }
    func store(_ chunk: ObjectStore.PreparedChunk, at i: Int) { lock.withLock { slots[i] = chunk } }
    func values() -> [ObjectStore.PreparedChunk] { slots.compactMap { $0 } }
}

/// Keeps the first error thrown by parallel work.
final class FirstError: @unchecked Sendable {
    private let lock = NSLock()
    private var error: Error?
    func record(_ e: Error) { lock.withLock { if error == nil { error = e } } }
    func rethrow() throws { if let error = lock.withLock({ error }) { throw error } }
}
