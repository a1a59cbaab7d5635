import XCTest
import Evaluation

/// Statistics against scipy / statsmodels / the published fast DeLong (scripts/golden/stats.py).
final class StatisticsGoldenTests: XCTestCase {
    struct DeLongCase: Decodable {
        let name: String
        let labels: [Int]
        let baseline, candidate: [Double]
        let auc_baseline, auc_candidate, var_baseline, var_candidate, covariance, p_value: Double
    }
    struct McNemarCase: Decodable { let b, c: Int; let statistic, p_value: Double }
    struct Multiple: Decodable { let p_values, holm, bh: [Double] }
    struct NormalValues: Decodable { let p, quantile, x, cdf: [Double] }
    struct BCa: Decodable {
        let replicates: [Double]
        let estimate: Double
        let jackknife: [Double]
        let confidence: Double
        let interval, percentile: [Double]
    }
    struct Margin: Decodable { let estimate, se, margin, p_value: Double; let hypothesis: String }
    struct Latency: Decodable { let timings: [Double]; let p50, p95, p99, mean: Double }
    struct MonteCarlo: Decodable {
        let labels: [Int]
        let baseline, candidate: [Double]
        let auc_interval, difference_interval: [Double]
        let auc_sd, difference_sd: Double
    }
    struct Golden: Decodable {
        let delong: [DeLongCase]
        let mcnemar: [McNemarCase]
        let multiple_testing: Multiple
        let normal: NormalValues
        let bca: BCa
        let margin: [Margin]
        let latency: Latency
        let monte_carlo: MonteCarlo
    }

    let golden = try! loadGolden("stats.json", as: Golden.self)

    func testDeLongMatchesPublishedImplementation() throws {
        for c in golden.delong {
            let test = try DeLongTest(labels: c.labels.map { $0 == 1 }, baseline: c.baseline, candidate: c.candidate)
            assertClose(test.baselineAUC, c.auc_baseline, "\(c.name) AUC A")
            assertClose(test.candidateAUC, c.auc_candidate, "\(c.name) AUC B")
            assertClose(test.baselineVariance, c.var_baseline, tolerance: 1e-12, "\(c.name) var A")
            assertClose(test.candidateVariance, c.var_candidate, tolerance: 1e-12, "\(c.name) var B")
            assertClose(test.covariance, c.covariance, tolerance: 1e-12, "\(c.name) cov")
            assertClose(test.pValue, c.p_value, tolerance: 1e-9 * max(1e-3, c.p_value), "\(c.name) p")
        }
    }

    func testMcNemarExactMatchesStatsmodels() {
        for c in golden.mcnemar {
            let test = McNemarTest(baselineOnlyCorrect: c.b, candidateOnlyCorrect: c.c)
            XCTAssertEqual(Double(test.statistic), c.statistic)
            assertClose(test.pValue, c.p_value, tolerance: 1e-9 * max(1e-6, c.p_value), "McNemar \(c.b) \(c.c)")
        }
    }

    func testHolmAndBenjaminiHochbergMatchStatsmodels() {
        let m = golden.multiple_testing
        for (a, e) in zip(MultipleTesting.holm(m.p_values), m.holm) { assertClose(a, e, "Holm") }
        for (a, e) in zip(MultipleTesting.benjaminiHochberg(m.p_values), m.bh) { assertClose(a, e, "BH") }
    }

    func testNormalDistributionMatchesScipy() {
        for (p, q) in zip(golden.normal.p, golden.normal.quantile) {
            assertClose(Normal.quantile(p), q, tolerance: 1e-12 * max(1, abs(q)), "ndtri(\(p))")
        }
        for (x, c) in zip(golden.normal.x, golden.normal.cdf) {
            assertClose(Normal.cdf(x), c, tolerance: 1e-12 * max(1e-300, c) + 1e-300, "ndtr(\(x))")
        }
    }

    func testBCaAndPercentileIntervalsMatchScipyFormulas() throws {
        let b = golden.bca
        let sorted = b.replicates.sorted()
        let interval = try XCTUnwrap(BootstrapIntervals.bca(sortedReplicates: sorted, estimate: b.estimate,
                                                            jackknife: b.jackknife, confidence: b.confidence))
        assertClose(interval.lower, b.interval[0], "BCa lower")
        assertClose(interval.upper, b.interval[1], "BCa upper")
        assertClose(Quantile.linear(sorted: sorted, 0.025), b.percentile[0], "percentile lower")
        assertClose(Quantile.linear(sorted: sorted, 0.975), b.percentile[1], "percentile upper")
    }

    func testMarginTestsMatchNormalTail() {
        for c in golden.margin {
            let test = MarginTest(hypothesis: MarginHypothesis(rawValue: c.hypothesis)!, margin: c.margin,
                                  improvement: c.estimate, standardError: c.se)
            assertClose(test.pValue, c.p_value, "\(c.hypothesis) \(c.estimate)")
            XCTAssertEqual(test.rejected, c.p_value <= 0.05)
        }
    }

    func testLatencyPercentilesMatchNumpy() throws {
        let l = golden.latency
        let summary = try LatencySummary(timings: l.timings, machine: .current())
        assertClose(summary.p50, l.p50, "p50")
        assertClose(summary.p95, l.p95, "p95")
        assertClose(summary.p99, l.p99, "p99")
        assertClose(summary.mean, l.mean, "mean")
        XCTAssertTrue(summary.comparable(with: summary))
    }

    /// Monte-Carlo: our 2,000-resample stratified bootstrap against a 20,000-resample numpy one.
    func testStratifiedBootstrapAgreesWithReferenceAtSamplingTolerance() throws {
        let mc = golden.monte_carlo
        let labels = mc.labels.map { $0 == 1 }
        let baseline = RankedPredictions(try BinaryPredictions(scores: mc.baseline, labels: labels))
        let candidate = RankedPredictions(try BinaryPredictions(scores: mc.candidate, labels: labels))
        let plan = BootstrapPlan(resamples: 2000, seed: 42, bca: false)
        let single = try Bootstrap.metric(.rocAUC, candidate, plan: plan)
        XCTAssertEqual(single.percentile.lower, mc.auc_interval[0], accuracy: 0.006)
        XCTAssertEqual(single.percentile.upper, mc.auc_interval[1], accuracy: 0.006)
        XCTAssertEqual(single.standardError, mc.auc_sd, accuracy: 0.1 * mc.auc_sd)
        let difference = try Bootstrap.difference(.rocAUC, baseline: baseline, candidate: candidate, plan: plan)
        XCTAssertEqual(difference.percentile.lower, mc.difference_interval[0], accuracy: 0.006)
        XCTAssertEqual(difference.percentile.upper, mc.difference_interval[1], accuracy: 0.006)
        XCTAssertEqual(difference.standardError, mc.difference_sd, accuracy: 0.1 * mc.difference_sd)
        // DeLong's analytic standard error of the same difference agrees with the bootstrap's.
        let delong = try DeLongTest(labels: labels, baseline: mc.baseline, candidate: mc.candidate)
        XCTAssertEqual(delong.standardError, mc.difference_sd, accuracy: 0.1 * mc.difference_sd)
        XCTAssertEqual(delong.difference, difference.estimate, accuracy: 1e-12)
    }
}
