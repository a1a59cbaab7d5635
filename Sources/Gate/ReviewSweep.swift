import Evaluation
import Foundation

extension Review {
    /// The sweep section's opening sentences: which job the candidate is, what the search ran
    /// and spent of its budget, and what trials were compared on.
    static func sweepOverview(_ s: SweepSummary, code: (String) -> String) -> String {
        let chosen = s.jobs[s.chosenJob]
        var out = "The candidate is the chosen configuration of sweep \(code(s.name)) (job \(s.chosenJob), trial \(chosen.trial)"
            + (chosen.rung > 0 ? ", rung \(chosen.rung)" : "") + "), \(s.status)" + (s.stopReason.map { " (\($0))" } ?? "") + ": "
        out += "\(s.trialCount) trial\(s.trialCount == 1 ? "" : "s") in \(s.jobs.count) job\(s.jobs.count == 1 ? "" : "s"), "
        out += "spent $\(money(s.spentUSD)) and \(String(format: "%.2f", s.spentCPUSeconds)) CPU s"
        out += s.budget.map { " of its budget (\($0))" } ?? " (its budget is not shown: the sweep file it ran is not in the repository)"
        out += ". Trials were compared on " + scoredOn(s) + ", never on the evaluation set; the figures are those its trial runs recorded."
        return out
    }

    static func scoredOn(_ s: SweepSummary) -> String {
        s.crossValidationFolds.map { "the mean \(s.metric) over \($0) cross-validation folds of the training data" }
            ?? "validation \(s.metric) (rows held out of the training data)"
    }

    /// The cost per improvement in words, from `baseline` (the champion's value, else the first result).
    static func sweepImprovement(_ s: SweepSummary, champion: Double?) -> String {
        guard let baseline = s.baseline(champion: champion) else { return "No job has a \(s.metric): no improvement to price." }
        let from = "Baseline: \(baseline.label), \(Gate.number(baseline.value)). "
        let improvement = s.improvement(over: baseline.value)
        switch improvement {
        case let .improved(start, end, best, gain, usd, cpu):
            return from + "The search first matched it after job \(start) and reached its best, \(Gate.number(best)), after job \(end): "
                + "$\(money(usd)) (\(String(format: "%.2f", cpu)) CPU s) for \(Gate.signed(s.higherIsBetter ? gain : -gain)) \(s.metric), "
                + "**$\(money(improvement.usdPerUnit ?? 0)) per unit of \(s.metric)** (cost per improvement)."
        case .notImproved(let best):
            return from + "The search's best, \(best.map(Gate.number) ?? "none"), does not improve on it: no cost per improvement."
        }
    }

    /// The jobs as table rows: job, trial, rung, status, metric (± its standard error), best so
    /// far, cumulative dollars; the chosen job marked.
    static func sweepRows(_ s: SweepSummary) -> [[String]] {
        zip(s.jobs, s.curve).enumerated().map { index, pair in
            let (job, point) = pair
            let metric = job.metric.map { Gate.number($0) + (job.standardError.map { " ± " + Gate.number($0) } ?? "") } ?? "—"
            return ["\(index)" + (index == s.chosenJob ? " (chosen)" : ""), "\(job.trial)", "\(job.rung)", job.status, metric,
                    point.best.map(Gate.number) ?? "—", money(point.usd)]
        }
    }

    static func sweepHeader(_ s: SweepSummary) -> [String] {
        let metric = (s.crossValidationFolds == nil ? "Validation " : "CV mean ") + s.metric
        return ["Job", "Trial", "Rung", "Status", metric, "Best so far", "Spent $ (cumulative)"]
    }

    /// The Markdown section: overview, the jobs, the cost per improvement (or why nothing is shown).
    static func sweepMarkdown(_ section: SweepSection, champion: Double?) -> String {
        var out = "\n### Sweep\n\n"
        switch section {
        case let .notShown(sweep, reason):
            return out + "The candidate came from sweep `\(sweep)`, but \(reason): no sweep figures are shown.\n"
        case .shown(let s):
            out += sweepOverview(s) { "`\($0)`" } + "\n\n"
            out += "| " + sweepHeader(s).joined(separator: " | ") + " |\n|" + String(repeating: "---|", count: sweepHeader(s).count) + "\n"
            out += sweepRows(s).map { "| " + $0.joined(separator: " | ") + " |\n" }.joined()
            return out + "\n" + sweepImprovement(s, champion: champion) + "\n"
        }
    }

    /// The HTML section: the same, with the best-so-far curve against job number and against
    /// cumulative cost (inline SVG).
    static func sweepHTML(_ section: SweepSection, champion: Double?) -> String {
        var out = "<h2>Sweep</h2>\n"
        switch section {
        case let .notShown(sweep, reason):
            return out + "<p id=\"sweep\" class=\"warning\">The candidate came from sweep <code>\(HTML.escape(sweep))</code>, "
                + "but \(HTML.escape(reason)): no sweep figures are shown.</p>\n"
        case .shown(let s):
            out += "<p id=\"sweep\">" + sweepOverview(s) { "<code>\(HTML.escape($0))</code>" } + "</p>\n"
            out += "<table id=\"sweep-jobs\"><tr>" + sweepHeader(s).map { "<th>\(HTML.escape($0))</th>" }.joined() + "</tr>\n"
            for (index, row) in sweepRows(s).enumerated() {
                let cells = row.map { "<td>\(HTML.escape($0))</td>" }.joined()
                out += (index == s.chosenJob ? "<tr class=\"chosen\">" : "<tr>") + cells + "</tr>\n"
            }
            let improvement = sweepImprovement(s, champion: champion).replacingOccurrences(of: "**", with: "")
            out += "</table>\n<p id=\"sweep-improvement\">" + HTML.escape(improvement) + "</p>\n"
            let baseline = s.baseline(champion: champion)
            let byJob = sweepPlot(s, id: "sweep-best-by-job", by: "job", baseline: baseline, xLabel: "job (in the order results came)") {
                Double($0.job)
            }
            let byCost = sweepPlot(s, id: "sweep-best-by-cost", by: "spend", baseline: baseline,
                                   xLabel: s.spentUSD > 0 ? "spent $ (cumulative)" : "spent CPU seconds (cumulative)") {
                s.spentUSD > 0 ? $0.usd : $0.cpuSeconds
            }
            return out + "<div class=\"plots\">\n<figure>\(byJob)</figure>\n<figure>\(byCost)</figure>\n</div>\n"
        }
    }

    /// Each job's metric (points) and the best so far (line) against `x` of the curve's
    /// points, with the baseline and the chosen job as reference lines.
    private static func sweepPlot(_ s: SweepSummary, id: String, by: String, baseline: (value: Double, label: String)?, xLabel: String,
                                  x: (SweepSummary.Point) -> Double) -> String {
        let curve = s.curve
        let xs = curve.map(x)
        let ys = (s.jobs.compactMap(\.metric) + [baseline?.value].compactMap { $0 }).filter(\.isFinite)
        let low = ys.min() ?? 0, high = ys.max() ?? 1, pad = (high - low) * 0.08 + 1e-9
        let xHigh = max(xs.max() ?? 1, 1e-9)
        var plot = SVGPlot(id: id, title: "Best \(s.metric) so far by \(by) (sweep \(s.name))", xLabel: xLabel, yLabel: s.metric,
                           xRange: 0...(xHigh * 1.04), yRange: (low - pad)...(high + pad))
        if let baseline {
            plot.reference(from: CurvePoint(x: 0, y: baseline.value), to: CurvePoint(x: xHigh * 1.04, y: baseline.value),
                           label: "baseline: \(baseline.label), \(Gate.number(baseline.value))")
        }
        plot.reference(from: CurvePoint(x: xs[s.chosenJob], y: low - pad), to: CurvePoint(x: xs[s.chosenJob], y: high + pad),
                       label: "chosen: job \(s.chosenJob)")
        let results = zip(xs, s.jobs).compactMap { at, job in job.metric.map { CurvePoint(x: at, y: $0) } }
        let best = zip(xs, curve).compactMap { at, point in point.best.map { CurvePoint(x: at, y: $0) } }
        plot.markers(results, cssClass: "trial")
        plot.line(best, cssClass: "candidate", label: "best so far")
        return plot.render()
    }

    /// Dollars: to the cent from $1, else to six decimals (a sweep's jobs often cost fractions of a cent).
    private static func money(_ value: Double) -> String { String(format: abs(value) >= 1 ? "%.2f" : "%.6f", value) }
}
