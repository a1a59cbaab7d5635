import Foundation
import GitRepo

/// Whose SSH signatures a gate accepts (signed attestations, promotion overrides): the
/// ALLOWED SIGNERS file named by git config `gitml.allowedSignersFile` of the repository the gate
/// runs in (a server's bare repository, a CI runner, set by whoever runs it), else the file
/// `ml/allowed_signers` at the gate's base revision (on hosted platforms protected by CODEOWNERS
/// and a required review). Never a file of the head being judged.
public struct TrustRoot {
    /// The git config key naming an allowed-signers file.
    public static let configKey = "gitml.allowedSignersFile"
    /// The committed allowed-signers file, read at the base.
    public static let committedFile = "ml/allowed_signers"

    public let project: Project
    public let base: String

    public init(project: Project, base: String) {
        self.project = project
        self.base = base
    }

    /// An allowed-signers file on disk and where it came from (for messages).
    public struct AllowedSigners {
        public let path: String
        public let source: String
    }

    /// Runs `body` with the trust root's allowed-signers file; nil when neither the config nor
    /// the base names one. A committed file is copied to a scratch file for ssh-keygen and removed.
    public func withAllowedSigners<R>(_ body: (AllowedSigners?) throws -> R) throws -> R {
        if let configured = try wrapping({ try project.repository.configString(TrustRoot.configKey) }), !configured.isEmpty {
            let expanded = (configured as NSString).expandingTildeInPath
            let path = expanded.hasPrefix("/") ? expanded : project.root + "/" + expanded
            return try body(AllowedSigners(path: path, source: "git config \(TrustRoot.configKey) (\(path))"))
        }
        guard let bytes = try wrapping({ try project.repository.fileContents(at: base, path: TrustRoot.committedFile) }) else {
            return try body(nil)
        }
        let path = project.layout.temporaryPath("allowed-signers")
        try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic)
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try body(AllowedSigners(path: path, source: "\(TrustRoot.committedFile) at \(base)"))
    }

    /// The principal whose allowed key signed `bytes` under `namespace`, or why none did. A check
    /// that cannot be made (ssh-keygen missing) throws: it never counts as a pass.
    public func signer(of bytes: [UInt8], signature: String, namespace: String) throws -> Result<String, SignatureRefusal> {
        try withAllowedSigners { signers in
            guard let signers else {
                return .failure(SignatureRefusal(reason: "no trust root: set git config \(TrustRoot.configKey), or commit \(TrustRoot.committedFile) on the protected branch"))
            }
            do {
                return .success(try SSHSignature.verify(bytes, signature: signature, namespace: namespace, allowedSigners: signers.path))
            } catch let error as SSHSignatureError {
                if case .unavailable = error { throw error }
                return .failure(SignatureRefusal(reason: "\(error) (checked against \(signers.source))"))
            }
        }
    }
}

extension Project {
    /// The SSH key to sign GitML evidence with: `explicit`, else git config `user.signingkey`
    /// (what git signs commits with under gpg.format=ssh).
    public func signingKey(_ explicit: String?) throws -> String {
        if let explicit { return explicit }
        guard let configured = try wrapping({ try repository.configString("user.signingkey") }), !configured.isEmpty else {
            throw WorkspaceError.noSigningKey
        }
        return configured
    }
}

/// Why a signature does not count.
public struct SignatureRefusal: Error, Equatable, Sendable, CustomStringConvertible {
    public let reason: String
    public var description: String { reason }
}
