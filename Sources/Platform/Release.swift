import CPlatform

/// This GitML build: its release, the commit it was built from, and the release a newer on-disk
/// format needs.
///
/// Format rule (docs/FORMAT.md, "Versions"): a new on-disk format version (pack, index,
/// manifest, record, lock) ships only with a new minor release, so a reader that meets a
/// version newer than it knows needs at least the next minor release.
public enum Release {
    /// The release, `major.minor.patch`.
    public static let version = "0.1.0"

    /// The git commit the binary was built from (`make dist`, `make release`), or "unknown".
    public static var commit: String {
        let commit = String(cString: gitml_build_commit())
        return commit.isEmpty ? "unknown" : commit
    }

    /// The first release that may read a format version newer than this release knows.
    public static var nextFormatRelease: String {
        let parts = version.split(separator: ".").compactMap { Int($0) }
        return "\(parts[0]).\(parts[1] + 1).0"
    }

    /// What a reader says when it meets a format version newer than `supported`.
    public static func newerFormat(_ found: Int, supported: Int) -> String {
        "format version \(found) is newer than GitML \(version) reads (\(supported)); upgrade GitML to ≥ \(nextFormatRelease)"
    }
}
