import Foundation
import Gate
import GitRepo
import Workspace

/// What a self-hosted server's gate trusts, read from something no push can change: the bare
/// repository's own git config (written by `git ml hooks install --server`) and the tips its
/// protected branches had before the push being judged.
///
/// - Protected branches: the globs of `gitml.protected` (server config), plus those of the
///   `ml/gate.yaml` at the default branch's tip and at the updated branch's old tip. A push can
///   widen protection, never narrow it: narrowing needs a signed policy change or a server admin.
/// - Policy: the files the gate reads from its base (`GateSession.policyPaths`). On a protected branch they
///   change only in a commit signed by an allowed signer of the `TrustRoot` (verified by git's own
///   `verify-commit`), so the base of every later gate holds a policy somebody authorized.
public struct ServerTrust {
    /// Server config key: a protected branch glob (multi-valued).
    public static let protectedKey = "gitml.protected"
    /// Server config key: the SSH private key post-receive signs its chain entries with (its
    /// public half listed in the clients' trust root), for `promotions.signed_only` gates.
    public static let signingKeyKey = "gitml.signingKey"

    public let project: Project
    /// Globs from the server's config.
    public let configuredPatterns: [String]
    /// The default branch (`HEAD` of the bare repository) and its tip before this push.
    public let defaultBranch: String?
    public let defaultTip: String?
    private let defaultPatterns: [String]
    /// Whether the repository had any branch before this push (none: its first push).
    private let hasBranches: Bool

    /// Reads the server's trust root; call before any pending ref update is visible.
    public init(project: Project) throws {
        self.project = project
        let repository = project.repository
        configuredPatterns = try repository.configValues(ServerTrust.protectedKey)
        // A detached or missing HEAD names no default branch: protected creations then fail closed.
        let head = try? GitCommand.run(["symbolic-ref", "-q", "HEAD"], in: project.root).trimmingCharacters(in: .whitespacesAndNewlines)
        defaultBranch = head.flatMap { $0.hasPrefix("refs/heads/") ? String($0.dropFirst("refs/heads/".count)) : nil }
        defaultTip = try defaultBranch.flatMap { try repository.readRef("refs/heads/" + $0)?.hex }
        defaultPatterns = try defaultTip.map { try ServerTrust.protectedPatterns(project: project, at: $0) } ?? []
        hasBranches = try !repository.refs(withPrefix: "refs/heads/").isEmpty
    }

    /// Whether `branch` is protected, given its tip before the push (nil when the push creates it).
    public func protects(branch: String, oldTip: String?) throws -> Bool {
        let patterns = configuredPatterns + defaultPatterns + (try oldTip.map { try ServerTrust.protectedPatterns(project: project, at: $0) } ?? [])
        return patterns.contains { GatePolicy.branch(branch, matches: $0) }
    }

    /// The base a protected update is judged against: the branch's old tip; for a creation, the
    /// tip of the default branch — which must exist and be protected itself, or anyone could
    /// write the policy a new protected branch is judged by. Nil only for the repository's very
    /// first push (it sets the policy); otherwise `.refused` says why the creation is refused.
    public func base(of update: ServerGate.Update, branch: String) throws -> Base {
        if !update.isCreation { return .revision(update.old) }
        if !hasBranches { return .firstPush }
        guard let defaultBranch, let defaultTip, defaultBranch != branch else {
            return .refused("the default branch (HEAD: \(defaultBranch ?? "detached")) has no commit, so no reviewed policy can judge a new protected branch: point HEAD at a protected branch (git symbolic-ref HEAD refs/heads/main)")
        }
        guard try protects(branch: defaultBranch, oldTip: defaultTip) else {
            return .refused("the default branch \(defaultBranch) is not protected, so its policy cannot judge a new protected branch: protect it (git ml hooks install --server --protect \(defaultBranch))")
        }
        return .revision(defaultTip)
    }

    /// What a protected update is judged against.
    public enum Base {
        /// The repository's first push: it sets the policy.
        case firstPush
        case revision(String)
        /// No trustworthy base exists: the update is refused for this reason.
        case refused(String)
    }

    /// The tip of protected branch `branch` before this push, or nil when it is not protected or
    /// does not exist.
    public func protectedTip(_ branch: String) throws -> String? {
        guard let tip = try project.repository.readRef("refs/heads/" + branch)?.hex, try protects(branch: branch, oldTip: tip) else { return nil }
        return tip
    }

    /// Why `commit` does not authorize a policy change of a branch whose previous policy is at
    /// `base`, or nil when an allowed signer of the server's trust root (its
    /// `gitml.allowedSignersFile` and the base's `ml/allowed_signers`) signed it.
    public func unauthorizedPolicyChange(_ commit: String, base: String) throws -> String? {
        try TrustRoot(project: project, base: base).unsignedCommit(commit)?.reason
    }

    /// Writes the server's trust root into the bare repository's config: protected globs (the
    /// default branch when none is given and none is configured yet) and the allowed-signers
    /// file (stored as an absolute path). Returns what changed.
    public static func configure(_ repository: Repository, protect: [String], allowedSigners: String?, signingKey: String? = nil) throws -> [String] {
        var changes: [String] = []
        var patterns = protect
        if patterns.isEmpty, try repository.configValues(protectedKey).isEmpty {
            let head = try? GitCommand.run(["symbolic-ref", "--short", "-q", "HEAD"], in: repository.gitDir)
            patterns = [head?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "main"].filter { !$0.isEmpty }
        }
        for pattern in patterns where try !repository.configValues(protectedKey).contains(pattern) {
            try repository.addConfigValue(protectedKey, pattern)
            changes.append("protected: \(pattern) (\(protectedKey))")
        }
        if let allowedSigners {
            let absolute = URL(fileURLWithPath: allowedSigners).standardizedFileURL.path
            guard FileManager.default.isReadableFile(atPath: absolute) else {
                throw RunnerError.missingFile(path: absolute, hint: "give an ssh allowed-signers file (one `PRINCIPAL KEYTYPE KEY` line per signer)")
            }
            try repository.setConfig(TrustRoot.configKey, absolute)
            changes.append("policy changes and overrides must be signed by a key in \(absolute) (\(TrustRoot.configKey))")
        }
        if let signingKey {
            let absolute = URL(fileURLWithPath: signingKey).standardizedFileURL.path
            guard FileManager.default.isReadableFile(atPath: absolute) else {
                throw RunnerError.missingFile(path: absolute, hint: "give the SSH private key the server signs its promotion entries with")
            }
            try repository.setConfig(signingKeyKey, absolute)
            changes.append("post-receive signs its promotion entries with \(absolute) (\(signingKeyKey))")
        }
        return changes
    }

    /// The `protected` globs of `ml/gate.yaml` at `revision` (none when it has no policy). A policy
    /// that does not parse fails closed: the push is refused with the parser's reason.
    static func protectedPatterns(project: Project, at revision: String) throws -> [String] {
        guard let bytes = try project.repository.fileContents(at: revision, path: "ml/gate.yaml") else { return [] }
        return try GatePolicy.parse(yaml: String(decoding: bytes, as: UTF8.self), file: "ml/gate.yaml (at \(revision.prefix(12)))").protected
    }
}
