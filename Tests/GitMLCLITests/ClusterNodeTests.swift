import BlobStore
import Foundation
import MotoSupport
import Records
@testable import Runner
import Workspace
import XCTest

/// A cluster task without Ray: a `ClusterDriver` here makes the task (as `--on ray` does), and
/// the built `git-ml cluster-task DIR` runs it in a folder outside the repository, as the Ray
/// bridge starts it on a node — against a directory blob remote and a real S3 server (moto) on
/// loopback.
final class ClusterNodeTests: CLITestCase {
    /// The task folders' parent, as a node's temporary directory.
    var node: String!

    override func setUpWithError() throws {
        try super.setUpWithError()
        node = NSTemporaryDirectory() + "gitml-node-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: node, withIntermediateDirectories: true)
        addTeardownBlock { [node] in try? FileManager.default.removeItem(atPath: node!) }
        try setUpChurnProject(experiment: ChurnProject.experiment(seeds: "[1]"))
        try ChurnProject.script.write(toFile: repo + "/train.py", atomically: true, encoding: .utf8)
    }

    /// A driver for this repository, committed with its blob remote.
    func driver() throws -> ClusterDriver {
        try ClusterDriver(project: try Project(discoveringFrom: repo), scratch: repo + "/.git/ml/tmp/cluster-test")
    }

    /// `git ml exec` of train.py as a cluster task (what `git ml exec --on ray` submits).
    func execTask(_ driver: ClusterDriver, command: [String] = ["python3", "train.py"]) throws -> ClusterTask {
        try driver.task(arguments: ["exec", "--suite", "churn", "--experiment", "train.py", "--input", "churn-train@v1", "--"] + command,
                        files: [:], datasets: try ["churn-train@v1", "churn-eval@v1"].map(driver.project.resolveDataset))
    }

    /// A fresh task folder on the node holding `task.json`, as the bridge makes it.
    func taskFolder(_ task: ClusterTask, name: String) throws -> String {
        let folder = node + "/" + ClusterNode.folderPrefix + name
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try CanonicalJSON.encode(task.json).write(toFile: folder + "/" + ClusterNode.taskFile, atomically: true, encoding: .utf8)
        return folder
    }

    /// Adds the directory blob remote `shared` as the default one and commits it.
    func commitADirectoryRemote() throws {
        try run("git", "ml", "remote", "add", "shared", repo + "-blobs", "--default")
        addTeardownBlock { [repo] in try? FileManager.default.removeItem(atPath: repo! + "-blobs") }
        try run("git", "add", "-A")
        try run("git", "commit", "-qm", "blob remote")
    }

    /// `git ml gc --remote shared --grace-seconds 0 --json`, parsed.
    func remoteGC() throws -> [String: Any] {
        try json(try run("git", "ml", "gc", "--remote", "shared", "--grace-seconds", "0", "--json").stdout) as! [String: Any]
    }

    /// The bundle of the code is named by no record: a remote GC run between the driver's upload
    /// and a node's fetch (grace 0, as a GC long into a sweep) used to delete it, and every later
    /// task failed. The driver's hold keeps it, and the node runs the task; once the driver
    /// releases its hold the next GC removes the bundle.
    func testARemoteGCDuringASweepKeepsTheCodeItsTasksFetch() throws {
        try run("git", "ml", "remote", "add", "shared", repo + "-blobs", "--default")
        addTeardownBlock { [repo] in try? FileManager.default.removeItem(atPath: repo! + "-blobs") }
        try checkTheNodeRunsATaskAfterARemoteGC()
    }

    /// The same on a real S3 server on loopback: the task names the bucket and endpoint, never a
    /// credential; the node authenticates with its own environment.
    func testTheNodeRunsATaskThroughAnS3BlobRemote() throws {
        guard let binary = MotoServer.binary() else { throw XCTSkip("moto_server is not installed; set MOTO_SERVER (see RemoteS3Tests)") }
        let server = try MotoServer(binary: binary)
        try S3Remote(name: "cluster", bucket: "cluster", endpoint: server.endpoint, addressing: .path, credentials: server.credentials).createBucket()
        setenv("AWS_ACCESS_KEY_ID", server.credentials.accessKeyID, 1)
        setenv("AWS_SECRET_ACCESS_KEY", server.credentials.secretAccessKey, 1)
        addTeardownBlock { unsetenv("AWS_ACCESS_KEY_ID"); unsetenv("AWS_SECRET_ACCESS_KEY") }
        try run("git", "ml", "remote", "add", "shared", "s3://cluster/ml", "--endpoint", server.endpoint.absoluteString, "--path-style", "--default")
        let text = try checkTheNodeRunsATaskAfterARemoteGC()
        XCTAssertTrue(text.contains("s3://cluster/ml") && text.contains(server.endpoint.absoluteString), text)
        for secret in [server.credentials.accessKeyID, server.credentials.secretAccessKey] {
            XCTAssertFalse(text.contains(secret), "the task carries no credential")
        }
    }

    /// A node uploads the artifacts of the run it recorded, which no record here names until the
    /// driver imports the run: a remote GC between the upload and the import (grace 0) used to
    /// delete them, and the import failed. The node holds them until the import, which releases
    /// that hold; once the driver releases its own, GC removes what nothing references.
    func testARemoteGCBeforeTheImportKeepsWhatTheNodeUploaded() throws {
        try commitADirectoryRemote()
        let driver = try self.driver()
        let folder = try taskFolder(try execTask(driver), name: "outputs")
        let node = try run(["git-ml", "cluster-task", folder], expect: nil)
        XCTAssertEqual(node.status, 0, node.stderr)
        // The task's last line says where its time went.
        let phases = try XCTUnwrap(node.stderr.split(separator: "\n").last.map(String.init))
        XCTAssertTrue(phases.hasPrefix("git-ml cluster-task: fetch and check out "), node.stderr)
        for phase in ["command", "upload", "clean up"] { XCTAssertTrue(phases.contains(", \(phase) "), phases) }

        let between = try remoteGC()
        XCTAssertEqual((between["holds_honoured"] as? [Any])?.count, 2, "the driver's hold and the node's: \(between)")
        let result = try String(contentsOfFile: folder + "/" + ClusterNode.resultFile, encoding: .utf8)
        let recorded = try driver.importRun(result)
        XCTAssertEqual(recorded.record.status, .ok)
        XCTAssertFalse(recorded.record.artifacts.isEmpty, "the node uploaded the run's artifacts")

        let imported = try remoteGC()
        XCTAssertEqual((imported["holds_honoured"] as? [Any])?.count, 1, "the import released the node's hold: \(imported)")
        try driver.release()
        let after = try remoteGC()
        XCTAssertEqual((after["holds_honoured"] as? [Any])?.count, 0, "\(after)")
        XCTAssertGreaterThan(after["objects_removed"] as? Double ?? 0, 0, "the bundle, held by nothing now, is removed")
    }

    /// Commits the remote, makes a driver and an exec task, runs remote GC with grace 0, runs the
    /// task on the node and records its run here; then checks that the released hold keeps nothing.
    /// Returns the task's JSON text.
    @discardableResult
    func checkTheNodeRunsATaskAfterARemoteGC() throws -> String {
        try run("git", "add", "-A")
        try run("git", "commit", "-qm", "blob remote")
        let driver = try self.driver()
        let task = try execTask(driver)
        let during = try remoteGC()
        XCTAssertEqual((during["holds_honoured"] as? [Any])?.count, 1, "\(during)")

        let folder = try taskFolder(task, name: "gc")
        let node = try run(["git-ml", "cluster-task", folder], expect: nil)
        XCTAssertEqual(node.status, 0, node.stderr)
        let result = try String(contentsOfFile: folder + "/" + ClusterNode.resultFile, encoding: .utf8)
        let recorded = try driver.importRun(result)
        XCTAssertEqual(recorded.record.status, .ok)
        XCTAssertEqual(recorded.record.code.commit, driver.commit)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder + "/repo"), "the node removed its scratch repository")

        try driver.release()
        let after = try remoteGC()
        XCTAssertEqual((after["holds_honoured"] as? [Any])?.count, 0, "the driver released its hold: \(after)")
        XCTAssertGreaterThan(after["objects_removed"] as? Double ?? 0, 0, "the bundle, held by nothing now, is removed")
        return CanonicalJSON.encode(task.json)
    }

    /// A task killed outright (its Ray worker killed, `git ml cluster-task` with it) leaves its
    /// folder; the next task on the node removes it. A running task's folder is never removed,
    /// however old, nor one made a moment ago (the bridge makes it before the task locks it).
    func testTheNextTaskRemovesTheFolderOfAKilledOne() throws {
        try commitADirectoryRemote()
        let driver = try self.driver()
        defer { try? driver.release() }
        let sleeping = try execTask(driver, command: ["sleep", "30"])

        let killed = try taskFolder(sleeping, name: "killed")
        let first = try start(["git-ml", "cluster-task", killed])
        try waitForJobFolder(in: killed, while: first)
        let orphans = descendants(of: first.processIdentifier)
        kill(first.processIdentifier, SIGKILL)
        first.waitUntilExit()
        orphans.forEach { kill($0, SIGKILL) }
        XCTAssertTrue(FileManager.default.fileExists(atPath: killed + "/repo"), "a killed task leaves its folder")

        let live = try taskFolder(sleeping, name: "live")
        let second = try start(["git-ml", "cluster-task", live])
        defer {
            let tree = descendants(of: second.processIdentifier)
            kill(second.processIdentifier, SIGKILL)
            tree.forEach { kill($0, SIGKILL) }
        }
        try waitForJobFolder(in: live, while: second)
        let old = Date().addingTimeInterval(-10 * ClusterNode.staleAfter)
        for folder in [killed, live] { try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: folder) }
        let fresh = node + "/" + ClusterNode.folderPrefix + "fresh"
        try FileManager.default.createDirectory(atPath: fresh, withIntermediateDirectories: true)

        let next = try run(["git-ml", "cluster-task", try taskFolder(try execTask(driver), name: "next")], expect: nil)
        XCTAssertEqual(next.status, 0, next.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: killed), "the next task removed the killed one's folder")
        XCTAssertTrue(FileManager.default.fileExists(atPath: live + "/repo"), "a running task's folder stays")
        XCTAssertTrue(second.isRunning)
        XCTAssertTrue(FileManager.default.fileExists(atPath: fresh), "a folder made a moment ago stays")
    }

    /// The node cache (`NodeCache`): once a task ran, the next one on the node fetches the code
    /// and data from the node's copies (it runs with a blob remote that holds nothing) and reads
    /// the results the first one cached. A damaged copy is refused, never used: with the task's
    /// blob remote the task runs and the node's copy is made again; with nothing else to fetch
    /// from, the task fails.
    func testTheNodeFetchesOnceAndRefusesADamagedCopy() throws {
        try run("git", "ml", "remote", "add", "shared", repo + "-blobs", "--default")
        addTeardownBlock { [repo] in
            try? FileManager.default.removeItem(atPath: repo! + "-blobs")
            try? FileManager.default.removeItem(atPath: repo! + "-empty")
        }
        try run("git", "add", "-A")
        try run("git", "commit", "-qm", "blob remote")
        let driver = try self.driver()
        defer { try? driver.release() }
        let task = try execTask(driver)
        var offline = task
        offline.remote = RemoteSpec(name: "shared", url: repo + "-empty")
        func runs(_ task: ClusterTask, _ name: String) throws -> (status: Int32, stderr: String, result: String?) {
            let folder = try taskFolder(task, name: name)
            let node = try run(["git-ml", "cluster-task", folder], expect: nil)
            return (node.status, node.stderr, try? String(contentsOfFile: folder + "/" + ClusterNode.resultFile, encoding: .utf8))
        }
        let cache = node + "/" + NodeCache.folderName

        let first = try runs(task, "first")
        XCTAssertEqual(first.status, 0, first.stderr)
        for name in ["results", "executables"] {
            XCTAssertFalse(try FileManager.default.contentsOfDirectory(atPath: cache + "/" + name).isEmpty, "the task's \(name) cache stays on the node")
        }
        let cached = try runs(offline, "cached")
        XCTAssertEqual(cached.status, 0, "the node's copies serve the second task: \(cached.stderr)")

        try damagePacks(under: cache + "/blobs")
        let repaired = try runs(task, "repaired")
        XCTAssertEqual(repaired.status, 0, repaired.stderr)
        XCTAssertEqual(try driver.importRun(try XCTUnwrap(repaired.result)).record.status, .ok)
        let again = try runs(offline, "again")
        XCTAssertEqual(again.status, 0, "the node's copy was made again: \(again.stderr)")

        try damagePacks(under: cache + "/blobs")
        let refused = try runs(offline, "refused")
        XCTAssertNotEqual(refused.status, 0, "a damaged copy is never used")
        XCTAssertNil(refused.result)
    }

    /// A node restores a task's datasets once, into the scratch work tree as `data checkout`
    /// leaves them (their digests in the stat cache): the run's preflight and its worker read
    /// them there, where each used to restore a copy of its own from the scratch store. A
    /// checkout afterwards writes nothing, and the code state stays clean.
    func testTheNodeChecksOutTheTaskDatasetsOnce() throws {
        try commitADirectoryRemote()
        let driver = try self.driver()
        defer { try? driver.release() }
        let task = try execTask(driver)
        let folder = try taskFolder(task, name: "checkout")
        let root = folder + "/repo"
        try ClusterNode(directory: folder, executable: "git-ml").materialise(task, at: root)
        let scratch = try Project(discoveringFrom: root)
        XCTAssertEqual(task.datasets.count, 2)
        for use in task.datasets {
            let version = try scratch.resolveDataset("\(use.name)@v\(use.version)")
            XCTAssertEqual(try scratch.checkoutDataset(version), 0, "\(version.record.label) is in the work tree already")
        }
        XCTAssertFalse(try CodeState.current(repository: scratch.repository, root: root).dirty)
    }

    /// Flips a byte in the middle of every pack under `folder` (a directory blob remote).
    func damagePacks(under folder: String) throws {
        let packs = (FileManager.default.enumerator(atPath: folder)?.allObjects as? [String] ?? []).filter { $0.hasSuffix(".pack") }
        XCTAssertFalse(packs.isEmpty, "the node holds packs")
        for pack in packs.map({ folder + "/" + $0 }) {
            var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: pack)))
            bytes[bytes.count / 2] ^= 0xFF
            chmod(pack, 0o644)
            try Data(bytes).write(to: URL(fileURLWithPath: pack))
        }
    }

    /// Waits (up to a minute) until the task in `folder` has written its job folder.
    func waitForJobFolder(in folder: String, while task: Process) throws {
        let deadline = Date().addingTimeInterval(60)
        while !FileManager.default.fileExists(atPath: folder + "/job"), task.isRunning, Date() < deadline { usleep(50_000) }
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder + "/job"), "the task started its command")
        usleep(300_000)
    }

    /// The process ids below `pid` (children first), from each process's parent in /proc.
    func descendants(of pid: Int32) -> [Int32] {
        let parents: [(Int32, Int32)] = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { name in
            guard let child = Int32(name), let stat = try? String(contentsOfFile: "/proc/\(name)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return nil }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 1 ? Int32(fields[1]).map { (child, $0) } : nil
        }
        func below(_ pid: Int32) -> [Int32] {
            let children = parents.filter { $0.1 == pid }.map(\.0)
            return children + children.flatMap(below)
        }
        return below(pid)
    }
}
