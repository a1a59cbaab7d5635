import Dispatch
import Foundation
import Platform

extension ObjectStore {
    /// Writes the exact bytes of `file` to `path` (a trusted path: its folders are created and
    /// links in it followed); see `restore(_:into:name:progress:)`.
    public func restore(_ file: StoredFile, to path: String, progress: (@Sendable (UInt64) -> Void)? = nil) throws {
        let parent = (path as NSString).deletingLastPathComponent
        let directory = parent.isEmpty ? "." : parent
        try FileIO.makeDirectory(directory)
        try restore(file, into: try ConfinedDirectory.open(root: directory, create: false),
                    name: (path as NSString).lastPathComponent, progress: progress)
    }

    /// Writes the exact bytes of `file` as `name` in `directory`: chunks are decoded and verified
    /// against their digests on all cores, written to a new temp file there (created with
    /// `O_EXCL | O_NOFOLLOW`), and renamed over `name` — a reader never sees a half-written file,
    /// a damaged chunk fails the restore before anything is replaced, and a symbolic link at
    /// `name` is replaced, never written through. Every chunk and manifest node is verified; the
    /// whole file is hashed only the first time this store restores its (manifest, digest) pair
    /// without having computed it (`VerifiedManifests`), and refused when it is not the digest.
    public func restore(_ file: StoredFile, into directory: ConfinedDirectory, name: String,
                        progress: (@Sendable (UInt64) -> Void)? = nil) throws {
        let chunks = try chunkList(of: file)
        guard chunks.totalBytes == file.size else {
            throw StoreError.corruptObject(file.root, detail: "manifest covers \(chunks.totalBytes) bytes, record says \(file.size)")
        }
        let tempName = ".gitml-restore-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
        let temp = directory.path + "/" + tempName
        let fd = try directory.createFile(tempName)
        var closed = false
        defer {
            if !closed { close(fd); try? directory.removeFile(tempName) }
        }
        if ftruncate(fd, off_t(file.size)) != 0 { throw FileIO.error(temp, "resize") }
        var starts: [Int] = []
        starts.reserveCapacity(chunks.digests.count)
        var at = 0
        for length in chunks.lengths { starts.append(at); at += Int(length) }
        // Workers decode chunks and write each at its offset: no sequential write stage.
        // Batches only pace the progress reports.
        let batch = 512
        let digests = chunks.digests, lengths = chunks.lengths, offsets = starts
        for first in stride(from: 0, to: digests.count, by: batch) {
            let range = first..<min(first + batch, digests.count)
            let failure = FirstError()
            DispatchQueue.concurrentPerform(iterations: range.count) { k in
                let i = range.lowerBound + k
                do {
                    let raw = try [UInt8](writingAll: Int(lengths[i])) { try self.decodeChunk(digests[i], length: lengths[i], into: $0) }
                    try raw.withUnsafeBytes { try FileIO.write(fd, $0, at: offsets[i], path: temp) }
                } catch {
                    failure.record(error)
                }
            }
            try failure.rethrow()
            progress?(UInt64(offsets[range.upperBound - 1] + Int(lengths[range.upperBound - 1])))
        }
        // Chunks and nodes are verified; that they make the file the record names is checked once
        // per (manifest, digest) pair this store has not seen (a record from elsewhere may lie).
        if !verifiedManifests.contains(file) {
            let actual = try Digest.ofFile(atPath: temp)
            guard actual == file.digest else { throw StoreError.assemblyMismatch(file, actual: actual) }
            verifiedManifests.remember(file)
        }
        if fchmod(fd, 0o644) != 0 { throw FileIO.error(temp, "chmod") }
        close(fd)
        closed = true
        do {
            try directory.rename(tempName, to: name)
        } catch {
            try? directory.removeFile(tempName)
            throw error
        }
    }
}

extension ObjectStore {
    /// The chunks of a stored file, in order. A file without a manifest is one chunk, whose
    /// length is the size its record claims: a claim past a chunk's 32-bit length, or one the
    /// stored chunk (when it is here) does not have, is `recordMismatch` — the record is
    /// damaged or forged.
    public func chunkList(of file: StoredFile) throws -> ChunkList {
        if let manifest = file.manifest { return try loadManifest(manifest) }
        guard file.size <= UInt64(UInt32.max) else {
            throw StoreError.recordMismatch(file.digest, detail: "a file of one chunk holds at most \(UInt32.max) bytes, record says \(file.size)")
        }
        if let (entry, _) = locate(file.digest), UInt64(entry.rawLength) != file.size {
            throw StoreError.recordMismatch(file.digest, detail: "stored length \(entry.rawLength), record says \(file.size)")
        }
        var single = ChunkList()
        single.append(file.digest, length: Int(file.size))
        return single
    }
}

