import ArgumentParser
import Foundation
import GitRepo
import Records
import Runner
import Tables
import Workspace

/// `git ml predict <run> <data>`: score new data with a recorded model.
struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Score a data file or dataset version with a recorded run's model.",
        discussion: """
            Writes CSV: row (0-based), the suite's entity column when the data has it, and
            score (the candidate's: the seed ensemble's mean or the chosen seed's model; for a
            multiclass model p_<class> per declared class),
            computed on all cores with the run's encoder (categories unseen in training
            become missing values). With -, CSV is read from standard input and scored in
            batches of 65,536 rows as it arrives (memory stays bounded). An exec run is scored
            by the predict command it declared (git ml exec --predict-command), run in a
            temporary directory with the run's code and model files, which writes score or,
            for a multiclass suite, p_<class> per declared class (docs/FORMAT.md).

            Examples: git ml predict 3f2a9c1b new-customers.csv -o scores.csv
                      zcat events.csv.gz | git ml predict 3f2a9c1b - > scores.csv
            """)

    @Argument(help: "A run id or unique prefix.", completion: Complete.runs) var runID: String
    @Argument(help: "A CSV/TSV/JSONL file (maybe .gz/.zst) or Parquet file, a dataset version (name@vN), or - for CSV streamed on standard input.") var data: String
    @Option(name: .shortAndLong, help: "Output file (default: standard output).") var output: String?
    @Option(help: "Rows per batch when streaming (-).") var batchRows: Int = 65_536

    func run() throws {
        try reportingErrors {
            guard batchRows > 0 else { throw InputError("--batch-rows must be positive") }
            let project = try openProject()
            let run = try fetchedRun(project, runID)
            let entityName = run.record.config["entity"]?.stringValue
            if run.record.kind == "exec" {
                let external = try ExternalPrediction(run)
                guard data != "-" else { throw InputError("an exec run scores a file or dataset version, not standard input: save the rows to a file first") }
                let table = try inputTable(project)
                try write(table, try external.scores(table, project: project), outputNames: external.outputNames, entityName: entityName)
                return
            }
            let model = try RecordedModel(run, project: project)
            if data == "-" {
                var next = 0
                print("row" + (entityName.map { ",\($0)" } ?? "") + "," + model.outputNames.joined(separator: ","))
                try StreamingScorer(model: model, batchRows: batchRows).run(input: FileHandle.standardInput) { table, scores in
                    print(rows(table, scores, entity: entityName.flatMap { table.column(named: $0) }, first: next), terminator: "")
                    next += table.rowCount
                }
                return
            }
            let table = try inputTable(project)
            try write(table, try model.scores(table), outputNames: model.outputNames, entityName: entityName)
        }
    }

    /// The rows to score: a file, else a dataset version.
    private func inputTable(_ project: Project) throws -> Table {
        if FileManager.default.fileExists(atPath: data) { return try PredictionsFile(path: data).table }
        return try project.table(of: try project.resolveDataset(data))
    }

    /// Writes the scores (`outputNames.count` per row) as CSV to --output or standard output.
    private func write(_ table: Table, _ scores: [Double], outputNames: [String], entityName: String?) throws {
        let entity = entityName.flatMap { table.column(named: $0) }
        let text = "row" + (entity.map { ",\($0.name)" } ?? "") + "," + outputNames.joined(separator: ",") + "\n"
            + rows(table, scores, entity: entity, first: 0)
        if let output {
            try Data(text.utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
            FileHandle.standardError.write(Data("wrote \(table.rowCount) rows of scores to \(output)\n".utf8))
        } else {
            print(text, terminator: "")
        }
    }

    /// One output line per row: its number (from `first`), the entity value when present, the
    /// score (or each class's probability: `scores` holds the same number of values per row).
    private func rows(_ table: Table, _ scores: [Double], entity: Column?, first: Int) -> String {
        var text = ""
        let width = table.rowCount > 0 ? scores.count / table.rowCount : 1
        for row in 0..<table.rowCount {
            text += "\(first + row)" + (entity.map { "," + CSVField.escaped($0.text(at: row) ?? "") } ?? "")
            for k in 0..<width { text += ",\(scores[row * width + k])" }
            text += "\n"
        }
        return text
    }
}

/// `git ml export <run> -o DIR`: the model in a documented form outside the repository.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a recorded run's model, encoder and manifest to a directory.",
        discussion: """
            A built-in run: its model file(s), encoder.json and manifest.json. An exec run: the
            model* files and directories its command wrote to $GITML_OUTPUT, byte for byte, and
            a manifest naming the run, command, inputs and each file's sha256.

            Example: git ml export 3f2a9c1b -o dist/churn-model
            """)

    @Argument(help: "A run id or unique prefix.", completion: Complete.runs) var runID: String
    @Option(name: .shortAndLong, help: "Directory to write (created if needed).") var output: String

    func run() throws {
        try reportingErrors {
            let project = try openProject()
            let run = try fetchedRun(project, runID)
            if run.record.kind == "exec" {
                let model = try ExternalModel(run)
                try model.export(to: output, project: project)
                print("exported run \(shortID(run.id)) to \(output) (manifest.json, \(model.files.count) model file\(model.files.count == 1 ? "" : "s") its command wrote)")
                return
            }
            let model = try RecordedModel(run, project: project)
            try model.export(to: output)
            print("exported run \(shortID(model.id)) to \(output) (manifest.json, encoder.json, \(model.models.count) model file\(model.models.count == 1 ? "" : "s"))")
        }
    }
}

/// `git ml reproduce <run>`: re-execute a run and attest whether it reproduces.
struct ReproduceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reproduce",
        abstract: "Re-execute a recorded run and write ml/attestations/<run>.json.",
        discussion: """
            Trains again from the recorded configuration and data digests (an exec run: its
            recorded command, in a directory outside the repository holding the recorded
            commit's tree, with only the declared inputs and the evaluation rows without labels)
            and compares the digest of every artifact the record names: bit_identical,
            within_tolerance (every metric, recomputed from the reproduced and from the stored
            predictions with the pinned evaluation labels, within --tolerance; latencies are not
            compared) or differs. Commit it with `git mlcommit`.

            The gate counts an attestation only when it is signed (--sign) by a key in the trust
            root's allowed signers (git config gitml.allowedSignersFile where the gate runs, and
            ml/allowed_signers on the protected branch): sign on a trusted reproducer
            such as CI, never where the run was made.

            Exit codes: 0 reproduced (bit-identical or within tolerance); 1 differs.

            Example: git ml reproduce 3f2a9c1b --sign --key ~/.ssh/ci_ed25519
            """)

    @Argument(help: "A run id or unique prefix.", completion: Complete.runs) var runID: String
    @Option(help: "Largest allowed absolute difference of any metric.") var tolerance: Double = 1e-9
    @Flag(help: "Sign the attestation with an SSH key (ssh-keygen -Y sign, namespace gitml-attestation).") var sign = false
    @Option(help: "The SSH private key to sign with (default: git config user.signingkey).") var key: String?
    @Flag(help: "Print the attestation as JSON.") var json = false

    func validate() throws {
        if key != nil && !sign { throw ValidationError("--key needs --sign") }
    }

    func run() throws {
        try reportingErrors {
            let project = try openProject()
            let recorded = try fetchedRun(project, runID)
            let runner = experimentRunner(project)
            let reproduction = Reproduction(runner: runner)
            var attestation = try reproduction.reproduce(recorded, tolerance: tolerance) { phase, detail in
                FileHandle.standardError.write(Data("\(phase): \(detail)\n".utf8))
            }
            if sign {
                attestation = try reproduction.sign(attestation, key: try project.signingKey(key))
            }
            let path = try reproduction.write(attestation)
            if json {
                printJSON(attestation.json)
            } else {
                let delta = attestation.result == .bitIdentical ? "" : attestation.largestDeltaMetric.map { ", largest metric delta \(format(attestation.largestDelta)) (\($0))" } ?? ""
                print("run \(shortID(recorded.id)): \(attestation.result.rawValue)\(delta)\(sign ? ", signed" : ""); wrote \(path.replacingOccurrences(of: project.root + "/", with: ""))")
            }
            if attestation.result == .differs { throw Exit.checkFailed }
        }
    }
}
