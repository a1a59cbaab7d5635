import Foundation
import XCTest

/// The pre-push hook gates a push that moves a protected branch and changes a candidate —
/// including a fast-forward, which the pre-merge-commit hook never sees.
final class PushGateTests: CLITestCase {
    func testAPushOfAWorseCandidateToAProtectedBranchIsStopped() throws {
        try setUpChurnProject()
        let (bare, _, _) = try setUpSharing(defaultRemote: true)
        try ChurnProject.policy.write(toFile: repo + "/ml/gate.yaml", atomically: true, encoding: .utf8)
        try run("git", "add", "-A")
        try run("git", "commit", "-qm", "gate policy and blob remote")
        try runAndCommit(ChurnProject.experiment(features: "usage, tenure, region"), message: "all features")
        try run("git", "ml", "gate", "--base", "main", "--head", "HEAD", "--record")
        try run("git", "ml", "push")
        try run("git", "ml", "hooks", "install")
        let published = try run("git", "rev-parse", "main", in: bare).stdout

        // A worse candidate committed straight on main: a fast-forward for the remote.
        try runAndCommit(ChurnProject.experiment(features: "tenure"), message: "tenure only")
        let refused = try run("git", "push", "origin", "main", expect: 1)
        XCTAssertTrue(refused.stderr.contains("reject"), refused.stderr)
        XCTAssertTrue(refused.stderr.contains("the gate rejects this push to main"), refused.stderr)
        XCTAssertEqual(try run("git", "rev-parse", "main", in: bare).stdout, published, "nothing was pushed")

        // Advisory: --no-verify pushes anyway (a server or CI would still judge it).
        try run("git", "push", "-q", "--no-verify", "origin", "main")
        XCTAssertNotEqual(try run("git", "rev-parse", "main", in: bare).stdout, published)
    }
}
