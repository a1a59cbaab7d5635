import ArgumentParser
import Contracts
import Records
import Workspace

/// `git ml data diff A B`: what changed between two dataset versions.
struct DataDiff: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Compare two versions of a dataset: files added, removed and changed, bytes shared.",
        discussion: """
            With one argument, compares it with its parent version.

            Examples: git ml data diff train@v1 train@v2
                      git ml data diff train@v2
            """)

    @Argument(help: "The old version (or the only one: compared with its parent).", completion: Complete.datasetVersions) var old: String
    @Argument(help: "The new version.", completion: Complete.datasetVersions) var new: String?
    @Flag(help: "Only compare files and bytes, not rows and distributions.") var bytesOnly = false
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        try reportingErrors {
            let project = try openProject()
            var a = try project.resolveDataset(old)
            var b: DatasetVersion
            if let new {
                b = try project.resolveDataset(new)
            } else {
                b = a
                guard let parent = try project.versions(of: b.record.name).last(where: { $0.record.version < b.record.version }) else {
                    throw WorkspaceError.unknownVersion("\(b.record.label)'s parent (it is the first version)")
                }
                a = parent
            }
            let d = try project.diffDatasets(a, b)
            let tabular = !bytesOnly && Project.isTabular(a.record) && Project.isTabular(b.record)
                && d.old.digest != d.new.digest
            let table = tabular ? try project.tableDiff(a, b) : nil
            if json {
                var tableJSON = JSONValue.null
                if let table { tableJSON = try encodedJSON(table) }
                printJSON([
                    "table": tableJSON,
                    "old": .string(d.old.label), "new": .string(d.new.label),
                    "old_digest": .string(d.old.digest), "new_digest": .string(d.new.digest),
                    "size_change": .number(Double(d.new.size) - Double(d.old.size)),
                    "added": .array(d.added.map { ["path": .string($0.path), "size": .number(Double($0.size))] }),
                    "removed": .array(d.removed.map { ["path": .string($0.path), "size": .number(Double($0.size))] }),
                    "changed": .array(d.changed.map { ["path": .string($0.path), "old_size": .number(Double($0.oldSize)),
                                                       "new_size": .number(Double($0.newSize)), "shared_bytes": .number(Double($0.sharedBytes))] }),
                    "unchanged": .number(Double(d.unchangedCount)),
                ])
                return
            }
            print("\(d.old.label) → \(d.new.label): \(formatBytes(d.old.size)) → \(formatBytes(d.new.size))")
            if d.old.digest == d.new.digest { print("identical content"); return }
            for f in d.added { print("  added    \(f.path.isEmpty ? d.new.path : f.path)  \(formatBytes(f.size))") }
            for f in d.removed { print("  removed  \(f.path.isEmpty ? d.old.path : f.path)  \(formatBytes(f.size))") }
            for f in d.changed {
                let pct = f.newSize == 0 ? 0 : Double(f.sharedBytes) / Double(f.newSize) * 100
                print("  changed  \(f.path.isEmpty ? d.new.path : f.path)  \(formatBytes(f.oldSize)) → \(formatBytes(f.newSize)), " +
                      String(format: "%.1f%% of the new bytes in unchanged chunks", pct))
            }
            if d.unchangedCount > 0 { print("  \(d.unchangedCount) files unchanged") }
            if let table { DataDiff.printTable(table) }
        }
    }

    static func printTable(_ t: DatasetDiff) {
        let keyText = t.rows.key.isEmpty ? "by value" : "by key \(t.rows.key.joined(separator: ", "))"
        print("rows: \(t.rows.before) → \(t.rows.after); \(t.rows.added) added, \(t.rows.removed) removed" +
              (t.rows.changed.map { ", \($0) changed" } ?? "") + " (\(keyText))")
        for r in t.schema.renamed { print("column renamed: \(r.before) → \(r.after) (same values)") }
        if !t.schema.added.isEmpty { print("columns added: \(t.schema.added.joined(separator: ", "))") }
        if !t.schema.removed.isEmpty { print("columns removed: \(t.schema.removed.joined(separator: ", "))") }
        for r in t.schema.retyped { print("column retyped: \(r.column) \(r.before.rawValue) → \(r.after.rawValue)") }
        print("column                 nulls before → after    mean before → after      drift")
        for c in t.columns {
            let nulls = String(format: "%6.2f%% → %6.2f%%", c.nullFractionBefore * 100, c.nullFractionAfter * 100)
            let mean = c.meanBefore.map { b in "\(format(b)) → \(c.meanAfter.map { format($0) } ?? "–")" } ?? ""
            var drift = ""
            if let n = c.numericDrift { drift = "PSI \(format(n.psi)), KS D \(format(n.ks.statistic)) (p \(format(n.ks.pValue))), JS \(format(n.jensenShannon))" }
            if let k = c.categoricalDrift {
                drift = "L∞ \(format(k.lInfinity)), χ² p \(format(k.chiSquare.pValue))" + (k.newCategories.isEmpty ? "" : ", new: \(k.newCategories.prefix(5).joined(separator: ", "))")
            }
            print("\(c.name.padding(toLength: 22, withPad: " ", startingAt: 0)) \(nulls)   \(mean.padding(toLength: 24, withPad: " ", startingAt: 0)) \(drift)")
        }
    }
}

