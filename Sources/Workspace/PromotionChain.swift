import Foundation
import GitRepo
import Records

/// The promotion chain of a suite: `refs/ml/promotions/<suite>` points at the newest entry, a
/// commit whose tree holds `promotion.json` (and `verdict.json` when a gate decided) and whose
/// parent is the previous entry. Appends are compare-and-swap on the ref; a lost race re-reads
/// the tip and appends again, so concurrent decisions are serialized, never lost.
extension Project {
    public static func promotionRef(suite: String) -> String { "refs/ml/promotions/\(suite)" }

    /// The chain's tip: the local ref, else a remote-tracking one (`refs/remotes/*/ml/promotions/<suite>`).
    private func promotionTip(suite: String) throws -> ObjectID? {
        if let local = try wrapping({ try repository.readRef(Project.promotionRef(suite: suite)) }) { return local }
        return try wrapping { try repository.refs(withPrefix: "refs/remotes/") }
            .first { $0.name.hasSuffix("/ml/promotions/\(suite)") }?.target
    }

    /// Every entry of the chain, newest first.
    public func promotions(suite: String) throws -> [Promotion] {
        var out: [Promotion] = []
        var next = try promotionTip(suite: suite)
        while let commit = next {
            guard let bytes = try wrapping({ try repository.fileContents(inCommit: commit, path: "promotion.json") }) else {
                throw WorkspaceError.record(RecordError(record: "promotion \(commit.hex.prefix(12))", reason: "the commit has no promotion.json"))
            }
            out.append(try wrapping { try Promotion(text: String(decoding: bytes, as: UTF8.self)) })
            next = try wrapping { try repository.parents(of: commit) }.first
        }
        return out
    }

    /// The run of the newest `promote` entry: the suite's champion.
    public func champion(suite: String) throws -> String? {
        try promotions(suite: suite).first { $0.decision == .promote }?.candidate
    }

    /// Appends an entry (with the verdict record, when a gate decided) to the suite's chain.
    public func appendPromotion(_ promotion: Promotion, verdict: JSONValue?) throws {
        let ref = Project.promotionRef(suite: promotion.suite)
        for _ in 0..<20 {
            // The entry's parent is the tip read here, and the ref moves only if it still points there.
            let local = try wrapping { try repository.readRef(ref) }
            let tip = try local ?? promotionTip(suite: promotion.suite)
            let commit = try wrapping {
                var files = [TreeFile(name: "promotion.json", blob: try repository.writeBlob(Array(CanonicalJSON.pretty(promotion.json).utf8)))]
                if let verdict {
                    files.append(TreeFile(name: "verdict.json", blob: try repository.writeBlob(Array(CanonicalJSON.pretty(verdict).utf8))))
                }
                let tree = try repository.writeTree(files)
                return try repository.writeCommit(tree: tree, parents: tip.map { [$0] } ?? [],
                                                  message: "\(promotion.decision.rawValue) \(promotion.suite): run \(shortID(promotion.candidate))\n",
                                                  signature: signature(Date()))
            }
            do {
                if let local {
                    try wrapping { try repository.updateRef(ref, to: commit, expected: local, message: "git ml promote") }
                } else {
                    try wrapping { try repository.createRef(ref, target: commit, message: "git ml promote") }
                }
                return
            } catch WorkspaceError.git(.refChanged), WorkspaceError.git(.refExists) {
                continue  // another decision landed first: append after it
            }
        }
        throw WorkspaceError.git(.refChanged(ref: ref))
    }
}
