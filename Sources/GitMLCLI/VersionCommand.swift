import ArgumentParser
import BlobStore
import Gate
import GitRepo
import Kernels
import Learners
import Platform
import Records

/// `git ml version`: the release, the commit, the build, its libraries and the on-disk formats.
struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "version",
        abstract: "Print GitML's release, commit, build, libraries and the on-disk format versions it reads and writes.",
        discussion: """
            A repository, store or record with a format version newer than these is refused
            with the release to upgrade to, never misread.

            Example: git ml version
            """)

    /// Every on-disk format this build reads and writes, with its version (docs/FORMAT.md).
    static var formats: [(file: String, version: Int)] {
        StoreFormat.versions + [
            ("dataset record", DatasetRecord.formatVersion), ("run record", RunRecord.formatVersion),
            ("attestation", Attestation.formatVersion), ("promotion", Promotion.formatVersion),
            ("verdict", Verdict.formatVersion), ("lock", Lock.formatVersion), ("model", ModelCodec.formatVersion),
        ]
    }

    func run() throws {
        print("git-ml \(Release.version) (libgit2 \(Repository.libgit2Version ?? "not loadable"), zstd \(Zstd.versionString))")
        print("commit: \(Release.commit)")
        print("build: \(BuildTarget.simdLevel), numeric profile \(NumericProfile.id)")
        print("formats read and written: " + Self.formats.map { "\($0.file) \($0.version)" }.joined(separator: ", "))
    }
}
