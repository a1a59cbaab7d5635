import ArgumentParser
import BlobStore
import GitRepo

/// `git ml version`: GitML, libgit2 and zstd versions.
struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "version",
        abstract: "Print GitML's version and the versions of libgit2 and zstd it runs with.",
        discussion: "Example: git ml version")

    func run() throws {
        print("git-ml \(GitMLVersion.string) (libgit2 \(Repository.libgit2Version), zstd \(Zstd.versionString))")
    }
}
