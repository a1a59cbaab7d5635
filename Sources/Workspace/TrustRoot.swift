import Foundation
import GitRepo

/// Whose SSH signatures a gate accepts (policy changes on protected branches, manual promotions,
/// reproduction attestations): the keys of the ALLOWED SIGNERS file named by git config
/// `gitml.allowedSignersFile` of the repository the gate runs in (a server's bare repository, a CI
/// runner: set by whoever runs it), together with those of `ml/allowed_signers` at the gate's base
/// revision (reviewed on the protected branch: on a server, changed only by a signed commit; on a
/// hosted platform, protected by CODEOWNERS and a required review). Never a file of the head.
public struct TrustRoot {
    /// The git config key naming an allowed-signers file.
    public static let configKey = "gitml.allowedSignersFile"
    /// The committed allowed-signers file, read at the base.
    public static let committedFile = "ml/allowed_signers"

    public let project: Project
    /// The revision whose `ml/allowed_signers` counts (nil: the config's file alone).
    public let base: String?

    public init(project: Project, base: String?) {
        self.project = project
        self.base = base
    }

    /// An allowed-signers file on disk and what it was made from (for messages).
    public struct AllowedSigners {
        public let path: String
        public let source: String
    }

    /// Runs `body` with the trust root's allowed signers gathered into one scratch file (removed
    /// afterwards); nil when neither the config nor the base names any. A configured file that
    /// cannot be read fails closed.
    public func withAllowedSigners<R>(_ body: (AllowedSigners?) throws -> R) throws -> R {
        var text = "", sources: [String] = []
        if let configured = try wrapping({ try project.repository.configString(TrustRoot.configKey) }), !configured.isEmpty {
            let expanded = (configured as NSString).expandingTildeInPath
            let path = expanded.hasPrefix("/") ? expanded : project.root + "/" + expanded
            guard let contents = try? String(contentsOfFile: path, encoding: .utf8) else { throw SSHSignatureError.noAllowedSigners(path: path) }
            text += contents.hasSuffix("\n") || contents.isEmpty ? contents : contents + "\n"
            sources.append("git config \(TrustRoot.configKey) (\(path))")
        }
        if let base, let bytes = try wrapping({ try project.repository.fileContents(at: base, path: TrustRoot.committedFile) }) {
            text += String(decoding: bytes, as: UTF8.self)
            sources.append("\(TrustRoot.committedFile) at \(base)")
        }
        guard !sources.isEmpty else { return try body(nil) }
        let path = project.layout.temporaryPath("allowed-signers")
        try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try body(AllowedSigners(path: path, source: "the allowed signers of " + sources.joined(separator: " and ")))
    }

    /// The principal whose allowed key signed `bytes` under `namespace`, or why none did. A check
    /// that cannot be made (ssh-keygen missing, a configured file unreadable) throws: it never
    /// counts as a pass.
    public func signer(of bytes: [UInt8], signature: String, namespace: String) throws -> Result<String, SignatureRefusal> {
        try withAllowedSigners { signers in
            guard let signers else { return .failure(TrustRoot.noTrustRoot) }
            do {
                return .success(try SSHSignature.verify(bytes, signature: signature, namespace: namespace, allowedSigners: signers.path))
            } catch let error as SSHSignatureError {
                switch error {
                case .unavailable, .noAllowedSigners: throw error
                case .notAllowed: return .failure(SignatureRefusal(reason: "signed by a key that is not in \(signers.source)"))
                case .badSignature, .signingFailed: return .failure(SignatureRefusal(reason: "\(error) (checked against \(signers.source))"))
                }
            }
        }
    }

    /// Why `commit` is not SSH-signed by an allowed signer (checked by git's own `verify-commit`;
    /// an OpenPGP or X.509 signature, which git would check against other keyrings, does not
    /// count), or nil.
    public func unsignedCommit(_ commit: String) throws -> SignatureRefusal? {
        try withAllowedSigners { signers in
            guard let signers else { return TrustRoot.noTrustRoot }
            let object = (try? GitCommand.run(["cat-file", "commit", commit], in: project.root)) ?? ""
            guard object.contains("\ngpgsig -----BEGIN SSH SIGNATURE-----") else {
                return SignatureRefusal(reason: "commit \(commit.prefix(12)) carries no SSH signature (sign it: git commit -S with gpg.format=ssh and a key in \(signers.source))")
            }
            do {
                _ = try GitCommand.run(["-c", "gpg.ssh.allowedSignersFile=\(signers.path)", "verify-commit", commit], in: project.root)
                return nil
            } catch {
                return SignatureRefusal(reason: "commit \(commit.prefix(12)) is not signed by a key in \(signers.source) (sign it: git commit -S with gpg.format=ssh)")
            }
        }
    }

    static let noTrustRoot = SignatureRefusal(reason: "no trust root: set git config \(configKey), or commit \(committedFile) on the protected branch")
}

extension Project {
    /// The SSH key to sign GitML evidence with: `explicit`, else git config `user.signingkey`
    /// (what git signs commits with under gpg.format=ssh).
    public func signingKey(_ explicit: String?) throws -> String {
        guard let key = try explicit ?? wrapping({ try repository.configString("user.signingkey") }), !key.isEmpty else {
            throw WorkspaceError.noSigningKey
        }
        return (key as NSString).expandingTildeInPath
    }
}

/// Why a signature does not count.
public struct SignatureRefusal: Error, Equatable, Sendable, CustomStringConvertible {
    public let reason: String
    public var description: String { reason }
}
