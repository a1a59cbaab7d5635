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

    /// A suite's candidate on this branch: the run `git mlcommit` committed for it, with its
    /// headline metric so that reviews need not open the record.
    public struct SuiteCandidate: Equatable, Sendable {
        public var run: String
        public var experiment: String
        /// The primary metric's name and value as the run recorded them.
        public var metric: String
        public var value: Double
        /// The run was committed with `--allow-dirty` (its code was dirty or is not HEAD's).
        public var allowedDirty: Bool

        public init(run: String, experiment: String, metric: String, value: Double, allowedDirty: Bool) {
            self.run = run
            self.experiment = experiment
            self.metric = metric
            self.value = value
            self.allowedDirty = allowedDirty
        }

        var json: JSONValue {
            ["run": .string(run), "experiment": .string(experiment), "metric": .string(metric), "value": .number(value),
             "allowed_dirty": .bool(allowedDirty)]
        }
    }

    public var datasets: [String: LockedDataset]
    /// Suite name → this branch's candidate run (the champion lives in the promotion chain).
    public var suites: [String: SuiteCandidate]
    /// Sections owned by other parts of GitML, kept verbatim.
    public var otherSections: [String: JSONValue]

    public init(datasets: [String: LockedDataset] = [:], suites: [String: SuiteCandidate] = [:],
                otherSections: [String: JSONValue] = [:]) {
        self.datasets = datasets
        self.suites = suites
        self.otherSections = otherSections
    }

    public var json: JSONValue {
        var o = otherSections
        o["format_version"] = .number(Double(Lock.formatVersion))
        o["datasets"] = .object(datasets.mapValues(\.json))
        if !suites.isEmpty { o["suites"] = .object(suites.mapValues(\.json)) }
        return .object(o)
    }

    /// The file's text: canonical key order and numbers, one member per line.
    public var text: String { CanonicalJSON.pretty(json) }

    /// Parses the lock file's bytes: UTF-8 (invalid UTF-8 is an error, never repaired), then as
    /// `init(text:)`.
    public init(bytes: [UInt8]) throws(RecordError) {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw RecordError(record: "ml/lock.json", reason: "is not valid UTF-8; restore it from git (`git checkout -- ml/lock.json`) or fix it by hand")
        }
        try self.init(text: text)
    }

    /// Parses the lock's text.
    public init(text: String) throws(RecordError) {
        let value: JSONValue
        do { value = try CanonicalJSON.parse(text) } catch { throw RecordError(record: "ml/lock.json", reason: "\(error)") }
        let r = try FieldReader(value, record: "ml/lock.json")
        try r.requireVersion(Lock.formatVersion)
        var datasets: [String: LockedDataset] = [:]
        for (name, entry) in try r.objectField("datasets") {
            guard DatasetRecord.isValidName(name) else {
                throw RecordError(record: "ml/lock.json", reason: "dataset \(quoted(name)) is not a valid dataset name; fix or remove the entry")
            }
            let e = try FieldReader(entry, record: "ml/lock.json dataset \(name)")
            let label = try e.string("version")
            guard label.hasPrefix("v"), let n = Int(label.dropFirst()) else { throw e.fail("version", "must look like v3") }
            let path = try e.string("path")
            do {
                _ = try WorkTreePath(validating: path)
            } catch {
                throw e.fail("path", "is \(quoted(path)), which \(error); fix or remove the entry by hand (`git ml data show \(name)@v\(n)` shows where the version lives)")
            }
            let digest = try e.string("digest")
            guard CanonicalJSON.isDigest(digest) else { throw e.fail("digest", "is \(quoted(digest)), not sha256: and 64 lowercase hex digits") }
            datasets[name] = LockedDataset(version: n, digest: digest, size: try e.byteCount("size"), path: path)
        }
        self.datasets = datasets
        var suites: [String: SuiteCandidate] = [:]
        if r.object["suites"] != nil {
            for (name, entry) in try r.objectField("suites") {
                let e = try FieldReader(entry, record: "ml/lock.json suite \(name)")
                guard let value = e.object["value"]?.doubleValue else { throw e.fail("value", "must be a number") }
                // A run id names files and refs (`ml/runs/<hex>.json`, `refs/ml/runs/<hex>`): nothing else passes.
                let run = try e.string("run")
                guard CanonicalJSON.isDigest(run) else { throw e.fail("run", "is \(quoted(run)), not a run id (sha256: and 64 lowercase hex digits)") }
                suites[name] = SuiteCandidate(run: run, experiment: try e.string("experiment"), metric: try e.string("metric"),
                                              value: value, allowedDirty: e.object["allowed_dirty"]?.boolValue ?? false)
            }
        }
        self.suites = suites
        otherSections = r.object.filter { !["datasets", "suites", "format_version"].contains($0.key) }
    }

    /// Three-way merge of two locks that diverged from `base`: an entry changed on one side
    /// only takes that side; an entry changed identically on both takes it; an entry changed
    /// differently on both sides is a conflict, listed by key (the result keeps `ours` there).
    public static func merge(base: Lock, ours: Lock, theirs: Lock) -> (merged: Lock, conflicts: [String]) {
        let (datasets, c1) = mergeMaps(base.datasets, ours.datasets, theirs.datasets)
        let (suites, c2) = mergeMaps(base.suites, ours.suites, theirs.suites)
        let (others, c3) = mergeMaps(base.otherSections, ours.otherSections, theirs.otherSections)
        return (Lock(datasets: datasets, suites: suites, otherSections: others),
                (c1.map { "datasets.\($0)" } + c2.map { "suites.\($0)" } + c3).sorted())
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
