/// One tree of a boosted model, on raw feature values. Child links ≥ 0 are nodes; a negative
/// link `~k` is leaf k. A tree without nodes is the single leaf 0.
struct RegressionTree: Sendable, Equatable {
    struct Node: Sendable, Equatable {
        var feature: Int32
        /// Numeric splits: values ≤ threshold go left.
        var threshold: Float
        /// Index into `categorySplits`, or -1 for a numeric split.
        var categorySplit: Int32
        /// Where NaN (and categories not named by the split) go.
        var defaultLeft: Bool
        var left: Int32
        var right: Int32
        /// Training loss reduction of this split (for feature importance).
        var gain: Double
    }

    /// The category codes a categorical split names, each list ascending.
    struct CategorySplit: Sendable, Equatable {
        var left: [Float]
        var right: [Float]
    }

    var nodes: [Node]
    var categorySplits: [CategorySplit]
    /// Leaf outputs, learning rate already applied.
    var leafValues: [Double]

    /// Converts a tree grown on bins to raw-value thresholds and category lists.
    init(_ grown: GrownTree, binners: [FeatureBinner], learningRate: Double) {
        var categorySplits: [CategorySplit] = []
        nodes = grown.nodes.map { node in
            let split = node.split
            var threshold = Float.infinity, categoryIndex: Int32 = -1
            switch binners[split.feature].mapping {
            case let .numeric(upperBounds):
                threshold = upperBounds[split.thresholdBin - 1]
            case let .categorical(codes):
                var category = CategorySplit(left: [], right: [])
                for (index, code) in codes.enumerated() {
                    if GrownTree.goesLeft(split, bin: index + 1) { category.left.append(code) } else { category.right.append(code) }
                }
                categoryIndex = Int32(categorySplits.count)
                categorySplits.append(category)
            }
            return Node(feature: Int32(split.feature), threshold: threshold, categorySplit: categoryIndex,
                        defaultLeft: split.defaultLeft, left: node.left, right: node.right, gain: split.gain)
        }
        self.categorySplits = categorySplits
        leafValues = grown.leafValues.map { $0 * learningRate }
    }

    /// out[i] += the tree's output for row i of a row-major block (`width` values per row).
    func addValues(rows: UnsafePointer<Float>, width: Int, count: Int, into out: UnsafeMutablePointer<Double>) {
        leafValues.withUnsafeBufferPointer { leaves in
            guard !nodes.isEmpty else {
                for i in 0..<count { out[i] += leaves[0] }
                return
            }
            nodes.withUnsafeBufferPointer { nodes in
                for i in 0..<count {
                    let row = rows + i * width
                    var link: Int32 = 0
                    while link >= 0 {
                        let node = nodes[Int(link)]
                        let x = row[Int(node.feature)]
                        let left: Bool
                        if node.categorySplit < 0 {
                            left = x <= node.threshold || (x.isNaN && node.defaultLeft)
                        } else if x.isNaN {
                            left = node.defaultLeft
                        } else {
                            let category = categorySplits[Int(node.categorySplit)]
                            left = Self.contains(category.left, x) || (!Self.contains(category.right, x) && node.defaultLeft)
                        }
                        link = left ? node.left : node.right
                    }
                    out[i] += leaves[Int(~link)]
                }
            }
        }
    }

    private static func contains(_ sorted: [Float], _ value: Float) -> Bool {
        var low = 0, high = sorted.count
        while low < high {
            let middle = (low + high) >> 1
            if sorted[middle] < value { low = middle + 1 } else { high = middle }
        }
        return low < sorted.count && sorted[low] == value
    }

    func encode(into writer: inout ByteWriter) {
        writer.write(UInt32(nodes.count))
        for node in nodes {
            writer.write(node.feature)
            writer.write(node.threshold)
            writer.write(node.categorySplit)
            writer.write(node.defaultLeft)
            writer.write(node.left)
            writer.write(node.right)
            writer.write(node.gain)
        }
        writer.write(UInt32(categorySplits.count))
        for split in categorySplits {
            writer.write(split.left)
            writer.write(split.right)
        }
        writer.write(leafValues)
    }

    init(decoding reader: inout ByteReader, featureCount: Int) throws(LearnerError) {
        let nodeCount = Int(try reader.read(UInt32.self))
        var nodes: [Node] = []
        for _ in 0..<nodeCount {
            nodes.append(Node(feature: try reader.read(Int32.self), threshold: try reader.readFloat(),
                              categorySplit: try reader.read(Int32.self), defaultLeft: try reader.readBool(),
                              left: try reader.read(Int32.self), right: try reader.read(Int32.self),
                              gain: try reader.readDouble()))
        }
        let splitCount = Int(try reader.read(UInt32.self))
        var categorySplits: [CategorySplit] = []
        for _ in 0..<splitCount { categorySplits.append(CategorySplit(left: try reader.readFloats(), right: try reader.readFloats())) }
        let leafValues = try reader.readDoubles()
        // Links must stay in range so prediction can never index out of bounds or loop.
        guard leafValues.count == nodeCount + 1 else { throw .corruptModel(reason: "tree has \(leafValues.count) leaves for \(nodeCount) nodes") }
        for (index, node) in nodes.enumerated() {
            let linksValid = [node.left, node.right].allSatisfy { $0 < 0 ? Int(~$0) < leafValues.count : Int($0) > index && Int($0) < nodeCount }
            guard linksValid, node.feature >= 0, Int(node.feature) < featureCount,
                  node.categorySplit < Int32(splitCount) else { throw .corruptModel(reason: "tree node \(index) is invalid") }
        }
        self.nodes = nodes
        self.categorySplits = categorySplits
        self.leafValues = leafValues
    }
}
