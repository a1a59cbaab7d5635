import BlobStore
import Foundation
import GitRepo
import Records

/// The code a run trains on: HEAD, its tree without `ml/`, and whether the working tree has
/// changes outside `ml/` (tracked edits or untracked, not ignored, files).
public enum CodeState {
    /// HEAD's tree without `ml/`.
    public static func headCodeTree(_ repository: Repository) throws -> String {
        try repository.treeID(ofCommit: try repository.resolveCommit("HEAD"), excluding: "ml").hex
    }

    public static func current(repository: Repository, root: String) throws -> RunRecord.Code {
        let head = try repository.resolveCommit("HEAD")
        let tree = try repository.treeID(ofCommit: head, excluding: "ml")
        let outsideML = ["--", ".", ":(exclude)ml"]
        let status = try GitCommand.run(["status", "--porcelain=v1", "-z"] + outsideML, in: root)
        guard !status.isEmpty else { return RunRecord.Code(commit: head.hex, tree: tree.hex, dirty: false, diffDigest: nil) }
        // The diff of tracked files plus the names and contents' digests of untracked ones.
        var evidence = try GitCommand.run(["diff", "HEAD", "--binary"] + outsideML, in: root)
        let untracked = try GitCommand.run(["ls-files", "--others", "--exclude-standard", "-z"] + outsideML, in: root)
        for path in untracked.split(separator: "\0") {
            let digest = (try? Digest.ofFile(atPath: root + "/" + path).description) ?? "unreadable"
            evidence += "\nuntracked \(path) \(digest)"
        }
        return RunRecord.Code(commit: head.hex, tree: tree.hex, dirty: true, diffDigest: Digest.of(Array(evidence.utf8)).description)
    }
}
