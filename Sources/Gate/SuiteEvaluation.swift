import Evaluation

/// Evaluates a suite on one model's predictions.
public enum SuiteEvaluation {
    /// The suite's report for a model. `evaluation` and `validation` hold one prediction set per
    /// seed (each seed's evaluation rows identical in ids and order); each model's operating point
    /// is chosen on its own validation rows. The artifact's metrics get a bootstrap interval over
    /// rows (whole entities when the suite names an entity column); with several seeds the
    /// primary metric also gets the two-level bootstrap over seeds and rows. Deterministic: the
    /// suite's significance seed fixes every resample.
    public static func evaluate(_ suite: Suite, evaluation: [ScoredRows], validation: [ScoredRows],
                                artifact: CandidateArtifact = .ensemble,
                                latencyP99Microseconds: Double? = nil) throws(GateEvaluationError) -> SuiteReport {
        let model = try SeededModel("model", evaluation: evaluation, validation: validation,
                                    rule: suite.primary.operatingPoint, artifact: artifact, requiredColumns: suite.requiredColumns)
        let clusters = model.clusters(entity: suite.entity)
        let plan = suite.significance.plan
        let primary = try estimate(suite.primary.metric, suite: suite, model: model, clusters: clusters, plan: plan,
                                   withSeeds: true, measured: nil)!
        var guardrails = [GuardrailReport]()
        for (index, guardrail) in suite.guardrails.enumerated() {
            var guardrailPlan = plan
            guardrailPlan.seed = plan.seed &+ UInt64(index + 1)
            let value = try estimate(guardrail.metric, suite: suite, model: model, clusters: clusters, plan: guardrailPlan,
                                     withSeeds: false, measured: latencyP99Microseconds)
            var withinBounds: Bool?
            if let value, guardrail.maximum != nil || guardrail.minimum != nil {
                withinBounds = value.value <= (guardrail.maximum ?? .infinity) && value.value >= (guardrail.minimum ?? -.infinity)
            }
            guardrails.append(GuardrailReport(
                guardrail: guardrail, estimate: value, withinBounds: withinBounds,
                slices: try sliceColumns(guardrail.slices, metric: guardrail.metric, suite: suite, model: model,
                                         minimumRows: guardrail.minimumSliceRows)))
        }
        let labels = model.artifact.evaluation.labels
        return SuiteReport(suite: suite.name, evaluation: suite.evaluation, rows: labels.count,
                           positives: labels.reduce(0) { $0 + ($1 ? 1 : 0) }, seeds: model.seeds.count, artifact: artifact,
                           operatingPoint: model.artifact.operatingPoint, primary: primary, guardrails: guardrails,
                           slices: try sliceColumns(suite.slices, metric: suite.primary.metric, suite: suite, model: model,
                                                    minimumRows: 1),
                           plan: plan)
    }

    /// The metric on the artifact with its interval; `measured` supplies latency (nil result when absent).
    static func estimate(_ metric: SuiteMetric, suite: Suite, model: SeededModel, clusters: [String]?, plan: BootstrapPlan,
                         withSeeds: Bool, measured: Double?) throws(GateEvaluationError) -> MetricEstimate? {
        guard let input = try model.artifact.metricInput(metric, costs: suite.primary.costs) else {
            return measured.map {
                MetricEstimate(metric: metric, value: $0, warnings: [], interval: nil, standardError: nil, seeds: nil)
            }
        }
        var seedInputs = [RankedPredictions]()
        if withSeeds, model.seeds.count > 1 {
            for seed in model.seeds {
                if let seedInput = try seed.metricInput(metric, costs: suite.primary.costs) { seedInputs.append(seedInput.ranked) }
            }
        }
        do {
            let value = try input.metric.evaluate(input.ranked)
            let bootstrap = try? Bootstrap.metric(input.metric, input.ranked, clusters: clusters, plan: plan)
            var spread: MetricEstimate.SeedSpread?
            if !seedInputs.isEmpty {
                let values = try seedInputs.map { ranked throws(EvaluationError) in try input.metric.evaluate(ranked).value }
                let twoLevel = try? Bootstrap.twoLevel(input.metric, candidate: seedInputs, clusters: clusters, plan: plan)
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

    /// The metric per value of each column on the artifact's rows.
    private static func sliceColumns(_ columns: [String], metric: SuiteMetric, suite: Suite, model: SeededModel,
                                     minimumRows: Int) throws(GateEvaluationError) -> [GuardrailReport.SliceColumn] {
        guard let input = try model.artifact.metricInput(metric, costs: suite.primary.costs) else { return [] }
        var result = [GuardrailReport.SliceColumn]()
        for column in columns {
            do {
                result.append(GuardrailReport.SliceColumn(
                    column: column,
                    slices: try Slices.byCategory(input.ranked.predictions, categories: model.columns[column]!,
                                                  metric: input.metric, minimumRows: minimumRows)))
            } catch { throw .evaluation(error) }
        }
        return result
    }
}
