import Foundation
import XCTest
import Yams

/// The CI templates run untrusted pull-request content: read-only permissions there, no persisted
/// token, the blob remote of the base, and write access only where the head is never checked out
/// or after a merge. Each property is read from the parsed template, not from its comments.
final class CITemplateTests: CLITestCase {
    private func template(_ name: String) throws -> (text: String, root: Node) {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../templates/ci/\(name)")
        let text = try String(contentsOf: url.standardized, encoding: .utf8)
        return (text, try XCTUnwrap(try Yams.compose(yaml: text)))
    }

    /// Every `run`/`script` line of a job, joined.
    private func commands(_ job: Node) -> String {
        var lines: [String] = []
        func collect(_ node: Node) {
            switch node {
            case .scalar(let s): lines.append(s.string)
            case .sequence(let items): items.forEach(collect)
            case .mapping(let m): m.values.forEach(collect)
            default: break
            }
        }
        collect(job)
        return lines.joined(separator: "\n")
    }

    func testGitHubTemplateGivesThePullRequestJobReadOnlyAccess() throws {
        let (text, root) = try template("github-actions.yml")
        XCTAssertFalse(text.contains("pull_request_target"), "pull_request_target runs with write tokens and secrets")
        XCTAssertNotNil(root["on"]?["pull_request"])
        XCTAssertEqual(root["permissions"]?.mapping?.count, 1)
        XCTAssertEqual(root["permissions"]?["contents"]?.string, "read", "workflow default: read only")
        let jobs = try XCTUnwrap(root["jobs"]?.mapping)
        var sawGate = false, sawRecord = false
        for (key, job) in jobs {
            let name = key.string ?? "?"
            let condition = job["if"]?.string ?? ""
            let steps = job["steps"]?.sequence ?? []
            let checkouts = steps.filter { $0["uses"]?.string?.hasPrefix("actions/checkout") == true }
            let writes = (job["permissions"]?.mapping ?? [:]).filter { $0.value.string == "write" }.map { $0.key.string ?? "" }
            XCTAssertNotNil(job["permissions"], "\(name): every job states its permissions")
            for line in commands(job).split(separator: "\n") where line.contains("git ml pull") {
                XCTAssertTrue(line.contains("--config-from"), "\(name): the blob remote must come from a trusted revision: \(line)")
            }
            if condition.contains("pull_request") && !checkouts.isEmpty {
                sawGate = true
                XCTAssertTrue(writes.isEmpty, "\(name) runs pull-request content with write permissions \(writes)")
                for checkout in checkouts {
                    XCTAssertEqual(checkout["with"]?["persist-credentials"]?.bool, false, "\(name): the checkout must not leave its token in .git/config")
                }
                XCTAssertFalse(commands(job).contains("GH_TOKEN"), "\(name): no write token beside untrusted content")
            }
            if !writes.isEmpty {
                let afterMerge = condition.contains("github.event_name == 'push'")
                XCTAssertTrue(afterMerge || checkouts.isEmpty, "\(name) may write \(writes) only after a merge or without checking out the head")
                if writes.contains("contents") { sawRecord = afterMerge }
            }
        }
        XCTAssertTrue(sawGate && sawRecord, "a pull-request gate job and an after-merge recording job")
    }

    func testGitLabTemplateKeepsThePushTokenOffMergeRequestPipelines() throws {
        let (_, root) = try template("gitlab-ci.yml")
        let gate = try XCTUnwrap(root["gitml-gate"]), record = try XCTUnwrap(root["gitml-record-promotion"])
        XCTAssertTrue(gate["rules"]?.sequence?.contains { $0["if"]?.string?.contains("merge_request_event") == true } == true)
        XCTAssertFalse(commands(gate).contains("GITML_PUSH_TOKEN"), "a merge request pipeline never sees the push token")
        XCTAssertTrue(commands(record).contains("GITML_PUSH_TOKEN"))
        XCTAssertTrue(record["rules"]?.sequence?.contains { $0["if"]?.string == "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH" } == true)
        for job in [gate, record] {
            for line in commands(job).split(separator: "\n") where line.contains("git ml pull") {
                XCTAssertTrue(line.contains("--config-from"), line.description)
            }
        }
    }

    /// A pull request that points `ml/config.yaml` at another blob remote: the CI step reads the
    /// base's remote, so the other one receives nothing (not even a lock), and the gate still runs.
    func testAPullRequestCannotRedirectTheGatesBlobRemote() throws {
        let ci = try setUpPullRequest(branch: "hostile")
        let elsewhere = repo + "-attacker-blobs"
        addTeardownBlock { try? FileManager.default.removeItem(atPath: elsewhere) }
        try run("git", "ml", "remote", "add", "attacker", elsewhere, "--default")
        try run("git", "commit", "-qam", "point the blob remote elsewhere")
        try run("git", "push", "-q", "--no-verify", "origin", "hostile")

        try run("git", "clone", "-q", "-b", "hostile", repo + "-bare.git", ci)
        try run("git", "ml", "init", in: ci)
        let pulled = try run("git", "ml", "pull", "--runs", "--config-from", "origin/main", in: ci)
        XCTAssertTrue(pulled.stdout.contains("every digest verified"), pulled.stdout)
        XCTAssertFalse(FileManager.default.fileExists(atPath: elsewhere), "the pull request's blob remote was contacted")
        XCTAssertTrue(try run("git", "ml", "gate", "--base", "origin/main", "--head", "HEAD", in: ci).stdout.contains("promote"))
    }
}
