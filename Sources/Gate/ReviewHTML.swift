import Evaluation

extension Review {
    /// A self-contained HTML report (no external resources): decision, policy-change warning,
    /// gate table, metrics, and inline SVG plots — binary: ROC and precision–recall curves of both
    /// models and the reliability diagram; regression: the candidate's predicted-vs-actual density
    /// and both models' mean residual by prediction decile; multiclass: the candidate's confusion
    /// matrix, both models' recall per class with intervals and their top-label reliability — the
    /// primary metric per reported slice with intervals (both models), slice deltas with their intervals, and the primary
    /// metric over `history` when given; `dataChanges` lines are listed when given; `sweep`: the sweep the candidate came
    /// from, with its best-so-far curves against job number and cumulative cost. An inline script records each plot's rendered size in
    /// `data-rendered-width` (used by the headless-browser test).
    public static func html(_ verdict: Verdict, policyChanges: [String] = [], dataChanges: [String] = [],
                            history: [HistoryPoint] = [], sweep: SweepSection? = nil) -> String {
        var body = "<h1>GitML gate — <code>\(HTML.escape(verdict.suite))</code>: <span class=\"decision \(verdict.decision.rawValue)\">\(verdict.decision.rawValue)</span></h1>\n"
        if !policyChanges.isEmpty {
            body += "<p class=\"warning\"><strong>Policy change:</strong> this pull request changes \(policyChanges.map { "<code>\(HTML.escape($0))</code>" }.joined(separator: ", ")). It was judged by the base branch's policy; the change needs its own review.</p>\n"
        }
        body += "<p>Candidate <code>\(HTML.escape(verdict.candidate))</code> vs \(verdict.champion.map { "champion <code>\(HTML.escape($0))</code>" } ?? "no champion (first model)") on <code>\(HTML.escape(verdict.candidateReport.evaluation.description))</code>, \(verdict.candidateReport.rowCounts).</p>\n"
        body += "<table id=\"gate\"><tr><th>Row</th><th>Result</th><th>Evidence</th></tr>\n"
        for row in verdict.rows {
            body += "<tr class=\"\(row.outcome.rawValue)\"><td>\(row.name.rawValue.capitalized)</td><td>\(outcomeWord(row.outcome))</td><td>\(HTML.escape(row.evidence))</td></tr>\n"
        }
        body += "</table>\n" + metricsTable(verdict) + guardrailDetailsTable(verdict) + slicesTable(verdict)
        if !dataChanges.isEmpty {
            body += "<h2>Data changes</h2><ul id=\"data-changes\">" + dataChanges.map { "<li>\(HTML.escape($0))</li>" }.joined() + "</ul>\n"
        }
        if let sweep { body += sweepHTML(sweep, champion: verdict.championReport?.primary.value) }
        body += "<div class=\"plots\">\n"
        if let diagnostics = verdict.candidateReport.regression {
            body += figure(densityPlot(diagnostics))
            body += figure(decilePlot(verdict))
        } else if let diagnostics = verdict.candidateReport.multiclass {
            body += figure(confusionPlot(diagnostics))
            body += figure(classRecallPlot(verdict, classes: diagnostics.classes))
            body += figure(reliabilityPlot(verdict, id: "top-label-reliability", title: "Top-label reliability",
                                           xLabel: "mean top-label probability", yLabel: "fraction correct",
                                           curve: { $0.multiclass?.topLabelReliability }))
        } else {
            body += figure(curvePlot(verdict, id: "roc-curve", title: "ROC curve", x: "false positive rate", y: "true positive rate",
                                     points: \.roc, diagonal: true))
            body += figure(curvePlot(verdict, id: "pr-curve", title: "Precision–recall curve", x: "recall", y: "precision",
                                     points: \.precisionRecall, diagonal: false))
            body += figure(reliabilityPlot(verdict, id: "reliability-diagram", title: "Reliability diagram", xLabel: "mean predicted probability",
                                           yLabel: "fraction positive", curve: \.reliability))
        }
        for index in verdict.candidateReport.slices.indices { body += figure(sliceMetricPlot(verdict, column: index)) }
        body += figure(sliceDeltaPlot(verdict))
        if !history.isEmpty { body += figure(historyPlot(history, metric: verdict.candidateReport.primary.metric)) }
        body += "</div>\n<p class=\"digest\">Verdict <code>\(verdict.digest)</code></p>\n"
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>GitML gate — \(HTML.escape(verdict.suite))</title>
            <style>\(style)</style></head><body>
            \(body)<script>\(script)</script>
            </body></html>

            """
    }

    private static let style = """
        body{font-family:system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:1em 0}\
        td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}#gate tr.fail td:nth-child(2){color:#b00020;font-weight:bold}\
        #gate tr.pass td:nth-child(2){color:#1b7f3b}.decision.promote{color:#1b7f3b}.decision.reject{color:#b00020}.decision.shadow{color:#a36b00}\
        .warning{background:#fff4d6;padding:8px;border-left:4px solid #a36b00}.plots{display:flex;flex-wrap:wrap;gap:16px}\
        figure{margin:0}svg text{font-size:11px}svg .title{font-size:13px;font-weight:bold}svg .frame{stroke:#999}\
        svg .candidate{stroke:#1f77b4;fill:#1f77b4;stroke-width:2}svg .champion{stroke:#ff7f0e;fill:#ff7f0e;stroke-width:2}\
        svg polyline.candidate,svg polyline.champion{fill:none}svg .reference{stroke:#888;stroke-dasharray:4 3}\
        svg g.pass line,svg g.pass circle{stroke:#1b7f3b;fill:#1b7f3b;stroke-width:2}svg g.fail line,svg g.fail circle{stroke:#b00020;fill:#b00020;stroke-width:2}\
        svg circle.trial{stroke:#999;fill:#bbb}#sweep-jobs tr.chosen td{font-weight:bold}\
        .digest{color:#777;font-size:small}
        """

    private static let script = """
        document.querySelectorAll('svg.plot').forEach(function(s){var b=s.getBBox();s.setAttribute('data-rendered-width',String(Math.round(b.width)));});
        """

    private static func figure(_ svg: String) -> String { "<figure>\(svg)</figure>\n" }

    private static func metricsTable(_ verdict: Verdict) -> String {
        var out = "<table id=\"metrics\"><tr><th>Metric</th><th>Candidate</th><th>Champion</th><th>Δ</th><th>Interval of Δ</th><th>Result</th></tr>\n"
        let primary = verdict.candidateReport.primary
        out += "<tr><td><strong>\(HTML.escape(primary.metric.description))</strong> (primary)</td><td>\(estimate(primary))</td><td>\(verdict.championReport.map { estimate($0.primary) } ?? "—")</td>"
        if let comparison = verdict.primary {
            let checks = comparison.crossChecks(classes: verdict.candidateReport.multiclass?.classes).map { "; " + $0 }.joined()
            out += "<td>\(Gate.signed(comparison.difference))</td><td>\(interval(comparison.interval))</td><td>\(HTML.escape(comparison.method)): lower bound \(Gate.signed(comparison.lowerBound)) vs min_effect \(Gate.number(comparison.minEffect))\(HTML.escape(checks))</td></tr>\n"
        } else {
            out += "<td>—</td><td>—</td><td>—</td></tr>\n"
        }
        for check in verdict.guardrails {
            let delta = check.candidate.flatMap { c in check.champion.map { Gate.signed(c - $0) } } ?? "—"
            out += "<tr class=\"\(check.outcome.rawValue)\"><td>\(HTML.escape(check.guardrail.metric.description)) (guardrail)</td><td>\(check.candidate.map(Gate.number) ?? "not measured")</td><td>\(check.champion.map(Gate.number) ?? "—")</td><td>\(delta)</td><td>—</td><td>\(outcomeWord(check.outcome)): \(HTML.escape(check.evidence))</td></tr>\n"
        }
        return out + "</table>\n"
    }

    /// Each group of the gap guardrails and the coverage counts (`Review.guardrailDetails`).
    private static func guardrailDetailsTable(_ verdict: Verdict) -> String {
        let rows = guardrailDetails(verdict)
        guard !rows.isEmpty else { return "" }
        return "<h2>Group gaps and interval coverage</h2>\n<table id=\"guardrail-details\"><tr>"
            + guardrailDetailHeader.map { "<th>\($0)</th>" }.joined() + "</tr>\n"
            + rows.map { "<tr>" + $0.map { "<td>\(HTML.escape($0))</td>" }.joined() + "</tr>\n" }.joined() + "</table>\n"
    }

    /// Every slice of the slice guardrails with its counts, Δ, interval and finding in words.
    private static func slicesTable(_ verdict: Verdict) -> String {
        let rows = verdict.guardrails.flatMap { check in check.slices.map { (check.guardrail, $0) } }
        guard !rows.isEmpty else { return "" }
        var out = "<table id=\"slices\"><tr><th>Guardrail</th><th>Slice</th><th>Rows</th><th>Positives</th><th>Δ</th><th>Interval of Δ</th><th>p (non-inferiority)</th><th>Finding</th></tr>\n"
        for (guardrail, slice) in rows {
            out += "<tr class=\"\(slice.outcome.rawValue)\"><td>\(HTML.escape(guardrail.metric.description)) (margin \(Gate.number(guardrail.nonInferiorityMargin ?? 0)))</td>"
            out += "<td>\(HTML.escape(slice.column))=\(HTML.escape(slice.value))</td><td>\(slice.rows)</td><td>\(slice.positives)</td>"
            out += "<td>\(slice.difference.map(Gate.signed) ?? "—")</td><td>\(slice.interval.map(interval) ?? "—")</td><td>\(slice.pValue.map(Gate.number) ?? "—")</td>"
            out += "<td>\(outcomeWord(slice.outcome)): \(HTML.escape(findingWords(slice.finding)))</td></tr>\n"
        }
        return out + "</table>\n"
    }

    private static func curvePlot(_ verdict: Verdict, id: String, title: String, x: String, y: String,
                                  points: KeyPath<ModelCurves, [CurvePoint]>, diagonal: Bool) -> String {
        var plot = SVGPlot(id: id, title: title, xLabel: x, yLabel: y, xRange: 0...1, yRange: 0...1)
        if diagonal { plot.reference(from: CurvePoint(x: 0, y: 0), to: CurvePoint(x: 1, y: 1), label: "chance") }
        if let curves = verdict.championReport?.curves { plot.line(curves[keyPath: points], cssClass: "champion", label: "champion") }
        if let curves = verdict.candidateReport.curves { plot.line(curves[keyPath: points], cssClass: "candidate", label: "candidate") }
        return plot.render()
    }

    /// Both models' `curve` (the binary reliability curve, or the multiclass top label's).
    private static func reliabilityPlot(_ verdict: Verdict, id: String, title: String, xLabel: String, yLabel: String,
                                        curve: (SuiteReport) -> ReliabilityCurve?) -> String {
        var plot = SVGPlot(id: id, title: title, xLabel: xLabel, yLabel: yLabel, xRange: 0...1, yRange: 0...1)
        plot.reference(from: CurvePoint(x: 0, y: 0), to: CurvePoint(x: 1, y: 1), label: "perfect calibration")
        for (name, report) in [("champion", verdict.championReport), ("candidate", verdict.candidateReport)] {
            guard let bins = report.flatMap(curve)?.bins else { continue }
            let points = bins.map { CurvePoint(x: $0.meanPredicted, y: $0.fractionPositive) }
            plot.line(points, cssClass: name, label: name)
            plot.markers(points, cssClass: name)
        }
        return plot.render()
    }

    /// The candidate's confusion matrix as a heat map: true class down, decided class across,
    /// each cell shaded by its share of the true class's rows and labelled with count and share.
    private static func confusionPlot(_ diagnostics: MulticlassDiagnostics) -> String {
        let k = Double(diagnostics.classes.count)
        var plot = SVGPlot(id: "confusion-matrix", title: "Confusion matrix (candidate, shade = share of the true class)",
                           xLabel: "decided class", yLabel: "true class", xRange: 0...k, yRange: 0...k)
        for (i, row) in diagnostics.confusion.enumerated() {
            let total = Double(row.reduce(0, +)), y = k - Double(i) - 1
            plot.yCategories.append((y + 0.5, diagnostics.classes[i]))
            for (j, count) in row.enumerated() {
                let share = total > 0 ? Double(count) / total : 0
                let text = "\(count) (\(String(format: "%.0f", share * 100))%)"
                plot.cell(low: CurvePoint(x: Double(j), y: y), high: CurvePoint(x: Double(j) + 1, y: y + 1), opacity: 0.04 + 0.9 * share,
                          cssClass: "candidate", label: "true \(diagnostics.classes[i]), decided \(diagnostics.classes[j]): \(text) of \(Int(total)) rows")
                plot.text(text, at: CurvePoint(x: Double(j) + 0.5, y: y + 0.5))
            }
        }
        plot.xCategories = diagnostics.classes.enumerated().map { (Double($0.offset) + 0.5, $0.element) }
        return plot.render()
    }

    /// Each declared class's recall with its interval (Wilson, or cluster-robust over entities),
    /// candidate and champion, and the
    /// recall floors (`recall` guardrails with `min`) as reference marks.
    private static func classRecallPlot(_ verdict: Verdict, classes: [String]) -> String {
        let k = classes.count
        let method = verdict.candidateReport.multiclass?.entities.map { "intervals over \($0) entities" } ?? "Wilson intervals"
        var plot = SVGPlot(id: "class-recall", title: "Recall per class (\(percent(verdict.candidateReport.plan.confidence)) \(method))",
                           xLabel: "recall", yLabel: "class", xRange: 0...1, yRange: 0...Double(k + 1))
        for (index, name) in classes.enumerated() {
            let y = Double(k - index)
            plot.yCategories.append((y, name))
            for (model, report, offset) in [("champion", verdict.championReport, -0.15), ("candidate", Optional(verdict.candidateReport), 0.15)] {
                guard let recall = report?.multiclass?.recall[index], let value = recall.recall, let band = recall.interval else { continue }
                plot.interval(y: y + offset, estimate: value, low: band.lower, high: band.upper, cssClass: model,
                              label: "\(model) recall of \(name): \(Gate.number(value)) \(interval(band)), \(recall.support) rows")
            }
            for floor in verdict.guardrails.compactMap({ $0.guardrail.metric.name == .recall && $0.guardrail.metric.classIndex == index ? $0.guardrail.minimum : nil }) {
                plot.reference(from: CurvePoint(x: floor, y: y - 0.4), to: CurvePoint(x: floor, y: y + 0.4), label: "recall floor \(Gate.number(floor))")
            }
        }
        return plot.render()
    }

    /// The candidate's rows on a grid of actual (x) against predicted (y), each cell shaded by
    /// its share of the fullest cell, with the identity line.
    private static func densityPlot(_ diagnostics: RegressionDiagnostics) -> String {
        let range = diagnostics.lower...max(diagnostics.upper, diagnostics.lower + 1e-9)
        var plot = SVGPlot(id: "predicted-vs-actual", title: "Predicted vs actual (candidate, row density)", xLabel: "actual",
                           yLabel: "predicted", xRange: range, yRange: range)
        let width = (range.upperBound - range.lowerBound) / Double(diagnostics.counts.count)
        let fullest = Double(diagnostics.counts.joined().max() ?? 1)
        for (i, row) in diagnostics.counts.enumerated() {
            for (j, count) in row.enumerated() where count > 0 {
                let x = range.lowerBound + Double(i) * width, y = range.lowerBound + Double(j) * width
                plot.cell(low: CurvePoint(x: x, y: y), high: CurvePoint(x: x + width, y: y + width),
                          opacity: 0.15 + 0.85 * Double(count) / fullest, cssClass: "candidate",
                          label: "\(count) rows: actual \(Gate.number(x))–\(Gate.number(x + width)), predicted \(Gate.number(y))–\(Gate.number(y + width))")
            }
        }
        plot.reference(from: CurvePoint(x: range.lowerBound, y: range.lowerBound), to: CurvePoint(x: range.upperBound, y: range.upperBound),
                       label: "predicted = actual")
        return plot.render()
    }

    /// Mean residual (y − ŷ) per decile of each model's predictions, at the decile's mean prediction.
    private static func decilePlot(_ verdict: Verdict) -> String {
        let reports = [("champion", verdict.championReport), ("candidate", verdict.candidateReport)]
        let deciles = reports.flatMap { $0.1?.regression?.deciles ?? [] }
        let xs = deciles.map(\.meanPrediction), ys = deciles.map(\.meanResidual) + [0]
        let xLow = xs.min() ?? 0, xHigh = xs.max() ?? 1, yLow = ys.min()!, yHigh = ys.max()!
        let xPad = (xHigh - xLow) * 0.05 + 1e-9, yPad = (yHigh - yLow) * 0.1 + 1e-9
        var plot = SVGPlot(id: "residual-deciles", title: "Residual by prediction decile", xLabel: "mean prediction",
                           yLabel: "mean residual (y − ŷ)", xRange: (xLow - xPad)...(xHigh + xPad), yRange: (yLow - yPad)...(yHigh + yPad))
        plot.reference(from: CurvePoint(x: xLow - xPad, y: 0), to: CurvePoint(x: xHigh + xPad, y: 0), label: "calibrated")
        for (name, report) in reports {
            guard let deciles = report?.regression?.deciles else { continue }
            let points = deciles.map { CurvePoint(x: $0.meanPrediction, y: $0.meanResidual) }
            plot.line(points, cssClass: name, label: name)
            plot.markers(points, cssClass: name)
        }
        return plot.render()
    }

    /// The primary metric per value of the suite's reported slice column at `column` (the first
    /// `slicePlotLimit` values), candidate and champion, each with its interval on the slice's rows.
    private static func sliceMetricPlot(_ verdict: Verdict, column: Int) -> String {
        let candidate = verdict.candidateReport.slices[column]
        let champion = verdict.championReport?.slices[column].slices ?? []
        let shown = Array(candidate.slices.prefix(slicePlotLimit))
        var points: [(y: Double, model: String, slice: SliceResult)] = []
        for (index, slice) in shown.enumerated() {
            let y = Double(shown.count - index)
            points.append((y + 0.15, "candidate", slice))
            if let other = champion.first(where: { $0.key == slice.key }) { points.append((y - 0.15, "champion", other)) }
        }
        let values = points.flatMap { [$0.slice.value?.value, $0.slice.interval?.lower, $0.slice.interval?.upper].compactMap { $0 } }
            .filter(\.isFinite)
        let low = values.min() ?? 0, high = values.max() ?? 1, pad = (high - low) * 0.05 + 1e-9
        let metric = verdict.candidateReport.primary.metric.description
        var plot = SVGPlot(id: "slice-metric-\(column)", title: "\(metric) by \(candidate.column) (\(percent(verdict.candidateReport.plan.confidence)) intervals)",
                           xLabel: metric, yLabel: candidate.column, xRange: (low - pad)...(high + pad), yRange: 0...Double(shown.count + 1))
        for (index, slice) in shown.enumerated() {
            plot.yCategories.append((Double(shown.count - index), sliceName(slice.key)))
        }
        for point in points {
            guard let value = point.slice.value?.value else { continue }
            let band = point.slice.interval ?? ConfidenceInterval(lower: value, upper: value)
            plot.interval(y: point.y, estimate: value, low: band.lower, high: band.upper, cssClass: point.model,
                          label: "\(point.model) \(candidate.column)=\(sliceName(point.slice.key)): \(Gate.number(value)) \(point.slice.interval.map(interval) ?? "(no interval)"), \(point.slice.rows) rows")
        }
        return plot.render()
    }

    /// Slice values plotted per reported column.
    static let slicePlotLimit = 12

    private static func sliceName(_ key: SliceKey) -> String {
        switch key {
        case .category(let value): return value
        case .bin(let lower, let upper): return "(\(Gate.number(lower)), \(Gate.number(upper))]"
        }
    }

    /// Forest plot of candidate − champion per tested slice, with the non-inferiority margin.
    private static func sliceDeltaPlot(_ verdict: Verdict) -> String {
        let rows = verdict.guardrails.flatMap { check in
            check.slices.compactMap { slice -> (Suite.Guardrail, Verdict.SliceCheck, Double, ConfidenceInterval)? in
                guard let difference = slice.difference, let interval = slice.interval else { return nil }
                return (check.guardrail, slice, difference, interval)
            }
        }
        let margins = rows.map { ($0.0.metric.higherIsBetter ? -1 : 1) * ($0.0.nonInferiorityMargin ?? 0) }
        let low = (rows.map(\.3.lower) + margins + [0]).min()!, high = (rows.map(\.3.upper) + margins + [0]).max()!
        let pad = (high - low) * 0.05 + 1e-9
        var plot = SVGPlot(id: "slice-deltas", title: rows.isEmpty ? "Slice deltas (no slice guardrails tested)" : "Slice deltas (candidate − champion)",
                           xLabel: "difference", yLabel: "slice", xRange: (low - pad)...(high + pad),
                           yRange: 0...Double(max(rows.count, 1) + 1))
        plot.reference(from: CurvePoint(x: 0, y: 0), to: CurvePoint(x: 0, y: Double(rows.count + 1)), label: "no difference")
        for (index, row) in rows.enumerated() {
            let y = Double(rows.count - index)
            let margin = margins[index]
            plot.reference(from: CurvePoint(x: margin, y: y - 0.4), to: CurvePoint(x: margin, y: y + 0.4),
                           label: "non-inferiority margin \(Gate.number(margin))")
            plot.interval(y: y, estimate: row.2, low: row.3.lower, high: row.3.upper, cssClass: row.1.outcome.rawValue,
                          label: "\(row.0.metric) \(row.1.column)=\(row.1.value): \(Gate.signed(row.2)) \(interval(row.3))")
            plot.yCategories.append((y, "\(row.1.column)=\(row.1.value)"))
        }
        return plot.render()
    }

    private static func historyPlot(_ history: [HistoryPoint], metric: SuiteMetric) -> String {
        let values = history.map(\.value).filter(\.isFinite)
        let low = values.min() ?? 0, high = values.max() ?? 1
        let pad = (high - low) * 0.1 + 1e-9
        var plot = SVGPlot(id: "history", title: "\(metric) over the branch's history", xLabel: "run", yLabel: metric.description,
                           xRange: 0...Double(max(history.count - 1, 1)), yRange: (low - pad)...(high + pad))
        let points = history.enumerated().map { CurvePoint(x: Double($0.offset), y: $0.element.value) }
        plot.line(points, cssClass: "candidate", label: metric.description)
        plot.markers(points, cssClass: "candidate")
        return plot.render()
    }
}
