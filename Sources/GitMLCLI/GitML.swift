import ArgumentParser
import Platform

/// `git ml`: the root command. Each subcommand is one type in its own file.
public struct GitML: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "git-ml",
        abstract: "Versioned datasets, reproducible runs and a promotion gate, inside git.",
        discussion: """
            Run as `git ml <command>` once git-ml is on PATH.

            Exit codes: 0 success; 1 a check found problems (fsck, a failing contract, a
            run that did not finish, a reproduction that differs); 2 usage error; 3 an
            error the user can fix (bad input, unknown dataset, not initialized…), the
            message says what to do; 4 an unexpected internal failure. `git ml gate` has
            its own: 0 promote, 1 reject, 3 shadow, 2 error.
            """,
        version: Release.version,
        subcommands: [InitCommand.self, DataCommand.self, RunCommand.self, LogCommand.self, ShowCommand.self, CostCommand.self,
                      ExecCommand.self, SweepCommand.self, ClusterTaskCommand.self, PredictCommand.self, ExportCommand.self, ReproduceCommand.self,
                      DiffCommand.self, GateCommand.self, ReviewCommand.self, PromoteCommand.self, PromotionsCommand.self, EvalCommand.self, RemoteCommand.self, PushCommand.self, PullCommand.self, FetchCommand.self,
                      HooksCommand.self, HookCommand.self, FsckCommand.self, GCCommand.self, RepackCommand.self,
                      MergeDriverCommand.self, VersionCommand.self, DoctorCommand.self]
    )

    public init() {}
}
