import Foundation
import Gate
import GitRepo
import Records
import Workspace

/// Decides which of a candidate's attestations count at the gate (docs/security/reproduction.md).
///
/// An attestation on the head counts only when it names the candidate's run id, names exactly
/// the artifact digests of the candidate's record (and, claiming `bit_identical`, reproduced
/// every one of them), and carries an SSH signature (namespace `gitml-attestation`) that
/// `ssh-keygen -Y verify` accepts against the trust root's allowed signers. The trust root is
/// the git config `gitml.allowedSignersFile` of the repository the gate runs in (a server's bare
/// repository, a CI runner), else `ml/allowed_signers` at the gate's base revision — never a
/// file of the head being judged. A self-declared `ci: true` counts for nothing.
public struct AttestationCheck {
    public let project: Project
    /// The revision the trust root is read from (the protected branch).
    public let base: String
    /// The revision whose `ml/attestations/` is judged.
    public let head: String

    public init(project: Project, base: String, head: String) {
        self.project = project
        self.base = base
        self.head = head
    }

    /// The candidate's attestation (at most one file: `ml/attestations/<hex of its id>.json`),
    /// checked; and whether the candidate is an external-command run.
    public func attestations(of candidate: RunRecord) throws -> GateEvidence.Attestations {
        let hex = candidate.id.replacingOccurrences(of: "sha256:", with: "")
        let path = "ml/attestations/\(hex).json"
        var checked: [GateEvidence.Attestation] = []
        if let bytes = try project.repository.fileContents(at: head, path: path) {
            checked.append(try check(String(decoding: bytes, as: UTF8.self), path: path, candidate: candidate))
        }
        return GateEvidence.Attestations(checked: checked, externalCommand: candidate.kind == "exec")
    }

    /// One attestation's standing: forged, self-reported, or trusted.
    func check(_ text: String, path: String, candidate: RunRecord) throws -> GateEvidence.Attestation {
        let attestation: Attestation
        do {
            attestation = try Attestation(text: text)
        } catch {
            return GateEvidence.Attestation(result: .differs, standing: .forged(reason: "\(path) is not a readable attestation: \(error)"))
        }
        func counted(_ standing: GateEvidence.Attestation.Standing) -> GateEvidence.Attestation {
            GateEvidence.Attestation(result: attestation.result, standing: standing, largestDelta: attestation.largestDelta)
        }
        if attestation.run != candidate.id {
            return counted(.forged(reason: "\(path) attests run \(shortID(attestation.run)), not the candidate \(shortID(candidate.id)) (another run's attestation under this run's name)"))
        }
        if !attestation.names(artifacts: candidate.artifacts.mapValues(\.digest)) {
            return counted(.forged(reason: "\(path) names artifact digests that are not those of run \(shortID(candidate.id))'s record"))
        }
        if attestation.result == .bitIdentical && !attestation.digestsEqual {
            return counted(.forged(reason: "\(path) claims bit_identical, but its reproduced artifact digests differ from the recorded ones"))
        }
        guard let signature = attestation.signature else {
            return counted(.selfReported(reason: "unsigned attestation\(attestation.inCI ? " (its ci: true is self-declared)" : "")"))
        }
        guard let allowedSigners = try allowedSigners() else {
            return counted(.selfReported(reason: "no trust root: set git config gitml.allowedSignersFile, or commit ml/allowed_signers on the protected branch"))
        }
        defer { if allowedSigners.temporary { try? FileManager.default.removeItem(atPath: allowedSigners.path) } }
        let verified = Result { () throws(SSHSignatureError) -> String in
            try SSHSignature.verify(attestation.signedBytes, signature: signature.ssh, namespace: Attestation.signatureNamespace,
                                    allowedSigners: allowedSigners.path)
        }
        switch verified {
        case .success(let principal):
            return counted(.trusted(principal: principal))
        case .failure(let error):
            switch error {
            case .unavailable, .noAllowedSigners: throw error  // a check that cannot be made fails
            case .notAllowed:
                return counted(.selfReported(reason: "signed by a key that is not in \(allowedSigners.source)"))
            case .badSignature, .signingFailed:
                return counted(.selfReported(reason: "\(error) (checked against \(allowedSigners.source))"))
            }
        }
    }

    /// The trust root's allowed-signers file: the path git config names, else a temporary copy
    /// of `ml/allowed_signers` at the base; nil when neither exists.
    func allowedSigners() throws -> (path: String, source: String, temporary: Bool)? {
        if let configured = try project.repository.configString("gitml.allowedSignersFile"), !configured.isEmpty {
            let expanded = (configured as NSString).expandingTildeInPath
            let path = expanded.hasPrefix("/") ? expanded : project.root + "/" + expanded
            return (path, "the allowed signers of git config gitml.allowedSignersFile (\(path))", false)
        }
        guard let bytes = try project.repository.fileContents(at: base, path: "ml/allowed_signers") else { return nil }
        let path = project.layout.temporaryPath("allowed-signers")
        try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic)
        return (path, "the allowed signers of ml/allowed_signers at \(base)", true)
    }
}
