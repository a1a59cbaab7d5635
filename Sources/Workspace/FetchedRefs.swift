import Foundation
import GitRepo

/// Where a clone keeps the GitML refs it fetched from a git remote: `refs/ml/remotes/<remote>/
/// <kind>/…` (kind: datasets, runs, sweeps, promotions). Outside `refs/remotes/`, where git's porcelain
/// would show each run and version as a remote branch (`git branch -a`). Fetched never forced:
/// an immutable ref that differs is git's error, not an overwrite.
extension Project {
    /// The kinds of GitML refs a clone fetches.
    static let fetchedKinds = ["datasets", "runs", "sweeps", "promotions"]

    /// `refs/ml/remotes/<remote>/<kind>/`.
    public static func fetchedPrefix(remote: String, kind: String) -> String { "refs/ml/remotes/\(remote)/\(kind)/" }

    /// The fetch refspecs of `remote`, one per kind.
    static func fetchRefspecs(remote: String) -> [String] {
        fetchedKinds.map { "refs/ml/\($0)/*:" + fetchedPrefix(remote: remote, kind: $0) + "*" }
    }

    /// The fetched refs of `kind` from every remote, with the name below the kind
    /// (`churn-train/v3`, a run's hex id, a suite) and the remote.
    public func fetchedRefs(kind: String) throws -> [(ref: String, remote: String, name: String, target: ObjectID)] {
        try wrapping { try repository.refs(withPrefix: "refs/ml/remotes/") }.compactMap { ref in
            let parts = ref.name.dropFirst("refs/ml/remotes/".count).split(separator: "/", maxSplits: 2).map(String.init)
            guard parts.count == 3, parts[1] == kind else { return nil }
            return (ref.name, parts[0], parts[2], ref.target)
        }
    }

    /// Moves refs an older GitML fetched under `refs/remotes/<remote>/ml/<kind>/…` to their place
    /// under `refs/ml/remotes/`, and replaces the old fetch refspec of every remote with the new
    /// ones. A ref already in its new place is left as it is (its old copy is removed only when
    /// both agree). Returns what changed, for `git ml init` to say.
    static func migrateFetchedRefs(in repository: Repository) throws -> [String] {
        var changes: [String] = []
        var moved = 0
        for ref in try wrapping({ try repository.refs(withPrefix: "refs/remotes/") }) {
            let parts = ref.name.dropFirst("refs/remotes/".count).split(separator: "/", maxSplits: 3).map(String.init)
            guard parts.count == 4, parts[1] == "ml", Self.fetchedKinds.contains(parts[2]) else { continue }
            let target = Self.fetchedPrefix(remote: parts[0], kind: parts[2]) + parts[3]
            try wrapping {
                if let existing = try repository.readRef(target) {
                    guard existing == ref.target else { return }
                } else {
                    try repository.createRef(target, target: ref.target, message: "git ml: move fetched refs out of refs/remotes")
                }
                try repository.deleteRef(ref.name, expected: ref.target)
            }
            moved += 1
        }
        if moved > 0 { changes.append("moved \(moved) fetched GitML refs from refs/remotes/*/ml/ to refs/ml/remotes/") }
        try wrapping {
            for remote in try repository.remoteNames() {
                let old = "refs/ml/*:refs/remotes/\(remote)/ml/*"
                if try repository.configValues("remote.\(remote).fetch").contains(old) {
                    try repository.removeConfigValue("remote.\(remote).fetch", old)
                }
                var added = false
                for refspec in Self.fetchRefspecs(remote: remote) where try !repository.configValues("remote.\(remote).fetch").contains(refspec) {
                    try repository.addConfigValue("remote.\(remote).fetch", refspec)
                    added = true
                }
                if added { changes.append("remote \(remote) now fetches refs/ml/* into refs/ml/remotes/\(remote)/") }
            }
        }
        return changes
    }
}
