import Foundation
import Gate
import GitRepo
import Workspace

/// The client's pre-merge-commit check: a merge into a protected branch that brings a new
/// candidate is gated before git writes the merge commit. The head is the merge result itself
/// (git has not written MERGE_HEAD yet when the hook runs, but the index holds the result: it
/// becomes a dangling commit on HEAD, so code, lock and attestations are exactly what the merge
/// commit will hold); the base is the branch merged into. Advisory: CI and server hooks are
/// where the gate is enforced, since git skips this hook for fast-forwards and `--no-verify`.
public struct MergeGate {
    public let project: Project
    /// Re-trains candidates when the base's policy says `reproduce_in_gate`.
    public let reproducer: ExperimentRunner?

    public init(project: Project, reproducer: ExperimentRunner?) {
        self.project = project
        self.reproducer = reproducer
    }

    /// What to print, and whether the merge should stop (`GatePolicy.blocksMerge` of any suite's
    /// decision). Nothing to check on a detached HEAD (no branch to protect) or without a gate
    /// policy on the branch; an error reading the policy or judging the merge is thrown, never
    /// taken for "nothing to check".
    public func check() throws -> (messages: [String], refuse: Bool) {
        // `symbolic-ref -q` exits 1 on a detached HEAD: that, and only that, is "no branch".
        guard let branch = try? GitCommand.run(["symbolic-ref", "--short", "-q", "HEAD"], in: project.root)
                .trimmingCharacters(in: .whitespacesAndNewlines), !branch.isEmpty,
              try project.repository.fileContents(at: "HEAD", path: "ml/gate.yaml") != nil else { return ([], false) }
        // The merge result as a dangling commit on HEAD (no ref moves).
        let tree = try GitCommand.run(["write-tree"], in: project.root).trimmingCharacters(in: .whitespacesAndNewlines)
        let mergeHead = try GitCommand.run(["commit-tree", tree, "-p", "HEAD", "-m", "GitML pre-merge-commit check"], in: project.root)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let session = GateSession(project: project, base: "HEAD", head: mergeHead, reproducer: reproducer)
        guard let policy = try session.promotionPolicy(branch: branch) else { return ([], false) }
        let decisions = try session.evaluate(policy: policy)
        let messages = decisions.map { Review.text($0.verdict) }
        let refuse = decisions.contains { policy.blocksMerge($0.verdict.decision) }
        guard refuse else { return (messages, false) }
        return (messages + ["GitML: the gate rejects this merge into \(branch) (the CI check or the server would too); `git merge --abort`, or --no-verify to merge anyway"], true)
    }
}
