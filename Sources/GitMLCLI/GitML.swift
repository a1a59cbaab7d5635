import ArgumentParser

/// `git ml`: the root command. Each subcommand is one type in its own file.
public struct GitML: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "git-ml",
        abstract: "Versioned datasets, reproducible runs and a promotion gate, inside git.",
        discussion: """
            Run as `git ml <command>` once git-ml is on PATH.
            Exit codes: 0 success, 1 a check failed (fsck found problems, …), 2 usage error,
            3 a user-facing error (bad input, missing ref, …), 4 an internal failure.
            """,
        version: GitMLVersion.string,
        subcommands: [VersionCommand.self]
    )

    public init() {}
}

/// The GitML version string.
public enum GitMLVersion {
    public static let string = "0.1.0"
}
