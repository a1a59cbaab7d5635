import Foundation
import Gate
import GitRepo
import Workspace

/// The client's pre-push check: a push that moves a protected branch (by the policy at the
/// remote's current tip of that branch) and changes a suite's candidate is gated on this
/// machine, with the same gate the server and CI run, before git sends anything. It catches
/// what pre-merge-commit cannot see (fast-forward merges, commits made on the branch). Advisory:
/// `git push --no-verify` skips it; the server's hooks and CI enforce the gate.
public struct PushGate {
    public let project: Project
    /// Re-trains candidates when the base's policy says `reproduce_in_gate`.
    public let reproducer: ExperimentRunner?

    public init(project: Project, reproducer: ExperimentRunner?) {
        self.project = project
        self.reproducer = reproducer
    }

    /// For git's pre-push lines (`<local ref> <local sha> <remote ref> <remote sha>`): what to
    /// print, and whether the push should stop (`GatePolicy.blocksMerge` of any decision). A new
    /// branch, a deletion, or a remote tip this clone does not have (the push would be refused
    /// as not a fast-forward anyway) is not judged here.
    public func check(updates: String) throws -> (messages: [String], refuse: Bool) {
        let zero = String(repeating: "0", count: 40)
        var messages: [String] = [], refuse = false
        for line in updates.split(separator: "\n") {
            let fields = line.split(separator: " ").map(String.init)
            guard fields.count == 4, fields[1] != zero, fields[3] != zero, fields[2].hasPrefix("refs/heads/"),
                  let remoteTip = ObjectID(hex: fields[3]), try project.repository.contains(remoteTip) else { continue }
            let branch = String(fields[2].dropFirst("refs/heads/".count))
            let session = GateSession(project: project, base: fields[3], head: fields[1], reproducer: reproducer)
            guard let policy = try session.promotionPolicy(branch: branch) else { continue }
            let decisions = try session.evaluate(policy: policy)
            messages += decisions.map { Review.text($0.verdict) }
            if decisions.contains(where: { policy.blocksMerge($0.verdict.decision) }) {
                refuse = true
                messages.append("GitML: the gate rejects this push to \(branch) (the server or CI would too); fix the candidate, or `git push --no-verify` to push anyway")
            }
        }
        return (messages, refuse)
    }
}
