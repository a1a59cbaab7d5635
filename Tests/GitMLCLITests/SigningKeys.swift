import Foundation
import XCTest

extension CLITestCase {
    /// A fresh ed25519 key (no passphrase) and an ssh allowed-signers file listing it as
    /// `principal`; both are removed when the test ends.
    func makeSigningKey(_ name: String, principal: String = "admin@example.com") throws -> (key: String, allowedSigners: String) {
        let key = repo + "-\(name)-key"
        addTeardownBlock { [key] in [key, key + ".pub", key + ".signers"].forEach { try? FileManager.default.removeItem(atPath: $0) } }
        try run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", key)
        let publicKey = try String(contentsOfFile: key + ".pub", encoding: .utf8).split(separator: " ").prefix(2).joined(separator: " ")
        try "\(principal) \(publicKey)\n".write(toFile: key + ".signers", atomically: true, encoding: .utf8)
        return (key, key + ".signers")
    }

    /// `git commit -S` with an ssh key, as a policy change on a protected branch must be.
    func signedCommit(key: String, _ arguments: String..., expect: Int32? = 0) throws {
        _ = try run(["git", "-c", "gpg.format=ssh", "-c", "user.signingkey=\(key)", "commit", "-S"] + arguments, expect: expect)
    }
}
