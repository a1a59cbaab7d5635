extension Lock.SuiteCandidate {
    /// How this lock entry of suite `suite` disagrees with `record`, the run it names — nil when
    /// it repeats the record as `git mlcommit` wrote it: the run's suite, its experiment, that it
    /// finished (`ok`, not a sweep trial) and its primary metric's name and value (exactly:
    /// canonical numbers round-trip). The lock is a plain file a teammate can edit and push, so
    /// every reader that shows or judges its suite entries asks this first.
    /// "run 3f2a9c1b0d4e records metric roc_auc = 0.845, lock says 0.99".
    public func disagreement(with record: RunRecord, suite: String) -> String? {
        let run = "run \(shortID(record.id))"
        guard record.suite == suite else { return "\(run) is a run of suite \(record.suite), not \(suite)" }
        guard record.experiment == experiment else { return "\(run) records experiment \(record.experiment), lock says \(experiment)" }
        guard record.status == .ok else { return "\(run) ended \(record.status.rawValue): only a finished run can be a candidate" }
        guard record.kind != "trial" else { return "\(run) is a sweep trial, scored on validation rows only: it cannot be a candidate" }
        guard let primary = PrimaryMetric(record) else {
            return "\(run) records no primary metric, lock says \(metric) = \(CanonicalJSON.formatNumber(value))"
        }
        guard primary.name == metric else {
            return "\(run) records metric \(primary.name) = \(CanonicalJSON.formatNumber(primary.value)), lock says \(metric)"
        }
        guard primary.value == value else {
            return "\(run) records metric \(primary.name) = \(CanonicalJSON.formatNumber(primary.value)), lock says \(CanonicalJSON.formatNumber(value))"
        }
        return nil
    }
}
