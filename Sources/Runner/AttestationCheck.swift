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
/// repository, a CI runner), together with `ml/allowed_signers` at the gate's base revision — never a
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
        switch try TrustRoot(project: project, base: base).signer(of: attestation.signedBytes, signature: signature.ssh,
                                                                  namespace: Attestation.signatureNamespace) {
        case .success(let principal): return counted(.trusted(principal: principal))
        case .failure(let refusal): return counted(.selfReported(reason: refusal.reason))
        }
    }
}
