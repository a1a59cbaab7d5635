import Kernels
import XCTest
@testable import Learners

/// Pins the exact bytes of GBDT models and their predictions under this machine's numeric
/// profile: speed work on histograms, split search, partitioning or tree walking must keep every
/// bit (docs/BENCHMARKS.md, learner section). A change that moves results on purpose bumps
/// `NumericProfile.kernelVersion` and these digests together.
final class GradientBoostedTreesDigestTests: XCTestCase {
    /// The profile the digests below were taken under.
    private static let pinnedProfile = "x86_64-avx2-nofma-k2"

    /// FNV-1a over bytes: enough to notice any changed bit.
    private func digest(_ bytes: [UInt8]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return String(hash, radix: 16)
    }

    private func digest(_ model: any Model, _ features: FeatureMatrix) throws -> String {
        let scores = try model.predict(features, threads: ParallelFor.Threads(2))
        let scoreBytes = scores.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) }
        return digest(model.serialized()) + "/" + digest(scoreBytes)
    }

    /// Mixed data: numeric columns (one with missing values, one with few distinct values) and a
    /// categorical column with missing values; more rows than one histogram block.
    private func data(rows: Int, seed: UInt64) throws -> (FeatureMatrix, [Double], [Double]) {
        var random = SplitMix64(seed: seed)
        var columns = [[Float]](repeating: [], count: 6)
        var binary: [Double] = [], value: [Double] = []
        for _ in 0..<rows {
            let x = (0..<4).map { _ in Float(random.unit() * 2 - 1) }
            let missing = random.unit() < 0.1
            let code = random.unit() < 0.05 ? Float.nan : Float(random.next() % 30)
            let few = Float(random.next() % 4)
            columns[0].append(x[0])
            columns[1].append(missing ? .nan : x[1])
            columns[2].append(x[2])
            columns[3].append(x[3])
            columns[4].append(code)
            columns[5].append(few)
            let signal = Double(x[0] * x[2]) * 3 + (missing ? 0.8 : Double(x[1])) + (code.isNaN ? 0.5 : (Int(code) % 3 == 0 ? 1 : -0.5))
                + Double(few) * 0.2
            binary.append(random.unit() < 1 / (1 + Transcendentals.exp(-signal)) ? 1 : 0)
            value.append(signal + random.unit() - 0.5)
        }
        let schema = FeatureSchema((0..<6).map { FeatureColumn(name: "c\($0)", kind: $0 == 4 ? .categorical : .numeric) })
        return (try FeatureMatrix(schema: schema, columns: columns), binary, value)
    }

    func testModelAndPredictionBytesAreUnchanged() throws {
        try XCTSkipUnless(NumericProfile.id == Self.pinnedProfile, "digests are pinned for \(Self.pinnedProfile)")
        let two = ParallelFor.Threads(2)
        let (features, binary, value) = try data(rows: 34_000, seed: 21)
        var found: [String: String] = [:]
        found["binary, bagging and feature subsets"] = try digest(
            GradientBoostedTrees(rounds: 2, numLeaves: 31, baggingFraction: 0.8, featureFraction: 0.7)
                .fit(features, labels: binary, seed: 3, threads: two), features)
        found["binary, all rows and features"] = try digest(
            GradientBoostedTrees(rounds: 2, numLeaves: 31).fit(features, labels: binary, seed: 3, threads: two), features)
        found["l2, depth limit, early stopping"] = try digest(
            GradientBoostedTrees(objective: .squaredError, rounds: 6, numLeaves: 15, maxDepth: 4, earlyStoppingRounds: 2)
                .fit(features, labels: value, seed: 5, threads: two), features)
        found["quantile"] = try digest(
            GradientBoostedTrees(objective: .quantile, rounds: 2, numLeaves: 7, quantileAlpha: 0.8)
                .fit(features, labels: value, seed: 5, threads: two), features)
        let classes = value.map { $0 < -0.5 ? 0.0 : ($0 < 1 ? 1 : 2) }
        found["multiclass"] = try digest(
            GradientBoostedTrees(objective: .multiclassSoftmax, rounds: 2, numLeaves: 7, classCount: 3)
                .fit(features, labels: classes, seed: 7, threads: two), features)
        // The numeric columns alone: kernel version 2 changed categorical splits only, and these
        // bits are the ones version 1 gave.
        let numeric = try FeatureMatrix(numericColumns: [0, 1, 2, 3, 5].map { features.columns[$0] })
        found["numeric only, binary"] = try digest(
            GradientBoostedTrees(rounds: 2, numLeaves: 31, baggingFraction: 0.8, featureFraction: 0.7)
                .fit(numeric, labels: binary, seed: 3, threads: two), numeric)
        let expected = [
            "numeric only, binary": "d632c9d56d51c464/4a2afc236ab605fb",
            "binary, bagging and feature subsets": "3c369eee9dbafaf4/e3db4bf3ae9d6be3",
            "binary, all rows and features": "2224fa562a42067/f1d14211bfaa9e28",
            "l2, depth limit, early stopping": "27cba4970c4b282c/4a792d2e58fc905a",
            "quantile": "c9ae44bebb644189/e40e4b13a861844f",
            "multiclass": "111de92ffe6cb66c/d4312fbc23984db1",
        ]
        XCTAssertEqual(found, expected)
    }
}
