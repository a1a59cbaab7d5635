import BlobStore
import Foundation
import Records
import XCTest

/// Forging a run's evidence as an attacker with push access would — git plumbing and the blob
/// store, no GitML command — for the tests that check the gate refuses it.
extension CLITestCase {
    func fullID(_ prefix: String) throws -> String {
        let refs = try run("git", "for-each-ref", "--format=%(refname)", "refs/ml/runs/").stdout.split(separator: "\n")
        let hex = try XCTUnwrap(refs.map { String($0.dropFirst("refs/ml/runs/".count)) }.first { $0.hasPrefix(prefix) })
        return "sha256:" + hex
    }

    func record(of prefix: String) throws -> RunRecord {
        let hex = String(try fullID(prefix).dropFirst(7))
        return try RunRecord(text: try run("git", "show", "refs/ml/runs/\(hex):run.json").stdout)
    }

    var store: ObjectStore { get throws { try ObjectStore(layout: StoreLayout(root: repo + "/.git/ml")) } }

    func artifactText(_ artifact: RunRecord.Artifact) throws -> String {
        let file = StoredFile(digest: Digest(parsing: artifact.digest)!, size: artifact.size, manifest: artifact.manifest.flatMap(Digest.init(parsing:)))
        let path = repo + "-artifact"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try store.restore(file, to: path)
        return try String(contentsOfFile: path, encoding: .utf8)
    }

    func storeText(_ text: String) throws -> RunRecord.Artifact {
        let path = repo + "-forged.csv"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let store = try self.store
        let (file, _) = try store.ingest(path: path)
        try store.flush()
        return RunRecord.Artifact(digest: file.digest.description, size: file.size, manifest: file.manifest?.description)
    }

    /// Where a forged record's run commit points.
    enum RunCommitParent {
        /// The record's (forged) `code.commit`: a consistent forgery.
        case claimed
        /// The original run's code commit: the record lies about its code.
        case original
        /// No run commit at all (only `ml/runs/<hex>.json`).
        case none
    }

    /// Commits a forged copy of run `prefix` (id recomputed) as the branch's candidate: its run
    /// commit under refs/ml/runs, `ml/runs/<hex>.json` and the lock entry, as `git mlcommit` would.
    @discardableResult
    func forgeRecord(of prefix: String, runCommitParent: RunCommitParent = .claimed, _ change: (inout RunRecord) -> Void) throws -> String {
        let original = try record(of: prefix)
        var forged = original
        change(&forged)
        let text = CanonicalJSON.pretty(forged.json)
        let hex = String(forged.id.dropFirst(7))
        if runCommitParent == .none {
            try run("git", "update-ref", "-d", "refs/ml/runs/\(hex)")
        } else {
            let recordPath = repo + "-run.json"
            defer { try? FileManager.default.removeItem(atPath: recordPath) }
            try text.write(toFile: recordPath, atomically: true, encoding: .utf8)
            let blob = output(try run("git", "hash-object", "-w", recordPath))
            let tree = output(try run("sh", "-c", "printf '100644 blob %s\\trun.json\\n' \"$0\" | git mktree", blob))
            let parent = runCommitParent == .claimed ? forged.code.commit : original.code.commit
            let commit = output(try run("git", "commit-tree", tree, "-p", parent, "-m", "run \(hex.prefix(12))"))
            try run("git", "update-ref", "refs/ml/runs/\(hex)", commit)
        }
        try text.write(toFile: repo + "/ml/runs/\(hex).json", atomically: true, encoding: .utf8)
        let lock = try String(contentsOfFile: repo + "/ml/lock.json", encoding: .utf8)
        XCTAssertTrue(lock.contains(original.id))
        try lock.replacingOccurrences(of: original.id, with: forged.id).write(toFile: repo + "/ml/lock.json", atomically: true, encoding: .utf8)
        try run("git", "add", "ml")
        try run("git", "commit", "-qm", "forged run \(hex.prefix(12))")
        return forged.id
    }

    func output(_ result: Result) -> String { result.stdout.trimmingCharacters(in: .whitespacesAndNewlines) }
}
