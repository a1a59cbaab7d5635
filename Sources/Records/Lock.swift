/// `ml/lock.json`: the dataset versions (and, later, runs) a commit of the project uses.
/// Written by GitML, reviewed in pull requests, merged by `git ml merge-driver`.
/// Top-level sections this build does not know are kept as they are.
public struct Lock: Equatable, Sendable {
    public static let formatVersion = 1

    /// A dataset pinned by the lock.
    public struct LockedDataset: Equatable, Sendable {
        public var version: Int
        public var digest: String
        public var size: UInt64
        public var path: String

        public init(version: Int, digest: String, size: UInt64, path: String) {
            self.version = version
            self.digest = digest
            self.size = size
            self.path = path
        }

        var json: JSONValue {
            ["version": .string("v\(version)"), "digest": .string(digest), "size": .number(Double(size)), "path": .string(path)]
        }
    }

    public var datasets: [String: LockedDataset]
    /// Sections owned by other parts of GitML (runs, suites), kept verbatim.
    public var otherSections: [String: JSONValue]

    public init(datasets: [String: LockedDataset] = [:], otherSections: [String: JSONValue] = [:]) {
        self.datasets = datasets
        self.otherSections = otherSections
    }

    public var json: JSONValue {
        var o = otherSections
        o["format_version"] = .number(Double(Lock.formatVersion))
        o["datasets"] = .object(datasets.mapValues(\.json))
        return .object(o)
    }

    /// The file's text: canonical key order and numbers, one member per line.
    public var text: String { CanonicalJSON.pretty(json) }

    /// Parses the lock's text.
    public init(text: String) throws(RecordError) {
        let value: JSONValue
        do { value = try CanonicalJSON.parse(text) } catch { throw RecordError(record: "ml/lock.json", reason: "\(error)") }
        let r = try FieldReader(value, record: "ml/lock.json")
        try r.requireVersion(Lock.formatVersion)
        var datasets: [String: LockedDataset] = [:]
        for (name, entry) in try r.objectField("datasets") {
            let e = try FieldReader(entry, record: "ml/lock.json dataset \(name)")
            let label = try e.string("version")
            guard label.hasPrefix("v"), let n = Int(label.dropFirst()) else { throw e.fail("version", "must look like v3") }
            datasets[name] = LockedDataset(version: n, digest: try e.string("digest"), size: UInt64(try e.int("size")),
                                           path: try e.string("path"))
        }
        self.datasets = datasets
        otherSections = r.object.filter { $0.key != "datasets" && $0.key != "format_version" }
    }

    /// Three-way merge of two locks that diverged from `base`: an entry changed on one side
    /// only takes that side; an entry changed identically on both takes it; an entry changed
    /// differently on both sides is a conflict, listed by key (the result keeps `ours` there).
    public static func merge(base: Lock, ours: Lock, theirs: Lock) -> (merged: Lock, conflicts: [String]) {
        let (datasets, c1) = mergeMaps(base.datasets, ours.datasets, theirs.datasets)
        let (others, c2) = mergeMaps(base.otherSections, ours.otherSections, theirs.otherSections)
        return (Lock(datasets: datasets, otherSections: others), (c1.map { "datasets.\($0)" } + c2).sorted())
    }

    private static func mergeMaps<V: Equatable>(_ base: [String: V], _ ours: [String: V], _ theirs: [String: V]) -> ([String: V], [String]) {
        var merged: [String: V] = [:]
        var conflicts: [String] = []
        for key in Set(base.keys).union(ours.keys).union(theirs.keys) {
            let b = base[key], o = ours[key], t = theirs[key]
            if o == t { merged[key] = o; continue }
            if o == b { merged[key] = t; continue }
            if t == b { merged[key] = o; continue }
            conflicts.append(key)
            merged[key] = o
        }
        return (merged, conflicts)
    }
}
