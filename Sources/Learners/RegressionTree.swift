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
    /// `nodes` in prediction layout.
    private(set) var packed: [PackedNode]

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
        packed = Self.pack(nodes)
    }

    /// out[i] += the tree's output for row i of a row-major block (`width` values per row).
    /// Four rows walk the tree together so their dependent loads overlap.
    func addValues(rows: UnsafePointer<Float>, width: Int, count: Int, into out: UnsafeMutablePointer<Double>) {
        leafValues.withUnsafeBufferPointer { leaves in
            packed.withUnsafeBufferPointer { packed in
                @inline(__always) func step(_ entry: PackedNode, _ row: UnsafePointer<Float>) -> PackedNode {
                    let x = row[Int(entry.feature)]
                    var goLeft = x <= entry.threshold
                    if entry.flags != 0 { goLeft = slowPathGoesLeft(entry, x) }
                    return packed[Int(entry.firstChild) &+ (goLeft ? 0 : 1)]
                }
                var i = 0
                while i + 4 <= count {
                    let r0 = rows + i &* width, r1 = r0 + width, r2 = r1 + width, r3 = r2 + width
                    var e0 = packed[0], e1 = e0, e2 = e0, e3 = e0
                    while true {
                        var active = false
                        if e0.feature >= 0 { e0 = step(e0, r0); active = true }
                        if e1.feature >= 0 { e1 = step(e1, r1); active = true }
                        if e2.feature >= 0 { e2 = step(e2, r2); active = true }
                        if e3.feature >= 0 { e3 = step(e3, r3); active = true }
                        if !active { break }
                    }
                    out[i] += leaves[Int(e0.firstChild)]
                    out[i + 1] += leaves[Int(e1.firstChild)]
                    out[i + 2] += leaves[Int(e2.firstChild)]
                    out[i + 3] += leaves[Int(e3.firstChild)]
                    i += 4
                }
                while i < count {
                    let row = rows + i &* width
                    var entry = packed[0]
                    while entry.feature >= 0 { entry = step(entry, row) }
                    out[i] += leaves[Int(entry.firstChild)]
                    i += 1
                }
            }
        }
    }

    /// Categorical splits and missing values (`flags` bit 0: default left, bit 1: categorical,
    /// bits 2…: category split index).
    private func slowPathGoesLeft(_ entry: PackedNode, _ x: Float) -> Bool {
        let defaultLeft = entry.flags & 1 == 1
        if x.isNaN { return defaultLeft }
        guard entry.flags & 2 == 2 else { return x <= entry.threshold }
        let category = categorySplits[Int(entry.flags >> 2)]
        return Self.contains(category.left, x) || (!Self.contains(category.right, x) && defaultLeft)
    }

    /// Prediction layout: siblings are adjacent (right = left + 1) so the next entry is found
    /// without a branch; a leaf entry has feature -1 and its leaf index in `firstChild`.
    /// Numeric nodes that send NaN right have flags 0 (NaN ≤ t is false: no check needed).
    struct PackedNode: Sendable, Equatable {
        var threshold: Float
        var feature: Int32
        var firstChild: Int32
        var flags: Int32
    }

    /// Breadth-first packing of `nodes` (or the single leaf 0).
    static func pack(_ nodes: [Node]) -> [PackedNode] {
        guard !nodes.isEmpty else { return [PackedNode(threshold: 0, feature: -1, firstChild: 0, flags: 0)] }
        var packed: [PackedNode] = [], queue: [Int32] = [0]
        var head = 0
        while head < queue.count {
            let link = queue[head]
            head += 1
            guard link >= 0 else {
                packed.append(PackedNode(threshold: 0, feature: -1, firstChild: ~link, flags: 0))
                continue
            }
            let node = nodes[Int(link)]
            // Children take the next two free queue positions, which are their packed positions.
            let firstChild = Int32(queue.count)
            queue.append(node.left)
            queue.append(node.right)
            var flags: Int32 = node.defaultLeft ? 1 : 0
            if node.categorySplit >= 0 { flags |= 2 | (node.categorySplit << 2) }
            packed.append(PackedNode(threshold: node.threshold, feature: node.feature, firstChild: firstChild, flags: flags))
        }
        return packed
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
        packed = Self.pack(nodes)
    }
}
