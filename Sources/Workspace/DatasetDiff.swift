import BlobStore
import Records

/// How two versions of a dataset differ at the level of files and bytes. (Row-, schema- and
/// drift-level differences of tabular data are computed by the Contracts module.)
public struct DatasetVersionDiff: Sendable {
    public struct ChangedFile: Sendable {
        public let path: String
        public let oldSize: UInt64
        public let newSize: UInt64
        /// Bytes of the new file held in chunks the old file also has.
        public let sharedBytes: UInt64
    }

    public let old: DatasetRecord
    public let new: DatasetRecord
    public var added: [DatasetRecord.File] = []
    public var removed: [DatasetRecord.File] = []
    public var changed: [ChangedFile] = []
    public var unchangedCount = 0
}

extension Project {
    /// Compares two versions file by file; for changed files, counts the bytes in shared chunks.
    public func diffDatasets(_ old: DatasetVersion, _ new: DatasetVersion) throws -> DatasetVersionDiff {
        var diff = DatasetVersionDiff(old: old.record, new: new.record)
        let before = Dictionary(old.record.files.map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a })
        let after = Dictionary(new.record.files.map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a })
        for (path, file) in after.sorted(by: { $0.key < $1.key }) {
            guard let previous = before[path] else { diff.added.append(file); continue }
            if previous.digest == file.digest { diff.unchangedCount += 1; continue }
            var shared: UInt64 = 0
            if old.record.purged == nil, new.record.purged == nil {
                let a = try wrapping { try store.chunkList(of: try Project.storedFile(previous)) }
                let b = try wrapping { try store.chunkList(of: try Project.storedFile(file)) }
                let oldChunks = Set(a.digests)
                for (d, len) in zip(b.digests, b.lengths) where oldChunks.contains(d) { shared += UInt64(len) }
            }
            diff.changed.append(.init(path: path, oldSize: previous.size, newSize: file.size, sharedBytes: shared))
        }
        diff.removed = before.filter { after[$0.key] == nil }.map(\.value).sorted { $0.path < $1.path }
        return diff
    }
}
