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
    /// libcurl functions Foundation calls itself (CCurlLoader forwards them to libcurl, opened on
    /// the first HTTP request) and does not name libcurl among the libraries it needs.
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
}
