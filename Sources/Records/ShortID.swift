/// The 12 hex digits after `sha256:` by which runs, verdicts and promotions are shown (any
/// unique prefix of a run's digits names it on the command line).
public func shortID(_ digest: String) -> String { String(digest.dropFirst("sha256:".count).prefix(12)) }
