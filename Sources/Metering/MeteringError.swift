/// Why a process tree could not be launched or metered.
public enum MeteringError: Error, Equatable, Sendable {
    /// A rate in `CostRates` is negative or not finite; `name` is its configuration key.
    case invalidRate(name: String, value: Double)
    /// A budget limit is negative or not finite.
    case invalidBudget(limit: BudgetLimit, value: Double)
    /// The command line is empty.
    case emptyCommand
    /// The executable was not found, or is not executable: `searchPath` is the `PATH` searched
    /// for a bare name, or the path that was tried for a name containing `/`.
    case executableNotFound(name: String, searchPath: String)
    /// `posix_spawn` failed for the executable with this `errno` (for example ENOEXEC, EACCES).
    case launchFailed(executable: String, errno: Int32)
    /// A redirection file could not be opened; `errno` says why.
    case cannotOpenRedirection(path: String, errno: Int32)
    /// The working directory does not exist or is not a directory.
    case workingDirectoryMissing(path: String)
    /// Moving a process between cgroups failed at `path` with this `errno`; the launch was undone.
    case cgroupMigrationFailed(path: String, errno: Int32)
    /// `wait4` failed for the root process with this `errno`.
    case waitFailed(pid: Int32, errno: Int32)
}
