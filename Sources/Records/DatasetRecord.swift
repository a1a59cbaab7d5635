/// One version of a dataset: what `refs/ml/datasets/<name>/v<N>` holds (as `dataset.json` in
/// the tree of the ref's commit). Identity is `digest`; `version` is a label.
///
/// `digest` is the SHA-256 of the file for a single-file dataset (so `sha256sum` verifies it)
/// and of the canonical JSON of the file list for a directory (see docs/FORMAT.md).
public struct DatasetRecord: Equatable, Sendable {
    public static let formatVersion = 1

    /// One stored file of the dataset.
    public struct File: Equatable, Sendable {
        /// Relative to the dataset path (empty for a single-file dataset).
        public var path: String
        public var digest: String
        public var size: UInt64
        /// The manifest root, or nil for a single-chunk file.
        public var manifest: String?

        public init(path: String, digest: String, size: UInt64, manifest: String?) {
            self.path = path
            self.digest = digest
            self.size = size
            self.manifest = manifest
        }
    }

    /// Why and when a version's bytes were deliberately removed.
    public struct Purge: Equatable, Sendable {
        public var at: String
        public var by: String
        public var reason: String
        public init(at: String, by: String, reason: String) {
            self.at = at
            self.by = by
            self.reason = reason
        }
    }

    public var name: String
    public var version: Int
    public var digest: String
    public var size: UInt64
    /// Where the data lives in the working tree, relative to the repository root.
    public var path: String
    /// True when `path` is a directory.
    public var isDirectory: Bool
    public var files: [File]
    /// The digest of the previous version, if any.
    public var parent: String?
    public var createdBy: String
    /// RFC 3339 UTC time.
    public var createdAt: String
    public var purged: Purge?

    public init(name: String, version: Int, digest: String, size: UInt64, path: String, isDirectory: Bool,
                files: [File], parent: String?, createdBy: String, createdAt: String, purged: Purge? = nil) {
        self.name = name
        self.version = version
        self.digest = digest
        self.size = size
        self.path = path
        self.isDirectory = isDirectory
        self.files = files
        self.parent = parent
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.purged = purged
    }

    /// `name@vN`.
    public var label: String { "\(name)@v\(version)" }

    /// Dataset names: letters, digits, '.', '_', '-', starting with a letter or digit, at most
    /// 100 characters, no `..`, not ending in `.lock` — so a name is safe in a ref name and as a
    /// file name.
    public static func isValidName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first.isASCII, first.properties.isAlphabetic || ("0"..."9").contains(first) else {
            return false
        }
        return name.count <= 100 && name.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || "._-".unicodeScalars.contains($0)
        } && !name.contains("..") && !name.hasSuffix(".lock")
    }

    /// Where each of `files` lives, in order, relative to the work tree root: the paths a
    /// checkout writes. Checks the record's name, `path` and every `files[i].path` first (a
    /// single-file record has one file with an empty path; a directory record's file paths are
    /// `WorkTreePath`s relative to `path`); the error names the version and the field.
    public func locations() throws(RecordError) -> [WorkTreePath] {
        guard DatasetRecord.isValidName(name) else {
            throw RecordError(record: "dataset record", reason: "field \"name\" is \(quoted(name)): not a valid dataset name; \(DatasetRecord.refusal)")
        }
        let base = try location()
        guard isDirectory else {
            guard files.count == 1, files[0].path.isEmpty else {
                throw pathError("files", "must hold one file with an empty path for a single-file dataset")
            }
            return [base]
        }
        var out: [WorkTreePath] = []
        out.reserveCapacity(files.count)
        for (i, file) in files.enumerated() { out.append(base.appending(try checkedFilePath(file.path, index: i))) }
        return out
    }

    /// The record's `path` (the file, or the folder of a directory dataset), checked.
    public func location() throws(RecordError) -> WorkTreePath {
        do { return try WorkTreePath(validating: path) } catch { throw pathError("path", "is \(quoted(path)), which \(error)") }
    }

    private func checkedFilePath(_ text: String, index: Int) throws(RecordError) -> WorkTreePath {
        do { return try WorkTreePath(validating: text) } catch { throw pathError("files[\(index)].path", "is \(quoted(text)), which \(error)") }
    }

    private func pathError(_ field: String, _ what: String) -> RecordError {
        RecordError(record: "dataset record \(label)", reason: "field \"\(field)\" \(what); \(DatasetRecord.refusal)")
    }

    /// What to do about a record refused for its paths.
    static let refusal = "GitML refuses this record and writes nothing for it: delete its ref (`git update-ref -d <ref>`, "
        + "`git ml fsck` lists it) and ask its author to publish the data again under a path inside the work tree"

    /// The digest of a directory dataset: SHA-256 of the canonical JSON list of its files,
    /// sorted by path, each `{"digest", "path", "size"}` (docs/FORMAT.md). Written here member
    /// by member in canonical order, without building the JSON values: a record of a million
    /// files is checked each time it is read.
    public static func directoryDigest(_ files: [File]) -> String {
        let sorted = zip(files, files.dropFirst()).allSatisfy { $0.path < $1.path } ? files : files.sorted { $0.path < $1.path }
        var bytes: [UInt8] = [UInt8(ascii: "[")]
        bytes.reserveCapacity(files.count * 128 + 2)
        for (i, file) in sorted.enumerated() {
            bytes.append(contentsOf: (i == 0 ? "{\"digest\":" : ",{\"digest\":").utf8)
            CanonicalJSON.appendString(file.digest, to: &bytes)
            bytes.append(contentsOf: ",\"path\":".utf8)
            CanonicalJSON.appendString(file.path, to: &bytes)
            bytes.append(contentsOf: ",\"size\":".utf8)
            bytes.append(contentsOf: CanonicalJSON.formatNumber(Double(file.size)).utf8)
            bytes.append(UInt8(ascii: "}"))
        }
        bytes.append(UInt8(ascii: "]"))
        return CanonicalJSON.digest(ofEncoded: bytes)
    }

    public var json: JSONValue {
        var o: [String: JSONValue] = [
            "format_version": .number(Double(DatasetRecord.formatVersion)),
            "kind": "dataset",
            "name": .string(name),
            "version": .number(Double(version)),
            "digest": .string(digest),
            "size": .number(Double(size)),
            "path": .string(path),
            "type": .string(isDirectory ? "directory" : "file"),
            "files": .array(files.map { f in
                var e: [String: JSONValue] = ["path": .string(f.path), "digest": .string(f.digest), "size": .number(Double(f.size))]
                if let m = f.manifest { e["manifest"] = .string(m) }
                return .object(e)
            }),
            "parent": parent.map(JSONValue.string) ?? .null,
            "created_by": .string(createdBy),
            "created_at": .string(createdAt),
        ]
        if let purged { o["purged"] = ["at": .string(purged.at), "by": .string(purged.by), "reason": .string(purged.reason)] }
        return .object(o)
    }

    public init(json: JSONValue) throws(RecordError) {
        let r = try FieldReader(json, record: "dataset record")
        try r.requireVersion(DatasetRecord.formatVersion)
        guard try r.string("kind") == "dataset" else { throw r.fail("kind", "must be \"dataset\"") }
        name = try r.string("name")
        version = try r.int("version")
        digest = try r.string("digest")
        size = try r.byteCount("size")
        path = try r.string("path")
        isDirectory = try r.string("type") == "directory"
        var files: [File] = []
        for item in try r.array("files") {
            let f = try FieldReader(item, record: "dataset record file")
            files.append(File(path: try f.string("path"), digest: try f.string("digest"), size: try f.byteCount("size"),
                              manifest: try f.optionalString("manifest")))
        }
        self.files = files
        parent = try r.optionalString("parent")
        createdBy = try r.string("created_by")
        createdAt = try r.string("created_at")
        if r.object["purged"] != nil {
            let p = try FieldReader(.object(try r.objectField("purged")), record: "dataset record purge")
            purged = Purge(at: try p.string("at"), by: try p.string("by"), reason: try p.string("reason"))
        } else {
            purged = nil
        }
        _ = try locations()
        try checkIdentity()
    }

    /// The record's `digest` and `size` are its files': a file dataset's are its file's, a
    /// directory's its `directoryDigest` and the files' total. The lock, runs and the gate know
    /// a version by its digest while checkout writes its files' bytes, so a record whose
    /// identity says other than its files (a forged record claiming a trusted version's digest
    /// over other data) is refused when read.
    private func checkIdentity() throws(RecordError) {
        let expected = isDirectory ? DatasetRecord.directoryDigest(files) : files[0].digest
        var total: UInt64 = 0
        for file in files {
            let (sum, overflow) = total.addingReportingOverflow(file.size)
            guard !overflow else { throw identityError("files", "hold more than \(UInt64.max) bytes in all") }
            total = sum
        }
        guard digest == expected else { throw identityError("digest", "is \(digest), but its files' digest is \(expected)") }
        guard size == total else { throw identityError("size", "is \(size), but its files hold \(total) bytes") }
    }

    private func identityError(_ field: String, _ what: String) -> RecordError {
        RecordError(record: "dataset record \(label)", reason: "field \"\(field)\" \(what): the record is damaged or forged; "
            + "GitML refuses it: delete its ref (`git update-ref -d <ref>`, `git ml fsck` lists it) and ask its author to publish the data again")
    }
}
