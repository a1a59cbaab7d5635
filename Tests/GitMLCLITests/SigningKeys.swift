import Foundation
import XCTest

extension CLITestCase {
    /// A fresh key (`makeSSHKey`) and an ssh allowed-signers file beside it listing it as `principal`.
    func makeSigningKey(_ name: String, principal: String = "admin@example.com") throws -> (key: String, allowedSigners: String) {
        let key = try makeSSHKey(name)
        try "\(principal) \(try String(contentsOfFile: key + ".pub", encoding: .utf8))".write(toFile: key + ".signers", atomically: true, encoding: .utf8)
        return (key, key + ".signers")
    }

    /// `git commit -S` with an ssh key, as a policy change on a protected branch must be.
    func signedCommit(key: String, _ arguments: String..., expect: Int32? = 0) throws {
        _ = try run(["git", "-c", "gpg.format=ssh", "-c", "user.signingkey=\(key)", "commit", "-S"] + arguments, expect: expect)
    }
}
