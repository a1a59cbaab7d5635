/// What to run: the command line, its environment, working directory and standard streams.
public struct LaunchSpec: Sendable, Equatable {
    /// `arguments[0]` names the executable: a path when it contains `/`, else searched on the
    /// `PATH` of `environment` (or of this process when `environment` has none). It is also
    /// the child's `argv[0]`.
    public var arguments: [String]
    /// The child's complete environment (nothing else is inherited).
    public var environment: [String: String]
    /// The child's working directory; `nil` keeps this process's.
    public var workingDirectory: String?
    /// Where the child's standard input comes from.
    public var standardInput: InputSource
    /// Where the child's standard output goes.
    public var standardOutput: OutputDestination
    /// Where the child's standard error goes.
    public var standardError: OutputDestination

    public init(arguments: [String], environment: [String: String], workingDirectory: String? = nil,
                standardInput: InputSource = .inherit, standardOutput: OutputDestination = .inherit,
                standardError: OutputDestination = .inherit) {
        self.arguments = arguments
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.standardInput = standardInput
        self.standardOutput = standardOutput
        self.standardError = standardError
    }
}

/// The source of a child's standard input.
///
/// The child runs in its own process group, which is not the terminal's foreground group:
/// a child that reads from an inherited terminal is stopped by SIGTTIN. Use `.nullDevice`
/// or `.file` for commands that need no interaction.
public enum InputSource: Sendable, Equatable {
    /// This process's standard input.
    case inherit
    /// `/dev/null`.
    case nullDevice
    /// A file opened read-only.
    case file(path: String)
}

/// Where a child's standard output or error goes.
public enum OutputDestination: Sendable, Equatable {
    /// This process's stream.
    case inherit
    /// `/dev/null`.
    case nullDevice
    /// A file, created or truncated (mode 0644).
    case file(path: String)
}
