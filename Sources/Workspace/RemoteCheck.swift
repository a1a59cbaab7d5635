import BlobStore
import Foundation
import GitRepo
import Records

/// What `git ml fsck --remote R` found: whether the blob remote holds everything the refs need.
public struct RemoteCheckReport: Sendable {
    public let remote: String
    /// Dataset versions (`name@vN`) and runs (`run <id>`) checked.
    public let checked: Int
    /// Those the remote lacks (an object of their bytes is on no pack of the remote), and
    /// versions or runs a branch's lock names that no record here describes.
    public let missing: [String]
    public var isComplete: Bool { missing.isEmpty }
}

extension Project {
    /// Checks that blob remote `name` (default: the default one) holds the bytes of every
    /// dataset version under `refs/ml/datasets/`, every artifact of every run (local and
    /// fetched `refs/ml/runs/`), and what the lock of every local and remote-tracking branch
    /// pins: its dataset versions and its suites' candidate runs. Reads the remote's pack
    /// indexes only; downloads no data (see `RemoteSync.lacking` for how deep it looks).
    public func checkRemote(_ name: String?) throws -> RemoteCheckReport {
        let spec = try remoteSpec(name)
        var subjects: [(file: StoredFile, subject: String)] = []
        var unknown: [String] = []
        var versionLabels = Set<String>()
        for (_, commit) in try wrapping({ try repository.refs(withPrefix: "refs/ml/datasets/") }) {
            let record = try datasetRecord(commit: commit)
            versionLabels.insert(record.label)
            guard record.purged == nil else { continue }
            subjects += try record.files.map { (try Project.storedFile($0), record.label) }
        }
        let runs = try recordedRuns().runs
        let runIDs = Set(runs.map(\.record.id))
        for run in runs.sorted(by: { $0.id < $1.id }) {
            subjects += try run.record.artifacts.values.map { (try Project.storedFile($0), "run \(shortID(run.id))") }
        }
        // Every branch's lock: what it pins must be described here (and so was checked above).
        let branches = try wrapping { try repository.refs(withPrefix: "refs/heads/") + repository.refs(withPrefix: "refs/remotes/") }
        for (ref, commit) in branches {
            guard let bytes = try? repository.fileContents(inCommit: commit, path: "ml/lock.json"),
                  let lock = try? Lock(text: String(decoding: bytes, as: UTF8.self)) else { continue }
            for (dataset, locked) in lock.datasets where try lockedVersion(of: dataset, locked) == nil {
                unknown.append("\(dataset)@v\(locked.version) (pinned by \(ref)): no version record here (git ml fetch)")
            }
            for (suite, entry) in lock.suites where !runIDs.contains(entry.run) {
                unknown.append("run \(shortID(entry.run)) (suite \(suite)'s candidate on \(ref)): no run record here (git ml fetch)")
            }
        }
        let sync = RemoteSync(store: store, remote: try wrapping { try spec.open() })
        let lacking = try withStoreLock(.shared) { try sync.lacking(subjects) }
        return RemoteCheckReport(remote: spec.name, checked: Set(subjects.map(\.subject)).count,
                                 missing: lacking + Array(Set(unknown)).sorted())
    }
}
