import ArgumentParser
import Contracts
import Records
import Tables
import Workspace

/// `git ml data show <name@vN>`: one version's record.
struct DataShow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show a dataset version's record: digest, size, files, parent, who and when.",
        discussion: "Example: git ml data show train@v2 --json")

    @Argument(help: "name, name@vN or name@sha256:<prefix>.", completion: Complete.datasetVersions) var dataset: String
    @Flag(help: "Also show the profile of a tabular version (computed once per content, then cached).") var profile = false
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        try reportingErrors {
            let project = try openProject()
            let version = try project.resolveDataset(dataset)
            let r = version.record
            let tableProfile = profile ? try project.profile(of: version) : nil
            if json {
                if let tableProfile { try printCodable(ProfileOutput(label: r.label, digest: r.digest, profile: tableProfile)) } else { printJSON(versionJSON(r)) }
                return
            }
            print("dataset   \(r.label)")
            print("digest    \(r.digest)")
            print("size      \(formatBytes(r.size)) (\(r.size) bytes)")
            print("path      \(r.path)\(r.isDirectory ? "/" : "")")
            print("parent    \(r.parent ?? "none")")
            print("created   \(r.createdAt) by \(r.createdBy)")
            print("ref       \(version.ref) (\(version.commit.hex.prefix(12)))")
            if let p = r.purged { print("PURGED    \(p.at) by \(p.by): \(p.reason)") }
            if r.isDirectory {
                print("files     \(r.files.count)")
                for f in r.files.prefix(50) { print("  \(f.path)  \(formatBytes(f.size))  \(f.digest.prefix(19))…") }
                if r.files.count > 50 { print("  … and \(r.files.count - 50) more") }
            }
            if let p = tableProfile { DataShow.printProfile(p) }
        }
    }

    static func printProfile(_ p: TableProfile) {
        print("profile   \(p.rowCount) rows, \(p.columns.count) columns")
        for c in p.columns {
            let nulls = c.nullCount == 0 ? "" : String(format: ", %.2f%% null", Double(c.nullCount) / Double(max(c.count, 1)) * 100)
            var summary = ""
            if let n = c.numeric {
                let value = { (x: Double) in profileValue(x, type: c.type) }
                let spread = c.type == .timestamp ? duration(microseconds: n.standardDeviation) : format(n.standardDeviation)
                summary = "min \(value(n.min)), median \(value(n.quantiles[4])), max \(value(n.max)), mean \(value(n.mean)), sd \(spread)"
            }
            if let k = c.categorical {
                summary = "\(k.distinctCount) distinct; top: " + k.top.prefix(3).map { "\($0.value) (\($0.count))" }.joined(separator: ", ")
            }
            print("  \(c.name.padding(toLength: 22, withPad: " ", startingAt: 0)) \(String(describing: c.type).padding(toLength: 9, withPad: " ", startingAt: 0)) \(summary)\(nulls)")
        }
    }
}

/// A profile number for people: timestamps (microseconds) as ISO 8601, whole numbers with all
/// their digits, others to 6 significant digits.
func profileValue(_ x: Double, type: ColumnType) -> String {
    if type == .timestamp, abs(x) < 9e18 { return Timestamp.iso8601(microseconds: Int64(x.rounded())) }
    if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
    return format(x)
}

/// A spread of microseconds in the largest unit that keeps it ≥ 1 (s, min, h, days).
func duration(microseconds: Double) -> String {
    let seconds = microseconds / 1e6
    for (unit, size) in [("days", 86_400.0), ("h", 3_600.0), ("min", 60.0)] where abs(seconds) >= size {
        return "\(format(seconds / size)) \(unit)"
    }
    return "\(format(seconds)) s"
}

/// `git ml data show --profile --json`.
private struct ProfileOutput: Encodable {
    let label: String
    let digest: String
    let profile: TableProfile
}
