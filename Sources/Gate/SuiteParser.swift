import Contracts
import Evaluation

extension Suite {
    /// Default minimum rows and positives below which a guardrail slice is not applicable.
    public static let defaultMinimumSliceRows = 100
    public static let defaultMinimumSlicePositives = 10

    /// Parses the suite `name` from YAML text; `file` names the source in errors. Unknown keys,
    /// unknown metrics and inconsistent settings (a threshold metric without an operating point,
    /// `expected_cost` without costs, a direction the metric contradicts) are errors naming the
    /// file, line and key.
    public static func parse(yaml: String, file: String, name: String) throws(GateConfigError) -> Suite {
        try SuiteParser().suite(try YAMLCursor.document(yaml: yaml, file: file, requiredKey: "task"), name: name)
    }
}

/// Reads the keys of a suite file (the format is in docs/FORMAT.md).
private struct SuiteParser {
    func suite(_ root: YAMLCursor, name: String) throws(GateConfigError) -> Suite {
        try root.requireKeys(in: ["task", "label", "eval", "entity", "primary", "guardrails", "slices", "significance"])
        let task = try root.required("task").word(Suite.Task.self)
        let label = try self.label(try root.required("label"), task: task)
        let evalCursor = try root.required("eval")
        let evalText = try evalCursor.string()
        guard let evaluation = DatasetReference(parsing: evalText) else {
            throw evalCursor.fail("'\(evalText)' is not a dataset version: write name@vN or name@sha256:<hex prefix>")
        }
        let primaryCursor = try root.required("primary")
        let classes = label.classes ?? []
        let primary = try self.primary(primaryCursor, task: task, classes: classes)
        var guardrails = [Suite.Guardrail]()
        for item in try root.optional("guardrails")?.items() ?? [] {
            guardrails.append(try guardrail(item, primary: primary, task: task, classes: classes))
        }
        return Suite(name: name, task: task, label: label, evaluation: evaluation,
                     entity: try root.optional("entity")?.string(), primary: primary, guardrails: guardrails,
                     slices: try root.optional("slices")?.strings() ?? [],
                     significance: try significance(try root.optional("significance")))
    }

    /// `label:` — `{ column, positive }` (binary), `{ column }` (regression) or `{ column,
    /// classes: [a, b, …] }` (multiclass: at least two distinct classes, in the order used everywhere).
    private func label(_ cursor: YAMLCursor, task: Suite.Task) throws(GateConfigError) -> Suite.Label {
        try cursor.requireKeys(in: ["column", "positive", "classes"])
        let positiveCursor = try cursor.optional("positive"), classesCursor = try cursor.optional("classes")
        if task != .binary, let positiveCursor {
            throw positiveCursor.fail(task == .regression ? "a regression label is the numeric target: remove positive"
                                          : "a multiclass label declares its classes: remove positive")
        }
        if task != .multiclass, let classesCursor {
            throw classesCursor.fail("classes applies only to task: multiclass")
        }
        var classes: [String]?
        if task == .multiclass {
            guard let classesCursor else {
                throw try cursor.required("column").fail("a multiclass label needs classes: [a, b, …] (the declared classes, in order)")
            }
            let declared = try classesCursor.distinctStrings()
            guard declared.count >= 2 else { throw classesCursor.fail("declare at least two classes") }
            classes = declared
        }
        return Suite.Label(column: try cursor.required("column").string(),
                           positive: task == .binary ? try cursor.required("positive").string() : nil, classes: classes)
    }

    private func primary(_ cursor: YAMLCursor, task: Suite.Task, classes: [String]) throws(GateConfigError) -> Suite.Primary {
        try cursor.requireKeys(in: ["metric", "max_fpr", "power", "quantile", "class", "k", "interval", "cost", "decision", "operating_point",
                                    "direction"])
        if try cursor.required("metric").string() == SuiteMetricName.intervalCoverage.rawValue {
            throw try cursor.required("metric").fail("interval_coverage is best at its nominal level, neither larger nor smaller: use it as a guardrail")
        }
        let metric = try self.metric(cursor, task: task, classes: classes)
        guard metric.name.isComputedFromPredictions else {
            throw try cursor.required("metric").fail("latency_p99_us can only be a guardrail: the primary metric is computed from predictions")
        }
        if metric.name == .meanResidual {
            throw try cursor.required("metric").fail("mean_residual is best at 0, neither larger nor smaller: use it as a guardrail with max_abs")
        }
        if task == .regression {
            return try regressionPrimary(cursor, metric: metric)
        }
        if task == .multiclass {
            return try multiclassPrimary(cursor, metric: metric, classes: classes)
        }
        if let decision = try cursor.optional("decision") { throw decision.fail("decision applies only to multiclass suites") }
        let costs = try cursor.optional("cost").map { c throws(GateConfigError) in try costMatrix(c) }
        var rule = try cursor.optional("operating_point").map { c throws(GateConfigError) in try operatingPoint(c, costs: costs) }
        if rule == nil, metric.name == .expectedCost, let costs { rule = .minimumCost(costs) }
        if metric.name == .expectedCost, costs == nil {
            throw try cursor.required("metric").fail("expected_cost needs cost: { fp: …, fn: … }")
        }
        if metric.name.needsThreshold, rule == nil {
            throw try cursor.required("metric").fail("\(metric.name.rawValue) decides at a threshold: add operating_point (cost_optimal, threshold: X, recall_at_precision: P, top_fraction: F or capacity: N)")
        }
        return Suite.Primary(metric: metric, costs: costs, regressionCosts: nil, operatingPoint: rule,
                             direction: try direction(cursor, metric: metric))
    }

    /// A regression primary: no operating point (a prediction is the decision), `cost:
    /// {under, over}` for `expected_cost`.
    private func regressionPrimary(_ cursor: YAMLCursor, metric: SuiteMetric) throws(GateConfigError) -> Suite.Primary {
        if let point = try cursor.optional("operating_point") {
            throw point.fail("a regression suite has no operating point: its predictions are the decisions")
        }
        let costs = try cursor.optional("cost").map { c throws(GateConfigError) in try regressionCosts(c) }
        if metric.name == .expectedCost, costs == nil {
            throw try cursor.required("metric").fail("expected_cost needs cost: { under: …, over: … } (cost per unit of under- and over-prediction)")
        }
        return Suite.Primary(metric: metric, costs: nil, regressionCosts: costs, operatingPoint: nil,
                             direction: try direction(cursor, metric: metric))
    }

    /// A multiclass primary: no operating point; `cost:` a K × K matrix (rows = true class,
    /// columns = decided class, in declared order) for `expected_cost` and `decision: bayes`;
    /// `decision: argmax` (default) or `bayes`.
    private func multiclassPrimary(_ cursor: YAMLCursor, metric: SuiteMetric, classes: [String]) throws(GateConfigError) -> Suite.Primary {
        if let point = try cursor.optional("operating_point") {
            throw point.fail("a multiclass suite has no threshold: it decides by argmax or by its cost matrix (decision: bayes)")
        }
        var costs: MulticlassCosts?
        if let costCursor = try cursor.optional("cost") {
            costs = try multiclassCosts(costCursor, classes: classes)
        }
        var decision = MulticlassDecision.argmax
        if let decisionCursor = try cursor.optional("decision") {
            switch try decisionCursor.string() {
            case "argmax": break
            case "bayes":
                guard let costs else { throw decisionCursor.fail("decision: bayes needs cost: the K × K cost matrix it minimizes") }
                decision = .bayes(costs)
            default: throw decisionCursor.fail("expected argmax or bayes")
            }
        }
        if metric.name == .expectedCost, costs == nil {
            throw try cursor.required("metric").fail("expected_cost needs cost: a \(classes.count) × \(classes.count) matrix (rows = true class, columns = decided class, in the order of label.classes)")
        }
        return Suite.Primary(metric: metric, costs: nil, regressionCosts: nil, operatingPoint: nil,
                             direction: try direction(cursor, metric: metric), multiclassCosts: costs, decision: decision)
    }

    /// A K × K list of lists of finite costs ≥ 0 for the declared classes.
    private func multiclassCosts(_ cursor: YAMLCursor, classes: [String]) throws(GateConfigError) -> MulticlassCosts {
        let shape = "a \(classes.count) × \(classes.count) matrix: one row per true class, one column per decided class, in the order [\(classes.joined(separator: ", "))]"
        guard case .sequence = cursor.node else { throw cursor.fail("expected \(shape)") }
        let rows = try cursor.items()
        guard rows.count == classes.count else { throw cursor.fail("\(rows.count) rows: expected \(shape)") }
        var matrix = [[Double]]()
        for row in rows {
            guard case .sequence = row.node else { throw row.fail("expected a row of \(classes.count) costs") }
            let values = try row.items()
            guard values.count == classes.count else { throw row.fail("\(values.count) costs: expected \(shape)") }
            var numbers = [Double]()
            for value in values {
                let number = try value.double()
                guard number.isFinite, number >= 0 else { throw value.fail("a cost must be a finite number ≥ 0") }
                numbers.append(number)
            }
            matrix.append(numbers)
        }
        do { return try MulticlassCosts(matrix) } catch { throw cursor.fail("expected \(shape)") }
    }

    /// `direction:`, which must agree with the metric when given.
    private func direction(_ cursor: YAMLCursor, metric: SuiteMetric) throws(GateConfigError) -> Suite.Direction {
        let natural: Suite.Direction = metric.higherIsBetter ? .maximize : .minimize
        if let directionCursor = try cursor.optional("direction") {
            let direction = try directionCursor.word(Suite.Direction.self)
            guard direction == natural else {
                throw directionCursor.fail("\(metric.name.rawValue) is better when \(metric.higherIsBetter ? "larger" : "smaller"): direction must be \(natural.rawValue)")
            }
        }
        return natural
    }

    /// `cost: { under, over }`: each side a cost per unit (a number ≥ 0) or a list of tiers
    /// `[{ up_to: U, per_unit: R }, …, { per_unit: R }]` (marginal cost per unit up to each
    /// cumulative limit; the last tier has no limit).
    private func regressionCosts(_ cursor: YAMLCursor) throws(GateConfigError) -> RegressionCosts {
        try cursor.requireKeys(in: ["under", "over"])
        let under = try cursor.required("under"), over = try cursor.required("over")
        let underTiers = try costTiers(under), overTiers = try costTiers(over)
        let costs: RegressionCosts
        do {
            costs = try RegressionCosts(under: underTiers, over: overTiers)
        } catch {
            throw cursor.fail("\(error)")  // not reached: costTiers checks what RegressionCosts requires
        }
        guard (costs.under + costs.over).contains(where: { $0.perUnit > 0 }) else { throw cursor.fail("under and over cannot both be 0") }
        return costs
    }

    /// One side of a regression cost: a number, or a list of tiers with increasing `up_to` and
    /// a last tier without one.
    private func costTiers(_ cursor: YAMLCursor) throws(GateConfigError) -> [RegressionCosts.Tier] {
        func rate(_ c: YAMLCursor) throws(GateConfigError) -> Double {
            let value = try c.double()
            guard value >= 0 && value.isFinite else { throw c.fail("a cost per unit must be a finite number ≥ 0") }
            return value
        }
        guard case .sequence = cursor.node else { return [RegressionCosts.Tier(upTo: nil, perUnit: try rate(cursor))] }
        let items = try cursor.items()
        guard !items.isEmpty else { throw cursor.fail("give a cost per unit, or tiers [{ up_to: U, per_unit: R }, …, { per_unit: R }]") }
        var tiers = [RegressionCosts.Tier](), previous = 0.0
        for (index, item) in items.enumerated() {
            try item.requireKeys(in: ["up_to", "per_unit"])
            let limitCursor = try item.optional("up_to")
            let last = index == items.count - 1
            if last, let limitCursor { throw limitCursor.fail("the last tier has no up_to: it prices every unit beyond the others") }
            if !last, limitCursor == nil { throw item.fail("every tier but the last needs up_to (the cumulative error it reaches)") }
            let limit = try limitCursor?.double()
            if let limitCursor, let limit, !(limit.isFinite && limit > previous) {
                throw limitCursor.fail("up_to must be finite and greater than \(previous) (limits increase tier by tier)")
            }
            previous = limit ?? previous
            tiers.append(RegressionCosts.Tier(upTo: limit, perUnit: try rate(try item.required("per_unit"))))
        }
        return tiers
    }

    private func guardrail(_ cursor: YAMLCursor, primary: Suite.Primary, task: Suite.Task,
                           classes: [String]) throws(GateConfigError) -> Suite.Guardrail {
        try cursor.requireKeys(in: ["metric", "max_fpr", "power", "quantile", "class", "k", "interval", "max", "min", "max_abs", "slices",
                                    "non_inferiority_margin", "min_slice_rows", "min_slice_positives", "groups", "max_gap"])
        let metric = try self.metric(cursor, task: task, classes: classes)
        let metricCursor = try cursor.required("metric")
        if let groupsCursor = try cursor.optional("groups") {
            return try gapGuardrail(cursor, metric: metric, groups: groupsCursor)
        }
        if let gapCursor = try cursor.optional("max_gap") {
            throw gapCursor.fail("max_gap needs groups: the column whose groups' values are compared")
        }
        if task == .binary, metric.name.needsThreshold, primary.operatingPoint == nil {
            throw metricCursor.fail("\(metric.name.rawValue) decides at a threshold: give primary.operating_point")
        }
        if metric.name == .expectedCost, primary.costs == nil, primary.regressionCosts == nil, primary.multiclassCosts == nil {
            switch task {
            case .binary: throw metricCursor.fail("expected_cost needs primary.cost: { fp: …, fn: … }")
            case .regression: throw metricCursor.fail("expected_cost needs primary.cost: { under: …, over: … }")
            case .multiclass: throw metricCursor.fail("expected_cost needs primary.cost: the K × K cost matrix")
            }
        }
        let maximumCursor = try cursor.optional("max"), minimumCursor = try cursor.optional("min")
        var maximum = try maximumCursor?.double()
        var minimum = try minimumCursor?.double()
        for (bound, boundCursor) in [(maximum, maximumCursor), (minimum, minimumCursor)] {
            if let bound, let boundCursor, !bound.isFinite { throw boundCursor.fail("a bound must be a finite number") }
            if let bound, let boundCursor, metric.isRate, !(bound >= 0 && bound <= 1) {
                throw boundCursor.fail("\(metric.name.rawValue) lies in [0, 1]: a bound outside can never or always hold")
            }
        }
        if let absCursor = try cursor.optional("max_abs") {
            // |value| ≤ X is the bound pair −X ≤ value ≤ X.
            let limit = try absCursor.double()
            guard limit >= 0, maximum == nil, minimum == nil else { throw absCursor.fail("max_abs is a limit ≥ 0 that replaces max and min") }
            maximum = limit
            minimum = -limit
        }
        if metric.name == .meanResidual, try cursor.optional("non_inferiority_margin") != nil {
            throw metricCursor.fail("mean_residual is best at 0, so no model is \"worse by a margin\": bound it with max_abs")
        }
        if metric.name == .intervalCoverage {
            for key in ["non_inferiority_margin", "slices"] {
                if let extra = try cursor.optional(key) {
                    throw extra.fail("interval_coverage is checked against its nominal level (and max/min when given), not against the champion")
                }
            }
        }
        let slices = try cursor.optional("slices")?.strings() ?? []
        let marginCursor = try cursor.optional("non_inferiority_margin")
        let margin = try marginCursor?.double()
        if let marginCursor, let margin, !(margin >= 0) { throw marginCursor.fail("the margin must be ≥ 0") }
        guard maximum != nil || minimum != nil || margin != nil || metric.name == .intervalCoverage else {
            throw cursor.fail("a guardrail needs max, min or non_inferiority_margin (or max_abs: a bound on the absolute value)")
        }
        if !metric.name.isComputedFromPredictions, margin != nil || !slices.isEmpty {
            throw metricCursor.fail("latency_p99_us takes only max or min (it is measured, not computed per slice)")
        }
        if let marginCursor, let margin, metric.isRate, margin >= 1 {
            throw marginCursor.fail("\(metric.name.rawValue) lies in [0, 1]: a margin ≥ 1 admits any model")
        }
        if !slices.isEmpty, margin == nil {
            throw try cursor.required("slices").fail("slice guardrails are non-inferiority tests: add non_inferiority_margin")
        }
        return Suite.Guardrail(metric: metric, maximum: maximum, minimum: minimum, slices: slices, nonInferiorityMargin: margin,
                               minimumSliceRows: try count(cursor, "min_slice_rows", default: Suite.defaultMinimumSliceRows),
                               minimumSlicePositives: try count(cursor, "min_slice_positives",
                                                                default: Suite.defaultMinimumSlicePositives))
    }

    /// `{ metric, groups: column, max_gap: X }`: the metric per group of the column (groups under
    /// `min_slice_rows` rows left out) and the largest minus the smallest must be ≤ X.
    private func gapGuardrail(_ cursor: YAMLCursor, metric: SuiteMetric, groups: YAMLCursor) throws(GateConfigError) -> Suite.Guardrail {
        guard metric.name.isComputedFromPredictions, metric.name != .intervalCoverage else {
            throw try cursor.required("metric").fail("\(metric.name.rawValue) is not computed per row, so it has no value per group")
        }
        guard let gapCursor = try cursor.optional("max_gap") else {
            throw groups.fail("a groups guardrail needs max_gap: the largest allowed difference between the groups' values")
        }
        for key in ["max", "min", "max_abs", "non_inferiority_margin", "slices", "min_slice_positives"] {
            if let extra = try cursor.optional(key) { throw extra.fail("a groups guardrail takes max_gap (and min_slice_rows), not \(key)") }
        }
        let gap = try gapCursor.double()
        guard gap.isFinite, gap >= 0, !metric.isRate || gap <= 1 else {
            throw gapCursor.fail(metric.isRate ? "\(metric.name.rawValue) lies in [0, 1]: max_gap must be in [0, 1]" : "max_gap must be a finite number ≥ 0")
        }
        return Suite.Guardrail(metric: metric.grouped(by: try groups.string()), maximum: gap, minimum: nil, slices: [], nonInferiorityMargin: nil,
                               minimumSliceRows: try count(cursor, "min_slice_rows", default: Suite.defaultMinimumSliceRows),
                               minimumSlicePositives: Suite.defaultMinimumSlicePositives)
    }

    /// `metric:` of a mapping, with `max_fpr:` for partial_auc, `power:` for tweedie_deviance,
    /// `quantile:` for pinball_loss, `class:` for a multiclass precision or recall and `k:` for
    /// top_k_accuracy; the metric must serve the suite's task.
    private func metric(_ cursor: YAMLCursor, task: Suite.Task, classes: [String]) throws(GateConfigError) -> SuiteMetric {
        let metricCursor = try cursor.required("metric")
        let text = try metricCursor.string()
        let names = SuiteMetricName.allCases.filter { $0.tasks.contains(task) }
        guard let name = SuiteMetricName(rawValue: text) else {
            throw metricCursor.fail("unknown metric '\(text)' (one of \(names.map(\.rawValue).joined(separator: ", ")))")
        }
        guard name.tasks.contains(task) else {
            throw metricCursor.fail("\(text) is not a \(task.rawValue) metric (one of \(names.map(\.rawValue).joined(separator: ", ")))")
        }
        let classCursor = try cursor.optional("class"), kCursor = try cursor.optional("k")
        let perClass = task == .multiclass && (name == .precision || name == .recall)
        if !perClass, let classCursor { throw classCursor.fail("class applies only to precision and recall of a multiclass suite") }
        // Each parameter belongs to one metric: on any other it is an error, whatever the metric reads.
        let owners: [(String, SuiteMetricName)] = [("k", .topKAccuracy), ("interval", .intervalCoverage), ("power", .tweedieDeviance),
                                                   ("quantile", .pinballLoss), ("max_fpr", .partialAUC)]
        for (key, owner) in owners where name != owner {
            if let extra = try cursor.optional(key) { throw extra.fail("\(key) applies only to \(owner.rawValue)") }
        }
        if perClass {
            guard let classCursor else {
                throw metricCursor.fail("a multiclass \(text) is per class: add class (one of \(classes.joined(separator: ", ")))")
            }
            let className = try classCursor.string()
            guard let index = classes.firstIndex(of: className) else {
                throw classCursor.fail("'\(className)' is not a declared class (one of \(classes.joined(separator: ", ")))")
            }
            return SuiteMetric(name: name, className: className, classIndex: index)
        }
        if name == .topKAccuracy {
            guard let kCursor else { throw metricCursor.fail("top_k_accuracy needs k (1 to \(classes.count - 1))") }
            let k = try kCursor.int()
            guard k >= 1 && k < classes.count else { throw kCursor.fail("k must be 1 to \(classes.count - 1) (k = \(classes.count) is always right)") }
            return SuiteMetric(name: name, k: k)
        }
        if name == .intervalCoverage {
            guard let intervalCursor = try cursor.optional("interval") else {
                throw metricCursor.fail("interval_coverage needs interval: [lower, upper] (the run's q_<quantile> columns, e.g. [0.05, 0.95])")
            }
            let bounds = try intervalCursor.items().map { item throws(GateConfigError) in try item.double() }
            guard bounds.count == 2, bounds[0] > 0, bounds[0] < bounds[1], bounds[1] < 1 else {
                throw intervalCursor.fail("expected [lower, upper] quantiles with 0 < lower < upper < 1, e.g. [0.05, 0.95]")
            }
            return SuiteMetric(name: name, interval: bounds)
        }
        if name == .tweedieDeviance {
            guard let powerCursor = try cursor.optional("power") else { throw metricCursor.fail("tweedie_deviance needs power (≤ 0 or ≥ 1; 1 is Poisson, 2 Gamma)") }
            let power = try powerCursor.double()
            guard power.isFinite, !(power > 0 && power < 1) else { throw powerCursor.fail("the Tweedie power must be ≤ 0 or ≥ 1") }
            return SuiteMetric(name: name, power: power)
        }
        if name == .pinballLoss {
            guard let quantileCursor = try cursor.optional("quantile") else { throw metricCursor.fail("pinball_loss needs quantile (in (0, 1), e.g. 0.9)") }
            let quantile = try quantileCursor.double()
            guard quantile > 0 && quantile < 1 else { throw quantileCursor.fail("the quantile must be in (0, 1)") }
            return SuiteMetric(name: name, quantile: quantile)
        }
        guard name == .partialAUC else { return SuiteMetric(name: name) }
        guard let limit = try cursor.optional("max_fpr") else {
            throw metricCursor.fail("partial_auc needs max_fpr (the false positive rate limit, in (0, 1])")
        }
        let value = try limit.double()
        guard value > 0 && value <= 1 else { throw limit.fail("max_fpr must be in (0, 1]") }
        return SuiteMetric(name: name, maxFPR: value)
    }

    private func costMatrix(_ cursor: YAMLCursor) throws(GateConfigError) -> CostMatrix {
        try cursor.requireKeys(in: ["fp", "fn", "tp", "tn"])
        return CostMatrix(truePositive: try cursor.optional("tp")?.double() ?? 0,
                          falsePositive: try cursor.required("fp").double(),
                          trueNegative: try cursor.optional("tn")?.double() ?? 0,
                          falseNegative: try cursor.required("fn").double())
    }

    /// `cost_optimal`, or a one-key mapping `threshold: X` | `recall_at_precision: P` |
    /// `top_fraction: F` | `capacity: N`.
    private func operatingPoint(_ cursor: YAMLCursor, costs: CostMatrix?) throws(GateConfigError) -> OperatingPointRule {
        let forms = "cost_optimal, { threshold: X }, { recall_at_precision: P }, { top_fraction: F } or { capacity: N }"
        if case .scalar = cursor.node {
            guard try cursor.string() == "cost_optimal" else { throw cursor.fail("expected \(forms)") }
            guard let costs else { throw cursor.fail("cost_optimal needs primary.cost: { fp: …, fn: … }") }
            return .minimumCost(costs)
        }
        try cursor.requireKeys(in: ["threshold", "recall_at_precision", "top_fraction", "capacity"])
        let entries = try cursor.entries()
        guard entries.count == 1, let entry = entries.first else { throw cursor.fail("expected exactly one of \(forms)") }
        let value = entry.value
        switch entry.key {
        case "threshold":
            let threshold = try value.double()
            guard threshold.isFinite else { throw value.fail("the threshold must be a finite number") }
            return .fixed(threshold: threshold)
        case "recall_at_precision":
            let precision = try value.double()
            guard precision >= 0 && precision <= 1 else { throw value.fail("the precision must be in [0, 1]") }
            return .maximumRecall(minimumPrecision: precision)
        case "top_fraction":
            let fraction = try value.double()
            guard fraction >= 0 && fraction <= 1 else { throw value.fail("the fraction must be in [0, 1]") }
            return .topFraction(fraction)
        case "capacity":
            let rows = try value.int()
            guard rows >= 0 else { throw value.fail("the capacity must be ≥ 0 rows") }
            return .capacity(rows: rows)
        default:
            throw cursor.fail("expected exactly one of \(forms)")
        }
    }

    private func significance(_ cursor: YAMLCursor?) throws(GateConfigError) -> Suite.Significance {
        try cursor?.requireKeys(in: ["method", "resamples", "confidence", "seed"])
        let method = try cursor?.optional("method")?.word(Suite.Significance.Method.self) ?? .pairedBootstrap
        let resamples = try count(cursor, "resamples", default: 2000)
        if !(100...BootstrapPlan.maxResamples).contains(resamples), let resamplesCursor = try cursor?.optional("resamples") {
            throw resamplesCursor.fail("use 100 to \(BootstrapPlan.maxResamples) resamples")
        }
        let confidenceCursor = try cursor?.optional("confidence")
        let confidence = try confidenceCursor?.double() ?? 0.95
        if let confidenceCursor, !(confidence > 0.5 && confidence < 1) { throw confidenceCursor.fail("the confidence must be in (0.5, 1)") }
        let seed = try count(cursor, "seed", default: 0)
        return Suite.Significance(method: method, resamples: resamples, confidence: confidence, seed: UInt64(seed))
    }

    /// A non-negative integer at `key`, or `fallback` when absent.
    private func count(_ cursor: YAMLCursor?, _ key: String, default fallback: Int) throws(GateConfigError) -> Int {
        guard let value = try cursor?.optional(key) else { return fallback }
        let number = try value.int()
        guard number >= 0 else { throw value.fail("expected an integer ≥ 0") }
        return number
    }
}
