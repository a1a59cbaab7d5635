import BlobStore
import Foundation
import Records

/// How a locked dataset's working-tree copy compares with its locked version.
public struct DatasetStatus: Sendable, Equatable {
    public enum State: String, Sendable {
        /// Every file has the locked bytes.
        case upToDate = "up to date"
        /// At least one file differs, or files were added to a directory dataset.
        case modified
        /// The data path is absent (run `git ml data checkout`).
        case missing
        /// The lock names a version that has no record here (fetch it with `git ml pull`).
        case unknownVersion = "unknown version"
    }

    public let name: String
    public let version: Int
    public let path: String
    public let state: State
    /// Files that differ, are missing or are new (directory datasets), relative to the data path.
    public let changedFiles: [String]
}

extension Project {
    /// The status of every dataset in ml/lock.json, by name. Uses the stat cache, so files
    /// untouched since they were added or checked out are not read.
    public func datasetStatus() throws -> [DatasetStatus] {
        let lock = try readLock()
        let cache = StatCache(layout: layout)  // its `startedAt` precedes every stat below
        defer { cache.save() }
        var out: [DatasetStatus] = []
        for (name, locked) in lock.datasets.sorted(by: { $0.key < $1.key }) {
            let snapshotFile = CleanSnapshot.path(layout: layout, name: name)
            if let snapshot = CleanSnapshot.load(snapshotFile), snapshot.digest == locked.digest, snapshot.path == locked.path {
                var isDirectory: ObjCBool = false
                let base = root + "/" + locked.path
                if FileManager.default.fileExists(atPath: base, isDirectory: &isDirectory),
                   snapshot.isUnchanged(base: base, isDirectory: isDirectory.boolValue) {
                    out.append(DatasetStatus(name: name, version: locked.version, path: locked.path, state: .upToDate, changedFiles: []))
                    continue
                }
            }
            guard let version = try lockedVersion(of: name, locked) else {
                out.append(DatasetStatus(name: name, version: locked.version, path: locked.path, state: .unknownVersion, changedFiles: []))
                continue
            }
            let record = version.record
            let base = root + "/" + record.path
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: base, isDirectory: &isDirectory) else {
                out.append(DatasetStatus(name: name, version: record.version, path: record.path, state: .missing, changedFiles: []))
                continue
            }
            var changed: [String] = []
            for file in record.files {
                let path = file.path.isEmpty ? base : base + "/" + file.path
                let relative = file.path.isEmpty ? record.path : record.path + "/" + file.path
                let expected = try Project.storedFile(file).digest
                if try currentDigest(of: path, relative: relative, cache: cache) != expected { changed.append(file.path) }
            }
            if record.isDirectory {
                let known = Set(record.files.map(\.path))
                changed += try Project.listFiles(in: base, sorted: false).filter { !known.contains($0) }
            }
            out.append(DatasetStatus(name: name, version: record.version, path: record.path,
                                     state: changed.isEmpty ? .upToDate : .modified, changedFiles: changed.sorted()))
            if changed.isEmpty { saveCleanSnapshot(record, to: snapshotFile, startedAt: cache.startedAt) }
        }
        return out
    }

    /// Remembers the stat keys of a dataset found up to date, unless a file or folder is racily
    /// clean: changed within `StatCache.racyWindow` before this status began, or since.
    private func saveCleanSnapshot(_ record: DatasetRecord, to file: String, startedAt: Int64) {
        guard let snapshot = CleanSnapshot.capture(digest: record.digest, path: record.path, base: root + "/" + record.path,
                                                   isDirectory: record.isDirectory, files: record.files.map(\.path),
                                                   startedAt: startedAt) else { return }
        try? FileIO.writeAtomically(snapshot.encode(), to: file, temporaryDirectory: layout.tmp)
    }
}
