import BlobStore
import Foundation
import GitRepo

/// What `git ml init` changed (empty when everything was already in place).
public struct InitReport: Sendable {
    public var changes: [String] = []
}

extension Project {
    /// The merge driver registered for ml/lock.json.
    public static let lockMergeDriver = "gitml-lock"

    /// Sets GitML up in the repository containing `directory`. Idempotent: running it again
    /// changes nothing and reports nothing. Creates `ml/config.yaml`, the store folders, the
    /// fetch refspecs `refs/ml/<kind>/*:refs/ml/remotes/<remote>/<kind>/*` (no `+`: an
    /// immutable ref that differs is an error, never an overwrite) on every remote — moving refs
    /// an older version fetched under `refs/remotes/` — the lock merge driver, and ignores `ml/`
    /// scratch files.
    public static func initialize(in directory: String) throws -> InitReport {
        let repository = try wrapping { try Repository(discoveringFrom: directory) }
        guard let root = repository.workdir else { throw WorkspaceError.bareRepository }
        var report = InitReport()
        let layout = StoreLayout(root: repository.commonDir + "/ml")
        if !FileManager.default.fileExists(atPath: layout.packs) { report.changes.append("created the blob store in \(layout.root)") }
        try wrapping { try layout.create() }
        try wrapping { try FileIO.makeDirectory(root + "/ml") }

        let config = root + "/ml/config.yaml"
        if !FileManager.default.fileExists(atPath: config) {
            try wrapping { try FileIO.writeAtomically(Array(ProjectConfig.template.utf8), to: config, temporaryDirectory: layout.tmp) }
            report.changes.append("wrote ml/config.yaml")
        }
        report.changes += try migrateFetchedRefs(in: repository)
        try wrapping {
            let driverKey = "merge.\(lockMergeDriver).driver"
            let driver = "git-ml merge-driver %O %A %B"
            if try repository.configString(driverKey) != driver {
                try repository.setConfig("merge.\(lockMergeDriver).name", "GitML lock merge")
                try repository.setConfig(driverKey, driver)
                report.changes.append("registered the ml/lock.json merge driver")
            }
        }
        if try appendLine("ml/lock.json merge=\(lockMergeDriver)", to: root + "/.gitattributes", layout: layout) {
            report.changes.append("added the lock merge attribute to .gitattributes")
        }
        return report
    }

    /// Appends `line` to a text file unless present; returns whether it changed the file.
    static func appendLine(_ line: String, to path: String, layout: StoreLayout) throws -> Bool {
        let existing = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        guard !existing.split(separator: "\n").contains(where: { $0 == line }) else { return false }
        let text = existing + (existing.isEmpty || existing.hasSuffix("\n") ? "" : "\n") + line + "\n"
        try wrapping { try FileIO.writeAtomically(Array(text.utf8), to: path, temporaryDirectory: layout.tmp) }
        return true
    }
}
