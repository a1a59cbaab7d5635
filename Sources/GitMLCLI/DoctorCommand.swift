import ArgumentParser
import BlobStore
import Foundation
import GitRepo
import Platform
import Tables
import Workspace

/// `git ml doctor`: checks this installation and the repository around the current folder, one
/// line per check, `ok` or `problem` with the fix; exits 1 when any check finds a problem.
struct DoctorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check the installation: binary, version, CPU, libraries, hooks and the blob remote.",
        discussion: """
            Each line is `ok` or `problem`, and a problem says how to fix it. In a git repository
            it also checks GitML's hooks (the client hooks, or in a bare repository the server's)
            and, in a GitML project with a default blob remote, that the remote answers with the
            credentials present in the environment. Exits 1 when any check finds a problem.

            Examples: git ml doctor
                      git ml doctor --expect-version 0.1.0   (the release CI and the server run)
            """)

    @Option(help: ArgumentHelp("The GitML release CI and the server run: a different one here is a problem.", valueName: "release"))
    var expectVersion: String?

    /// One check's outcome.
    struct Finding {
        let ok: Bool
        let subject: String
        let detail: String
        var fix: String? = nil

        var line: String { (ok ? "ok       " : "problem  ") + "\(subject): \(detail)" + (fix.map { " — fix: \($0)" } ?? "") }
    }

    func run() throws {
        let environment = ProcessInfo.processInfo.environment
        let findings = Self.binary(environment: environment) + [version(), Self.cpu(environment: environment), Self.libraries()]
            + Self.repository()
        findings.forEach { print($0.line) }
        if findings.contains(where: { !$0.ok }) { throw Exit.checkFailed }
    }

    /// This executable, and that `git ml` / `git mlcommit` reach this installation through PATH.
    static func binary(environment: [String: String]) -> [Finding] {
        let executable = RunningExecutable.path
        let folder = (executable as NSString).deletingLastPathComponent
        return ["git-ml", "git-mlcommit"].map { tool in
            let path = (environment["PATH"] ?? "").split(separator: ":").map { "\($0)/\(tool)" }
                .first { FileManager.default.isExecutableFile(atPath: $0) }
            guard let path else {
                return Finding(ok: false, subject: tool, detail: "not on PATH, so `git \(tool.dropFirst(4))` cannot run it",
                               fix: "add \(folder) to PATH")
            }
            let resolved = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
            let sibling = URL(fileURLWithPath: folder + "/" + tool).resolvingSymlinksInPath().path
            guard resolved == sibling else {
                return Finding(ok: false, subject: tool, detail: "PATH finds \(path), not the one beside this git-ml (\(folder))",
                               fix: "remove the other installation or put \(folder) first on PATH")
            }
            return Finding(ok: true, subject: tool, detail: path)
        }
    }

    func version() -> Finding {
        let detail = "\(Release.version) (commit \(Release.commit))"
        if let expectVersion, expectVersion != Release.version {
            return Finding(ok: false, subject: "version", detail: "\(detail), but CI and the server run \(expectVersion)",
                           fix: "install GitML \(expectVersion) here, or the same release everywhere")
        }
        return Finding(ok: true, subject: "version", detail: detail)
    }

    /// The build's instruction set against the CPU's (the start-up check has already refused a
    /// build the CPU cannot run).
    static func cpu(environment: [String: String]) -> Finding {
        let hasV3 = BuildTarget.cpuHasX86_64_v3(environment: environment)
        switch BuildTarget.simdLevel {
        case "x86-64-v3": return Finding(ok: true, subject: "cpu", detail: "x86-64-v3 build; the CPU has AVX2 and FMA")
        case "baseline" where hasV3:
            return Finding(ok: true, subject: "cpu", detail: "baseline build; the CPU has AVX2 and FMA, so the x86-64-v3 build would be faster (./install.sh --build x86-64-v3)")
        default: return Finding(ok: true, subject: "cpu", detail: "\(BuildTarget.simdLevel) build")
        }
    }

    static let installCurl = "install libcurl 7.62 or later (Debian: apt-get install libcurl4)"

    /// The libraries' versions; libgit2, libcurl and the codec libraries, loaded on first use, are
    /// loaded here to check them.
    static func libraries() -> Finding {
        guard let git2 = Repository.libgit2Version else {
            return Finding(ok: false, subject: "libraries", detail: "libgit2 cannot be loaded (\(Repository.libgit2Problem ?? "unknown")), "
                           + "so no command can read a git repository", fix: Repository.installLibgit2)
        }
        let loaded = "libgit2 \(git2) (loaded on first use), zstd \(Zstd.versionString)"
        guard let curl = HTTPLibrary.version else {
            return Finding(ok: false, subject: "libraries", detail: "\(loaded); libcurl cannot be loaded (\(HTTPLibrary.problem ?? "unknown")), "
                           + "so S3 blob remotes cannot be reached", fix: installCurl)
        }
        let withCurl = "\(loaded), libcurl \(curl) (loaded on the first HTTP request)"
        if let codec = CodecLibraries.all.first(where: { $0.problem != nil }) {
            return Finding(ok: false, subject: "libraries", detail: "\(withCurl); \(codec.name) cannot be loaded (\(codec.problem ?? "unknown")), "
                           + "so \(codec.neededFor) cannot be read", fix: "install it (Debian 12: \(codec.install))")
        }
        return Finding(ok: true, subject: "libraries", detail: withCurl + "; libsnappy, ISA-L and libbz2 found (loaded on first use)")
    }

    /// Hooks and the blob remote of the repository around the current folder, if any.
    static func repository() -> [Finding] {
        guard let repository = try? Repository(discoveringFrom: currentDirectory) else {
            return [Finding(ok: true, subject: "repository", detail: "not in a git repository; hooks and blob remote not checked")]
        }
        let server = repository.workdir == nil
        let project = server ? try? Project(serverRepository: repository) : try? Project(discoveringFrom: currentDirectory)
        guard let project else {
            return [Finding(ok: true, subject: "repository", detail: "not a GitML project (git ml init); hooks and blob remote not checked")]
        }
        return hooks(project.repository, server: server) + (server ? [] : [remote(project)])
    }

    static func hooks(_ repository: Repository, server: Bool) -> [Finding] {
        let install = server ? "git ml hooks install --server" : "git ml hooks install"
        return Project.hookStates(in: repository, server: server).map { name, state in
            switch state {
            case .installed(let chained):
                return Finding(ok: true, subject: "hook \(name)", detail: chained ? "installed, chained with \(name).local" : "installed")
            case .outdated:
                return Finding(ok: false, subject: "hook \(name)", detail: "installed by another GitML release", fix: install)
            case .foreign:
                return Finding(ok: false, subject: "hook \(name)", detail: "another hook that does not run GitML",
                               fix: "\(install) (keeps it as \(name).local and runs it too)")
            case .missing:
                return Finding(ok: false, subject: "hook \(name)", detail: "not installed", fix: install)
            }
        }
    }

    /// The default blob remote answers a metadata request with the credentials present.
    static func remote(_ project: Project) -> Finding {
        guard let spec = try? project.remoteSpec(nil) else {
            return Finding(ok: true, subject: "blob remote", detail: "none configured (git ml remote add NAME URL --default to share data)")
        }
        if spec.url.hasPrefix("s3://"), let problem = HTTPLibrary.problem {   // a request would stop the process
            return Finding(ok: false, subject: "blob remote", detail: "\(spec.name) (\(spec.url)) not checked: libcurl cannot be loaded (\(problem))",
                           fix: installCurl)
        }
        do {
            _ = try spec.open().stat("gitml-doctor-probe")
            return Finding(ok: true, subject: "blob remote", detail: "\(spec.name) (\(spec.url)) answers with the credentials present")
        } catch {
            return Finding(ok: false, subject: "blob remote", detail: "\(spec.name) (\(spec.url)): \(error)",
                           fix: "check the URL (git ml remote list) and the credentials in this environment (AWS_PROFILE, AWS_ACCESS_KEY_ID, …)")
        }
    }
}
