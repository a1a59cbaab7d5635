import Foundation

/// The `git-ml` executable's entry point. The release ships one binary per build and installs
/// `git-mlcommit` as a link to `git-ml` (docs/INSTALL.md): started under the name `git-mlcommit`
/// (argv[0], which a link keeps and git sets for `git mlcommit`), it is `git mlcommit`; under any
/// other name it is `git ml`. `RunningExecutable.path` resolves the link to `git-ml`, so the
/// processes it starts (run workers, sweep trials) are `git ml` commands, as they must be.
public enum Entry {
    /// Whether a process started as `argument0` is `git mlcommit`.
    public static func isMLCommit(invokedAs argument0: String?) -> Bool {
        argument0.map { ($0 as NSString).lastPathComponent } == "git-mlcommit"
    }

    public static func main(arguments: [String] = CommandLine.arguments) -> Never {
        if isMLCommit(invokedAs: arguments.first) { GitMLCommit.mainWithDocumentedExitCodes() }
        GitML.mainWithDocumentedExitCodes()
    }
}
