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

    /// The gate jobs re-execute an exec candidate when the base's policy requires a
    /// reproduction (`git ml gate --reproduce-exec`, the CI key from a secret): exactly the
    /// templates' script lines, run in a fresh clone of each branch. An honest exec candidate
    /// promotes on its signed re-execution; the work-tree label reader (AUC 1 on its author's
    /// machine) is re-executed outside the checkout with the labels withheld and rejected.
    func testTheGateJobsReExecuteExecCandidatesAndCatchTheWorkTreeLabelReader() throws {
        try setUpChurnProject()
        _ = try setUpSharing(defaultRemote: true)
        try ChurnProject.policy.write(toFile: repo + "/ml/gate.yaml", atomically: true, encoding: .utf8)
        try AttackExecTests.cheat.write(toFile: repo + "/train.py", atomically: true, encoding: .utf8)
        try run("git", "add", "-A")
        try run("git", "commit", "-qm", "policy and script")
        try run("git", "ml", "push")
        for (branch, cheat) in [("honest", false), ("cheat", true)] {
            try run("git", "checkout", "-q", "-b", branch, "main")
            try run("env", cheat ? "CHEAT=1" : "HONEST=1", "git", "ml", "exec", "--input", "churn-train@v1", "--", "python3", "train.py")
            try run("git", "mlcommit", "-m", branch, "--newest")
            try run("git", "ml", "push")
        }
        let key = repo + "/.git/test-keys/ci"
        for (branch, expected) in [("honest", Int32(0)), ("cheat", Int32(1))] {
            for (template, job) in [("github-actions.yml", "github"), ("gitlab-ci.yml", "gitlab")] {
                let ci = repo + "-ci-\(branch)-\(job)"
                addTeardownBlock { try? FileManager.default.removeItem(atPath: ci) }
                try run("git", "clone", "-q", "-b", branch, repo + "-bare.git", ci)
                let script = job == "github" ? try gitHubGateScript(template, key: key, ci: ci) : try gitLabGateScript(template, key: key)
                let gate = try run(script.env + ["bash", "-eo", "pipefail", "-c", script.text], in: ci, expect: expected)
                let review = try String(contentsOfFile: ci + "/gitml-review.md", encoding: .utf8)
                if expected == 1 {
                    XCTAssertTrue(review.contains("the reproduction by trusted signer ci@example.com differs"), "\(job): \(review)\(gate.stderr)")
                } else {
                    XCTAssertTrue(review.contains("reproduced by trusted signer ci@example.com: bit identical"), "\(job): \(review)\(gate.stderr)")
                }
            }
        }
    }

    /// The GitHub gate job's `run` steps after the checkout and install (fetch, gate), with the
    /// workflow's expressions given a pull request into main and the CI key as the secret.
    private func gitHubGateScript(_ name: String, key: String, ci: String) throws -> (text: String, env: [String]) {
        let (_, root) = try template(name)
        let steps = try XCTUnwrap(root["jobs"]?["gitml-gate"]?["steps"]?.sequence)
        let values = ["github.base_ref": "main", "github.token": "unused", "secrets.GITML_READ_AWS_ACCESS_KEY_ID": "",
                      "secrets.GITML_READ_AWS_SECRET_ACCESS_KEY": "", "secrets.GITML_REPRODUCE_KEY": try String(contentsOfFile: key, encoding: .utf8)]
        func expand(_ text: String) throws -> String {
            var out = text
            for (name, value) in values { out = out.replacingOccurrences(of: "${{ \(name) }}", with: value) }
            XCTAssertFalse(out.contains("${{"), "an expression this test does not give: \(out)")
            return out
        }
        var text = "", env = ["env", "RUNNER_TEMP=\(ci)-runner"]
        try FileManager.default.createDirectory(atPath: ci + "-runner", withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: ci + "-runner") }
        for step in steps where step["run"] != nil && step["name"]?.string?.hasPrefix("Install") == false {
            text += try expand(step["run"]!.string!) + "\n"
            for (k, v) in step["env"]?.mapping ?? [:] { env.append("\(k.string!)=\(try expand(v.string ?? ""))") }
        }
        return (text, env)
    }

    /// The GitLab gate job's script lines after the install anchor, for a merge request into main.
    private func gitLabGateScript(_ name: String, key: String) throws -> (text: String, env: [String]) {
        let (_, root) = try template(name)
        let lines = try XCTUnwrap(root["gitml-gate"]?["script"]?.sequence).compactMap(\.string)
        return (lines.joined(separator: "\n"), ["env", "CI_MERGE_REQUEST_TARGET_BRANCH_NAME=main", "GITML_REPRODUCE_KEY=\(key)",
                                                "CI_API_V4_URL=http://127.0.0.1:9", "GITML_NOTE_TOKEN=unused"])
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
