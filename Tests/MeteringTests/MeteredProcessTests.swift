import Foundation
import Platform
import XCTest
@testable import Metering

/// Real processes, no mocks. Every tree test runs under both methods: `.automatic` (a cgroup v2
/// where this machine allows it) and `.rusage`. Figures are checked against loose lower bounds
/// only: the busy loop burns ~0.3 s of CPU on this machine; the assertions need 0.2 s.
final class MeteredProcessTests: XCTestCase {
    /// Shell code that burns roughly 0.3 s of CPU.
    static let busyLoop = "i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done"
    static let environment = ["PATH": "/usr/local/bin:/usr/bin:/bin"]
    static let preferences: [MethodPreference] = [.automatic, .rusage]

    func shell(_ script: String, stdout: OutputDestination = .inherit) -> LaunchSpec {
        LaunchSpec(arguments: ["sh", "-c", script], environment: Self.environment, standardInput: .nullDevice,
                   standardOutput: stdout)
    }

    func options(_ preference: MethodPreference, budget: Budget = .unlimited) -> MeteringOptions {
        MeteringOptions(budget: budget, gracePeriod: 0.5, methodPreference: preference)
    }

    func testBusyLoopCPUIsMeasured() throws {
        for preference in Self.preferences {
            let result = try MeteredProcess.run(shell(Self.busyLoop), options: options(preference))
            XCTAssertEqual(result.outcome, .completed)
            XCTAssertEqual(result.exitStatus, .exited(code: 0))
            XCTAssertGreaterThanOrEqual(result.measurement.cpuSeconds, 0.2, "\(preference)")
            XCTAssertGreaterThanOrEqual(result.measurement.wallSeconds, result.measurement.cpuSeconds * 0.5)
            if preference == .rusage { XCTAssertEqual(result.measurement.method, .rusage) }
            if result.measurement.method == .rusage && preference == .automatic { XCTAssertNotNil(result.methodNote) }
        }
    }

    func testGrandchildCPUIsCounted() throws {
        for preference in Self.preferences {
            // The root forks a subshell that forks the busy loop as a grandchild.
            let script = "( sh -c '\(Self.busyLoop)' & wait ) ; wait"
            let result = try MeteredProcess.run(shell(script), options: options(preference))
            XCTAssertEqual(result.exitStatus, .exited(code: 0))
            XCTAssertGreaterThanOrEqual(result.measurement.cpuSeconds, 0.2, "\(preference)")
        }
    }

    /// Launches from several threads at once each meter their own tree only.
    func testConcurrentLaunchesMeterTheirOwnTrees() throws {
        let results = Locked<[Result<MeteredResult, MeteringError>]>([])
        let spec = shell(Self.busyLoop)
        let settings = options(.automatic)
        DispatchQueue.concurrentPerform(iterations: 3) { _ in
            let result = Result { () throws(MeteringError) in try MeteredProcess.run(spec, options: settings) }
            results.withLock { $0.append(result) }
        }
        for result in results.withLock({ $0 }) {
            let measured = try result.get()
            XCTAssertEqual(measured.exitStatus, .exited(code: 0))
            XCTAssertGreaterThanOrEqual(measured.measurement.cpuSeconds, 0.2)
        }
    }

    func testCPUBudgetStopsEndlessLoopAndKillsWholeTree() throws {
        for preference in Self.preferences {
            // A background child and the root both spin forever.
            let process = try MeteredProcess.launch(shell("while :; do :; done & while :; do :; done"),
                                                    options: options(preference, budget: Budget(maxCPUSeconds: 0.3)))
            let result = try process.waitForExit()
            XCTAssertEqual(result.outcome, .overBudget(.cpuSeconds), "\(preference)")
            XCTAssertEqual(result.exitStatus, .signaled(signal: SIGTERM))
            XCTAssertGreaterThanOrEqual(result.measurement.cpuSeconds, 0.3)
            XCTAssertTrue(waitUntilNoLiveMember(ofGroup: process.processID), "a process of the tree survived")
        }
    }

    func testWallBudgetStopsSleepingTree() throws {
        for preference in Self.preferences {
            let result = try MeteredProcess.run(shell("sleep 30"), options: options(preference, budget: Budget(maxWallSeconds: 0.3)))
            XCTAssertEqual(result.outcome, .overBudget(.wallSeconds))
            XCTAssertGreaterThanOrEqual(result.measurement.wallSeconds, 0.3)
            XCTAssertLessThan(result.measurement.wallSeconds, 25)
        }
    }

    func testUSDBudgetUsesRates() throws {
        // 3600 $/CPU-hour = 1 $/CPU-second: a 0.3 $ budget is 0.3 CPU seconds.
        var settings = options(.rusage, budget: Budget(maxUSD: 0.3))
        settings.rates = CostRates(cpuHourUSD: 3600)
        let result = try MeteredProcess.run(shell("while :; do :; done"), options: settings)
        XCTAssertEqual(result.outcome, .overBudget(.usd))
        XCTAssertEqual(result.usd, result.measurement.cpuSeconds, accuracy: 1e-12)
        XCTAssertGreaterThan(result.usd, 0.3)
    }

    func testExitStatusIsPropagated() throws {
        for preference in Self.preferences {
            XCTAssertEqual(try MeteredProcess.run(shell("exit 7"), options: options(preference)).exitStatus, .exited(code: 7))
            let killed = try MeteredProcess.run(shell("kill -9 $$"), options: options(preference))
            XCTAssertEqual(killed.exitStatus, .signaled(signal: SIGKILL))
            XCTAssertEqual(killed.exitStatus.shellStatus, 137)
            XCTAssertEqual(killed.outcome, .completed)
        }
    }

    /// A grandchild that leaves the session (setsid) and is orphaned (its parent exits) burns
    /// CPU, then sleeps forever. Under a cgroup it is counted and killed; under rusage it
    /// escapes, which the method states.
    func testDaemonizedGrandchildUnderEachMethod() throws {
        for preference in Self.preferences {
            let directory = try temporaryDirectory()
            let pidFile = directory.appendingPathComponent("daemon.pid").path
            let daemonScript = directory.appendingPathComponent("daemon.sh").path
            try "\(Self.busyLoop); echo $$ > \(pidFile).tmp; mv \(pidFile).tmp \(pidFile); while :; do sleep 1; done\n"
                .write(toFile: daemonScript, atomically: true, encoding: .utf8)
            let script = "setsid sh -c 'sh \(daemonScript) & exit 0'; while [ ! -s \(pidFile) ]; do sleep 0.05; done"
            let result = try MeteredProcess.run(shell(script), options: options(preference))
            XCTAssertEqual(result.exitStatus, .exited(code: 0))
            let daemonID = try XCTUnwrap(Int32(String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
            if result.measurement.method == .cgroupV2 {
                XCTAssertTrue(result.measurement.method.countsDetachedDescendants)
                XCTAssertGreaterThanOrEqual(result.measurement.cpuSeconds, 0.2)
                XCTAssertFalse(isLive(daemonID), "the daemon escaped the cgroup")
            } else {
                XCTAssertFalse(result.measurement.method.countsDetachedDescendants)
                XCTAssertLessThan(result.measurement.cpuSeconds, 0.2, "rusage cannot see the daemon's CPU")
                XCTAssertTrue(isLive(daemonID), "under rusage a daemon escapes the process group")
                kill(daemonID, SIGKILL)
            }
        }
    }

    func testInterruptStopsTreeAsInterrupted() throws {
        for preference in Self.preferences {
            let process = try MeteredProcess.launch(shell("sleep 30"), options: options(preference))
            DispatchQueue.global().asyncAfter(deadline: .now() + 0.2) { process.interrupt() }
            let result = try process.waitForExit()
            XCTAssertEqual(result.outcome, .interrupted)
            XCTAssertEqual(result.exitStatus, .signaled(signal: SIGINT))
            XCTAssertEqual(try process.waitForExit(), result, "a second wait returns the same result")
        }
    }

    func testTreeIgnoringPoliteSignalsIsKilledAfterTheGrace() throws {
        for preference in Self.preferences {
            let process = try MeteredProcess.launch(shell("trap '' INT TERM; while :; do sleep 0.05; done"),
                                                    options: options(preference))
            DispatchQueue.global().asyncAfter(deadline: .now() + 0.2) { process.interrupt() }
            let result = try process.waitForExit()
            XCTAssertEqual(result.outcome, .interrupted)
            XCTAssertEqual(result.exitStatus, .signaled(signal: SIGKILL))
            XCTAssertTrue(waitUntilNoLiveMember(ofGroup: process.processID), "a process of the tree survived")
        }
    }

    func testInterruptWatchTurnsSIGINTIntoAnInterruptedRun() throws {
        let watch = InterruptWatch()
        defer { watch.cancel() }
        let process = try MeteredProcess.launch(shell("sleep 30"), options: options(.automatic))
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.2) { kill(getpid(), SIGINT) }
        let result = try process.waitForExit(stoppingOn: watch)
        XCTAssertTrue(watch.hasFired)
        XCTAssertEqual(result.outcome, .interrupted)
    }

    func testWatchesCanFollowEachOther() {
        for _ in 0..<3 {
            let watch = InterruptWatch()
            kill(getpid(), SIGINT)
            for _ in 0..<500 where !watch.hasFired { usleep(10_000) }
            XCTAssertEqual(watch.deliveryCount, 1)
            watch.cancel()
        }
    }

    func testSecondSIGINTKillsWithoutWaitingForTheGrace() throws {
        let watch = InterruptWatch()
        defer { watch.cancel() }
        var settings = options(.automatic)
        settings.gracePeriod = 60
        let process = try MeteredProcess.launch(shell("trap '' INT TERM; while :; do sleep 0.05; done"), options: settings)
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.2) { kill(getpid(), SIGINT) }
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.6) { kill(getpid(), SIGINT) }
        let result = try process.waitForExit(stoppingOn: watch)
        XCTAssertEqual(watch.deliveryCount, 2)
        XCTAssertEqual(result.outcome, .interrupted)
        XCTAssertEqual(result.exitStatus, .signaled(signal: SIGKILL))
        XCTAssertLessThan(result.measurement.wallSeconds, 50, "the grace period was waited for")
    }

    func testEnvironmentWorkingDirectoryAndRedirection() throws {
        let directory = try temporaryDirectory()
        let output = directory.appendingPathComponent("out.txt").path
        var spec = shell(#"echo "$GREETING"; pwd; env | wc -l"#, stdout: .file(path: output))
        spec.environment = ["GREETING": "hello", "PATH": "/usr/bin:/bin"]
        spec.workingDirectory = directory.path
        let result = try MeteredProcess.run(spec, options: options(.automatic))
        XCTAssertEqual(result.exitStatus, .exited(code: 0))
        let lines = try String(contentsOfFile: output, encoding: .utf8).split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.first, "hello")
        XCTAssertEqual(lines.dropFirst().first.map { URL(fileURLWithPath: $0).resolvingSymlinksInPath().path },
                       directory.resolvingSymlinksInPath().path)
        // dash adds PWD (and nothing else) to the two variables it was given.
        XCTAssertLessThanOrEqual(Int(lines.last ?? "") ?? 99, 3)
    }

    func testPeakMemoryOfTheTree() throws {
        for preference in Self.preferences {
            // The shell holds a 50 MB string.
            let script = #"x=$(head -c 50000000 /dev/zero | tr "\0" a); sleep 0.2; echo ${#x} >/dev/null"#
            let result = try MeteredProcess.run(shell(script), options: options(preference))
            XCTAssertGreaterThanOrEqual(result.measurement.peakRSSBytes, 40_000_000, "\(preference)")
        }
    }

    func testLaunchErrorsNameTheProblem() {
        XCTAssertThrowsError(try MeteredProcess.launch(LaunchSpec(arguments: ["no-such-tool-xyz"], environment: Self.environment))) {
            XCTAssertEqual($0 as? MeteringError, .executableNotFound(name: "no-such-tool-xyz", searchPath: Self.environment["PATH"]!))
        }
        XCTAssertThrowsError(try MeteredProcess.launch(LaunchSpec(arguments: ["./missing.sh"], environment: Self.environment,
                                                                  workingDirectory: "/tmp"))) {
            XCTAssertEqual($0 as? MeteringError, .executableNotFound(name: "./missing.sh", searchPath: "/tmp/./missing.sh"))
        }
        XCTAssertThrowsError(try MeteredProcess.launch(LaunchSpec(arguments: ["true"], environment: Self.environment,
                                                                  workingDirectory: "/no/such/dir"))) {
            XCTAssertEqual($0 as? MeteringError, .workingDirectoryMissing(path: "/no/such/dir"))
        }
        XCTAssertThrowsError(try MeteredProcess.launch(LaunchSpec(arguments: [], environment: [:]))) {
            XCTAssertEqual($0 as? MeteringError, .emptyCommand)
        }
        XCTAssertThrowsError(try MeteredProcess.launch(shell("true", stdout: .file(path: "/no/such/dir/out")))) {
            XCTAssertEqual($0 as? MeteringError, .cannotOpenRedirection(path: "/no/such/dir/out", errno: ENOENT))
        }
    }

    /// A cgroup left by a meter that died (its pid is gone) is emptied and removed by the next launch.
    func testAbandonedCgroupIsKilledAndRemoved() throws {
        let (_, abandoned, _) = try abandonedCgroup()
        let orphan = try MeteredProcess.launch(shell("sleep 30"), options: options(.rusage))
        try "\(orphan.processID)".write(toFile: "\(abandoned)/cgroup.procs", atomically: false, encoding: .utf8)
        _ = try MeteredProcess.run(shell("true"), options: options(.automatic))
        XCTAssertFalse(FileManager.default.fileExists(atPath: abandoned))
        XCTAssertEqual(try orphan.waitForExit().exitStatus, .signaled(signal: SIGKILL))
    }

    /// A metering cgroup as a meter that died leaves it: (this process's cgroup, the leftover, its dead creator's pid).
    private func abandonedCgroup() throws -> (String, String, Int32) {
        guard let own = CgroupV2.ownCgroupDirectory() else { throw XCTSkip("no cgroup v2 here") }
        let deadCreator = try MeteredProcess.launch(shell("true"), options: options(.rusage))
        _ = try deadCreator.waitForExit()
        let abandoned = "\(own)/\(CgroupV2.namePrefix)\(deadCreator.processID)-1"
        guard mkdir(abandoned, 0o755) == 0 else { throw XCTSkip("cannot create cgroups here") }
        return (own, abandoned, deadCreator.processID)
    }

    /// A leftover holding the cgroup of a nested meter (a metered tree that metered in turn) is
    /// removed with its child at once: rmdir of the parent alone fails however long it is retried.
    func testAbandonedCgroupWithANestedCgroupIsRemovedAtOnce() throws {
        let (own, abandoned, deadCreator) = try abandonedCgroup()
        XCTAssertEqual(mkdir("\(abandoned)/\(CgroupV2.namePrefix)\(deadCreator + 1)-1", 0o755), 0)
        let started = Date()
        CgroupV2.removeAbandoned(under: own)
        XCTAssertFalse(FileManager.default.fileExists(atPath: abandoned))
        XCTAssertLessThan(Date().timeIntervalSince(started), 0.5)
    }

    func testFailedSpawnIsNamed() throws {
        let directory = try temporaryDirectory()
        let script = directory.appendingPathComponent("not-a-program").path
        try "\u{7f}ELF garbage".write(toFile: script, atomically: true, encoding: .utf8)
        chmod(script, 0o755)
        for preference in Self.preferences {
            XCTAssertThrowsError(try MeteredProcess.launch(LaunchSpec(arguments: [script], environment: Self.environment),
                                                           options: options(preference))) {
                XCTAssertEqual($0 as? MeteringError, .launchFailed(executable: script, errno: ENOEXEC))
            }
        }
    }

    /// No test leaves a metering cgroup behind.
    override func tearDown() {
        if let own = CgroupV2.ownCgroupDirectory() {
            let leftovers = (try? FileManager.default.contentsOfDirectory(atPath: own))?
                .filter { $0.hasPrefix("\(CgroupV2.namePrefix)\(getpid())-") } ?? []
            XCTAssertEqual(leftovers, [])
        }
        super.tearDown()
    }

    // MARK: helpers

    private func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("metering-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    /// Whether `pid` exists and is not a zombie.
    private func isLive(_ pid: Int32) -> Bool {
        guard let stat = KernelFile.text("/proc/\(pid)/stat"), let close = stat.lastIndex(of: ")") else { return false }
        return stat[stat.index(close, offsetBy: 2)] != "Z"
    }

    /// Waits (up to 5 s, for SIGKILL delivery) until no live process has process group `group`.
    private func waitUntilNoLiveMember(ofGroup group: Int32) -> Bool {
        for _ in 0..<500 {
            let live = ProcFS.allProcessIDs().filter { ProcFS.processStat($0)?.processGroup == group && isLive($0) }
            if live.isEmpty { return true }
            usleep(10_000)
        }
        return false
    }
}
