import Foundation
import XCTest

/// Reliability promises (docs/RELIABILITY.md) checked through the built binary: hostile
/// numbers, unreadable files, killed processes, long pulls.
final class ReliabilityTests: CLITestCase {
    private let contract = """
        apiVersion: v3.0.2
        kind: DataContract
        name: extreme
        schema:
          - name: extreme
            properties:
              - { name: id, logicalType: integer, required: true, unique: true }
              - { name: x, logicalType: number }
        drift:
          reference: previous
          thresholds: { psi: 0.2, ks: 0.1, js: 0.1, linf: 0.1 }

        """

    /// `1e308`, `-1e308`, `inf` and `-inf` in a column made the histogram's bin width infinite
    /// and its bin positions NaN, and `Int(NaN)` trapped (SIGILL) in `data show --profile`.
    /// Profiles, drift against a previous version and contract checks at add now finish.
    func testExtremeAndInfiniteValuesAreProfiledValidatedAndChecked() throws {
        try run("git", "ml", "init")
        try FileManager.default.createDirectory(atPath: repo + "/ml/contracts", withIntermediateDirectories: true)
        try contract.write(toFile: repo + "/ml/contracts/x.yaml", atomically: true, encoding: .utf8)
        var rows = (1...40).map { "\($0),\(Double($0) / 4)" }
        try (["id,x"] + rows).joined(separator: "\n").write(toFile: repo + "/x.csv", atomically: true, encoding: .utf8)
        try run("git", "ml", "data", "add", "x.csv", "--name", "x")
        rows += ["41,1e308", "42,-1e308", "43,inf", "44,-inf", "45,1.7976931348623157e308"]
        try (["id,x"] + rows).joined(separator: "\n").write(toFile: repo + "/x.csv", atomically: true, encoding: .utf8)
        let added = try run("git", "ml", "data", "add", "x.csv", "--name", "x", expect: nil)
        XCTAssertTrue([0, 1].contains(added.status), "data add with a contract: \(added.stderr)")
        let profile = try run("git", "ml", "data", "show", "x@v2", "--profile")
        XCTAssertTrue(profile.stdout.contains("min -inf"), profile.stdout)
        try run("git", "ml", "data", "show", "x@v2", "--profile", "--json")
        let validated = try run("git", "ml", "data", "validate", "x@v2", expect: nil)
        XCTAssertTrue([0, 1].contains(validated.status), "data validate with drift: \(validated.stderr)")

        // Finite extremes whose span overflows: every value lands in a bin, every edge is finite.
        try "id,x\n1,1e308\n2,-1e308\n3,5\n".write(toFile: repo + "/y.csv", atomically: true, encoding: .utf8)
        try run("git", "ml", "data", "add", "y.csv", "--name", "y")
        let json = try run("git", "ml", "data", "show", "y", "--profile", "--json").stdout
        let columns = try XCTUnwrap(((try self.json(json) as? [String: Any])?["profile"] as? [String: Any])?["columns"] as? [[String: Any]])
        let numeric = try XCTUnwrap(columns.first { $0["name"] as? String == "x" }?["numeric"] as? [String: Any])
        XCTAssertEqual((numeric["histogram_counts"] as? [Int])?.reduce(0, +), 3)
        XCTAssertTrue((numeric["histogram_edges"] as? [Any])?.allSatisfy { $0 is NSNumber } == true, "\(numeric)")
    }

    /// Every other command refuses an unreadable `ml/lock.json`; fsck passed it. It now reports it
    /// and exits 1, for each way a lock can be unreadable.
    func testFsckReportsAnUnreadableLock() throws {
        try run("git", "ml", "init")
        try writeCSV("d.csv", rows: 50)
        try run("git", "ml", "data", "add", "d.csv", "--name", "d")
        let lockPath = repo + "/ml/lock.json"
        let good = try Data(contentsOf: URL(fileURLWithPath: lockPath))
        try run("git", "ml", "fsck")
        let text = String(decoding: good, as: UTF8.self)
        let broken: [(String, Data)] = [
            ("truncated", good.prefix(good.count / 2)),
            ("null", Data("null".utf8)),
            ("wrong types", Data(text.replacingOccurrences(of: "\"v1\"", with: "1").utf8)),
            ("unknown format_version", Data(text.replacingOccurrences(of: "\"format_version\": 1", with: "\"format_version\": 99").utf8)),
            ("invalid UTF-8", Data(text.replacingOccurrences(of: "d.csv", with: "d\u{1}csv").utf8.map { $0 == 1 ? 0xFF : $0 })),
        ]
        for (what, bytes) in broken {
            XCTAssertNotEqual(bytes, good, what)
            try bytes.write(to: URL(fileURLWithPath: lockPath))
            let result = try run("git", "ml", "fsck", expect: 1)
            XCTAssertTrue((result.stdout + result.stderr).contains("ml/lock.json"), "\(what): \(result.stdout)\(result.stderr)")
        }
        try good.write(to: URL(fileURLWithPath: lockPath))
        try run("git", "ml", "fsck")
    }

    /// `kill -9` of `git ml run` left its `git-ml run --worker` training on under init. The worker
    /// now dies with its parent.
    func testTheWorkerDiesWithAKilledRun() throws {
        try setUpChurnProject(experiment: ChurnProject.experiment(rounds: 100_000, seeds: "[1]"))
        let run = try start(["git", "ml", "run", "churn-gbdt"])
        defer { if run.isRunning { run.terminate() } }
        var worker: (pid: Int32, parent: Int32)?
        let deadline = Date().addingTimeInterval(60)
        while worker == nil, Date() < deadline {
            worker = Self.processes().first { $0.arguments.contains("--worker") && $0.arguments.contains { $0.hasPrefix(repo) } }
                .map { ($0.pid, $0.parent) }
            if worker == nil { usleep(50_000) }
        }
        let (pid, parent) = try XCTUnwrap(worker, "the worker started")
        XCTAssertEqual(kill(parent, SIGKILL), 0)
        let gone = Date().addingTimeInterval(5)
        while Self.isAlive(pid), Date() < gone { usleep(50_000) }
        XCTAssertFalse(Self.isAlive(pid), "the worker \(pid) outlived its killed parent \(parent)")
        if Self.isAlive(pid) { kill(pid, SIGKILL) }
    }

    /// Every process's id, parent and arguments (from /proc).
    private static func processes() -> [(pid: Int32, parent: Int32, arguments: [String])] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return names.compactMap { name in
            guard let pid = Int32(name), let stat = try? String(contentsOfFile: "/proc/\(name)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")"),
                  let cmdline = FileManager.default.contents(atPath: "/proc/\(name)/cmdline") else { return nil }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 2, let parent = Int32(fields[1]) else { return nil }
            return (pid, parent, cmdline.split(separator: 0).map { String(decoding: $0, as: UTF8.self) })
        }
    }

    /// Whether `pid` runs (a zombie does not).
    private static func isAlive(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return false }
        return stat[stat.index(after: close)...].split(separator: " ").first != "Z"
    }

    /// `resamples: 9223372036854775807` ran forever; configuration numbers now have ranges checked
    /// before any work, and a run without a wall-clock budget records the default one it was held to.
    func testConfigurationNumbersAreBoundedAndRunsHaveADefaultWallLimit() throws {
        try setUpChurnProject(experiment: ChurnProject.experiment(rounds: 5, seeds: "[1]"))
        let suitePath = repo + "/ml/suites/churn.yaml"
        let suite = try String(contentsOfFile: suitePath, encoding: .utf8)
        try suite.replacingOccurrences(of: "resamples: 200", with: "resamples: 9223372036854775807")
            .write(toFile: suitePath, atomically: true, encoding: .utf8)
        let unbounded = try run("git", "ml", "run", "churn-gbdt", expect: nil)
        XCTAssertNotEqual(unbounded.status, 0)
        XCTAssertTrue(unbounded.stderr.contains("resamples"), unbounded.stderr)
        try suite.write(toFile: suitePath, atomically: true, encoding: .utf8)

        let experimentPath = repo + "/ml/experiments/churn-gbdt.yaml"
        for (key, value) in [("rounds", "1000000000"), ("num_leaves", "9223372036854775807")] {
            try ChurnProject.experiment(rounds: 5, seeds: "[1]").replacingOccurrences(of: "rounds: 5", with: "\(key == "rounds" ? "rounds: \(value)" : "rounds: 5, \(key): \(value)")")
                .replacingOccurrences(of: "num_leaves: 15, ", with: key == "num_leaves" ? "" : "num_leaves: 15, ")
                .write(toFile: experimentPath, atomically: true, encoding: .utf8)
            let refused = try run("git", "ml", "run", "churn-gbdt", expect: nil)
            XCTAssertNotEqual(refused.status, 0, key)
            XCTAssertTrue(refused.stderr.contains(key), "\(key): \(refused.stderr)")
        }
        XCTAssertEqual(try run("git", "for-each-ref", "refs/ml/runs/").stdout, "", "no run was recorded")

        try ChurnProject.experiment(rounds: 5, seeds: "[1]").write(toFile: experimentPath, atomically: true, encoding: .utf8)
        try run("git", "ml", "run", "churn-gbdt")
        let ref = try run("git", "for-each-ref", "--format=%(refname)", "refs/ml/runs/").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let record = try XCTUnwrap(try json(try run("git", "show", ref + ":run.json").stdout) as? [String: Any])
        let budget = (record["config"] as? [String: Any])?["budget"] as? [String: Any]
        XCTAssertEqual(budget?["max_wall_seconds"] as? Double, 86_400, "\(String(describing: budget))")
    }

    /// 30 versions pushed one at a time, then one `git ml pull` of all of them in a fresh clone,
    /// failed ("pack is damaged … object is not in the store"): the pull's transfer threads read
    /// delta bases from the open local pack while another thread's append sealed it at 64 MiB.
    /// The default mode pulls 4 versions (a few seconds); GITML_SLOW_TESTS=1 pulls 30 versions of
    /// 5 MiB with half their bytes changed each time (over 64 MiB of deltas: the failing case).
    func testOnePullOfManyVersionsInAFreshClone() throws {
        let slow = ProcessInfo.processInfo.environment["GITML_SLOW_TESTS"] == "1"
        let (versions, size) = slow ? (30, 5 << 20) : (4, 1 << 20)
        let (bare, _, other) = try setUpSharing(defaultRemote: true)
        var random = UInt64(7)
        func next() -> UInt64 {
            random &+= 0x9E37_79B9_7F4A_7C15
            var z = random
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        var bytes = [UInt8](repeating: 0, count: size)
        var digests: [String] = []
        for version in 1...versions {
            // Every other 4 KiB block new: each version is stored as large deltas of the last.
            for block in stride(from: version == 1 ? 0 : (version % 2) * 4096, to: size, by: version == 1 ? 4096 : 8192) {
                for i in stride(from: block, to: min(block + 4096, size), by: 8) {
                    withUnsafeBytes(of: next()) { word in for j in 0..<min(8, size - i) { bytes[i + j] = word[j] } }
                }
            }
            try Data(bytes).write(to: URL(fileURLWithPath: repo + "/blob.bin"))
            digests.append(try sha256("blob.bin"))
            try run("git", "ml", "data", "add", "blob.bin", "--name", "blob")
            try run("git", "mlcommit", "-m", "blob v\(version)")
            try run("git", "ml", "push")
        }
        try run("git", "clone", "-q", bare, other, in: NSTemporaryDirectory())
        try run("git", "ml", "init", in: other)
        try run("git", "ml", "fetch", in: other)
        try run(["git", "ml", "pull", "shared"] + (1...versions).map { "blob@v\($0)" }, in: other)
        try run("git", "ml", "fsck", in: other)
        for version in [1, versions / 2, versions] {
            try run("git", "ml", "data", "checkout", "blob@v\(version)", in: other)
            XCTAssertEqual(String(try run("sha256sum", "blob.bin", in: other).stdout.prefix(64)), digests[version - 1], "v\(version)")
        }
    }

    /// `git ml push` named every ref in its `git push` command line; 20,000 versions of a dataset
    /// with a 100-character name need about 5 MB of arguments, over Linux's 2 MB (ARG_MAX), and
    /// the push failed. Globs now name them (default mode 500 versions, slow mode 20,000).
    func testAPushOfTwentyThousandVersionsOfALongNamedDataset() throws {
        let count = ProcessInfo.processInfo.environment["GITML_SLOW_TESTS"] == "1" ? 20_000 : 500
        let (bare, _, _) = try setUpSharing(defaultRemote: true)
        let name = String(repeating: "long-dataset-name-", count: 6).prefix(99) + "d"
        try writeCSV("d.csv", rows: 30, variant: 0)
        try run("git", "ml", "data", "add", "d.csv", "--name", String(name), "--no-checks")
        let commit = try run("git", "rev-parse", "refs/ml/datasets/\(name)/v1").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let commands = repo + "-refs.txt"
        defer { try? FileManager.default.removeItem(atPath: commands) }
        try (2...count).map { "create refs/ml/datasets/\(name)/v\($0) \(commit)\n" }.joined().write(toFile: commands, atomically: true, encoding: .utf8)
        try run("sh", "-c", "git update-ref --stdin < \"$0\" && git pack-refs --all", commands)
        try run("git", "add", "-A")
        try run("git", "commit", "-qm", "many versions")
        let started = Date()
        try run("git", "ml", "push")
        print("push of \(count) versions: \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
        let published = try run("git", "for-each-ref", "--format=%(refname)", "refs/ml/datasets/", in: bare).stdout
        XCTAssertEqual(published.split(separator: "\n").count, count)
        XCTAssertTrue(try run("git", "ls-remote", bare, "refs/heads/main").stdout.contains(try run("git", "rev-parse", "HEAD").stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
    }
}
