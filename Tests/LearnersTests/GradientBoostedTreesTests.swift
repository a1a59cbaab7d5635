import Kernels
import XCTest
@testable import Learners

final class GradientBoostedTreesTests: XCTestCase {
    let two = ParallelFor.Threads(2)

    /// x0, x1 uniform in [-1, 1], a noise column, label = (x0 > 0) xor (x1 > 0).
    private func xorData(rows: Int, seed: UInt64) throws -> (FeatureMatrix, [Double]) {
        var random = SplitMix64(seed: seed)
        var columns = [[Float]](repeating: [], count: 3)
        var labels: [Double] = []
        for _ in 0..<rows {
            let x = (0..<3).map { _ in Float(random.unit() * 2 - 1) }
            for j in 0..<3 { columns[j].append(x[j]) }
            labels.append((x[0] > 0) != (x[1] > 0) ? 1 : 0)
        }
        return (try FeatureMatrix(numericColumns: columns), labels)
    }

    private func accuracy(_ scores: [Double], _ labels: [Double]) -> Double {
        Double(zip(scores, labels).filter { ($0 > 0.5 ? 1.0 : 0.0) == $1 }.count) / Double(labels.count)
    }

    func testLearnsXorInteractionAndRanksImportance() throws {
        let (train, labels) = try xorData(rows: 4000, seed: 1)
        let (test, testLabels) = try xorData(rows: 2000, seed: 2)
        let model = try GradientBoostedTrees(rounds: 30, numLeaves: 8, minDataInLeaf: 10)
            .fit(train, labels: labels, seed: 7, threads: two)
        XCTAssertGreaterThan(accuracy(try model.predict(test, threads: two), testLabels), 0.97)
        let importance = model.featureImportance
        XCTAssertGreaterThan(importance.gain[0], 10 * importance.gain[2])
        XCTAssertGreaterThan(importance.gain[1], 10 * importance.gain[2])
        XCTAssertGreaterThan(importance.splits[0], 0)
        // A linear model cannot separate XOR.
        let linear = try LogisticRegression().fit(train, labels: labels, seed: 0, threads: two)
        XCTAssertLessThan(accuracy(try linear.predict(test, threads: two), testLabels), 0.7)
    }

    func testModelBytesAreBitIdenticalOnOneAndTwoThreadsAndDependOnSeed() throws {
        // More rows than one histogram block, so partial histograms are folded.
        let (train, labels) = try xorData(rows: 70_000, seed: 3)
        let learner = GradientBoostedTrees(rounds: 4, numLeaves: 15, baggingFraction: 0.7, featureFraction: 0.67)
        let one = try learner.fit(train, labels: labels, seed: 11, threads: .one).serialized()
        let twoThreads = try learner.fit(train, labels: labels, seed: 11, threads: two).serialized()
        XCTAssertEqual(one, twoThreads)
        let otherSeed = try learner.fit(train, labels: labels, seed: 12, threads: two).serialized()
        XCTAssertNotEqual(one, otherSeed)
    }

    func testSingleSplitRegressionGivesSideMeans() throws {
        let x: [Float] = (0..<100).map { Float($0) / 100 }
        let labels = x.map { $0 > 0.5 ? 3.0 : -1.0 }
        let features = try FeatureMatrix(numericColumns: [x])
        let model = try GradientBoostedTrees(objective: .squaredError, rounds: 1, learningRate: 1, numLeaves: 2, minDataInLeaf: 1)
            .fit(features, labels: labels, seed: 0, threads: two)
        for (score, label) in zip(try model.predict(features, threads: two), labels) {
            XCTAssertEqual(score, label, accuracy: 1e-12)
        }
    }

    func testCategoricalSplitAndLearnedMissingDirection() throws {
        var random = SplitMix64(seed: 5)
        var codes: [Float] = [], measure: [Float] = [], labels: [Double] = []
        for row in 0..<3000 {
            let code = Float(random.next() % 10)
            codes.append(code)
            let value: Float = row % 3 == 0 ? .nan : Float(random.unit())
            measure.append(value)
            // Label 1 for categories {2, 5, 7}, or when the measure is missing.
            labels.append([2, 5, 7].contains(code) || value.isNaN ? 1 : 0)
        }
        let schema = FeatureSchema([FeatureColumn(name: "code", kind: .categorical), FeatureColumn(name: "measure", kind: .numeric)])
        let features = try FeatureMatrix(schema: schema, columns: [codes, measure])
        let model = try GradientBoostedTrees(rounds: 60, numLeaves: 4).fit(features, labels: labels, seed: 0, threads: two)
        XCTAssertEqual(accuracy(try model.predict(features, threads: two), labels), 1)
        let probe = try FeatureMatrix(schema: schema, columns: [[2, 3, 3, 99], [0.5, 0.5, .nan, 0.5]])
        let scores = try model.predict(probe, threads: .one)
        XCTAssertGreaterThan(scores[0], 0.9, "category 2 is positive")
        XCTAssertLessThan(scores[1], 0.1, "category 3 with a measure is negative")
        XCTAssertGreaterThan(scores[2], 0.9, "missing measure is positive")
        XCTAssertLessThan(scores[3], 0.5, "an unseen category follows the learned default")
    }

    func testEarlyStoppingKeepsBestRoundAndModelRoundTrips() throws {
        var random = SplitMix64(seed: 9)
        let x: [Float] = (0..<2000).map { _ in Float(random.unit()) }
        let labels = x.map { _ in random.unit() < 0.5 ? 1.0 : 0.0 }  // pure noise: validation loss soon rises
        let features = try FeatureMatrix(numericColumns: [x])
        let model = try GradientBoostedTrees(rounds: 200, numLeaves: 31, minDataInLeaf: 2, earlyStoppingRounds: 5)
            .fit(features, labels: labels, seed: 1, threads: two)
        XCTAssertLessThan(model.treeCount, 50)
        let best = try XCTUnwrap(model.validationLoss.indices.min { model.validationLoss[$0] < model.validationLoss[$1] })
        XCTAssertEqual(model.treeCount, best + 1)
        XCTAssertEqual(model.validationLoss.count, best + 6)
        let decoded = try XCTUnwrap(ModelCodec.decode(model.serialized()) as? GradientBoostedTreesModel)
        XCTAssertEqual(decoded.serialized(), model.serialized())
        XCTAssertEqual(try decoded.predict(features, threads: .one), try model.predict(features, threads: two))
    }

    func testBadInputAndHyperparametersGiveTypedErrors() throws {
        let features = try FeatureMatrix(numericColumns: [[1, 2, .nan, 4]])
        XCTAssertThrowsError(try GradientBoostedTrees(numLeaves: 1).fit(features, labels: [0, 1, 0, 1], seed: 0, threads: two)) {
            XCTAssertEqual($0 as? LearnerError, .invalidHyperparameter(name: "num_leaves", value: "1", requirement: "2…131072"))
        }
        XCTAssertThrowsError(try GradientBoostedTrees().fit(features, labels: [0, 0, 0, 0], seed: 0, threads: two)) {
            XCTAssertEqual($0 as? LearnerError, .singleClass(label: 0))
        }
        let model = try GradientBoostedTrees(rounds: 2, minDataInLeaf: 1).fit(features, labels: [0, 1, 0, 1], seed: 0, threads: two)
        let wider = try FeatureMatrix(numericColumns: [[1], [2]])
        XCTAssertThrowsError(try model.predict(wider, threads: two)) {
            XCTAssertEqual($0 as? LearnerError, .schemaMismatch(expected: features.schema, found: wider.schema))
        }
        let categorical = try FeatureMatrix(schema: FeatureSchema([FeatureColumn(name: "c", kind: .categorical)]), columns: [[0, 1.5]])
        XCTAssertThrowsError(try GradientBoostedTrees().fit(categorical, labels: [0, 1], seed: 0, threads: two)) {
            XCTAssertEqual($0 as? LearnerError, .invalidCategoryCode(column: "c", row: 1, value: 1.5))
        }
    }

    func testTreeWhoseLinksShareChildrenIsRefusedQuickly() throws {
        // Forty nodes each sending both sides to the next node: a valid-looking forward chain whose
        // paths double at every node (2^40 walks when packing for prediction) unless refused.
        var writer = ByteWriter()
        writer.write(UInt32(40))
        for index in 0..<40 {
            writer.write(Int32(0))
            writer.write(Float(0.5))
            writer.write(Int32(-1))
            writer.write(false)
            writer.write(index < 39 ? Int32(index + 1) : ~Int32(0))
            writer.write(index < 39 ? Int32(index + 1) : ~Int32(1))
            writer.write(0.0)
        }
        writer.write(UInt32(0))
        writer.write([Double](repeating: 0.1, count: 41))
        var reader = ByteReader(writer.bytes)
        XCTAssertThrowsError(try RegressionTree(decoding: &reader, featureCount: 1)) {
            XCTAssertEqual($0 as? LearnerError, .corruptModel(reason: "tree node 0 links to a node another link reaches"))
        }
    }

    /// The leaf a row of raw values reaches, walking `nodes` one comparison at a time.
    private func referenceLeaf(_ tree: RegressionTree, _ values: [Float]) -> Int {
        guard !tree.nodes.isEmpty else { return 0 }
        var link: Int32 = 0
        while link >= 0 {
            let node = tree.nodes[Int(link)], x = values[Int(node.feature)]
            let goesLeft: Bool
            if x.isNaN {
                goesLeft = node.defaultLeft
            } else if node.categorySplit >= 0 {
                let split = tree.categorySplits[Int(node.categorySplit)]
                goesLeft = split.left.contains(x) || (!split.right.contains(x) && node.defaultLeft)
            } else {
                goesLeft = x <= node.threshold
            }
            link = goesLeft ? node.left : node.right
        }
        return Int(~link)
    }

    func testBranchFreeWalkMatchesNodeByNodeWalkOnMissingInfiniteAndCategoricalValues() throws {
        var random = SplitMix64(seed: 31)
        let rows = 3_001  // not a multiple of the eight rows walked together
        var codes: [Float] = [], a: [Float] = [], b: [Float] = [], labels: [Double] = []
        for _ in 0..<rows {
            let code: Float = random.unit() < 0.1 ? .nan : Float(random.next() % 12)
            let u = Float(random.unit()), v = Float(random.unit())
            codes.append(code)
            a.append(random.unit() < 0.15 ? .nan : u)
            b.append(random.unit() < 0.02 ? (random.unit() < 0.5 ? .infinity : -.infinity) : v)
            labels.append((code.isNaN || Int(code) % 4 == 1) != (u > 0.6 || v < 0.2) ? 1 : 0)
        }
        let schema = FeatureSchema([FeatureColumn(name: "code", kind: .categorical), FeatureColumn(name: "a", kind: .numeric),
                                    FeatureColumn(name: "b", kind: .numeric)])
        let features = try FeatureMatrix(schema: schema, columns: [codes, a, b])
        let model = try GradientBoostedTrees(rounds: 12, numLeaves: 15, minDataInLeaf: 5).fit(features, labels: labels, seed: 2, threads: two)
        // Unseen categories and values outside the training range too.
        let probe = try FeatureMatrix(schema: schema, columns: [codes.map { $0 == 3 ? 40 : $0 }, a.map { $0 * 3 - 1 }, b])
        let scores = try model.predict(probe, threads: two)
        XCTAssertTrue(model.trees.contains { !$0.categorySplits.isEmpty })
        XCTAssertTrue(model.trees.contains { $0.nodes.contains { $0.defaultLeft } && $0.nodes.contains { !$0.defaultLeft } })
        for row in 0..<rows {
            let values = probe.columns.map { $0[row] }
            var raw = model.baseScores[0]
            for tree in model.trees { raw += tree.leafValues[referenceLeaf(tree, values)] }
            XCTAssertEqual(scores[row], Transcendentals.sigmoid(raw), "row \(row)")
        }
    }
}
