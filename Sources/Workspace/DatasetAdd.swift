import BlobStore
import Foundation
import GitRepo
import Records

/// The outcome of `git ml data add`.
public struct AddResult: Sendable {
    public let version: DatasetVersion
    /// False when the content equals the latest version, which is then reused.
    public let created: Bool
    public let statistics: IngestStatistics
}

extension Project {
    /// Stores the file or directory at `relativePath` (relative to the root) as a new version of
    /// dataset `name`, pins it in ml/lock.json and git-ignores the data path.
    ///
    /// Order of durability: chunks and manifests are sealed in packs first, then the version
    /// commit is written and its ref created (atomically: of two concurrent adds, one gets vN
    /// and the other retries as vN+1 — or reuses vN when the content is the same), then the
    /// lock is updated. A crash at any point leaves older versions intact and at worst some
    /// unreferenced chunks for `git ml gc`.
    public func addDataset(relativePath: String, name: String, progress: (@Sendable (UInt64, UInt64) -> Void)? = nil) throws -> AddResult {
        guard DatasetRecord.isValidName(name) else { throw WorkspaceError.invalidName(name) }
        try Project.checkDataPath(relativePath)
        let absolute = root + "/" + relativePath
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: absolute, isDirectory: &isDirectory) else {
            throw WorkspaceError.pathNotFound(relativePath)
        }
        return try withStoreLock(.shared) {

            let previous = try latestVersion(of: name)
            var previousChunks: [String: ChunkList] = [:]
            if let previous, previous.record.purged == nil {
                for file in previous.record.files {
                    previousChunks[file.path] = try? store.chunkList(of: try Project.storedFile(file))
                }
            }
            let files = isDirectory.boolValue ? try Project.listFiles(in: absolute) : [""]
            for file in files where !file.isEmpty { try Project.checkDataPath(relativePath + "/" + file) }
            let stats = StatCache(layout: layout)
            var statistics = IngestStatistics()
            // Every key is taken after `stats` began and before the file's bytes are read: a key
            // remembered with the digest read later is trusted only if the file had not changed
            // for 2 s before then (`StatCache.Key.isRacy`); a later change gives the file another key.
            let paths = files.map { $0.isEmpty ? absolute : absolute + "/" + $0 }
            // Small files (one chunk each) are stored by the parallel batch path; larger ones stream.
            let small = try wrapping { try store.ingestSmallFiles(paths) }
            var stored: [(StoredFile, IngestStatistics, StatCache.Key?)?] = small.map { $0.map { ($0.stored, $0.statistics, $0.key) } }
            var done = small.reduce(0) { $0 + ($1?.stored.size ?? 0) }
            let large = small.indices.filter { small[$0] == nil }
            let largeKeys = large.map { StatCache.key(of: paths[$0]) }
            let totalBytes = largeKeys.reduce(done) { $0 &+ ($1?.size ?? 0) }
            progress?(done, totalBytes)
            for (index, key) in zip(large, largeKeys) {
                let before = done
                let (file, fileStatistics) = try wrapping {
                    try store.ingest(path: paths[index], previous: previousChunks[files[index]]) { n in progress?(before + n, totalBytes) }
                }
                stored[index] = (file, fileStatistics, key)
                done += file.size
            }
            var recordFiles: [DatasetRecord.File] = []
            recordFiles.reserveCapacity(files.count)
            for (file, entry) in zip(files, stored) {
                let (s, fileStats, key) = entry!
                statistics += fileStats
                if let key { stats.remember(relativePath + (file.isEmpty ? "" : "/" + file), key: key, digest: s.digest) }
                recordFiles.append(DatasetRecord.File(path: file, digest: s.digest.description, size: s.size, manifest: s.manifest?.description))
            }
            let digest = isDirectory.boolValue ? DatasetRecord.directoryDigest(recordFiles) : recordFiles[0].digest
            let now = Date()
            /// What the latest version asks for: reuse it (same content, same path), or publish a
            /// new record whose commit is written and whose ref is still to be created.
            enum Step { case reuse(DatasetVersion), publish(DatasetRecord, ObjectID) }
            func nextStep() throws -> Step {
                let latest = try latestVersion(of: name)
                // The same bytes at another path are a new version: a record says where its data lives.
                if let latest, latest.record.digest == digest, latest.record.path == relativePath, latest.record.purged == nil {
                    return .reuse(latest)
                }
                let record = DatasetRecord(
                    name: name, version: (latest?.record.version ?? 0) + 1, digest: digest, size: done, path: relativePath,
                    isDirectory: isDirectory.boolValue, files: recordFiles, parent: latest?.record.digest,
                    createdBy: actor(), createdAt: timestamp(now))
                return .publish(record, try writeVersionCommit(record, parent: latest?.commit, message: "dataset \(record.label)\n", time: now))
            }
            // The packs are sealed on another thread while the stat cache is saved and the record's
            // commit written: nothing refers to that commit until its ref, created after the seal.
            var step = try wrapping {
                try store.flush(overlapping: {
                    stats.save()
                    return try nextStep()
                })
            }
            let version: DatasetVersion
            let created: Bool
            publishing: while true {
                switch step {
                case .reuse(let latest):
                    (version, created) = (latest, false)
                    break publishing
                case .publish(let record, let commit):
                    FaultPoint.reach("add.stored-before-ref")
                    do throws(GitError) {
                        try repository.createRef(DatasetVersion.ref(name: name, version: record.version), target: commit,
                                                 message: "git ml data add \(record.label)")
                    } catch {
                        guard case .refExists = error else { throw WorkspaceError.git(error) }
                        step = try nextStep()  // another process took this number: look again
                        continue publishing
                    }
                    (version, created) = (DatasetVersion(record: record, commit: commit), true)
                    break publishing
                }
            }
            let record = version.record
            try updateLock { lock in
                lock.datasets[name] = Lock.LockedDataset(version: record.version, digest: record.digest, size: record.size, path: relativePath)
            }
            try ignoreDataPath(relativePath)
            return AddResult(version: version, created: created, statistics: statistics)
        }
    }

    /// A path `git ml data add` may record: what every checkout will accept (`WorkTreePath`).
    static func checkDataPath(_ relativePath: String) throws {
        do {
            _ = try WorkTreePath(validating: relativePath)
        } catch {
            throw WorkspaceError.invalidDataPath(relativePath, reason: "\(error)")
        }
    }

    /// Writes a version commit whose tree holds the record (refused unless its paths are valid).
    func writeVersionCommit(_ record: DatasetRecord, parent: ObjectID?, message: String, time: Date) throws -> ObjectID {
        try wrapping {
            _ = try record.locations()
            let blob = try repository.writeBlob(CanonicalJSON.prettyBytes(record.json))
            let tree = try repository.writeTree([TreeFile(name: DatasetVersion.recordFile, blob: blob)])
            return try repository.writeCommit(tree: tree, parents: parent.map { [$0] } ?? [], message: message,
                                              signature: signature(time))
        }
    }

    /// Regular files under `directory`, relative and sorted; skips `.git` and symbolic links
    /// (see `ConfinedDirectory.listFiles`).
    static func listFiles(in directory: String, sorted: Bool = true) throws -> [String] {
        guard let folder = try? ConfinedDirectory.open(root: directory, create: false) else { throw WorkspaceError.pathNotFound(directory) }
        return try wrapping { try folder.listFiles(sorted: sorted) }
    }

    /// Adds `/<path>` to the root .gitignore unless a line already names it (under a file lock,
    /// so concurrent adds of different paths keep each other's lines).
    func ignoreDataPath(_ relativePath: String) throws {
        try wrapping {
            try FileLock.withLock(path: layout.locks + "/gitignore", mode: .exclusive) {
                let existing = (try? String(contentsOfFile: root + "/.gitignore", encoding: .utf8)) ?? ""
                guard !existing.split(separator: "\n").contains(where: { $0 == relativePath }) else { return }
                _ = try Project.appendLine("/" + relativePath, to: root + "/.gitignore", layout: layout)
            }
        }
    }
}
