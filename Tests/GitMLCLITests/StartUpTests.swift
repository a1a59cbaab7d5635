import ArgumentParser
import Foundation
import GitMLCLI
import XCTest

/// What keeps `git-ml`'s start-up short (docs/BENCHMARKS.md, "Start-up"), checked on the build
/// under test.
final class StartUpTests: CLITestCase {
    /// ArgumentParser builds the whole command tree on every start, and a command without an
    /// explicit name costs a `String(describing:)` of its type there: about 1.4 million
    /// instructions of protocol-conformance scanning each (a fifth of `git-ml --version`'s own
    /// work before the fix, with four unnamed commands).
    func testEveryCommandNamesItself() {
        func unnamed(_ command: ParsableCommand.Type, path: String) -> [String] {
            let configuration = command.configuration
            let name = configuration.commandName ?? "<\(command)>"
            return (configuration.commandName == nil ? [path + name] : [])
                + configuration.subcommands.flatMap { unnamed($0, path: path + name + " ") }
        }
        XCTAssertEqual(unnamed(GitML.self, path: "") + unnamed(GitMLCommit.self, path: ""), [])
    }

    /// libcurl and the libraries only it needs are not loaded at start: the binary defines the
    /// libcurl functions Foundation calls itself (CLazyLibraries forwards them to libcurl, opened
    /// on the first HTTP request) and does not name libcurl among the libraries it needs.
    func testTheBinaryForwardsLibcurlInsteadOfNeedingIt() throws {
        let binary = CLITestCase.binaries + "/git-ml"
        let needed = try run("readelf", "-d", binary).stdout.split(separator: "\n").filter { $0.contains("(NEEDED)") }
        XCTAssertFalse(needed.isEmpty)
        XCTAssertFalse(needed.contains { $0.contains("libcurl") }, "\(needed)")
        let defined = try run("nm", "--defined-only", binary).stdout.split(separator: "\n").compactMap { $0.split(separator: " ").last }
        for function in ["curl_easy_init", "curl_easy_setopt", "curl_multi_socket_action", "curl_version_info"] {
            XCTAssertTrue(defined.contains(Substring(function)), "git-ml does not define \(function)")
        }
    }

    /// `git-ml --version` is answered before ArgumentParser builds the tree of every command, which
    /// was most of its own work: callgrind (valgrind, apt) counts the instructions run inside
    /// ArgumentParser's functions, a count the machine's load does not change. `git-ml version`,
    /// which the parser must parse, is the yardstick.
    func testVersionIsAnsweredBeforeArgumentParserBuildsTheCommandTree() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/valgrind") else { throw XCTSkip("valgrind (apt) is not installed") }
        // valgrind 3.19 cannot read the build's DWARF: it runs a copy without it (same code and symbols).
        let stripped = repo + "/git-ml-stripped"
        try run("strip", "--strip-debug", "-o", stripped, CLITestCase.binaries + "/git-ml")
        func parserInstructions(_ arguments: String...) throws -> (count: Int, stdout: String) {
            let out = repo + "/callgrind.out"
            let result = try run(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out, "--collect-atstart=no",
                                  "--toggle-collect=$s14ArgumentParser*", stripped] + arguments)
            // "totals: N" (N events in the toggled functions; a run that collected none may omit it).
            let totals = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n").first { $0.hasPrefix("totals:") }
            return (totals.flatMap { $0.split(separator: " ").last.flatMap { Int($0) } } ?? 0, result.stdout)
        }
        let version = try parserInstructions("--version")
        XCTAssertEqual(version.stdout, try run("git-ml", "version").stdout.split(separator: " ").dropFirst().first.map { String($0) + "\n" })
        let parsed = try parserInstructions("version")
        XCTAssertLessThan(version.count * 10, parsed.count, "--version ran \(version.count) instructions in ArgumentParser, `version` \(parsed.count)")
    }

    /// The release (`make dist`, `make install`) opens libgit2 on first use: scripts/lazy-link.sh
    /// drops it and libcurl from the libraries the binary needs (here from a copy of the build
    /// under test), so `--version` does not load libgit2; a command that reads the repository opens libgit2 then, and without it
    /// stops with what to install, which `git ml doctor` names too.
    func testTheReleaseOpensLibgit2OnFirstUseAndSaysWhatToInstallWithoutIt() throws {
        let binary = try lazyLinkedCopy()
        // Only libgit2 is checked: the debug build links Foundation dynamically, and its
        // libFoundationNetworking.so needs libcurl (and libssh2 through it) whatever git-ml needs.
        let version = try run([binary, "--version"], environment: ["LD_DEBUG": "files"])
        XCTAssertFalse(opened(version).contains { $0.hasPrefix("libgit2") }, "\(opened(version))")
        let initialized = try run([binary, "init"], environment: ["LD_DEBUG": "files"])
        XCTAssertTrue(opened(initialized).contains { $0.hasPrefix("libgit2.so.") }, "\(opened(initialized))")
        let missing = ["GITML_GIT2_LIBRARY": "libgit2-missing.so.1"]
        XCTAssertEqual(try run([binary, "--version"], environment: missing).stdout, version.stdout)
        let log = try run([binary, "log"], environment: missing, expect: 3)
        XCTAssertTrue(log.stderr.contains("reading the git repository needs libgit2, which could not be loaded (libgit2-missing.so.1: cannot open"), log.stderr)
        XCTAssertTrue(log.stderr.contains("install libgit2 1."), log.stderr)
        let doctor = try run([binary, "doctor"], environment: missing, expect: 1).stdout.split(separator: "\n")
        XCTAssertTrue(doctor.contains { $0.hasPrefix("problem  libraries: libgit2 cannot be loaded (libgit2-missing.so.1: cannot open")
            && $0.contains("— fix: install libgit2 1.") }, "\(doctor)")
    }

    /// The codec libraries are opened on first use too: `--version` loads none of libsnappy,
    /// ISA-L and libbz2 (each a library mapped and relocated at every start), reading a
    /// gzip-compressed table opens ISA-L, and without it the read stops with what to install.
    func testTheReleaseOpensTheCodecLibrariesOnFirstUse() throws {
        let binary = try lazyLinkedCopy()
        let version = try run([binary, "--version"], environment: ["LD_DEBUG": "files"])
        XCTAssertEqual(opened(version).filter { $0.hasPrefix("libsnappy") || $0.hasPrefix("libisal") || $0.hasPrefix("libbz2") }, [])
        try run([binary, "init"])
        try writeCSV("d.csv", rows: 200)
        try run("gzip", "-n", "d.csv")
        try run([binary, "data", "add", "d.csv.gz"])
        let missing = ["GITML_ISAL_LIBRARY": "libisal-missing.so.2"]
        let refused = try run([binary, "data", "show", "d.csv@v1", "--profile"], environment: missing, expect: 3)
        XCTAssertTrue(refused.stderr.contains("reading gzip-compressed text needs ISA-L's libisal, which could not be loaded (libisal-missing.so.2: cannot open"), refused.stderr)
        XCTAssertTrue(refused.stderr.contains("apt-get install libisal2"), refused.stderr)
        let doctor = try run([binary, "doctor"], environment: missing, expect: 1).stdout
        XCTAssertTrue(doctor.contains("ISA-L's libisal cannot be loaded (libisal-missing.so.2: cannot open") && doctor.contains("so gzip-compressed text cannot be read — fix: install it (Debian 12: apt-get install libisal2)"), doctor)
        let profiled = try run([binary, "data", "show", "d.csv@v1", "--profile"], environment: ["LD_DEBUG": "files"])
        XCTAssertTrue(opened(profiled).contains { $0.hasPrefix("libisal.so.") }, "\(opened(profiled))")
        XCTAssertTrue(profiled.stdout.contains("profile   200 rows"), profiled.stdout)
    }

    /// A copy of the build under test as the release is linked: scripts/lazy-link.sh drops the
    /// libraries opened on first use from the ones it needs.
    private func lazyLinkedCopy() throws -> String {
        let binary = repo + "/bin/git-ml"
        try FileManager.default.createDirectory(atPath: repo + "/bin", withIntermediateDirectories: true)
        try run("cp", CLITestCase.binaries + "/git-ml", binary)
        try run(DistTests.sourceRoot + "/scripts/lazy-link.sh", binary)
        let needed = try run("readelf", "-d", binary).stdout.split(separator: "\n").filter { $0.contains("(NEEDED)") }
        XCTAssertFalse(needed.isEmpty)
        for library in ["libgit2", "libcurl", "libsnappy", "libisal", "libbz2"] {
            XCTAssertFalse(needed.contains { $0.contains(library) }, "\(library) in \(needed)")
        }
        return binary
    }

    /// The libraries LD_DEBUG=files says a run opened.
    private func opened(_ result: Result) -> [String] {
        result.stderr.split(separator: "\n").filter { $0.contains("file=") }.compactMap { line in
            line.split { $0 == " " || $0 == "\t" }.first { $0.hasPrefix("file=") }.map { String($0.dropFirst(5)) }
        }
    }
}
