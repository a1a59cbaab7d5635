import ArgumentParser
import Evaluation
import Foundation
import Records

/// `git ml eval`: evaluate any predictions file with GitML's pinned metric definitions, or
/// compare two models' predictions on the same rows with paired statistics.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate a predictions file (CSV, TSV, JSONL, maybe .gz/.zst, or Parquet), or compare two on the same rows.",
        discussion: """
            Metrics follow scikit-learn 1.9.1 (docs/STATISTICS.md). A decision threshold is
            either given (--threshold) or chosen by a rule on separate validation predictions
            (--operating-point with --validation), never on the evaluated rows. Rules:
            cost (needs --cost-fp/--cost-fn), recall@precision=P, top=F (fraction flagged),
            capacity=N (rows flagged).

            --task regression reads the label as the numeric target and the score as the
            predicted value, and reports RMSE, MAE, MAPE, sMAPE, median absolute error, R²,
            explained variance, mean residual, Poisson/Gamma deviance (where defined), pinball
            loss at --quantile values and the expected cost under --cost-under/--cost-over.

            Examples:
              git ml eval preds.csv --label churned --score p
              git ml eval prices.csv --label price --score predicted --task regression --quantile 0.9
              git ml eval triage.csv --label team --score p_ --task multiclass --classes billing,network,other

            --task multiclass reads one probability column per class, named the --score prefix
            followed by the class (p_billing, …), for the classes declared with --classes; a label
            outside them is an error. With --compare it reports the paired bootstrap of each
            metric and each class's recall, McNemar's and the Stuart–Maxwell test of the decisions
            and DeLong's test of each class's one-vs-rest AUC.
              git ml eval preds.csv --label y --score p --validation val.csv --operating-point recall@precision=0.8 --slice region
              git ml eval --compare old.csv new.csv --label y --score p --id customer_id
            """)

    @Argument(help: "The predictions file (two with --compare: baseline, then candidate).") var files: [String]
    @Option(help: "binary, regression or multiclass.") var task: EvalTask = .binary
    @Option(help: "Multiclass: the declared classes, comma-separated.") var classes: String?
    @Option(help: "Label column.") var label: String
    @Option(help: "Score column (higher means more likely positive).") var score: String
    @Option(help: "Sample-weight column.") var weight: String?
    @Option(help: "The label value that means positive (default: 0/1 or true/false).") var positive: String?
    @Option(help: "Fixed decision threshold (score ≥ threshold is positive).") var threshold: Double?
    @Option(help: "Rule choosing the threshold on --validation predictions.") var operatingPoint: String?
    @Option(help: "Validation predictions the operating point is chosen on.") var validation: String?
    @Option(help: "Cost of a false positive.") var costFp: Double?
    @Option(help: "Cost of a false negative.") var costFn: Double?
    @Option(help: "Regression: pinball loss at this quantile (repeatable).") var quantile: [Double] = []
    @Option(help: "Regression: cost per unit of under-prediction.") var costUnder: Double?
    @Option(help: "Regression: cost per unit of over-prediction.") var costOver: Double?
    @Option(help: "Report the metric per value of this column (repeatable).") var slice: [String] = []
    @Option(help: "Slices with fewer rows are not evaluated.") var minSliceRows: Int = 30
    @Flag(help: "Compare two predictions files (baseline, candidate) on the same rows.") var compare = false
    @Option(help: "Row id column matching the two files' rows (--compare).") var id: String?
    @Option(help: "Bootstrap resamples (--compare).") var resamples: Int = 2000
    @Option(help: "Bootstrap seed (--compare).") var seed: UInt64 = 0
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        try reportingErrors {
            if compare {
                guard files.count == 2 else { throw InputError("--compare takes two files: baseline, then candidate") }
                switch task {
                case .binary: try runComparison()
                case .regression: try runRegressionComparison()
                case .multiclass: try runMulticlassComparison()
                }
            } else {
                guard files.count == 1 else { throw InputError("give one predictions file (or two with --compare)") }
                switch task {
                case .binary: try runEvaluation()
                case .regression: try runRegressionEvaluation()
                case .multiclass: try runMulticlassEvaluation()
                }
            }
        }
    }

    private var costs: CostMatrix? {
        guard let costFp, let costFn else { return nil }
        return CostMatrix(falsePositive: costFp, falseNegative: costFn)
    }

    /// The operating point: a fixed threshold, or a rule chosen on the validation file.
    private func chooseOperatingPoint() throws -> OperatingPoint? {
        if let threshold {
            guard operatingPoint == nil else { throw InputError("give --threshold or --operating-point, not both") }
            return try OperatingPoint.choose(.fixed(threshold: threshold), validation: RankedPredictions(
                try PredictionsFile(path: files[0]).predictions(label: label, score: score, weight: weight, positive: positive)))
        }
        guard let operatingPoint else { return nil }
        guard let validation else {
            throw InputError("--operating-point needs --validation: a threshold is never chosen on the rows it is evaluated on")
        }
        let rule = try EvalCommand.parseRule(operatingPoint, costs: costs)
        let data = try PredictionsFile(path: validation).predictions(label: label, score: score, weight: weight, positive: positive)
        return try OperatingPoint.choose(rule, validation: RankedPredictions(data))
    }

    static func parseRule(_ text: String, costs: CostMatrix?) throws -> OperatingPointRule {
        if text == "cost" {
            guard let costs else { throw InputError("the cost rule needs --cost-fp and --cost-fn") }
            return .minimumCost(costs)
        }
        if text.hasPrefix("recall@precision="), let p = Double(text.dropFirst("recall@precision=".count)) {
            return .maximumRecall(minimumPrecision: p)
        }
        if text.hasPrefix("top="), let f = Double(text.dropFirst(4)) { return .topFraction(f) }
        if text.hasPrefix("capacity="), let n = Int(text.dropFirst(9)) { return .capacity(rows: n) }
        throw InputError("unknown operating point '\(text)': use cost, recall@precision=P, top=F or capacity=N")
    }

    private func runEvaluation() throws {
        let file = try PredictionsFile(path: files[0])
        let data = try file.predictions(label: label, score: score, weight: weight, positive: positive)
        let point = try chooseOperatingPoint()
        let report = try BinaryEvaluation(data, operatingPoint: point, costs: costs)
        var slices: [ColumnSlices] = []
        for column in slice {
            slices.append(ColumnSlices(column: column, slices: try Slices.byCategory(data, categories: try file.texts(column), metric: .rocAUC,
                                                                                    minimumRows: minSliceRows)))
        }
        if json {
            try printCodable(EvaluationOutput(evaluation: report, slices: slices.isEmpty ? nil : slices))
            return
        }
        print("\(files[0]): \(report.rows) rows, \(report.positives) positive")
        let line = EvalCommand.printMetric
        line("ROC AUC", report.rocAUC)
        line("average precision", report.averagePrecision)
        line("log loss", report.logLoss)
        line("Brier score", report.brierScore)
        line("ECE (15 bins)", report.expectedCalibrationError)
        if let point = report.operatingPoint, let t = report.atThreshold {
            print("  at threshold \(format(point.threshold)) (\(EvalCommand.describe(point.rule))):")
            line("  precision", t.precision)
            line("  recall", t.recall)
            line("  F1", t.f1)
            line("  false positive rate", t.falsePositiveRate)
            line("  MCC", t.matthewsCorrelation)
            line("  expected cost", t.expectedCost)
            print("    confusion: TP \(format(t.confusion.truePositives)) FP \(format(t.confusion.falsePositives)) TN \(format(t.confusion.trueNegatives)) FN \(format(t.confusion.falseNegatives))")
        }
        for column in slices {
            print("  ROC AUC by \(column.column):")
            for r in column.slices {
                let value = r.value.map { format($0.value) } ?? "n/a (fewer than \(minSliceRows) rows)"
                print("    \(EvalCommand.describe(r.key).padding(toLength: 20, withPad: " ", startingAt: 0)) \(value)  (\(r.rows) rows, \(r.positives) positive)")
            }
        }
    }

    private func runComparison() throws {
        let baselineFile = try PredictionsFile(path: files[0])
        let candidateFile = try PredictionsFile(path: files[1])
        let baseline = try baselineFile.predictions(label: label, score: score, weight: weight, positive: positive)
        var candidate = try candidateFile.predictions(label: label, score: score, weight: weight, positive: positive)
        if let id {
            let order = try RowAlignment.match(baselineIDs: try baselineFile.texts(id), candidateIDs: try candidateFile.texts(id))
            candidate = try candidate.subset(order)
        } else if baseline.count != candidate.count {
            throw InputError("the files have \(baseline.count) and \(candidate.count) rows: give --id to match rows")
        }
        var metrics: [BinaryMetric] = [.rocAUC, .averagePrecision]
        if baseline.scores.allSatisfy({ (0...1).contains($0) }) && candidate.scores.allSatisfy({ (0...1).contains($0) }) {
            metrics += [.logLoss, .brierScore]
        }
        if let threshold { metrics += [.recall(threshold: threshold), .precision(threshold: threshold)] }
        let comparison = try ModelComparison(baseline: baseline, candidate: candidate, metrics: metrics, threshold: threshold,
                                             plan: BootstrapPlan(resamples: resamples, seed: seed))
        if json { try printCodable(comparison); return }
        print("candidate \(files[1]) − baseline \(files[0]), \(candidate.count) paired rows, \(resamples) paired bootstrap resamples (seed \(seed)):")
        for d in comparison.differences {
            let b = d.bootstrap
            let ci = b.bca ?? b.percentile
            print("  \(EvalCommand.describe(d.metric).padding(toLength: 22, withPad: " ", startingAt: 0)) Δ \(format(b.estimate, signed: true))  95% CI [\(format(ci.lower, signed: true)), \(format(ci.upper, signed: true))]" +
                  (ci.lower > 0 || ci.upper < 0 ? "  *" : ""))
        }
        if let d = comparison.delong {
            print("  DeLong: ΔAUC \(format(d.difference, signed: true)), z \(format(d.z)), p \(format(d.pValue))")
        }
        if let m = comparison.mcnemar {
            print("  McNemar at \(format(threshold ?? 0)): baseline-only correct \(m.baselineOnlyCorrect), candidate-only correct \(m.candidateOnlyCorrect), exact p \(format(m.pValue))")
        }
    }

    private var regressionCosts: RegressionCosts? {
        guard let costUnder, let costOver else { return nil }
        return RegressionCosts(underPrediction: costUnder, overPrediction: costOver)
    }

    /// Options of a binary evaluation that mean nothing for regression are refused, not ignored.
    private func requireRegressionOptions() throws {
        let binaryOnly = [("--positive", positive != nil), ("--threshold", threshold != nil), ("--operating-point", operatingPoint != nil),
                          ("--validation", validation != nil), ("--cost-fp", costFp != nil), ("--cost-fn", costFn != nil)]
        if let (name, _) = binaryOnly.first(where: \.1) { throw InputError("\(name) applies to binary predictions, not --task regression") }
        if (costUnder == nil) != (costOver == nil) { throw InputError("give both --cost-under and --cost-over") }
    }

    private func regressionPredictions(_ file: PredictionsFile) throws -> RegressionPredictions {
        try RegressionPredictions(targets: try file.numbers(label), predictions: try file.numbers(score),
                                  weights: try weight.map { try file.numbers($0) })
    }

    private func runRegressionEvaluation() throws {
        try requireRegressionOptions()
        let file = try PredictionsFile(path: files[0])
        let data = try regressionPredictions(file)
        let report = try RegressionEvaluation(data, quantiles: quantile, costs: regressionCosts)
        var slices: [ColumnSlices] = []
        for column in slice {
            slices.append(ColumnSlices(column: column, slices: try Slices.byCategory(data, categories: try file.texts(column),
                                                                                    metric: RegressionMetric.rootMeanSquaredError,
                                                                                    minimumRows: minSliceRows)))
        }
        if json {
            try printCodable(RegressionOutput(evaluation: report, slices: slices.isEmpty ? nil : slices))
            return
        }
        print("\(files[0]): \(report.rows) rows (regression)")
        let lines: [(String, MetricValue?)] = [
            ("RMSE", report.rmse), ("MAE", report.mae), ("MAPE", report.mape), ("sMAPE", report.smape),
            ("median absolute error", report.medianAbsoluteError), ("R²", report.r2), ("explained variance", report.explainedVariance),
            ("mean residual (y − ŷ)", report.meanResidual), ("Poisson deviance", report.poissonDeviance),
            ("Gamma deviance", report.gammaDeviance),
        ] + report.pinball.map { ("pinball loss at \($0.quantile)", $0.loss) } + [("expected cost", report.expectedCost)]
        for (name, value) in lines { EvalCommand.printMetric(name, value) }
        for column in slices {
            print("  RMSE by \(column.column):")
            for r in column.slices {
                let value = r.value.map { format($0.value) } ?? "n/a (fewer than \(minSliceRows) rows)"
                print("    \(EvalCommand.describe(r.key).padding(toLength: 20, withPad: " ", startingAt: 0)) \(value)  (\(r.rows) rows)")
            }
        }
    }

    /// The declared classes of `--classes`, after refusing options that mean nothing for multiclass.
    private func multiclassClasses() throws -> [String] {
        guard let names = classes?.split(separator: ",").map({ String($0).trimmingCharacters(in: .whitespaces) }), names.count >= 2 else {
            throw InputError("--task multiclass needs --classes with at least two classes, e.g. --classes a,b,c")
        }
        guard Set(names).count == names.count else { throw InputError("--classes names a class twice") }
        let binaryOnly = [("--positive", positive != nil), ("--threshold", threshold != nil), ("--operating-point", operatingPoint != nil),
                          ("--quantile", !quantile.isEmpty), ("--cost-under", costUnder != nil), ("--slice", !slice.isEmpty)]
        if let (name, _) = binaryOnly.first(where: \.1) { throw InputError("\(name) does not apply to --task multiclass") }
        return names
    }

    /// `file` (named `path` in errors) as rows of the declared classes `names`: labels from
    /// `--label`, one probability column per class named `--score` + class.
    private func multiclassPredictions(_ file: PredictionsFile, path: String, classes names: [String]) throws -> MulticlassPredictions {
        let index = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, $0) })
        let texts = try file.texts(label)
        let labels = try texts.enumerated().map { row, text in
            guard let k = index[text] else {
                throw InputError("\(path): label '\(text)' at row \(row + 1) is not one of the declared classes (\(names.joined(separator: ", ")))")
            }
            return k
        }
        let columns = try names.map { try file.numbers(score + $0) }
        var probabilities = [Double]()
        probabilities.reserveCapacity(labels.count * names.count)
        for row in labels.indices { for column in columns { probabilities.append(column[row]) } }
        return try MulticlassPredictions(classCount: names.count, labels: labels, probabilities: probabilities,
                                         weights: try weight.map { try file.numbers($0) })
    }

    private func runMulticlassEvaluation() throws {
        let names = try multiclassClasses()
        let data = try multiclassPredictions(try PredictionsFile(path: files[0]), path: files[0], classes: names)
        let report = try MulticlassEvaluation(data, classes: names)
        if json { try printCodable(report); return }
        print("\(files[0]): \(report.rows) rows, \(names.count) classes")
        let lines: [(String, MetricValue?)] = [
            ("log loss", report.logLoss), ("accuracy", report.accuracy), ("balanced accuracy", report.balancedAccuracy),
            ("F1 macro", report.f1Macro), ("F1 micro", report.f1Micro), ("F1 weighted", report.f1Weighted),
        ] + report.topK.map { ("top-\($0.k) accuracy", $0.accuracy) } + [
            ("ROC AUC OvR macro", report.rocAUCOneVsRestMacro), ("ROC AUC OvR weighted", report.rocAUCOneVsRestWeighted),
            ("ROC AUC OvO", report.rocAUCOneVsOne), ("Brier score", report.brierScore), ("top-label ECE", report.topLabelCalibrationError),
        ]
        for (name, value) in lines { EvalCommand.printMetric(name, value) }
        for scores in report.perClass {
            print("  \(names[scores.classIndex].padding(toLength: 20, withPad: " ", startingAt: 0)) precision \(format(scores.precision.value))  recall \(format(scores.recall.value))  F1 \(format(scores.f1.value))  (support \(format(scores.support)))")
        }
    }

    /// Two multiclass files on the same rows: the paired bootstrap of each metric (and of each
    /// class's recall), then McNemar, Stuart–Maxwell and per-class DeLong tests (unweighted).
    private func runMulticlassComparison() throws {
        let names = try multiclassClasses()
        let baselineFile = try PredictionsFile(path: files[0]), candidateFile = try PredictionsFile(path: files[1])
        let baseline = try multiclassPredictions(baselineFile, path: files[0], classes: names)
        var candidate = try multiclassPredictions(candidateFile, path: files[1], classes: names)
        if let id {
            candidate = try candidate.subset(try RowAlignment.match(baselineIDs: try baselineFile.texts(id), candidateIDs: try candidateFile.texts(id)))
        } else if baseline.count != candidate.count {
            throw InputError("the files have \(baseline.count) and \(candidate.count) rows: give --id to match rows")
        }
        let metrics: [(String, MulticlassMetric)] = [
            ("log loss", .logLoss), ("accuracy", .accuracy), ("balanced accuracy", .balancedAccuracy), ("F1 macro", .f1(.macro)),
            ("ROC AUC OvR macro", .rocAUCOneVsRest(.macro)), ("Brier score", .brierScore),
        ] + names.enumerated().map { ("recall of \($0.element)", .recall(classIndex: $0.offset)) }
        let differences = try pairedDifferences(metrics, baseline: baseline, candidate: candidate)
        let tests = try MulticlassPairedTests(baseline: baseline, candidate: candidate)
        if json { try printCodable(MulticlassComparisonOutput(classes: names, differences: differences, pairedTests: tests)); return }
        printDifferences(differences, rows: candidate.count)
        print("  McNemar (right/wrong): baseline-only correct \(tests.mcnemar.baselineOnlyCorrect), candidate-only correct \(tests.mcnemar.candidateOnlyCorrect), exact p \(format(tests.mcnemar.pValue))")
        print("  Stuart–Maxwell (decided classes): χ² \(format(tests.stuartMaxwell.statistic)), df \(tests.stuartMaxwell.degreesOfFreedom), p \(format(tests.stuartMaxwell.pValue))")
        for (name, test) in zip(names, tests.deLongOneVsRest) {
            guard let test else { continue }
            print("  DeLong one-vs-rest \(name): ΔAUC \(format(test.difference, signed: true)), p \(format(test.pValue))")
        }
    }

    /// The paired bootstrap of each named metric, candidate − baseline (metric i resampled with
    /// seed + i).
    private func pairedDifferences<Metric: ResampledMetric>(_ metrics: [(String, Metric)], baseline: Metric.Rows,
                                                           candidate: Metric.Rows) throws -> [NamedDifference] {
        let plan = BootstrapPlan(resamples: resamples, seed: seed)
        return try metrics.enumerated().map { index, entry in
            var metricPlan = plan
            metricPlan.seed = plan.seed &+ UInt64(index)
            return NamedDifference(metric: entry.0, bootstrap: try Bootstrap.difference(entry.1, baseline: baseline, candidate: candidate,
                                                                                      plan: metricPlan))
        }
    }

    /// One line per metric: Δ and its 95% interval (BCa when defined), `*` when it excludes 0.
    private func printDifferences(_ differences: [NamedDifference], rows: Int) {
        print("candidate \(files[1]) − baseline \(files[0]), \(rows) paired rows, \(resamples) paired bootstrap resamples (seed \(seed)):")
        for d in differences {
            let ci = d.bootstrap.bca ?? d.bootstrap.percentile
            print("  \(d.metric.padding(toLength: 22, withPad: " ", startingAt: 0)) Δ \(format(d.bootstrap.estimate, signed: true))  95% CI [\(format(ci.lower, signed: true)), \(format(ci.upper, signed: true))]" +
                  (ci.lower > 0 || ci.upper < 0 ? "  *" : ""))
        }
    }

    private func runRegressionComparison() throws {
        try requireRegressionOptions()
        let baselineFile = try PredictionsFile(path: files[0])
        let candidateFile = try PredictionsFile(path: files[1])
        let baseline = try regressionPredictions(baselineFile)
        var candidate = try regressionPredictions(candidateFile)
        if let id {
            candidate = try candidate.subset(try RowAlignment.match(baselineIDs: try baselineFile.texts(id), candidateIDs: try candidateFile.texts(id)))
        } else if baseline.count != candidate.count {
            throw InputError("the files have \(baseline.count) and \(candidate.count) rows: give --id to match rows")
        }
        var metrics: [(String, RegressionMetric)] = [("RMSE", .rootMeanSquaredError), ("MAE", .meanAbsoluteError), ("R²", .r2)]
        if let costs = regressionCosts { metrics.append(("expected cost", .expectedCost(costs))) }
        let differences = try pairedDifferences(metrics, baseline: baseline, candidate: candidate)
        let tests = RegressionTTests(
            squaredErrors: try PairedTTest(targets: baseline.targets, baseline: baseline.predictions, candidate: candidate.predictions),
            absoluteErrors: try PairedTTest(targets: baseline.targets, baseline: baseline.predictions, candidate: candidate.predictions,
                                            absolute: true))
        if json { try printCodable(RegressionComparisonOutput(differences: differences, pairedTTests: tests)); return }
        printDifferences(differences, rows: candidate.count)
        for (name, test) in [("squared", tests.squaredErrors), ("absolute", tests.absoluteErrors)] {
            print("  paired t-test on \(name) errors: t \(format(test.statistic)), df \(format(test.degreesOfFreedom)), p \(format(test.pValue))")
        }
    }

    private static func printMetric(_ name: String, _ m: MetricValue?) {
        guard let m else { return }
        print("  \(name.padding(toLength: 22, withPad: " ", startingAt: 0)) \(format(m.value))" +
              (m.warnings.isEmpty ? "" : "  (\(m.warnings.map(\.rawValue).joined(separator: ", ")))"))
    }

    static func describe(_ rule: OperatingPointRule) -> String {
        switch rule {
        case .fixed: return "fixed"
        case .minimumCost: return "minimum expected cost on validation"
        case .maximumRecall(let p): return "maximum recall with precision ≥ \(p) on validation"
        case .topFraction(let f): return "top \(f * 100)% flagged on validation"
        case .capacity(let n): return "capacity of \(n) rows on validation"
        }
    }

    static func describe(_ key: SliceKey) -> String {
        switch key {
        case .category(let v): return v
        case .bin(let lower, let upper): return "(\(lower), \(upper)]"
        }
    }

    static func describe(_ metric: BinaryMetric) -> String {
        switch metric {
        case .rocAUC: return "ROC AUC"
        case .partialAUC(let m): return "partial AUC (FPR ≤ \(m))"
        case .averagePrecision: return "average precision"
        case .logLoss: return "log loss"
        case .brierScore: return "Brier score"
        case .expectedCalibrationError: return "ECE"
        case .accuracy: return "accuracy"
        case .precision: return "precision"
        case .recall: return "recall"
        case .f1: return "F1"
        case .falsePositiveRate: return "false positive rate"
        case .specificity: return "specificity"
        case .matthewsCorrelation: return "MCC"
        case .expectedCost: return "expected cost"
        }
    }
}

/// The prediction task `git ml eval` reads a file as.
enum EvalTask: String, ExpressibleByArgument, CaseIterable {
    case binary, regression, multiclass
}

/// `git ml eval --task regression --json` for one file.
private struct RegressionOutput: Encodable {
    let evaluation: RegressionEvaluation
    let slices: [ColumnSlices]?
}

/// `git ml eval --task regression --compare --json`.
private struct RegressionComparisonOutput: Encodable {
    let differences: [NamedDifference]
    let pairedTTests: RegressionTTests
}

/// `git ml eval --task multiclass --compare --json`.
private struct MulticlassComparisonOutput: Encodable {
    let classes: [String]
    let differences: [NamedDifference]
    let pairedTests: MulticlassPairedTests
}

/// The paired t-tests (candidate − baseline per row) of `--task regression --compare`.
private struct RegressionTTests: Encodable {
    let squaredErrors: PairedTTest
    let absoluteErrors: PairedTTest
}

/// One metric's paired bootstrap in `git ml eval --task regression|multiclass --compare`.
private struct NamedDifference: Encodable {
    let metric: String
    let bootstrap: BootstrapResult
}

/// `git ml eval --json` for one file.
private struct EvaluationOutput: Encodable {
    let evaluation: BinaryEvaluation
    /// A list, not an object keyed by column: keys are converted to snake_case, column names never are.
    let slices: [ColumnSlices]?
}

/// The slices of one column.
private struct ColumnSlices: Encodable {
    let column: String
    let slices: [SliceResult]
}

/// A number for people: up to 6 significant digits.
func format(_ value: Double, signed: Bool = false) -> String {
    if value.isNaN { return "NaN" }
    let text = String(format: "%.6g", value)
    return signed && value >= 0 ? "+" + text : text
}

/// Prints a Codable report as JSON (snake_case sorted keys; NaN and infinities as strings).
func printCodable<T: Encodable>(_ value: T) throws {
    print(String(decoding: try encodeJSON(value, pretty: true), as: UTF8.self))
}

/// A Codable value as a JSON value (see `encodeJSON`), to place under keys that must stay as
/// written (dataset labels, column names).
func encodedJSON<T: Encodable>(_ value: T) throws -> JSONValue { try CanonicalJSON.parse(bytes: Array(try encodeJSON(value))) }

/// A Codable value as JSON bytes: keys in snake_case like the records' (so every `--json`
/// speaks one style; the strategy converts dictionary keys too, so values keyed by user data —
/// column names — are encoded as lists), sorted; NaN and infinities as strings.
func encodeJSON<T: Encodable>(_ value: T, pretty: Bool = false) throws -> Data {
    let encoder = JSONEncoder()
    encoder.keyEncodingStrategy = .convertToSnakeCase
    encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys] : [.sortedKeys]
    encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
    return try encoder.encode(value)
}
