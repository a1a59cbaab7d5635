import ArgumentParser
import Foundation
import Gate
import Records
import Runner
import Workspace

/// The revision a protected branch is compared from when none is given: `origin/main`, else
/// `main`, else `master`.
func defaultBase(_ project: Project) -> String {
    for candidate in ["origin/main", "main", "master"] where (try? project.repository.resolveCommit(candidate)) != nil {
        return candidate
    }
    return "main"
}

/// `git ml gate`: the promotion decision for the head's candidates.
struct GateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gate",
        abstract: "Decide promote, shadow or reject for the head's candidates, under the base's policy.",
        discussion: """
            Reads ml/gate.yaml, the suites and the contracts from --base (a pull request cannot
            loosen its own gate), the candidates from --head's ml/lock.json, the champion from
            the promotion chain, and recomputes every metric it decides on from the stored
            predictions and the pinned evaluation data. Rows: Dataset, Benchmark, Cost,
            Reproducibility, Deployment (docs/STATISTICS.md, "The gate"). What it reads and
            this clone lacks comes from the blob remote of --base's ml/config.yaml (never the
            head's: a branch cannot point the gate at a remote of its own).

            Exit codes: 0 promote, 1 reject, 3 shadow, 2 error. With several suites the worst
            decision wins. --record appends each decision to refs/ml/promotions/<suite>
            (after a merge to a protected branch).

            --reproduce-exec (a CI job): when the base's policy requires a reproduction and a
            candidate is an exec run, re-execute it as `git ml reproduce RUN --sign` does (the
            recorded command outside the repository, evaluation rows without labels), sign the
            attestation with --key (default: git config user.signingkey), write it to
            ml/attestations/, and count it — only if the key is in the base's allowed signers.

            Example: git ml gate --base origin/main --head HEAD
                     git ml gate --base origin/main --reproduce-exec --key "$RUNNER_TEMP/ci-key"
            """)

    @Option(help: "The protected branch (default: origin/main, main or master).") var base: String?
    @Option(help: "The revision under review.") var head = "HEAD"
    @Flag(help: "Print the verdicts as JSON.") var json = false
    @Flag(help: "Print the Markdown review.") var md = false
    @Flag(help: "Append the decisions to the promotion chain.") var record = false
    @Option(help: "The branch a recorded decision is about (default: the base's name).") var branch: String?
    @Flag(help: "With --record: sign each entry (an after-merge CI job, so promotions.signed_only gates trust it).") var sign = false
    @Flag(help: "Re-execute exec candidates whose base policy requires a reproduction, and sign the attestation (a CI job).")
    var reproduceExec = false
    @Option(help: "With --sign or --reproduce-exec: the SSH private key (default: git config user.signingkey).") var key: String?

    func validate() throws {
        if sign, !record { throw ValidationError("--sign goes with --record") }
        if key != nil, !sign, !reproduceExec { throw ValidationError("--key goes with --sign or --reproduce-exec") }
    }

    func run() throws {
        do {
            let project = try openProject()
            let base = self.base ?? defaultBase(project)
            var session = GateSession(project: project, base: base, head: head, reproducer: experimentRunner(project))
            if reproduceExec { session.execSigningKey = try project.signingKey(key) }
            try fetchInputs(of: session)
            let decisions = try session.evaluate()
            if json {
                printJSON(.array(decisions.map { d in
                    var verdict = d.verdict.json
                    if case .object(var fields) = verdict { fields["digest"] = .string(d.verdict.digest); verdict = .object(fields) }
                    return verdict
                }))
            } else if md {
                let changes = try session.policyChanges()
                for d in decisions { print(Review.markdown(d.verdict, policyChanges: changes)) }
            } else {
                for d in decisions { print(Review.text(d.verdict)) }
            }
            if record {
                let commit = try project.repository.resolveCommit(head).hex
                let branchName = branch ?? base.split(separator: "/").last.map(String.init) ?? base
                let signingKey = sign ? try project.signingKey(key) : nil
                for d in decisions {
                    let entry = d.verdict.promotion(branch: branchName, commit: commit, actor: project.actor())
                    if let signingKey {
                        try project.appendSignedPromotion(entry, verdict: d.verdict.json, key: signingKey)
                    } else {
                        try project.appendPromotion(entry, verdict: d.verdict.json)
                    }
                }
            }
            let worst = decisions.map(\.verdict.decision)
            if worst.contains(.reject) { throw ExitCode(1) }
            if worst.contains(.shadow) { throw ExitCode(3) }
        } catch let exit as ExitCode {
            throw exit
        } catch {
            FileHandle.standardError.write(Data("git-ml: \(error)\n".utf8))
            throw ExitCode(2)
        }
    }
}

/// `git ml review`: the pull-request comment (Markdown) or a self-contained HTML report.
struct ReviewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "review",
        abstract: "Render the gate's verdict for a pull request: Markdown comment or HTML report with plots.",
        discussion: """
            Markdown: the gate table, metric deltas with intervals, slice regressions,
            calibration, cost, reproduction status and policy changes; when the candidate is a
            sweep's chosen configuration, the sweep: its jobs, budget spent, best so far and
            cost per improvement over the champion (figures from its trial runs). HTML: the
            same, self-contained, with SVG plots (ROC and PR curves of both models, reliability
            diagram, slice deltas, the primary metric over the branch's history, the sweep's
            best so far against job number and cumulative cost).

            Example: git ml review --base origin/main --format html -o review.html
            """)

    @Option(help: "The protected branch (default: origin/main, main or master).") var base: String?
    @Option(help: "The revision under review.") var head = "HEAD"
    @Option(help: "md or html.") var format = "md"
    @Option(name: .shortAndLong, help: "Write to this file instead of standard output.") var output: String?

    func run() throws {
        try reportingErrors {
            guard format == "md" || format == "html" else { throw InputError("--format takes md or html") }
            let project = try openProject()
            let session = GateSession(project: project, base: base ?? defaultBase(project), head: head, reproducer: experimentRunner(project))
            try fetchInputs(of: session)
            let changes = try session.policyChanges()
            var text = ""
            let sweeps = SweepReview(project: project)
            for d in try session.evaluate() {
                let sweep = try sweeps.section(for: d.candidate)
                text += format == "md" ? Review.markdown(d.verdict, policyChanges: changes, sweep: sweep)
                    : Review.html(d.verdict, policyChanges: changes, history: try session.history(suite: d.suite), sweep: sweep)
            }
            if let output {
                try Data(text.utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
            } else {
                print(text, terminator: "")
            }
        }
    }
}

/// `git ml diff [A] [B]`: metrics of two revisions' candidates, compared on the same rows.
struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Compare the candidates of two revisions (default: the champion vs HEAD's candidate).",
        discussion: """
            Reads ml/lock.json and run records of both revisions through libgit2, without
            checkout. Per suite: primary metric and guardrails for A and B, Δ with its
            confidence interval (paired bootstrap on the stored predictions, clustered on the
            entity, two-level over seeds; DeLong for AUC), the configuration keys that differ,
            the datasets and the cost. Runs evaluated on different data are not compared.

            Example: git ml diff main my-branch
            """)

    @Argument(help: "Revision A (default: each suite's champion).") var a: String?
    @Argument(help: "Revision B (default: HEAD).") var b: String?
    @Flag(help: "Print JSON.") var json = false
    @Flag(help: "Print Markdown.") var md = false

    func run() throws {
        try reportingErrors {
            let project = try openProject()
            let session = GateSession(project: project, base: a ?? "HEAD", head: b ?? "HEAD")
            try fetchInputs(of: session, againstChampion: a == nil)
            let results = try session.compare(againstChampion: a == nil)
            if json {
                printJSON(.array(try results.map { r -> JSONValue in
                    ["suite": .string(r.diff.suite), "a": .string(r.a.id), "b": .string(r.b.id), "comparison": try JSONValueEncoder().encode(r.diff),
                     "config_changes": .array(DiffCommand.configChanges(r.a, r.b).map(JSONValue.string)),
                     "cost_usd": ["a": .number(CostLedger.usd(r.a)), "b": .number(CostLedger.usd(r.b))]]
                }))
                return
            }
            if results.isEmpty { print("no suite has a candidate on both sides"); return }
            for r in results {
                let lines = DiffCommand.describe(r.diff, a: r.a, b: r.b)
                print((md ? lines.map { "- " + $0 } : lines).joined(separator: "\n"))
            }
        }
    }

    static func describe(_ diff: SuiteDiff, a: RunRecord, b: RunRecord) -> [String] {
        var lines = ["suite \(diff.suite): A run \(shortID(a.id)) (\(a.experiment)) → B run \(shortID(b.id)) (\(b.experiment))"]
        if let invalid = diff.invalidComparison {
            lines.append("  comparison invalid: \(invalid)")
        } else if let p = diff.primary {
            let level = Int((p.confidence * 100).rounded())
            var line = "  \(p.metric.description): A \(format(p.champion))  B \(format(p.candidate))  Δ \(format(p.difference, signed: true))  \(level)% CI [\(format(p.interval.lower, signed: true)), \(format(p.interval.upper, signed: true))] (\(p.method))"
            if p.interval.lower > 0 || p.interval.upper < 0 { line += "  *" }
            lines.append(line)
            let checks = p.crossChecks(classes: diff.classes)
            if !checks.isEmpty { lines.append("    " + checks.joined(separator: "; ")) }
        }
        for g in diff.guardrails + diff.perClass {
            lines.append("  \(g.metric.description): A \(format(g.baseline))  B \(format(g.candidate))  Δ \(format(g.difference, signed: true))  CI [\(format(g.interval.lower, signed: true)), \(format(g.interval.upper, signed: true))]\(g.significant ? "  *" : "")")
        }
        for change in configChanges(a, b) { lines.append("  config \(change)") }
        for role in Set(a.datasets.keys).union(b.datasets.keys).sorted() {
            let x = a.datasets[role].map { "\($0.name)@v\($0.version)" } ?? "-", y = b.datasets[role].map { "\($0.name)@v\($0.version)" } ?? "-"
            if a.datasets[role]?.digest != b.datasets[role]?.digest { lines.append("  data \(role): \(x) → \(y)") }
        }
        lines.append("  cost: A $\(String(format: "%.6f", CostLedger.usd(a)))  B $\(String(format: "%.6f", CostLedger.usd(b)))")
        return lines
    }

    /// "model.rounds: 100 → 300" for each flattened configuration key that differs.
    static func configChanges(_ a: RunRecord, _ b: RunRecord) -> [String] {
        var left: [String: String] = [:], right: [String: String] = [:]
        flatten(a.config, "", into: &left)
        flatten(b.config, "", into: &right)
        return Set(left.keys).union(right.keys).sorted().compactMap { key in
            guard !key.hasSuffix("_file"), left[key] != right[key] else { return nil }
            return "\(key): \(left[key] ?? "-") → \(right[key] ?? "-")"
        }
    }

    private static func flatten(_ value: JSONValue, _ path: String, into out: inout [String: String]) {
        switch value {
        case .object(let members): for (k, v) in members { flatten(v, path.isEmpty ? k : "\(path).\(k)", into: &out) }
        default: out[path] = CanonicalJSON.encode(value)
        }
    }
}

/// `git ml promote`: a manual decision (an override or a rollback), signed, recorded like the gate's.
struct PromoteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "promote",
        abstract: "Record a signed manual promote, shadow or reject decision (a rollback is a promote of an earlier run).",
        discussion: """
            The entry carries an SSH signature (namespace gitml-promotion) by --key or git config
            user.signingkey. A gate trusts it only when the key is an allowed signer of its trust
            root (git config gitml.allowedSignersFile and ml/allowed_signers on the protected
            branch). `git ml push` sends it to a self-hosted server as a request, which the
            server checks and appends; on a hosted platform push refs/ml/promotions/<suite>.

            Example: git ml promote churn 3f2a9c1b --reason "roll back: v7 drifted in production"
            """)

    @Argument(help: "The suite.", completion: Complete.suites) var suite: String
    @Argument(help: "The run (id or unique prefix).", completion: Complete.runs) var runID: String
    @Option(help: "Why (required: the chain keeps it).") var reason: String
    @Option(help: "promote, shadow or reject.") var decision = "promote"
    @Option(help: "The protected branch the decision is about.") var branch = "main"
    @Option(help: "The SSH private key to sign with (default: git config user.signingkey).") var key: String?

    func run() throws {
        try reportingErrors {
            guard let decision = Promotion.Decision(rawValue: decision) else { throw InputError("--decision takes promote, shadow or reject") }
            let project = try openProject()
            let run = try project.recordedRun(runID)
            guard run.record.suite == suite else { throw InputError("run \(shortID(run.id)) belongs to suite \(run.record.suite), not \(suite)") }
            let commit = (try? project.repository.resolveCommit(branch).hex) ?? run.record.code.commit
            let promotion = Promotion(suite: suite, decision: decision, candidate: run.id, champion: try project.champion(suite: suite),
                                      verdictDigest: nil, reason: reason, branch: branch, commit: commit,
                                      actor: project.actor(), at: timestamp(Date()))
            try project.appendSignedPromotion(promotion, verdict: nil, key: try project.signingKey(key))
            print("\(decision.rawValue) \(suite): run \(shortID(run.id)) (\(reason)), signed; publish it with git ml push")
        }
    }
}

/// `git ml promotions <suite>`: which model was live when.
struct PromotionsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "promotions",
        abstract: "List a suite's promotion history, newest first.",
        discussion: "Example: git ml promotions churn")

    @Argument(help: "The suite.", completion: Complete.suites) var suite: String
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        try reportingErrors {
            let entries = try openProject().promotions(suite: suite)
            if json { printJSON(.array(entries.map(\.json))); return }
            if entries.isEmpty { print("no decisions yet for suite \(suite)") }
            for e in entries {
                let why = e.verdictDigest.map { "verdict \(shortID($0))" } ?? "manual: \(e.reason ?? "")"
                print("\(e.at)  \(e.decision.rawValue.padding(toLength: 7, withPad: " ", startingAt: 0)) run \(shortID(e.candidate))  champion \(e.champion.map { shortID($0) } ?? "none")  \(e.branch)@\(e.commit.prefix(7))  \(e.actor)  \(why)")
            }
        }
    }
}
