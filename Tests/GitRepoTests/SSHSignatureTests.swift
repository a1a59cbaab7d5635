import Foundation
import XCTest
@testable import GitRepo

/// `SSHSignature` against the real ssh-keygen: a good signature names its principal; other
/// bytes, another namespace or a key outside the allowed signers never verify.
final class SSHSignatureTests: XCTestCase {
    private var directory: String!

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "gitml-sshsig-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: directory) }

    /// Generates an ed25519 key pair; returns the private key's path.
    private func key(_ name: String) throws -> String {
        let path = directory + "/" + name
        let (status, _, stderr) = try Subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", path],
                                                     environment: nil, capture: true)
        XCTAssertEqual(status, 0, String(decoding: stderr, as: UTF8.self))
        return path
    }

    func testSignVerifyAndRefusals() throws {
        let ci = try key("ci"), other = try key("laptop")
        let allowed = directory + "/allowed_signers"
        try "ci@example.com \(try String(contentsOfFile: ci + ".pub", encoding: .utf8))".write(toFile: allowed, atomically: true, encoding: .utf8)
        let bytes = Array("{\"run\":\"sha256:ab\"}".utf8)

        let signature = try SSHSignature.sign(bytes, namespace: "gitml-attestation", key: ci)
        XCTAssertTrue(signature.hasPrefix("-----BEGIN SSH SIGNATURE-----"))
        XCTAssertEqual(try SSHSignature.verify(bytes, signature: signature, namespace: "gitml-attestation", allowedSigners: allowed),
                       "ci@example.com")

        XCTAssertThrowsError(try SSHSignature.verify(bytes + [32], signature: signature, namespace: "gitml-attestation", allowedSigners: allowed)) {
            guard case .badSignature = $0 as? SSHSignatureError else { return XCTFail("\($0)") }
        }
        XCTAssertThrowsError(try SSHSignature.verify(bytes, signature: signature, namespace: "gitml-promotion", allowedSigners: allowed)) {
            guard case .badSignature = $0 as? SSHSignatureError else { return XCTFail("\($0)") }
        }
        let stranger = try SSHSignature.sign(bytes, namespace: "gitml-attestation", key: other)
        XCTAssertThrowsError(try SSHSignature.verify(bytes, signature: stranger, namespace: "gitml-attestation", allowedSigners: allowed)) {
            XCTAssertEqual($0 as? SSHSignatureError, .notAllowed(allowedSigners: allowed))
        }
        XCTAssertThrowsError(try SSHSignature.verify(bytes, signature: signature, namespace: "gitml-attestation", allowedSigners: directory + "/none")) {
            XCTAssertEqual($0 as? SSHSignatureError, .noAllowedSigners(path: self.directory + "/none"))
        }
    }
}
