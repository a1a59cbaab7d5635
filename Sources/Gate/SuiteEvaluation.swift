import Evaluation

/// Evaluates a suite on one model's predictions.
public enum SuiteEvaluation {
    /// The suite's report for a model. `evaluation` and `validation` hold one prediction set per
    /// seed (each seed's evaluation rows identical in ids and order); each model's operating point
    /// is chosen on its own validation rows (`validation` may be empty when the suite has no
    /// operating point: no metric decides at a threshold). The artifact's metrics get a bootstrap interval over
    /// rows (whole entities when the suite names an entity column); with several seeds the
    /// primary metric also gets the two-level bootstrap over seeds and rows. Deterministic: the
    /// suite's significance seed fixes every resample.
    public static func evaluate(_ suite: Suite, evaluation: [ScoredRows], validation: [ScoredRows],
                                artifact: CandidateArtifact = .ensemble,
                                latencyP99Microseconds: Double? = nil) throws(GateEvaluationError) -> SuiteReport {
        let model = try SeededModel("model", suite: suite, evaluation: evaluation, validation: validation,
                                    artifact: artifact, requiredColumns: suite.requiredColumns)
        return try report(suite, model: model, artifact: artifact, latencyP99Microseconds: latencyP99Microseconds,
                          intervals: true)
    }

    /// The suite's primary metric on one model's `rows` alone (one prediction set per seed),
    /// without intervals, guardrails or slices: a cross-validation fold's score. A suite's
    /// operating point is chosen on the same rows.
    public static func primaryValue(_ suite: Suite, rows: [ScoredRows], artifact: CandidateArtifact) throws(GateEvaluationError) -> Double {
        let model = try SeededModel("fold", suite: suite, evaluation: rows, validation: rows, artifact: artifact, requiredColumns: [])
        // The parser guarantees a primary metric computed from predictions, so the estimate exists.
        return try estimate(suite.primary.metric, suite: suite, model: model, clusters: nil, plan: nil, withSeeds: false,
                            measured: nil)!.value
    }

    /// The report of an already checked model; without `intervals` no bootstrap runs but the
    /// groups of gap guardrails' (the gate decides on paired tests and leaves each model's other
    /// intervals to its run record).
    static func report(_ suite: Suite, model: SeededModel, artifact: CandidateArtifact, latencyP99Microseconds: Double?,
                       intervals: Bool) throws(GateEvaluationError) -> SuiteReport {
        let clusters = model.clusters(entity: suite.entity)
        let plan = suite.significance.plan
        // The parser guarantees a primary metric computed from predictions, so the estimate exists.
        let primary = try estimate(suite.primary.metric, suite: suite, model: model, clusters: clusters,
                                   plan: intervals ? plan : nil, withSeeds: true, measured: nil)!
        var guardrails = [GuardrailReport]()
        for (index, guardrail) in suite.guardrails.enumerated() {
            var guardrailPlan = plan
            guardrailPlan.seed = plan.seed &+ UInt64(index + 1)
            // A gap guardrail's groups get their intervals in every report, the gate's included
            // (reviews show them; the gate decides on the point gap).
            let measured = try guardrailEstimate(guardrail, suite: suite, model: model, clusters: clusters,
                                                 plan: intervals || guardrail.metric.groups != nil ? guardrailPlan : nil,
                                                 latencyP99Microseconds: latencyP99Microseconds)
            var withinBounds: Bool?
            if let value = measured.estimate, guardrail.maximum != nil || guardrail.minimum != nil {
                withinBounds = value.value <= (guardrail.maximum ?? .infinity) && value.value >= (guardrail.minimum ?? -.infinity)
            }
            if let coverage = measured.coverage { withinBounds = (withinBounds ?? true) && coverage.holdsNominal }
            var report = GuardrailReport(
                guardrail: guardrail, estimate: measured.estimate, withinBounds: withinBounds,
                slices: try sliceColumns(guardrail.slices, metric: guardrail.metric, suite: suite, model: model,
                                         minimumRows: guardrail.minimumSliceRows))
            report.groups = measured.groups
            report.coverage = measured.coverage
            guardrails.append(report)
        }
        let rows = model.artifact.evaluation
        var binaryRows: BinaryPredictions?
        if case .binary(let data) = rows { binaryRows = data }
        return SuiteReport(suite: suite.name, evaluation: suite.evaluation, rows: rows.count,
                           positives: rows.positives, seeds: model.seeds.count, artifact: artifact,
                           operatingPoint: model.artifact.operatingPoint, primary: primary, guardrails: guardrails,
                           slices: try sliceColumns(suite.slices, metric: suite.primary.metric, suite: suite, model: model,
                                                    minimumRows: 1, intervals: plan),
                           curves: binaryRows.flatMap(curves),
                           reliability: binaryRows.flatMap { data in
                               data.scores.allSatisfy({ $0 >= 0 && $0 <= 1 })
                                   ? try? Calibration.reliabilityCurve(data, binning: .uniform(bins: 15)) : nil
                           },
                           regression: { if case .regression(let data) = rows { return RegressionDiagnostics(data) } else { return nil } }(),
                           multiclass: {
                               guard case .multiclass(let data) = rows, let classes = suite.label.classes else { return nil }
                               return MulticlassDiagnostics(data, classes: classes, confidence: plan.confidence, clusters: clusters)
                           }(),
                           plan: plan)
    }

    /// A guardrail's value on the artifact: the gap between groups of a `groups` guardrail (with
    /// each group's metric), the coverage of a regression run's prediction intervals (its Wilson
    /// interval at the suite's confidence, cluster-robust over the suite's entities, computed
    /// with or without a plan; nil when the run has no such quantiles), else the metric as
    /// `estimate` computes it.
    private static func guardrailEstimate(_ guardrail: Suite.Guardrail, suite: Suite, model: SeededModel, clusters: [String]?,
                                          plan: BootstrapPlan?, latencyP99Microseconds: Double?) throws(GateEvaluationError)
        -> (estimate: MetricEstimate?, groups: GroupGap?, coverage: IntervalCoverage?) {
        let metric = guardrail.metric
        if let column = metric.groups {
            guard let input = try model.artifact.metricInput(metric.ungrouped, primary: suite.primary) else { return (nil, nil, nil) }
            guard let groups = model.columns[column] else { throw .missingColumn(what: "\(model.what) evaluation", column: column) }
            do {
                let gap = try input.groupGap(groups: groups, minimumRows: guardrail.minimumSliceRows, clusters: clusters, plan: plan)
                let estimate = gap.gap.map {
                    MetricEstimate(metric: metric, value: $0, warnings: [], interval: gap.interval, standardError: nil, seeds: nil)
                }
                return (estimate, gap, nil)
            } catch { throw .evaluation(error) }
        }
        if let interval = metric.interval, metric.name == .intervalCoverage {
            guard case .regression(let rows) = model.artifact.evaluation,
                  let lower = model.artifact.quantiles[interval[0]], let upper = model.artifact.quantiles[interval[1]] else {
                return (nil, nil, nil)
            }
            do {
                let coverage = try IntervalCoverage(targets: rows.targets, lower: lower, upper: upper, lowerQuantile: interval[0],
                                                    upperQuantile: interval[1], confidence: suite.significance.confidence,
                                                    clusters: clusters)
                return (MetricEstimate(metric: metric, value: coverage.coverage, warnings: [], interval: coverage.interval,
                                       standardError: nil, seeds: nil), nil, coverage)
            } catch { throw .evaluation(error) }
        }
        return (try estimate(metric, suite: suite, model: model, clusters: clusters, plan: plan, withSeeds: false,
                             measured: latencyP99Microseconds), nil, nil)
    }

    /// The metric on the artifact with its interval (none without a `plan`); `measured` supplies
    /// latency (nil result when absent).
    private static func estimate(_ metric: SuiteMetric, suite: Suite, model: SeededModel, clusters: [String]?, plan: BootstrapPlan?,
                                 withSeeds: Bool, measured: Double?) throws(GateEvaluationError) -> MetricEstimate? {
        guard let input = try model.artifact.metricInput(metric, primary: suite.primary) else {
            return measured.map {
                MetricEstimate(metric: metric, value: $0, warnings: [], interval: nil, standardError: nil, seeds: nil)
            }
        }
        var seedInputs = [MetricInput]()
        // Seeds with identical predictions have no spread to report (`SeededModel.identicalSeeds`).
        if withSeeds, plan != nil, model.seeds.count > 1, !model.identicalSeeds {
            for seed in model.seeds {
                if let seedInput = try seed.metricInput(metric, primary: suite.primary) { seedInputs.append(seedInput) }
            }
        }
        do {
            let value = try input.evaluate()
            let bootstrap = plan.flatMap { try? input.bootstrap(clusters: clusters, plan: $0) }
            var spread: MetricEstimate.SeedSpread?
            if !seedInputs.isEmpty {
                let values = try seedInputs.map { seed throws(EvaluationError) in try seed.evaluate().value }
                let twoLevel = plan.flatMap { try? MetricInput.twoLevel(candidate: seedInputs, baseline: [], clusters: clusters, plan: $0) }
                if let twoLevel {
                    spread = MetricEstimate.SeedSpread(values: values, mean: values.reduce(0, +) / Double(values.count),
                                                       interval: twoLevel.percentile)
                }
            }
            return MetricEstimate(metric: metric, value: value.value, warnings: value.warnings, interval: bootstrap?.percentile,
                                  standardError: bootstrap?.standardError, seeds: spread)
        } catch {
            throw .evaluation(error)
        }
    }

    /// ROC and PR points at evenly spaced distinct thresholds (nil when a class is absent).
    private static func curves(_ predictions: BinaryPredictions) -> ModelCurves? {
        let curve = RankedPredictions(predictions, threads: .one).curve()
        guard curve.positives > 0, curve.negatives > 0 else { return nil }
        let count = curve.thresholds.count
        let kept = min(count, SuiteReport.curvePoints - 1)
        let indices = (0..<kept).map { $0 * (count - 1) / max(1, kept - 1) }
        var roc = [CurvePoint(x: 0, y: 0)], precisionRecall = [CurvePoint]()
        for k in indices {
            let tp = curve.truePositives[k], fp = curve.falsePositives[k]
            roc.append(CurvePoint(x: fp / curve.negatives, y: tp / curve.positives))
            precisionRecall.append(CurvePoint(x: tp / curve.positives, y: tp / (tp + fp)))
        }
        return ModelCurves(roc: roc, precisionRecall: precisionRecall)
    }

    /// The metric per value of each column on the artifact's rows; with `intervals`, each
    /// slice's bootstrap interval by that plan (the suite's reported slices get one even in the
    /// gate, whose reviews plot them: one bootstrap over all rows per column).
    private static func sliceColumns(_ columns: [String], metric: SuiteMetric, suite: Suite, model: SeededModel,
                                     minimumRows: Int, intervals plan: BootstrapPlan? = nil) throws(GateEvaluationError) -> [GuardrailReport.SliceColumn] {
        guard let input = try model.artifact.metricInput(metric, primary: suite.primary) else { return [] }
        var result = [GuardrailReport.SliceColumn]()
        for column in columns {
            let categories = model.columns[column]!
            do {
                let slices: [SliceResult]
                if let plan {
                    slices = try input.slicesWithIntervals(categories: categories, minimumRows: minimumRows,
                                                           clusters: model.clusters(entity: suite.entity), plan: plan)
                } else {
                    slices = try input.slices(categories: categories, minimumRows: minimumRows)
                }
                result.append(GuardrailReport.SliceColumn(column: column, slices: slices))
            } catch { throw .evaluation(error) }
        }
        return result
    }
}
