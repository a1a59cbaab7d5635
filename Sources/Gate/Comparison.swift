import Evaluation

/// Candidate and champion on the same evaluation rows (the champion's rows matched to the
/// candidate's by id), ready for paired tests.
struct Comparison: Sendable {
    let suite: Suite
    let candidate: SeededModel
    let champion: SeededModel
    let clusters: [String]?

    /// Aligns `champion`'s evaluation rows to `candidate`'s ids (every id once on both sides); the
    /// aligned rows take the candidate's entity and slice columns (they are the same rows).
    init(suite: Suite, candidate: SeededModel, champion: GateEvidence.Model) throws(GateEvaluationError) {
        var aligned = [ScoredRows]()
        var alignment: (ids: [String], order: [Int])?  // the seeds of a run share their ids: match them once
        for rows in champion.evaluation {
            if alignment?.ids != rows.ids {
                do {
                    alignment = (rows.ids, rows.ids == candidate.ids ? Array(rows.ids.indices)
                                     : try RowAlignment.match(baselineIDs: candidate.ids, candidateIDs: rows.ids))
                } catch { throw .evaluation(error) }
            }
            let order = alignment!.order
            guard rows.labels.count == rows.ids.count, rows.scores.count == rows.ids.count * rows.scoresPerRow else {
                throw .evaluation(.lengthMismatch(what: "champion scores", expected: rows.ids.count * rows.scoresPerRow, actual: rows.scores.count))
            }
            aligned.append(rows.reordered(order, ids: candidate.ids, columns: candidate.columns))
        }
        self.suite = suite
        self.candidate = candidate
        self.champion = try SeededModel("champion", suite: suite, evaluation: aligned, validation: champion.validation,
                                        artifact: champion.artifact, requiredColumns: [])
        clusters = candidate.clusters(entity: suite.entity)
    }

    /// The seed-variance notes of both models (see `SeededModel.seedVarianceNote`).
    var seedVarianceNotes: [String] { [candidate.seedVarianceNote, champion.seedVarianceNote].compactMap { $0 } }

    /// The primary metric: candidate − champion with a one-sided lower bound of the improvement
    /// at `confidence`. DeLong decides for roc_auc when each model has one distinct seed and rows
    /// are not clustered; otherwise the paired bootstrap (two-level when either model has several
    /// seeds that differ: seeds with identical predictions count as one, since resampling them
    /// would report a seed variance that was never measured).
    func primary(minEffect: Double, confidence: Double) throws(GateEvaluationError) -> Verdict.PrimaryComparison {
        let metric = suite.primary.metric
        let sign = suite.primary.direction == .maximize ? 1.0 : -1.0
        guard let candidateInput = try candidate.artifact.metricInput(metric, primary: suite.primary),
              let championInput = try champion.artifact.metricInput(metric, primary: suite.primary) else {
            throw .evaluation(.invalidParameter(name: "primary metric", value: .nan, expected: "a metric computed from predictions"))
        }
        let plan = suite.significance.plan
        let seeded = candidate.distinctSeeds.count > 1 || champion.distinctSeeds.count > 1
        let candidateSeeds = seeded ? try inputs(candidate.distinctSeeds) : []
        let championSeeds = seeded ? try inputs(champion.distinctSeeds) : []
        do {
            let candidateValue = try candidateInput.evaluate().value
            let championValue = try championInput.evaluate().value
            let multiclassTests = try multiclassPairedTests()
            let mcnemar = multiclassTests == nil ? try mcnemarPValue() : multiclassTests?.mcnemar.pValue
            if metric.name == .rocAUC, !seeded, clusters == nil {
                let labels = try candidateInput.ranked.predictions.labels
                let test = try DeLongTest(labels: labels, baseline: try championInput.ranked.predictions.scores,
                                          candidate: try candidateInput.ranked.predictions.scores)
                let twoSided = Normal.quantile(1 - (1 - plan.confidence) / 2) * test.standardError
                return Verdict.PrimaryComparison(
                    metric: metric, direction: suite.primary.direction, candidate: candidateValue, champion: championValue,
                    difference: test.difference,
                    interval: ConfidenceInterval(lower: test.difference - twoSided, upper: test.difference + twoSided),
                    lowerBound: test.difference - Normal.quantile(confidence) * test.standardError, minEffect: minEffect,
                    confidence: confidence, method: "DeLong", design: nil, delongPValue: test.pValue, mcnemarPValue: mcnemar)
            }
            let bootstrap: BootstrapResult
            if seeded {
                bootstrap = try MetricInput.twoLevel(candidate: candidateSeeds, baseline: championSeeds, clusters: clusters, plan: plan)
            } else {
                bootstrap = try candidateInput.difference(baseline: championInput, clusters: clusters, plan: plan)
            }
            let improvements = bootstrap.replicates.map { sign * $0 }.sorted()
            var comparison = Verdict.PrimaryComparison(
                metric: metric, direction: suite.primary.direction, candidate: candidateValue, champion: championValue,
                difference: bootstrap.estimate, interval: bootstrap.percentile,
                lowerBound: Quantile.linear(sorted: improvements, 1 - confidence), minEffect: minEffect, confidence: confidence,
                method: seeded ? "two-level bootstrap" : "paired bootstrap", design: bootstrap.design, delongPValue: nil,
                mcnemarPValue: mcnemar)
            if !seeded, case .regression(_, let candidateRows) = candidateInput, case .regression(_, let championRows) = championInput {
                // Identical errors give no test (NaN): reported as none.
                comparison.tTestPValue = finite(try PairedTTest(targets: candidateRows.targets, baseline: championRows.predictions,
                                                                candidate: candidateRows.predictions).pValue)
                comparison.tTestAbsolutePValue = finite(try PairedTTest(targets: candidateRows.targets, baseline: championRows.predictions,
                                                                        candidate: candidateRows.predictions, absolute: true).pValue)
            }
            if let multiclassTests {
                comparison.stuartMaxwellPValue = finite(multiclassTests.stuartMaxwell.pValue)
                comparison.oneVsRestDeLongPValues = multiclassTests.deLongOneVsRest.map { $0.flatMap { finite($0.pValue) } }
            }
            return comparison
        } catch {
            throw .evaluation(error)
        }
    }

    /// Non-inferiority of a guardrail metric: overall when it names no slice columns, else per
    /// slice of each column (intersection–union checks).
    func nonInferiority(_ guardrail: Suite.Guardrail, margin: Double, alpha: Double, seedOffset: UInt64)
        throws(GateEvaluationError) -> (overall: MarginTest?, slices: [Verdict.SliceCheck]) {
        guard guardrail.slices.isEmpty else {
            return (nil, try sliceNonInferiority(guardrail, margin: margin, alpha: alpha, seedOffset: seedOffset))
        }
        guard let difference = try difference(guardrail.metric, seedOffset: seedOffset) else { return (nil, []) }
        return (MarginTest(hypothesis: .nonInferiority, margin: margin, alpha: alpha, difference: difference.bootstrap,
                           higherIsBetter: guardrail.metric.higherIsBetter), [])
    }

    /// Paired bootstrap of metric(candidate artifact) − metric(champion artifact), with both
    /// values; nil for latency. The plan's seed is offset by `seedOffset`.
    func difference(_ metric: SuiteMetric, seedOffset: UInt64)
        throws(GateEvaluationError) -> (candidate: Double, champion: Double, bootstrap: BootstrapResult)? {
        guard let candidateInput = try candidate.artifact.metricInput(metric, primary: suite.primary),
              let championInput = try champion.artifact.metricInput(metric, primary: suite.primary) else { return nil }
        var plan = suite.significance.plan
        plan.seed = plan.seed &+ seedOffset
        do {
            return (try candidateInput.evaluate().value, try championInput.evaluate().value,
                    try candidateInput.difference(baseline: championInput, clusters: clusters, plan: plan))
        } catch { throw .evaluation(error) }
    }

    /// The intersection–union checks of a slice guardrail, one per slice of each column.
    private func sliceNonInferiority(_ guardrail: Suite.Guardrail, margin: Double, alpha: Double, seedOffset: UInt64)
        throws(GateEvaluationError) -> [Verdict.SliceCheck] {
        // The parser admits slices only on metrics computed from predictions; fail closed regardless.
        guard let candidateInput = try candidate.artifact.metricInput(guardrail.metric, primary: suite.primary),
              let championInput = try champion.artifact.metricInput(guardrail.metric, primary: suite.primary) else {
            throw .evaluation(.invalidParameter(name: "slice guardrail \(guardrail.metric)", value: .nan, expected: "a metric computed from predictions"))
        }
        var plan = suite.significance.plan
        plan.seed = plan.seed &+ seedOffset
        do {
            var checks = [Verdict.SliceCheck]()
            for column in guardrail.slices {
                let slices = try candidateInput.sliceNonInferiority(
                    baseline: championInput, sliceValues: candidate.columns[column]!, margin: margin, alpha: alpha,
                    minimumRows: guardrail.minimumSliceRows, minimumPositives: guardrail.minimumSlicePositives, plan: plan)
                for slice in slices {
                    let sign = guardrail.metric.higherIsBetter ? 1.0 : -1.0
                    let finding: Verdict.SliceFinding
                    switch slice.test {
                    case nil: finding = .notApplicable
                    case let test? where test.rejected: finding = .nonInferior
                    case let test?: finding = test.improvement < -margin ? .worse : .notShownNonInferior
                    }
                    checks.append(Verdict.SliceCheck(
                        column: column, value: slice.value, rows: slice.rows, positives: slice.positives,
                        difference: slice.test.map { sign * $0.improvement }, interval: slice.difference, pValue: slice.test?.pValue,
                        outcome: finding == .notApplicable ? .notApplicable : finding == .nonInferior ? .pass : .fail, finding: finding))
                }
            }
            return checks
        } catch { throw .evaluation(error) }
    }

    /// McNemar, Stuart–Maxwell and per-class DeLong tests of the two multiclass artifacts on
    /// their (aligned) evaluation rows; nil for other tasks.
    private func multiclassPairedTests() throws(EvaluationError) -> MulticlassPairedTests? {
        guard case .multiclass(let candidateRows) = candidate.artifact.evaluation,
              case .multiclass(let championRows) = champion.artifact.evaluation else { return nil }
        return try MulticlassPairedTests(baseline: championRows, candidate: candidateRows)
    }

    private func finite(_ value: Double) -> Double? { value.isFinite ? value : nil }

    /// McNemar's exact test of the two binary artifacts' decisions at their own thresholds.
    private func mcnemarPValue() throws(EvaluationError) -> Double? {
        guard suite.primary.metric.name.needsThreshold, let c = candidate.artifact.operatingPoint?.threshold,
              let b = champion.artifact.operatingPoint?.threshold,
              case .binary(let candidateRows) = candidate.artifact.evaluation,
              case .binary(let championRows) = champion.artifact.evaluation else { return nil }
        return try McNemarTest(labels: candidateRows.labels, baseline: championRows.scores.map { $0 >= b },
                               candidate: candidateRows.scores.map { $0 >= c }).pValue
    }

    private func inputs(_ seeds: [ScoredModel]) throws(GateEvaluationError) -> [MetricInput] {
        var result = [MetricInput]()
        for seed in seeds {
            if let input = try seed.metricInput(suite.primary.metric, primary: suite.primary) { result.append(input) }
        }
        return result
    }
}
