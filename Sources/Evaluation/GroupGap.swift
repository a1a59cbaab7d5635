/// A metric per group of rows (e.g. MAE or mean residual per region) and the gap between the
/// best- and worst-served groups: how unevenly a model's errors fall on groups.
public struct GroupGap: Codable, Sendable, Hashable {
    /// One group's rows and metric.
    public struct Group: Codable, Sendable, Hashable {
        /// The group's value of the group column.
        public let value: String
        public let rows: Int
        /// Nil when the group has fewer than the minimum rows (left out of the gap).
        public let metric: MetricValue?
        /// Percentile bootstrap interval of the group's metric (rows resampled within the group).
        public let interval: ConfidenceInterval?
    }

    /// Groups in order of first appearance.
    public let groups: [Group]
    /// The largest minus the smallest metric over groups with a (non-NaN) value; nil with fewer
    /// than two such groups.
    public let gap: Double?
    /// Percentile interval of the gap: each replicate resamples every group within itself (a
    /// bootstrap stratified by group) and takes the gap of the replicate's group metrics; nil
    /// without a plan or when a group had undefined replicates.
    public let interval: ConfidenceInterval?

    /// `metric` per distinct value of `groups` (one per row of `data`); groups with fewer than
    /// `minimumRows` rows get no value. With a `plan`, group k is bootstrapped with seed
    /// `plan.seed + k` (whole entities of `clusters` when given).
    public init<Metric: ResampledMetric>(_ metric: Metric, _ data: Metric.Rows, groups: [String], minimumRows: Int,
                                         clusters: [String]? = nil, plan: BootstrapPlan? = nil) throws(EvaluationError) {
        guard groups.count == data.count else { throw .lengthMismatch(what: "group column", expected: data.count, actual: groups.count) }
        var results = [Group]()
        var replicates = [[Double]]()
        var aligned = plan != nil
        for (index, group) in Slices.rowsByValue(groups).enumerated() {
            guard group.rows.count >= max(1, minimumRows), data.totalWeight(group.rows) > 0 else {
                results.append(Group(value: group.value, rows: group.rows.count, metric: nil, interval: nil))
                continue
            }
            let rows = try data.subset(group.rows)
            let value = try metric.evaluate(rows, multiplicity: nil)
            var interval: ConfidenceInterval?
            if var groupPlan = plan, !value.value.isNaN {
                groupPlan.seed = groupPlan.seed &+ UInt64(index)
                let bootstrap = try? Bootstrap.metric(metric, rows, clusters: clusters.map { c in group.rows.map { c[$0] } }, plan: groupPlan)
                interval = bootstrap?.percentile
                if let bootstrap, bootstrap.undefinedReplicates == 0 { replicates.append(bootstrap.replicates) } else { aligned = false }
            }
            results.append(Group(value: group.value, rows: group.rows.count, metric: value, interval: interval))
        }
        self.groups = results
        let values = results.compactMap { $0.metric?.value }.filter { !$0.isNaN }
        gap = values.count >= 2 ? values.max()! - values.min()! : nil
        guard let plan, aligned, replicates.count >= 2 else {
            interval = nil
            return
        }
        let gaps = (0..<plan.resamples).map { r in
            let values = replicates.map { $0[r] }
            return values.max()! - values.min()!
        }.sorted()
        let alpha = (1 - plan.confidence) / 2
        interval = ConfidenceInterval(lower: Quantile.linear(sorted: gaps, alpha), upper: Quantile.linear(sorted: gaps, 1 - alpha))
    }
}
