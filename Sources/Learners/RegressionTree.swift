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

    let nodes: [Node]
    let categorySplits: [CategorySplit]
    /// Leaf outputs, learning rate already applied.
    let leafValues: [Double]
    /// `nodes` in prediction layout.
    private(set) var packed: [PackedNode]
    /// Per packed entry: the leaf's output (learning rate applied), 0 for split entries.
    private(set) var packedValues: [Double]
    /// Steps from the root to the deepest leaf.
    private(set) var depth: Int

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
        let layout = Self.pack(nodes, leafValues: leafValues)
        packed = layout.packed
        packedValues = layout.values
        depth = layout.depth
    }

    /// Rows walked side by side in `addValues`.
    static let rowsPerWalk = 8

    /// out[i] += the tree's output for row i of a row-major block (`width` values per row).
    /// Eight rows walk the tree together for exactly `depth` steps, without a branch on the
    /// data: a leaf entry leads back to itself, and a numeric split picks its child with an
    /// index computed from the comparison (the eight dependent load chains overlap).
    func addValues(rows: UnsafePointer<Float>, width: Int, count: Int, into out: UnsafeMutablePointer<Double>) {
        packedValues.withUnsafeBufferPointer { values in
            packed.withUnsafeBufferPointer { packed in
                @inline(__always) func step(_ index: Int, _ row: UnsafePointer<Float>) -> Int {
                    let entry = packed[index]
                    let x = row[Int(entry.feature)]
                    // Right when x > threshold, or x is NaN and NaN goes right (flags bit 0).
                    var right = Int(unsafeBitCast(x > entry.threshold, to: UInt8.self))
                        | (Int(unsafeBitCast(x.isNaN, to: UInt8.self)) & Int(entry.flags & 1))
                    if entry.flags & 2 != 0 { right = slowPathGoesLeft(entry, x) ? 0 : 1 }
                    return Int(entry.firstChild) &+ right
                }
                let steps = depth
                var i = 0
                while i + Self.rowsPerWalk <= count {
                    let r0 = rows + i &* width, r1 = r0 + width, r2 = r1 + width, r3 = r2 + width
                    let r4 = r3 + width, r5 = r4 + width, r6 = r5 + width, r7 = r6 + width
                    var n0 = 0, n1 = 0, n2 = 0, n3 = 0, n4 = 0, n5 = 0, n6 = 0, n7 = 0
                    for _ in 0..<steps {
                        n0 = step(n0, r0)
                        n1 = step(n1, r1)
                        n2 = step(n2, r2)
                        n3 = step(n3, r3)
                        n4 = step(n4, r4)
                        n5 = step(n5, r5)
                        n6 = step(n6, r6)
                        n7 = step(n7, r7)
                    }
                    out[i] += values[n0]
                    out[i + 1] += values[n1]
                    out[i + 2] += values[n2]
                    out[i + 3] += values[n3]
                    out[i + 4] += values[n4]
                    out[i + 5] += values[n5]
                    out[i + 6] += values[n6]
                    out[i + 7] += values[n7]
                    i += Self.rowsPerWalk
                }
                while i < count {
                    let row = rows + i &* width
                    var node = 0
                    for _ in 0..<steps { node = step(node, row) }
                    out[i] += values[node]
                    i += 1
                }
            }
        }
    }

    /// Categorical splits (`flags` bit 0: NaN and categories the split does not name go right,
    /// bit 1: categorical, bits 2…: category split index).
    private func slowPathGoesLeft(_ entry: PackedNode, _ x: Float) -> Bool {
        let defaultLeft = entry.flags & 1 == 0
        if x.isNaN { return defaultLeft }
        let category = categorySplits[Int(entry.flags >> 2)]
        return Self.contains(category.left, x) || (!Self.contains(category.right, x) && defaultLeft)
    }

    /// Prediction layout: siblings are adjacent (right = left + 1) so the next entry is found
    /// without a branch. A leaf entry leads to itself whatever the value (feature 0, threshold
    /// +∞, NaN stays left, first child its own position), so walking past a leaf is harmless.
    struct PackedNode: Sendable, Equatable {
        var threshold: Float
        var feature: Int32
        var firstChild: Int32
        var flags: Int32
    }

    /// Breadth-first packing of `nodes` (or the single leaf 0), with each entry's leaf value and
    /// the depth of the deepest leaf.
    static func pack(_ nodes: [Node], leafValues: [Double]) -> (packed: [PackedNode], values: [Double], depth: Int) {
        var packed: [PackedNode] = [], values: [Double] = [], depth = 0
        var queue: [(link: Int32, depth: Int)] = [(nodes.isEmpty ? ~0 : 0, 0)]
        var head = 0
        while head < queue.count {
            let (link, level) = queue[head]
            head += 1
            guard link >= 0 else {
                packed.append(PackedNode(threshold: .infinity, feature: 0, firstChild: Int32(packed.count), flags: 0))
                values.append(leafValues[Int(~link)])
                depth = max(depth, level)
                continue
            }
            let node = nodes[Int(link)]
            // Children take the next two free queue positions, which are their packed positions.
            let firstChild = Int32(queue.count)
            queue.append((node.left, level + 1))
            queue.append((node.right, level + 1))
            var flags: Int32 = node.defaultLeft ? 0 : 1
            if node.categorySplit >= 0 { flags |= 2 | (node.categorySplit << 2) }
            packed.append(PackedNode(threshold: node.threshold, feature: node.feature, firstChild: firstChild, flags: flags))
            values.append(0)
        }
        return (packed, values, depth)
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
        // ... and every node but the root and every leaf must have exactly one parent: links that
        // share children would make a graph whose paths (walked when packing) grow exponentially.
        var hasParent = [Bool](repeating: false, count: nodeCount + leafValues.count)
        for (index, node) in nodes.enumerated() {
            let linksValid = [node.left, node.right].allSatisfy { $0 < 0 ? Int(~$0) < leafValues.count : Int($0) > index && Int($0) < nodeCount }
            guard linksValid, node.feature >= 0, Int(node.feature) < featureCount,
                  node.categorySplit < Int32(splitCount) else { throw .corruptModel(reason: "tree node \(index) is invalid") }
            for link in [node.left, node.right] {
                let slot = link < 0 ? nodeCount + Int(~link) : Int(link)
                guard !hasParent[slot] else {
                    throw .corruptModel(reason: "tree node \(index) links to a \(link < 0 ? "leaf" : "node") another link reaches")
                }
                hasParent[slot] = true
            }
        }
        self.nodes = nodes
        self.categorySplits = categorySplits
        self.leafValues = leafValues
        let layout = Self.pack(nodes, leafValues: leafValues)
        packed = layout.packed
        packedValues = layout.values
        depth = layout.depth
    }
}
