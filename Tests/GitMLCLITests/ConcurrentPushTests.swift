import BlobStore
import Foundation
import MotoSupport
import XCTest

/// Two clones pushing to one remote at the same moment, and a remote gc racing a push, on a
/// directory remote and on S3 (moto): every version either clone recorded reaches a fresh clone
/// byte for byte, and every command either succeeds or fails with an error that says to retry
/// (docs/RELIABILITY.md, "Concurrent pushes lose nothing").
final class ConcurrentPushTests: CLITestCase {
    func testTwoClonesPushingToADirectoryRemoteAtOnceLoseNothing() throws {
        try pushRace(remote: [repo + "-blobs"])
    }

    func testTwoClonesPushingToAnS3RemoteAtOnceLoseNothing() throws {
        guard let binary = MotoServer.binary() else { throw XCTSkip("moto_server is not installed; set MOTO_SERVER (see RemoteS3Tests)") }
        let server = try MotoServer(binary: binary)
        try S3Remote(name: "race", bucket: "race", endpoint: server.endpoint, addressing: .path, credentials: server.credentials).createBucket()
        setenv("AWS_ACCESS_KEY_ID", server.credentials.accessKeyID, 1)
        setenv("AWS_SECRET_ACCESS_KEY", server.credentials.secretAccessKey, 1)
        addTeardownBlock { unsetenv("AWS_ACCESS_KEY_ID"); unsetenv("AWS_SECRET_ACCESS_KEY") }
        try pushRace(remote: ["s3://race/ml", "--endpoint", server.endpoint.absoluteString, "--path-style"])
    }

    /// Whether a failed command's message says what to do next: retry, or merge the other
    /// clone's commits and push again.
    private func isRetryable(_ message: String) -> Bool {
        ["retry", "is locked by"].contains { message.contains($0) }
    }

    /// Runs `commands` (each in its clone) at once; returns each one's exit status and stderr.
    private func together(_ commands: [(args: [String], directory: String)]) throws -> [(status: Int32, stderr: String)] {
        let processes = try commands.map { try start([CLITestCase.binaries + "/" + $0.args[0]] + $0.args.dropFirst(), in: $0.directory) }
        let errors = processes.map { process in
            String(decoding: (process.standardError as? Pipe)?.fileHandleForReading.readDataToEndOfFile() ?? Data(), as: UTF8.self)
        }
        processes.forEach { $0.waitUntilExit() }
        return zip(processes, errors).map { ($0.terminationStatus, $1) }
    }

    /// Clone A and clone B each record a version per round and push at the same moment; in the
    /// last rounds B's remote gc races A's push. A loser merges and pushes again. Then a fresh
    /// clone pulls every version and checks each out.
    private func pushRace(remote: [String], rounds: Int = 3) throws {
        let bare = repo + "-bare.git", b = repo + "-b", fresh = repo + "-fresh"
        addTeardownBlock { [bare, b, fresh, self.repo + "-blobs"].forEach { try? FileManager.default.removeItem(atPath: $0) } }
        try run("git", "init", "-q", "--bare", "-b", "main", bare)
        try run("git", "remote", "add", "origin", bare)
        try run("git", "ml", "init")
        try run(["git", "ml", "remote", "add", "shared"] + remote + ["--default"])
        try writeCSV("base.csv", rows: 2_000)
        try run("git", "ml", "data", "add", "base.csv", "--name", "base", "--no-checks")
        try run("git", "add", "-A")
        try run("git", "commit", "-qm", "base")
        try run("git", "ml", "push")
        try run("git", "clone", "-q", bare, b, in: NSTemporaryDirectory())
        try run("git", "ml", "init", in: b)
        try run("git", "ml", "pull", in: b)

        var expected: [String: String] = ["base@v1": try sha256("base.csv")]
        var failures: [String] = []
        for round in 1...rounds {
            for (clone, name) in [(repo!, "a"), (b, "b")] {
                try writeCSV(name + ".csv", rows: 3_000, variant: 10 * round + (name == "a" ? 1 : 2), in: clone)
                try run(["git", "ml", "data", "add", name + ".csv", "--name", name, "--no-checks"], in: clone)
                try run(["git", "add", "-A"], in: clone)
                try run(["git", "commit", "-qm", "\(name) round \(round)"], in: clone)
                expected["\(name)@v\(round)"] = String(try run(["sha256sum", name + ".csv"], in: clone).stdout.prefix(64))
            }
            let gcRaces = round == rounds
            let outcomes = try together([(["git-ml", "push"], repo),
                                         (gcRaces ? ["git-ml", "gc", "--remote", "shared", "--grace-seconds", "0"] : ["git-ml", "push"], b)])
            for ((status, stderr), clone) in zip(outcomes, [repo!, b]) where status != 0 {
                failures.append(stderr)
                XCTAssertTrue(isRetryable(stderr), "round \(round), \(clone == b ? "B" : "A"): a failure that does not say to retry: \(stderr)")
            }
            // Both clones catch up (merging ml/lock.json) and publish what they recorded.
            for clone in [repo!, b] {
                try run(["git", "pull", "-q", "--no-rebase", "--no-edit", "origin", "main"], in: clone)
                try run(["git", "ml", "push"], in: clone)
            }
        }
        print("push race: \(rounds) rounds, \(failures.count) retryable failures: \(failures.map { $0.prefix(80) })")

        try checkAFreshClonePulls(expected, from: bare, into: fresh)
        for clone in [repo!, b] { try run("git", "ml", "fsck", in: clone) }
    }
}
