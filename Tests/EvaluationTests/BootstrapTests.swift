import Kernels
import Foundation
import XCTest
import Evaluation

/// Binormal test data: positive scores N(shift, 1), negative N(0, 1); true AUC Φ(shift/√2).
struct BinormalSample {
    let scores: [Double]
    let labels: [Bool]

    init(positives: Int, negatives: Int, shift: Double, rng: inout SplitMix64) {
        var scores = [Double]()
        for i in 0..<(positives + negatives) {
            // Box–Muller from two uniforms in (0, 1].
            let u = 1 - rng.unit(), v = rng.unit()
            let z = (-2 * log(u)).squareRoot() * cos(2 * Double.pi * v)
            scores.append(z + (i < positives ? shift : 0))
        }
        self.scores = scores
        labels = (0..<(positives + negatives)).map { $0 < positives }
    }
}

final class BootstrapTests: XCTestCase {
    func sample(seed: UInt64, rows: Int = 300) throws -> (RankedPredictions, RankedPredictions) {
        var rng = SplitMix64(seed: seed)
        let a = BinormalSample(positives: rows / 4, negatives: rows - rows / 4, shift: 1, rng: &rng)
        let noise = BinormalSample(positives: rows / 4, negatives: rows - rows / 4, shift: 0.3, rng: &rng)
        let b = zip(a.scores, noise.scores).map { $0 + 0.5 * $1 }
        return (RankedPredictions(try BinaryPredictions(scores: a.scores, labels: a.labels)),
                RankedPredictions(try BinaryPredictions(scores: b, labels: a.labels)))
    }

    func testSameSeedSameReplicatesAndIntervalsAreOrdered() throws {
        let (a, _) = try sample(seed: 1)
        let plan = BootstrapPlan(resamples: 200, seed: 9)
        let first = try Bootstrap.metric(.rocAUC, a, plan: plan)
        let second = try Bootstrap.metric(.rocAUC, a, plan: plan)
        XCTAssertEqual(first, second)
        XCTAssertEqual(first.replicates.count, 200)
        XCTAssertEqual(first.estimate, try a.curve().rocAUC().value, accuracy: 1e-12)
        XCTAssertLessThan(first.percentile.lower, first.estimate)
        XCTAssertGreaterThan(first.percentile.upper, first.estimate)
        let bca = try XCTUnwrap(first.bca)
        XCTAssertLessThan(bca.lower, bca.upper)
        XCTAssertNotEqual(try Bootstrap.metric(.rocAUC, a, plan: BootstrapPlan(resamples: 200, seed: 10)).replicates,
                          first.replicates)
        XCTAssertEqual(first.design, .stratifiedRows(positives: 75, negatives: 225))
    }

    func testGroupedAUCPathDrawsTheSameResamplesAsTheGenericPath() throws {
        let (a, b) = try sample(seed: 11)
        var rng = SplitMix64(seed: 5)
        let weights = (0..<a.predictions.count).map { _ in Double(rng.index(below: 4)) }
        let weightedA = RankedPredictions(try BinaryPredictions(scores: a.predictions.scores.map { ($0 * 4).rounded() },
                                                                labels: a.predictions.labels, weights: weights))
        let weightedB = RankedPredictions(try BinaryPredictions(scores: b.predictions.scores, labels: b.predictions.labels,
                                                                weights: weights))
        let plan = BootstrapPlan(resamples: 64, seed: 3, bca: false)
        // partialAUC(maxFPR: 1) is the full AUC through the generic per-row path.
        for (x, y) in [(a, b), (weightedA, weightedB)] {
            let fast = try Bootstrap.difference(.rocAUC, baseline: x, candidate: y, plan: plan)
            let generic = try Bootstrap.difference(.partialAUC(maxFPR: 1), baseline: x, candidate: y, plan: plan)
            for (f, g) in zip(fast.replicates, generic.replicates) { XCTAssertEqual(f, g, accuracy: 1e-12) }
            let single = try Bootstrap.metric(.rocAUC, x, plan: plan)
            let singleGeneric = try Bootstrap.metric(.partialAUC(maxFPR: 1), x, plan: plan)
            for (f, g) in zip(single.replicates, singleGeneric.replicates) { XCTAssertEqual(f, g, accuracy: 1e-12) }
            // Clustered draws evaluate ROC AUC row by row (tie groups and runs of distinct scores):
            // the same as the curve's AUC, with shared clusters and with every row its own cluster.
            for clusters in [x.predictions.scores.indices.map { "c\($0 % 40)" }, x.predictions.scores.indices.map { "r\($0)" }] {
                let clustered = try Bootstrap.difference(.rocAUC, baseline: x, candidate: y, clusters: clusters, plan: plan)
                let clusteredGeneric = try Bootstrap.difference(.partialAUC(maxFPR: 1), baseline: x, candidate: y, clusters: clusters, plan: plan)
                XCTAssertEqual(clustered.replicates.count, plan.resamples)
                for (f, g) in zip(clustered.replicates, clusteredGeneric.replicates) { XCTAssertEqual(f, g, accuracy: 1e-12) }
            }
        }
    }

    /// The confusion-count path for threshold metrics against per-row multiplicities drawn the
    /// documented way (negatives, then positives, one stream per replicate): identical replicates.
    func testConfusionPathDrawsTheSameResamplesAsPerRowMultiplicities() throws {
        let (a, b) = try sample(seed: 13)
        let plan = BootstrapPlan(resamples: 40, seed: 21, bca: false)
        let labels = a.predictions.labels
        let strata = [labels.indices.filter { !labels[$0] }, labels.indices.filter { labels[$0] }]
        let metrics: [BinaryMetric] = [.recall(threshold: 0.8), .expectedCost(threshold: 0.5, costs: CostMatrix(falsePositive: 1, falseNegative: 7)),
                                       .matthewsCorrelation(threshold: 1.1)]
        for metric in metrics {
            let fast = try Bootstrap.difference(metric, baseline: a, candidate: b, plan: plan)
            let single = try Bootstrap.metric(metric, b, plan: plan)
            for replicate in 0..<plan.resamples {
                var rng = SplitMix64(seed: plan.seed, stream: UInt64(replicate))
                var multiplicity = [Double](repeating: 0, count: labels.count)
                for stratum in strata {
                    for _ in stratum.indices { multiplicity[stratum[rng.index(below: stratum.count)]] += 1 }
                }
                let candidate = try metric.evaluate(b, multiplicity: multiplicity).value
                let baseline = try metric.evaluate(a, multiplicity: multiplicity).value
                XCTAssertEqual(fast.replicates[replicate], candidate - baseline, "\(metric) replicate \(replicate)")
                XCTAssertEqual(single.replicates[replicate], candidate, "\(metric) replicate \(replicate)")
            }
        }
    }

    /// The same with weights, and with strata of more draws than one 16-bit lane of the count
    /// path holds (it sums in batches of 65,535 draws): the same replicates as per-row
    /// multiplicities (weighted sums in another order agree to rounding).
    func testConfusionPathAgreesWithMultiplicitiesWeightedAndBeyondOneLane() throws {
        var rng = SplitMix64(seed: 8)
        let rows = 150_000
        let a = BinormalSample(positives: rows / 10, negatives: rows - rows / 10, shift: 2, rng: &rng)
        let b = a.scores.map { $0 + 0.3 * (rng.unit() - 0.5) }
        let weights = (0..<rows).map { _ in Double(rng.index(below: 5)) / 2 }
        // Most of the 135,000 negatives fall below the threshold: one code gets over 65,535 draws.
        let metric = BinaryMetric.expectedCost(threshold: 1.5, costs: CostMatrix(falsePositive: 1, falseNegative: 7))
        let plan = BootstrapPlan(resamples: 3, seed: 4, bca: false)
        let strata = [a.labels.indices.filter { !a.labels[$0] }, a.labels.indices.filter { a.labels[$0] }]
        for weighted in [false, true] {
            let baseline = RankedPredictions(try BinaryPredictions(scores: a.scores, labels: a.labels, weights: weighted ? weights : nil))
            let candidate = RankedPredictions(try BinaryPredictions(scores: b, labels: a.labels, weights: weighted ? weights : nil))
            let fast = try Bootstrap.difference(metric, baseline: baseline, candidate: candidate, plan: plan)
            for replicate in 0..<plan.resamples {
                var draws = SplitMix64(seed: plan.seed, stream: UInt64(replicate))
                var multiplicity = [Double](repeating: 0, count: rows)
                for stratum in strata {
                    for _ in stratum.indices { multiplicity[stratum[draws.index(below: stratum.count)]] += 1 }
                }
                let expected = try metric.evaluate(candidate, multiplicity: multiplicity).value
                    - metric.evaluate(baseline, multiplicity: multiplicity).value
                if weighted {
                    XCTAssertEqual(fast.replicates[replicate], expected, accuracy: 1e-12)
                } else {
                    XCTAssertEqual(fast.replicates[replicate], expected, "replicate \(replicate)")
                }
            }
        }
    }

    func testBCaWithGroupedJackknifeAndClusters() throws {
        let (a, _) = try sample(seed: 12)
        let grouped = try Bootstrap.metric(.rocAUC, a, plan: BootstrapPlan(resamples: 300, seed: 1, jackknifeGroups: 20))
        let full = try Bootstrap.metric(.rocAUC, a, plan: BootstrapPlan(resamples: 300, seed: 1))
        let groupedInterval = try XCTUnwrap(grouped.bca), fullInterval = try XCTUnwrap(full.bca)
        // Same replicates; only the acceleration estimate differs, and only slightly.
        XCTAssertEqual(grouped.replicates, full.replicates)
        XCTAssertEqual(groupedInterval.lower, fullInterval.lower, accuracy: 0.01)
        XCTAssertEqual(groupedInterval.upper, fullInterval.upper, accuracy: 0.01)
        let keys = (0..<a.predictions.count).map { "entity-\($0 / 3)" }
        let clustered = try Bootstrap.metric(.rocAUC, a, clusters: keys, plan: BootstrapPlan(resamples: 300, seed: 1))
        XCTAssertNotNil(clustered.bca)
    }

    func testStratifiedResamplesKeepClassCounts() throws {
        let (a, _) = try sample(seed: 2)
        // Accuracy at +∞ threshold is the negative share, fixed under stratified resampling.
        let result = try Bootstrap.metric(.accuracy(threshold: .infinity), a, plan: BootstrapPlan(resamples: 50, bca: false))
        XCTAssertTrue(result.replicates.allSatisfy { $0 == 0.75 })
    }

    func testPairedDifferenceOfAModelWithItselfIsZero() throws {
        let (a, _) = try sample(seed: 3)
        let result = try Bootstrap.difference(.averagePrecision, baseline: a, candidate: a, plan: BootstrapPlan(resamples: 100))
        XCTAssertTrue(result.replicates.allSatisfy { $0 == 0 })
        XCTAssertNil(result.bca)  // degenerate: no spread
    }

    func testPairedRowsMustMatch() throws {
        let (a, _) = try sample(seed: 4)
        let flipped = RankedPredictions(try BinaryPredictions(scores: a.predictions.scores,
                                                              labels: a.predictions.labels.map { !$0 }))
        XCTAssertThrowsError(try Bootstrap.difference(.rocAUC, baseline: a, candidate: flipped)) { error in
            XCTAssertEqual(error as? EvaluationError, .rowsDiffer(what: "labels", row: 0))
        }
    }

    func testClusterBootstrapWidensIntervalForDuplicatedEntities() throws {
        let (a, _) = try sample(seed: 5, rows: 200)
        // Every entity appears five times: row-level resampling understates the uncertainty.
        let scores = a.predictions.scores.flatMap { Array(repeating: $0, count: 5) }
        let labels = a.predictions.labels.flatMap { Array(repeating: $0, count: 5) }
        let keys = (0..<200).flatMap { Array(repeating: "entity-\($0)", count: 5) }
        let repeated = RankedPredictions(try BinaryPredictions(scores: scores, labels: labels))
        let plan = BootstrapPlan(resamples: 300, seed: 1, bca: false)
        let rows = try Bootstrap.metric(.rocAUC, repeated, plan: plan)
        let clusters = try Bootstrap.metric(.rocAUC, repeated, clusters: keys, plan: plan)
        XCTAssertEqual(clusters.design, .clusters(count: 200))
        XCTAssertGreaterThan(clusters.standardError, 1.8 * rows.standardError)
    }

    func testTwoLevelAveragesSeedsAndAddsSeedVariance() throws {
        let (a, b) = try sample(seed: 6)
        let seeds = [a, b]
        let plan = BootstrapPlan(resamples: 300, seed: 2, bca: false)
        let twoLevel = try Bootstrap.twoLevel(.rocAUC, candidate: seeds, plan: plan)
        XCTAssertEqual(twoLevel.estimate, (a.rocAUC().value + b.rocAUC().value) / 2, accuracy: 1e-12)
        XCTAssertEqual(twoLevel.seedsPerModel, 2)
        let oneSeed = try Bootstrap.metric(.rocAUC, a, plan: plan)
        XCTAssertGreaterThan(twoLevel.standardError, 0.5 * oneSeed.standardError)
    }

    func testMcNemarFromDecisions() throws {
        let labels = [true, true, false, false, true]
        let test = try McNemarTest(labels: labels, baseline: [true, false, false, true, true],
                                   candidate: [true, true, true, false, false])
        // Baseline-only right: rows 2, 4; candidate-only right: rows 1, 3.
        XCTAssertEqual(test.baselineOnlyCorrect, 2)
        XCTAssertEqual(test.candidateOnlyCorrect, 2)
        XCTAssertEqual(test.pValue, 1)
    }

    func testSliceIntersectionUnion() throws {
        let (a, b) = try sample(seed: 7, rows: 400)
        let slices = (0..<400).map { $0 % 10 == 0 ? "tiny" : ($0 % 2 == 0 ? "even" : "odd") }
        let plan = BootstrapPlan(resamples: 200, seed: 3, bca: false)
        let test = try SliceNonInferiority(.rocAUC, baseline: a.predictions, candidate: a.predictions, sliceValues: slices,
                                           margin: 0.05, minimumRows: 100, minimumPositives: 10, plan: plan)
        XCTAssertEqual(test.slices.map(\.value), ["tiny", "odd", "even"])
        XCTAssertNil(test.slices[0].test)  // 40 rows: not applicable
        // Identical models: every replicate difference is 0 > −δ, so each applicable slice rejects.
        XCTAssertTrue(test.holds)
        let worse = try SliceNonInferiority(.rocAUC, baseline: a.predictions,
                                            candidate: BinaryPredictions(scores: a.predictions.scores.map { -$0 }, labels: a.predictions.labels),
                                            sliceValues: slices, margin: 0.05, minimumRows: 100, minimumPositives: 10, plan: plan)
        XCTAssertFalse(worse.holds)
        _ = b
    }
}

/// The stratified percentile bootstrap 95% interval of ROC AUC covers the true AUC 95% ± 1.5%
/// of the time. The full run (2,000 datasets of 500 rows, 100 positives, 1,000 resamples each)
/// runs when GITML_SLOW_TESTS=1; the default suite runs a 200-dataset version with a ±4.5% band.
final class BootstrapCoverageTests: XCTestCase {
    func testPercentileIntervalCoverage() throws {
        let slow = ProcessInfo.processInfo.environment["GITML_SLOW_TESTS"] == "1"
        let datasets = slow ? 2000 : 200
        let resamples = slow ? 1000 : 400
        let tolerance = slow ? 0.015 : 0.045
        let shift = 1.0
        let truth = Normal.cdf(shift / 2.0.squareRoot())
        var covered = 0
        for dataset in 0..<datasets {
            var rng = SplitMix64(seed: 2026, stream: UInt64(dataset))
            let sample = BinormalSample(positives: 100, negatives: 400, shift: shift, rng: &rng)
            let ranked = RankedPredictions(try BinaryPredictions(scores: sample.scores, labels: sample.labels), threads: .one)
            let result = try Bootstrap.metric(.rocAUC, ranked,
                                              plan: BootstrapPlan(resamples: resamples, seed: UInt64(dataset), bca: false))
            if result.percentile.contains(truth) { covered += 1 }
        }
        let coverage = Double(covered) / Double(datasets)
        XCTAssertEqual(coverage, 0.95, accuracy: tolerance, "coverage \(coverage) over \(datasets) datasets")
    }
}
