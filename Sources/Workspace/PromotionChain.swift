import Foundation
import GitRepo
import Records

/// The promotion chain of a suite: `refs/ml/promotions/<suite>` points at the newest entry, a
/// commit whose tree holds `promotion.json` (and `verdict.json` when a gate decided) and whose
/// parent is the previous entry. Appends are compare-and-swap on the ref; a lost race re-reads
/// the tip and appends again, so concurrent decisions are serialized, never lost. A manual
/// decision carries `promotion.sig`, an SSH signature (namespace `gitml-promotion`) over the
/// exact bytes of `promotion.json`.
extension Project {
    public static func promotionRef(suite: String) -> String { "refs/ml/promotions/\(suite)" }
    /// The SSH signature namespace of promotion entries.
    public static let promotionSignatureNamespace = "gitml-promotion"
    /// Where `git ml push` asks a server to append a signed manual decision:
    /// `refs/ml/requests/<suite>/<entry commit>`.
    public static func promotionRequestRef(suite: String, entry: ObjectID) -> String { "refs/ml/requests/\(suite)/\(entry.hex)" }

    /// One entry of a chain: the commit, its decision, and the signature of a manual decision.
    public struct PromotionEntry {
        public let commit: ObjectID
        /// The previous entry (nil for the first).
        public let parent: ObjectID?
        public let promotion: Promotion
        /// The bytes of `promotion.json`, which the signature signs.
        public let bytes: [UInt8]
        public let signature: String?
    }

    /// The bytes an entry stores for `promotion` (and a signer signs).
    public static func promotionBytes(_ promotion: Promotion) -> [UInt8] { CanonicalJSON.prettyBytes(promotion.json) }

    /// Signs a manual decision with the SSH key at `key` (as `git ml promote` does).
    public static func signPromotion(_ promotion: Promotion, key: String) throws -> String {
        try SSHSignature.sign(promotionBytes(promotion), namespace: promotionSignatureNamespace, key: key)
    }

    /// The chain's tip: the local ref, else a fetched one (`refs/ml/remotes/*/promotions/<suite>`).
    public func promotionTip(suite: String) throws -> ObjectID? {
        if let local = try wrapping({ try repository.readRef(Project.promotionRef(suite: suite)) }) { return local }
        return try fetchedRefs(kind: "promotions").first { $0.name == suite }?.target
    }

    /// Every entry of the chain, newest first. A chain is one line of commits: an entry with
    /// several parents (a merge could hide the real chain behind a forged first parent) makes
    /// the chain unreadable, whichever parent a walk would follow.
    public func promotions(suite: String) throws -> [Promotion] {
        try promotionEntries(suite: suite).map(\.promotion)
    }

    /// The chain's entries with the commits that hold them, newest first.
    public func promotionEntries(suite: String) throws -> [PromotionEntry] {
        var out: [PromotionEntry] = []
        var next = try promotionTip(suite: suite)
        while let commit = next {
            let entry = try promotionEntry(commit)
            out.append(entry)
            next = entry.parent
        }
        return out
    }

    /// The entry a commit holds. A chain is one line of commits: an entry with several parents
    /// (a merge could hide the real chain behind a forged first parent) is refused, whichever
    /// parent a walk would follow.
    public func promotionEntry(_ commit: ObjectID) throws -> PromotionEntry {
        guard let bytes = try wrapping({ try repository.fileContents(inCommit: commit, path: "promotion.json") }) else {
            throw WorkspaceError.record(RecordError(record: "promotion \(commit.hex.prefix(12))", reason: "the commit has no promotion.json"))
        }
        let parents = try wrapping { try repository.parents(of: commit) }
        guard parents.count <= 1 else {
            throw WorkspaceError.record(RecordError(record: "promotion \(commit.hex.prefix(12))",
                                                    reason: "the entry has \(parents.count) parents: a chain is one line of entries, so it was forged or damaged; fetch the server's chain again"))
        }
        let signature = try wrapping { try repository.fileContents(inCommit: commit, path: "promotion.sig") }
        return PromotionEntry(commit: commit, parent: parents.first,
                              promotion: try wrapping { try Promotion(text: String(decoding: bytes, as: UTF8.self)) },
                              bytes: bytes, signature: signature.map { String(decoding: $0, as: UTF8.self) })
    }

    /// The suite's champion as a gate judging against `base` may trust it: the run of the newest
    /// `promote` entry that is either
    /// - bound to the protected branch's history: the entry's commit is `base` or one of its
    ///   ancestors, and that commit's `ml/lock.json` names the run as the suite's candidate (a
    ///   model merged, through the gate, into the branch); or
    /// - a manual decision signed by an allowed signer of the trust root (a rollback, an override)
    ///   standing where it was signed: its `previous` is its parent entry, so a signed entry copied
    ///   onto a later tip (a replay) does not count.
    /// Other entries (an unsigned `git ml promote`, a forged entry naming the candidate under
    /// judgement) are skipped. Nil when no entry qualifies.
    /// With `signedOnly` (the base policy's `promotions.signed_only`), only signed entries count.
    public func champion(suite: String, trustedAt base: String, signedOnly: Bool = false) throws -> String? {
        let baseCommit = try wrapping { try repository.resolveCommit(base) }
        let trust = TrustRoot(project: self, base: base)
        for entry in try promotionEntries(suite: suite) where entry.promotion.decision == .promote {
            if let signature = entry.signature, entry.promotion.previous == entry.parent?.hex,
               case .success = try trust.signer(of: entry.bytes, signature: signature, namespace: Project.promotionSignatureNamespace) {
                return entry.promotion.candidate
            }
            guard !signedOnly, let commit = ObjectID(hex: entry.promotion.commit), try wrapping({ try repository.contains(commit) }),
                  try wrapping({ try repository.isAncestor(commit, of: baseCommit) }) else { continue }
            if try lock(at: commit.hex)?.suites[suite]?.run == entry.promotion.candidate { return entry.promotion.candidate }
        }
        return nil
    }

    /// The run of the newest `promote` entry, as the chain says (for listing, not for gating).
    public func champion(suite: String) throws -> String? {
        try promotions(suite: suite).first { $0.decision == .promote }?.candidate
    }

    /// Appends `promotion` signed with the SSH key at `key`, after the chain's current tip (which
    /// it names as `previous`, so the signature cannot be replayed elsewhere in the chain).
    public func appendSignedPromotion(_ promotion: Promotion, verdict: JSONValue?, key: String) throws {
        var signed = promotion
        signed.previous = try promotionTip(suite: promotion.suite)?.hex
        try appendPromotion(signed, verdict: verdict, signature: try Project.signPromotion(signed, key: key))
    }

    /// Appends an entry (with the verdict record, when a gate decided; with the signature of a
    /// signed entry) to the suite's chain.
    public func appendPromotion(_ promotion: Promotion, verdict: JSONValue?, signature sshSignature: String? = nil) throws {
        let ref = Project.promotionRef(suite: promotion.suite)
        for _ in 0..<20 {
            // The entry's parent is the tip read here, and the ref moves only if it still points there.
            let local = try wrapping { try repository.readRef(ref) }
            let tip = try local ?? promotionTip(suite: promotion.suite)
            // A signed decision names the entry it follows: it is appended there or not at all.
            if sshSignature != nil, tip?.hex != promotion.previous { throw WorkspaceError.git(.refChanged(ref: ref)) }
            let commit = try wrapping {
                var files = [TreeFile(name: "promotion.json", blob: try repository.writeBlob(Project.promotionBytes(promotion)))]
                if let sshSignature {
                    files.append(TreeFile(name: "promotion.sig", blob: try repository.writeBlob(Array(sshSignature.utf8))))
                }
                if let verdict {
                    files.append(TreeFile(name: "verdict.json", blob: try repository.writeBlob(CanonicalJSON.prettyBytes(verdict))))
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
