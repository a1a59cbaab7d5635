import BlobStore
import Contracts
import Foundation
import Records
import Tables

/// Tabular views of dataset versions: read a version as a table, its profile, validation
/// against its contract, and row-level diffs. Results that depend only on content are cached
/// in `.git/ml/cache` by digest, so asking again about unchanged data costs nothing.
extension Project {
    /// File names GitML reads as tables (`TableFile.isTabular`: CSV, TSV, JSON Lines, each
    /// maybe gzip or zstd compressed, and Parquet).
    public static func isTabular(_ path: String) -> Bool { TableFile.isTabular(path) }

    /// Whether a version reads as a table: a single file `isTabular(_:)` accepts, or a
    /// directory whose data files are all Parquet (`ParquetDataset.isDataset`).
    public static func isTabular(_ record: DatasetRecord) -> Bool {
        record.isDirectory ? ParquetDataset.isDataset(record.files.map(\.path)) : isTabular(record.path)
    }

    /// Reads a single-file tabular version as a table (`TableFile`: the format by its name and magic bytes),
    /// from the working tree when it holds exactly these bytes, else from the store (verified).
    /// `columns` chooses the columns read (`ColumnSelection`): a Parquet column left out is
    /// never read from the file, a text column is parsed and dropped. The last two tables read
    /// are kept for the next call (`releaseTables()` drops them).
    public func table(of version: DatasetVersion, schema: [String: ColumnType] = [:], columns: ColumnSelection = .all) throws -> Table {
        try table(of: version.record, schema: schema, columns: columns)
    }

    /// `table(of:schema:columns:)` of a version's record (a training worker gets the record with its job).
    public func table(of record: DatasetRecord, schema: [String: ColumnType] = [:], columns: ColumnSelection = .all) throws -> Table {
        let key = record.digest + " " + Project.schemaKey(schema)
            + " " + columns.description
        if let recent = recentTables.first(where: { $0.key == key }) { return recent.table }
        let table = try readTable(of: record, schema: schema, columns: columns)
        recentTables = Array((recentTables + [(key, table)]).suffix(2))
        return table
    }

    /// Lets go of the tables `table(of:schema:)` keeps (e.g. before training in another process).
    public func releaseTables() { recentTables = [] }

    private func readTable(of record: DatasetRecord, schema: [String: ColumnType], columns: ColumnSelection) throws -> Table {
        try withReadableFiles(of: record) { files in try Self.readTable(of: record, files: files, schema: schema, columns: columns) }
    }

    /// Reads a tabular version `columnsPerGroup` columns at a time, for checks that take every
    /// column on its own (profiles): `body` gets each group's table, in column order, and at
    /// most one group's decoded columns are in memory. Text versions are parsed whole, as one
    /// group. The files are located (or restored from the store) once for all groups.
    func forEachColumnGroup(of record: DatasetRecord, columnsPerGroup: Int = 4, _ body: (Table) throws -> Void) throws {
        try withReadableFiles(of: record) { files in
            var names: [String] = []
            if record.isDirectory {
                names = try ParquetDataset.columnHeaders(files: files.map(\.relative)) { relative in
                    files.first { $0.relative == relative }?.path ?? relative
                }.map(\.name)
            } else if Project.isParquet(record) {
                names = try ParquetReader.columnHeaders(contentsOf: files[0].path).map(\.name)
            }
            guard names.count > columnsPerGroup else { return try body(Self.readTable(of: record, files: files, schema: [:], columns: .all)) }
            for start in stride(from: 0, to: names.count, by: columnsPerGroup) {
                let group = Set(names[start..<min(start + columnsPerGroup, names.count)])
                // A group of partition keys alone still reads a file column (for the row count).
                let table = try Self.readTable(of: record, files: files, schema: [:], columns: .only(group))
                try body(Table(columns: table.columns.filter { group.contains($0.name) }))
            }
        }
    }

    /// The null rows of `columns` in a Parquet version (a file or a directory), from their
    /// definition levels alone (`ParquetReader.nullCounts`): no value is decoded.
    func nullCounts(of record: DatasetRecord, columns: Set<String>) throws -> [String: Int] {
        guard !columns.isEmpty else { return [:] }
        return try withReadableFiles(of: record) { files in
            record.isDirectory ? try ParquetDataset.nullCounts(files: files, selection: .only(columns)).nulls
                : try ParquetReader.nullCounts(contentsOf: files[0].path, selection: .only(columns)).nulls
        }
    }

    /// Calls `body` with where a tabular version's data files can be read (relative path in
    /// the version, readable path): the working tree where it holds exactly the stored bytes,
    /// else temporary copies restored from the store, removed when `body` returns.
    private func withReadableFiles<R>(of record: DatasetRecord, _ body: ([(relative: String, path: String)]) throws -> R) throws -> R {
        guard Project.isTabular(record) else { throw WorkspaceError.notTabular(record.label) }
        if !record.isDirectory && record.files.isEmpty { throw WorkspaceError.notTabular(record.label) }
        if record.purged != nil { throw WorkspaceError.purged(record.label) }
        let cache = StatCache(layout: layout)
        var files: [(relative: String, path: String)] = []
        var temporaries: [String] = []
        defer { for temporary in temporaries { unlink(temporary) } }
        let data = record.isDirectory ? record.files.filter { ParquetDataset.isDataFile($0.path) } : Array(record.files.prefix(1))
        for file in data {
            let (path, temporary) = try readablePath(of: file, at: record.isDirectory ? record.path + "/" + file.path : record.path, cache: cache)
            files.append((file.path, path))
            if let temporary { temporaries.append(temporary) }
        }
        cache.save()
        return try body(files)
    }

    /// Reads a version from `files` (`withReadableFiles`): a directory as one Parquet dataset
    /// (`ParquetDataset`), a file by its name and magic bytes (`TableFile`).
    private static func readTable(of record: DatasetRecord, files: [(relative: String, path: String)], schema: [String: ColumnType],
                                  columns: ColumnSelection) throws -> Table {
        if record.isDirectory {
            var options = ParquetReadOptions(schema: schema)
            options.selection = columns
            return try ParquetDataset.read(files: files, options: options).table
        }
        return try TableFile.read(contentsOf: files[0].path, format: TableFile.format(of: record.path), schema: schema, selection: columns).table
    }

    /// Whether a version is Parquet by its name (a file, or a directory of Parquet files):
    /// its column names come from footers and the columns left out of a read are never decoded.
    static func isParquet(_ record: DatasetRecord) -> Bool {
        record.isDirectory || TableFile.format(of: record.path) == .parquet
    }

    /// The names of a tabular version's columns, in table order: from the Parquet footers
    /// alone (no page is read), else from the table read under `schema`, once per (content,
    /// schema): cached in `.git/ml/cache/results` (`names-v1-…`), so a run's preflight does not
    /// parse a text file it has seen before.
    public func columnNames(of version: DatasetVersion, schema: [String: ColumnType] = [:]) throws -> [String] {
        if let headers = try columnHeaders(of: version.record) { return headers.map(\.name) }
        let key = "names-v1-" + version.record.digest + "-" + Digest.of(Array(Project.schemaKey(schema).utf8)).hex
        if let cached: [String] = readCache(key) { return cached }
        let names = try table(of: version, schema: schema).columnNames
        writeCache(key, names)
        return names
    }

    /// A Parquet version's columns with the types a read without schema gives them, from its
    /// footers alone (`ParquetReader.columnHeaders`); nil for text, whose types need parsing.
    func columnHeaders(of record: DatasetRecord) throws -> [ColumnHeader]? {
        guard Project.isParquet(record), Project.isTabular(record), record.purged == nil else { return nil }
        let cache = StatCache(layout: layout)
        var temporaries: [String] = []
        defer {
            cache.save()
            for temporary in temporaries { unlink(temporary) }
        }
        func readable(_ file: DatasetRecord.File, at relative: String) throws -> String {
            let (path, temporary) = try readablePath(of: file, at: relative, cache: cache)
            if let temporary { temporaries.append(temporary) }
            return path
        }
        if record.isDirectory {
            return try ParquetDataset.columnHeaders(files: record.files.map(\.path)) { relative in
                guard let file = record.files.first(where: { $0.path == relative }) else { throw WorkspaceError.notTabular(record.label) }
                return try readable(file, at: record.path + "/" + relative)
            }
        }
        guard let file = record.files.first else { throw WorkspaceError.notTabular(record.label) }
        return try ParquetReader.columnHeaders(contentsOf: try readable(file, at: record.path))
    }

    /// Where to read a dataset file from: the working tree at `relative` when it holds exactly
    /// the stored bytes, else a temporary copy restored (verified) from the store, returned too
    /// so that the caller removes it.
    private func readablePath(of file: DatasetRecord.File, at relative: String, cache: StatCache) throws -> (path: String, temporary: String?) {
        let stored = try Project.storedFile(file)
        let working = root + "/" + relative
        if try currentDigest(of: working, relative: relative, cache: cache) == stored.digest { return (working, nil) }
        let temp = layout.temporaryPath("table") + "." + (relative as NSString).pathExtension
        try wrapping { try store.restore(stored, to: temp) }
        return (temp, temp)
    }

    /// The contract of dataset `name`: `ml/contracts/<name>.yaml` (nil when there is none),
    /// with the SHA-256 of its text for cache keys.
    public func contract(for name: String) throws -> (Contract, String)? {
        try contract(at: mlDirectory + "/contracts/\(name).yaml", dataset: name)
    }

    /// The contract at `path` for dataset `dataset` (which chooses its table when it declares
    /// several), with the SHA-256 of its text; nil when the file does not exist.
    public func contract(at path: String, dataset: String) throws -> (Contract, String)? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let contract = try Contract.load(contentsOf: path, dataset: dataset)
        let digest = try wrapping { try Digest.ofFile(atPath: path) }
        return (contract, digest.description)
    }

    /// The profile of a tabular version, computed once per content digest and cached. Columns
    /// are profiled one by one, so a Parquet version is read a few columns at a time
    /// (`forEachColumnGroup`).
    public func profile(of version: DatasetVersion) throws -> TableProfile {
        let key = "profile-" + version.record.digest
        if let cached: TableProfile = readCache(key) { return cached }
        var rowCount = 0
        var columns: [ColumnProfile] = []
        try forEachColumnGroup(of: version.record) { group in
            rowCount = group.rowCount
            columns += group.columns.map { Profiler.profile($0) }
        }
        let profile = TableProfile(rowCount: rowCount, columns: columns)
        writeCache(key, profile)
        return profile
    }

    /// Validates a version against a contract (and against `previous` for drift and change
    /// checks). Cached by (data, contract, previous) digests unless the contract checks
    /// freshness, which depends on the clock. Returns the report and whether it came from cache.
    public func validate(_ version: DatasetVersion, contract: Contract, contractDigest: String,
                         previous: DatasetVersion?) throws -> (report: ValidationReport, cached: Bool) {
        let key = "validation-" + CanonicalJSON.digest(["data": .string(version.record.digest), "contract": .string(contractDigest),
                                                        "previous": previous.map { .string($0.record.digest) } ?? .null,
                                                        "checks": .number(Double(ContractValidator.checksVersion))])
        let cacheable = contract.freshness == nil
        if cacheable, let cached: ValidationReport = readCache(key) { return (cached, true) }
        let schema = contract.readSchema
        let validator = ContractValidator(contract: contract)
        var columns = validator.columnsRead(withReference: previous != nil)
        var headers: (current: [ColumnHeader], reference: [ColumnHeader])?
        var nullCounts: (current: [String: Int], reference: [String: Int])?
        if let previous, case .only(let names) = columns {
            // Schema drift sees every column through the footers, and reads the values of those
            // in only one version (renames); text versions are read whole.
            if let current = try columnHeaders(of: version.record), let reference = try columnHeaders(of: previous.record) {
                headers = (current, reference)
                columns = .only(names.union(Set(current.map(\.name)).symmetricDifference(reference.map(\.name))))
                if contract.drift.columns.isEmpty {
                    // The null share compares every column in both; those no check reads are
                    // counted from their definition levels, their values never decoded.
                    let unread = Set(current.map(\.name)).intersection(reference.map(\.name)).subtracting(names)
                    nullCounts = (try self.nullCounts(of: version.record, columns: unread), try self.nullCounts(of: previous.record, columns: unread))
                }
            } else {
                columns = .all
            }
        }
        let current = try checkedTable(of: version, schema: schema, columns: columns)
        let reference = try previous.map { try checkedTable(of: $0, schema: schema, columns: columns).table }
        let report = validator.validate(table: current.table, previous: reference, typeConflicts: current.typeConflicts,
                                        headers: headers, nullCounts: nullCounts)
        if cacheable { writeCache(key, report) }
        return (report, false)
    }

    /// The version `version`'s drift checks compare it with: the contract's pinned
    /// `drift.reference`, else the latest earlier version that is not purged (nil for the first).
    public func driftReference(for version: DatasetVersion, contract: Contract) throws -> DatasetVersion? {
        if contract.drift.reference != "previous" { return try resolveDataset(contract.drift.reference) }
        return try versions(of: version.record.name).last { $0.record.version < version.record.version && $0.record.purged == nil }
    }

    /// Leakage between a training version and an evaluation version under the contract's
    /// `leakage` block (row and key overlap, time order, single-feature AUC ceiling).
    /// Cached by the digests of both datasets and the contract.
    public func leakage(train: DatasetVersion, eval: DatasetVersion, contract: Contract, contractDigest: String) throws -> LeakageReport {
        guard let policy = contract.leakage else { throw WorkspaceError.noLeakagePolicy(train.record.name) }
        let key = "leakage-" + CanonicalJSON.digest(["train": .string(train.record.digest), "eval": .string(eval.record.digest),
                                                     "contract": .string(contractDigest),
                                                     "checks": .number(Double(ContractValidator.checksVersion))])
        if let cached: LeakageReport = readCache(key) { return cached }
        let schema = contract.readSchema
        let report = LeakageCheck.run(train: try checkedTable(of: train, schema: schema).table, eval: try checkedTable(of: eval, schema: schema).table,
                                      policy: policy, entityKey: contract.entityKey, positiveLabel: contract.label?.positiveValue)
        writeCache(key, report)
        return report
    }

    /// Row-, schema- and distribution-level differences of two tabular versions, matching rows
    /// by the contract's key when the dataset has a contract with one. Columns the contract
    /// declares are read with its types where the data allows (`checkedTable`), so schema
    /// changes show as changes with or without a contract.
    public func tableDiff(_ old: DatasetVersion, _ new: DatasetVersion) throws -> DatasetDiff {
        let contract = try contract(for: new.record.name)?.0
        let schema = contract?.readSchema ?? [:]
        return DatasetDiff.compute(before: try checkedTable(of: old, schema: schema).table, after: try checkedTable(of: new, schema: schema).table,
                                   key: contract?.entityKey ?? [])
    }

    /// Reads `version` for checking against a contract: with the contract's column types where
    /// the data allows them. A declared column the file lacks is left out of the read schema (the
    /// contract's presence check and schema drift report it), and a column with a value that is
    /// not of its declared type is read with its inferred type (the type check and schema drift
    /// report it), so a renamed or retyped column is a failed check with a report, not a read
    /// error. `typeConflicts` says, per column read so, where the first such value is (e.g.
    /// `line 11: "unknown" is not int64`). Other read errors (a malformed file) still throw.
    /// `columns`: the columns read (`table(of:schema:columns:)`).
    func checkedTable(of version: DatasetVersion, schema: [String: ColumnType],
                      columns: ColumnSelection = .all) throws -> (table: Table, typeConflicts: [String: String]) {
        var schema = schema
        var conflicts: [String: String] = [:]
        while true {
            do {
                return (try table(of: version, schema: schema, columns: columns), conflicts)
            } catch let TableReadError.unknownSchemaColumn(name) where schema[name] != nil {
                schema[name] = nil
            } catch let TableReadError.valueDoesNotMatchType(line, _, name, value, expected) where schema[name] != nil {
                schema[name] = nil
                conflicts[name] = "line \(line): \"\(value)\" is not \(expected.rawValue)"
            }
        }
    }

    /// A read schema as text for cache keys: `column:type` sorted by column, comma-separated.
    static func schemaKey(_ schema: [String: ColumnType]) -> String {
        schema.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value.rawValue)" }.joined(separator: ",")
    }

    private func cachePath(_ key: String) -> String {
        layout.cache + "/results/" + key.replacingOccurrences(of: "sha256:", with: "") + ".json"
    }

    /// A result cached under `key` in `.git/ml/cache/results` (nil when absent or unreadable).
    public func readCache<T: Decodable>(_ key: String) -> T? {
        guard let data = FileManager.default.contents(atPath: cachePath(key)) else { return nil }
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return try? decoder.decode(T.self, from: data)
    }

    /// Caches `value` under `key`. Best effort: a failed cache write only costs a recomputation later.
    public func writeCache<T: Encodable>(_ key: String, _ value: T) {
        let encoder = JSONEncoder()
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        guard let data = try? encoder.encode(value) else { return }
        try? FileIO.makeDirectory(layout.cache + "/results")
        try? FileIO.writeAtomically(Array(data), to: cachePath(key), temporaryDirectory: layout.tmp)
    }
}
