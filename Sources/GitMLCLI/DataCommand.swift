import ArgumentParser
import Records
import Workspace

/// `git ml data …`: versioned datasets.
struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Version datasets: add, checkout, status, log, show, diff, validate, purge.",
        subcommands: [DataAdd.self, DataCheckout.self, DataStatusCommand.self, DataLog.self, DataShow.self,
                      DataDiff.self, DataValidate.self, DataPurge.self])
}

/// A dataset version as JSON for `--json` output.
func versionJSON(_ record: DatasetRecord) -> JSONValue {
    var json = record.json
    if case .object(var o) = json {
        o["label"] = .string(record.label)
        json = .object(o)
    }
    return json
}
