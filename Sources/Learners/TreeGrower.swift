import Kernels

/// A tree over binned features as grown in training. Child links ≥ 0 are nodes; a negative
/// link `~k` is leaf k. A tree without nodes is the single leaf 0.
struct GrownTree: Sendable {
    struct Node: Sendable {
        var split: SplitCandidate
        var left: Int32
        var right: Int32
    }
    var nodes: [Node] = []
    /// -G / (H + λ) per leaf, before the learning rate (λ: the leaf's `valueL2`).
    var leafValues: [Double] = []
    /// The bag's rows grouped by leaf: leaf k holds `rowsByLeaf[leafRanges[k]]`.
    var rowsByLeaf: [UInt32] = []
    var leafRanges: [Range<Int>] = []

    /// The leaf a row with these bins reaches.
    func leaf(forRowBins rowBins: UnsafePointer<UInt8>) -> Int {
        if nodes.isEmpty { return 0 }
        var link: Int32 = 0
        while link >= 0 {
            let node = nodes[Int(link)]
            link = Self.goesLeft(node.split, bin: Int(rowBins[node.split.feature])) ? node.left : node.right
        }
        return Int(~link)
    }

    static func goesLeft(_ split: SplitCandidate, bin: Int) -> Bool {
        if let leftBins = split.leftBins { return leftBins.contains(bin) }
        return bin == 0 ? split.defaultLeft : bin <= split.thresholdBin
    }
}

/// Leaf-wise (best-first) growth of one tree on gradient histograms, as in LightGBM: the leaf
/// with the largest gain splits next; the smaller child's histogram is built from its rows and
/// the larger child's is the parent's minus the smaller's.
struct TreeGrower {
    let data: BinnedMatrix
    let binners: [FeatureBinner]
    let rules: SplitRules
    let maxLeaves: Int
    /// nil for unlimited depth.
    let maxDepth: Int?
    let threads: ParallelFor.Threads

    /// Rows per block when building a histogram; fixed so sums never depend on threads.
    static let histogramBlockSize = 32_768

    private struct OpenLeaf {
        var start: Int
        var count: Int
        var depth: Int
        var stats: Histogram.Bin
        /// The L2 of the leaf's value (`SplitCandidate.childL2` of the split that made it).
        var valueL2: Double
        var histogram: [Histogram.Bin]
        var best: SplitCandidate?
        /// The node link that points at this leaf (nil for the root).
        var parentLink: (node: Int, isLeft: Bool)?
    }

    /// The buffers of one fit's trees: a tree's row partition, its scratch copy, the per-block
    /// histograms and the leaves' histograms, allocated (and their pages faulted in) once per fit
    /// rather than once per tree or leaf.
    struct Workspace {
        fileprivate var partition: [UInt32] = []
        fileprivate var scratch: [UInt32] = []
        fileprivate var partials = BlockHistograms()
        /// Leaf histograms no leaf holds, each uniquely referenced, to be written over.
        fileprivate var histograms: [[Histogram.Bin]] = []
    }

    /// Grows a tree on `rows` (ascending row indices; the bag) using only `features`.
    /// `hessians` nil: every hessian is 1, and the histograms are built from gradients and counts.
    /// The tree's `rowsByLeaf` shares the workspace's partition buffer until either changes.
    func grow(rows: [UInt32], gradients: UnsafeBufferPointer<Double>, hessians: UnsafeBufferPointer<Double>?,
              features: [Int32], workspace: inout Workspace) -> GrownTree {
        // The buffers are moved out of the workspace (so each is uniquely held and reused in
        // place) and moved back at the end.
        var partition: [UInt32] = [], scratch: [UInt32] = [], partials = BlockHistograms(), pool: [[Histogram.Bin]] = []
        swap(&partition, &workspace.partition)
        swap(&scratch, &workspace.scratch)
        swap(&partials, &workspace.partials)
        swap(&pool, &workspace.histograms)
        defer {
            swap(&scratch, &workspace.scratch)
            swap(&partials, &workspace.partials)
            swap(&pool, &workspace.histograms)
        }
        partition.removeAll(keepingCapacity: true)
        partition.append(contentsOf: rows)
        if scratch.count < rows.count { scratch = [UInt32](repeating: 0, count: rows.count) }
        var rootStats = Histogram.Bin()
        for row in rows { rootStats += Histogram.Bin(gradients[Int(row)], hessians?[Int(row)] ?? 1, 1, 0) }
        var leaves = [OpenLeaf(start: 0, count: rows.count, depth: 0, stats: rootStats, valueL2: rules.lambdaL2,
                               histogram: histogram(partition, 0..<rows.count, gradients, hessians, features, &partials, &pool),
                               best: nil, parentLink: nil)]
        leaves[0].best = leaves[0].histogram.withUnsafeBufferPointer { root in
            bestSplits([leaves[0]], histograms: [root.baseAddress.map { SendablePointer(UnsafeMutablePointer(mutating: $0)) }],
                       features: features)[0]
        }
        var tree = GrownTree()
        while leaves.count < maxLeaves {
            var chosen: Int?
            for (index, leaf) in leaves.enumerated() {
                if let gain = leaf.best?.gain, gain > (chosen.flatMap { leaves[$0].best?.gain } ?? -.infinity) { chosen = index }
            }
            guard let leafIndex = chosen, let split = leaves[leafIndex].best else { break }
            // The parent's histogram is taken out of the leaf list, so the larger child's is
            // computed in its buffer instead of a copy.
            var parentHistogram: [Histogram.Bin] = []
            swap(&parentHistogram, &leaves[leafIndex].histogram)
            let parent = leaves[leafIndex]
            let leftCount = stablePartition(&partition, &scratch, parent.start..<(parent.start + parent.count), split)
            // The split node replaces the leaf; the left child keeps the leaf's index.
            let nodeIndex = tree.nodes.count
            tree.nodes.append(GrownTree.Node(split: split, left: ~Int32(leafIndex), right: ~Int32(leaves.count)))
            if let link = parent.parentLink {
                if link.isLeft { tree.nodes[link.node].left = Int32(nodeIndex) } else { tree.nodes[link.node].right = Int32(nodeIndex) }
            }
            var left = OpenLeaf(start: parent.start, count: leftCount, depth: parent.depth + 1, stats: split.leftStats,
                                valueL2: split.childL2, histogram: [], best: nil, parentLink: (nodeIndex, true))
            var right = OpenLeaf(start: parent.start + leftCount, count: parent.count - leftCount, depth: parent.depth + 1,
                                 stats: split.rightStats, valueL2: split.childL2, histogram: [], best: nil, parentLink: (nodeIndex, false))
            // A child's histogram only serves its own split search, or the sibling's subtraction:
            // none is built for children that can never split (the tree is full after this split,
            // or they are too small or too deep).
            let treeGrowsOn = leaves.count + 1 < maxLeaves
            let leftIsSmaller = left.count <= right.count
            let (small, large) = leftIsSmaller ? (left, right) : (right, left)
            let largeSplits = treeGrowsOn && mayHaveSplit(large)
            if largeSplits || (treeGrowsOn && mayHaveSplit(small)) {
                let smallHistogram = histogram(partition, small.start..<(small.start + small.count), gradients, hessians, features,
                                               &partials, &pool)
                // The larger child's histogram is its parent's minus the smaller child's, taken
                // in the parent's buffer by the split search itself, each feature slice before
                // it is searched: the subtraction runs on all cores.
                var largeHistogram: [Histogram.Bin] = []
                if largeSplits {
                    largeHistogram = parentHistogram
                    parentHistogram = []
                }
                let best = smallHistogram.withUnsafeBufferPointer { small in
                    largeHistogram.withUnsafeMutableBufferPointer { large in
                        let smallBins = small.baseAddress.map { SendablePointer(UnsafeMutablePointer(mutating: $0)) }
                        let largeBins = large.baseAddress.map(SendablePointer.init)
                        return bestSplits([left, right], histograms: leftIsSmaller ? [smallBins, largeBins] : [largeBins, smallBins],
                                          features: features, deriving: largeSplits ? (leftIsSmaller ? 1 : 0, smallBins!) : nil)
                    }
                }
                left.histogram = leftIsSmaller ? smallHistogram : largeHistogram
                right.histogram = leftIsSmaller ? largeHistogram : smallHistogram
                left.best = best[0]
                right.best = best[1]
            }
            if !parentHistogram.isEmpty { pool.append(parentHistogram) }
            leaves[leafIndex] = left
            leaves.append(right)
        }
        for index in leaves.indices where !leaves[index].histogram.isEmpty {
            var histogram: [Histogram.Bin] = []
            swap(&histogram, &leaves[index].histogram)
            pool.append(histogram)
        }
        tree.leafValues = leaves.map { -$0.stats[0] / ($0.stats[1] + $0.valueL2) }
        tree.leafRanges = leaves.map { $0.start..<($0.start + $0.count) }
        tree.rowsByLeaf = partition
        workspace.partition = partition
        return tree
    }

    /// Whether a split of `leaf` can be allowed at all: not beyond the depth limit, and enough
    /// rows for two children of `minDataInLeaf` (the checks `bestSplits` starts with).
    private func mayHaveSplit(_ leaf: OpenLeaf) -> Bool {
        (maxDepth.map { leaf.depth < $0 } ?? true) && leaf.count >= 2 * rules.minDataInLeaf
    }

    /// The best split of each leaf (nil where none is allowed), `histograms[i]` holding leaf
    /// i's bins. Every (leaf, slice of the features) pair is searched on its own, then each
    /// leaf's slices are compared in feature order keeping the first best, as one search over
    /// all features would. With `derived`, that leaf's bins are still its parent's: each pair
    /// first subtracts its slice of `sibling` from them (`Histogram.subtract`, in place), so the
    /// leaf ends with its own histogram, bin by bin what one subtraction over all features gives.
    private func bestSplits(_ leaves: [OpenLeaf], histograms: [SendablePointer<Histogram.Bin>?], features: [Int32],
                            deriving derived: (leaf: Int, sibling: SendablePointer<Histogram.Bin>)? = nil) -> [SplitCandidate?] {
        let slices = min(features.count, 2 * threads.count)
        guard slices > 0 else { return leaves.map { _ in nil } }
        let bounds = (0...slices).map { $0 * features.count / slices }
        let searched = ParallelFor.map(count: leaves.count * slices, blockSize: 1, threads: threads) { items -> SplitCandidate? in
            let index = items.lowerBound / slices, slice = items.lowerBound % slices
            let leaf = leaves[index]
            guard mayHaveSplit(leaf), let bins = histograms[index]?.base else { return nil }
            return features[bounds[slice]..<bounds[slice + 1]].withUnsafeBufferPointer {
                if let derived, derived.leaf == index {
                    Histogram.subtract(parent: bins, child: derived.sibling.base, into: bins, features: $0)
                }
                return SplitFinder.best(histogram: bins, total: leaf.stats, features: $0, binners: binners, rules: rules)
            }
        }
        return leaves.indices.map { leaf in
            var best: SplitCandidate?
            for candidate in searched[(leaf * slices)..<((leaf + 1) * slices)] {
                if let candidate, candidate.gain > (best?.gain ?? -.infinity) { best = candidate }
            }
            return best
        }
    }

    /// Per-block histograms, reused by every leaf of every tree: full bins, or (Σ gradient, count)
    /// bins when every hessian is 1. Each work item zeroes the bins it is about to sum.
    fileprivate struct BlockHistograms {
        var full: [Histogram.Bin] = []
        var unitHessian: [Histogram.UnitHessianBin] = []

        /// Makes `buffer` hold at least `count` bins.
        static func reserve<B: SIMD>(_ buffer: inout [B], count: Int) where B.Scalar == Double {
            if buffer.count < count { buffer = [B](repeating: .zero, count: count) }
        }
    }

    /// The histogram of `partition[range]`, summed per fixed block and folded in block order.
    /// The work items are (block, group of features) pairs: a leaf of one or two blocks (most
    /// leaves) still keeps every thread busy, and since each bin is summed by one item over its
    /// block's rows in order, the sums do not depend on how features are grouped. Without
    /// hessians (all 1) the blocks sum (gradient, count) pairs, expanded when folded: a sum of
    /// ones is exactly its count, so the total is the same bits either way. The total is written
    /// over a buffer of `pool` when it has one: every bin of `features` is set, and a tree's
    /// leaves only ever read the bins of its `features`.
    private func histogram(_ partition: [UInt32], _ range: Range<Int>, _ gradients: UnsafeBufferPointer<Double>,
                           _ hessians: UnsafeBufferPointer<Double>?, _ features: [Int32],
                           _ partials: inout BlockHistograms, _ pool: inout [[Histogram.Bin]]) -> [Histogram.Bin] {
        let size = data.featureCount * Histogram.binsPerFeature
        let stride = data.featureCount
        let blocks = ParallelFor.blocks(count: range.count, blockSize: Self.histogramBlockSize)
        guard !blocks.isEmpty, !features.isEmpty else { return [Histogram.Bin](repeating: .zero, count: size) }
        let groupCount = min(features.count, max(1, (2 * threads.count + blocks.count - 1) / blocks.count))
        let groups = (0..<groupCount).map { ($0 * features.count / groupCount)..<(($0 + 1) * features.count / groupCount) }
        let unitHessian = hessians == nil
        var total = pool.popLast() ?? []
        if total.count != size { total = [Histogram.Bin](repeating: .zero, count: size) }
        // One block of full bins is the histogram itself (the fold would copy it): it is summed
        // straight into the total, lent to `partials` for the pass.
        let direct = blocks.count == 1 && !unitHessian
        if direct {
            swap(&total, &partials.full)
        } else if unitHessian {
            BlockHistograms.reserve(&partials.unitHessian, count: blocks.count * size)
        } else {
            BlockHistograms.reserve(&partials.full, count: blocks.count * size)
        }
        partials.full.withUnsafeMutableBufferPointer { full in
            partials.unitHessian.withUnsafeMutableBufferPointer { unit in
                partition.withUnsafeBufferPointer { rows in
                    data.bins.withUnsafeBufferPointer { bins in
                        features.withUnsafeBufferPointer { f in
                            let fullTarget = full.baseAddress.map(SendablePointer.init)
                            let unitTarget = unit.baseAddress.map(SendablePointer.init)
                            let rowBase = SendablePointer(UnsafeMutablePointer(mutating: rows.baseAddress! + range.lowerBound))
                            let binBase = SendablePointer(UnsafeMutablePointer(mutating: bins.baseAddress!))
                            let gradient = SendablePointer(UnsafeMutablePointer(mutating: gradients.baseAddress!))
                            let hessian = hessians.map { SendablePointer(UnsafeMutablePointer(mutating: $0.baseAddress!)) }
                            let featureBase = SendablePointer(UnsafeMutablePointer(mutating: f.baseAddress!))
                            ParallelFor.run(count: blocks.count * groupCount, blockSize: 1, threads: threads) { items in
                                for item in items {
                                    let block = blocks[item / groupCount], group = groups[item % groupCount]
                                    let blockRows = UnsafeBufferPointer(start: rowBase.base + block.lowerBound, count: block.count)
                                    let blockFeatures = UnsafeBufferPointer(start: featureBase.base + group.lowerBound, count: group.count)
                                    let offset = (item / groupCount) * size
                                    for feature in blockFeatures {
                                        let start = offset + Int(feature) * Histogram.binsPerFeature
                                        if hessian != nil, let fullTarget {
                                            (fullTarget.base + start).update(repeating: .zero, count: Histogram.binsPerFeature)
                                        } else if let unitTarget {
                                            (unitTarget.base + start).update(repeating: .zero, count: Histogram.binsPerFeature)
                                        }
                                    }
                                    if let hessian, let fullTarget {
                                        Histogram.accumulate(rows: blockRows, bins: binBase.base, rowStride: stride,
                                                             features: blockFeatures, gradients: gradient.base,
                                                             hessians: hessian.base, into: fullTarget.base + offset)
                                    } else if let unitTarget {
                                        Histogram.accumulate(rows: blockRows, bins: binBase.base, rowStride: stride,
                                                             features: blockFeatures, gradients: gradient.base,
                                                             into: unitTarget.base + offset)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        if direct {
            swap(&total, &partials.full)
            return total
        }
        // The features' bins of block 0, then the other blocks folded in block order, features in
        // parallel (each bin is folded by one item, in the same order whatever the threads).
        let groupOfFeatures = ParallelFor.blocks(count: features.count, blockSize: max(1, features.count / (2 * threads.count)))
        let foldThreads = blocks.count > 1 ? threads : .one  // one block: a copy, not worth a dispatch
        total.withUnsafeMutableBufferPointer { totalBuffer in
            partials.full.withUnsafeBufferPointer { full in
                partials.unitHessian.withUnsafeBufferPointer { unit in
                    features.withUnsafeBufferPointer { f in
                        let target = SendablePointer(totalBuffer.baseAddress!)
                        let fullBase = full.baseAddress.map { SendablePointer(UnsafeMutablePointer(mutating: $0)) }
                        let unitBase = unit.baseAddress.map { SendablePointer(UnsafeMutablePointer(mutating: $0)) }
                        let featureBase = SendablePointer(UnsafeMutablePointer(mutating: f.baseAddress!))
                        ParallelFor.run(count: groupOfFeatures.count, blockSize: 1, threads: foldThreads) { items in
                            for item in items {
                                let group = groupOfFeatures[item]
                                let groupFeatures = UnsafeBufferPointer(start: featureBase.base + group.lowerBound, count: group.count)
                                for feature in groupFeatures {
                                    let start = Int(feature) * Histogram.binsPerFeature
                                    for i in start..<(start + Histogram.binsPerFeature) {
                                        if unitHessian, let unitBase {
                                            target.base[i] = Histogram.expand(unitBase.base[i])
                                        } else if let fullBase {
                                            target.base[i] = fullBase.base[i]
                                        }
                                    }
                                }
                                for block in 1..<max(1, blocks.count) {
                                    if unitHessian, let unitBase {
                                        Histogram.add(unitBase.base + block * size, into: target.base, features: groupFeatures)
                                    } else if let fullBase {
                                        Histogram.add(fullBase.base + block * size, into: target.base, features: groupFeatures)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return total
    }

    /// Rows per block when partitioning a leaf's rows.
    static let partitionBlockSize = 16_384

    /// Reorders `partition[range]` so rows going left come first, each side keeping its order;
    /// returns the number going left. Blocks of rows are split side by side into `scratch`
    /// (lefts from the block's start, rights from its end backwards), then copied to their
    /// places: the same order a single pass over the range gives.
    private func stablePartition(_ partition: inout [UInt32], _ scratch: inout [UInt32], _ range: Range<Int>,
                                 _ split: SplitCandidate) -> Int {
        // Which of the 256 bin values go left, looked up once per row.
        var goesLeft = [UInt8](repeating: 0, count: Histogram.binsPerFeature)
        for bin in 0..<Histogram.binsPerFeature { goesLeft[bin] = GrownTree.goesLeft(split, bin: bin) ? 1 : 0 }
        let blocks = ParallelFor.blocks(count: range.count, blockSize: Self.partitionBlockSize)
        return partition.withUnsafeMutableBufferPointer { rows in
            scratch.withUnsafeMutableBufferPointer { scratch in
                data.columnBins.withUnsafeBufferPointer { bins in
                    goesLeft.withUnsafeBufferPointer { left in
                        let column = SendablePointer(UnsafeMutablePointer(mutating: bins.baseAddress! + split.feature * data.rowCount))
                        let rowBase = SendablePointer(rows.baseAddress! + range.lowerBound)
                        let scratchBase = SendablePointer(scratch.baseAddress! + range.lowerBound)
                        let leftOf = SendablePointer(UnsafeMutablePointer(mutating: left.baseAddress!))
                        // Without a branch (where a row goes is unpredictable): each row is written to
                        // both free ends and only its side's cursor moves. A slot written in excess is
                        // one the other side fills later, or the row's own slot when the ends meet.
                        let leftCounts = ParallelFor.map(count: blocks.count, blockSize: 1, threads: threads) { items -> Int in
                            let block = blocks[items.lowerBound]
                            var low = block.lowerBound, high = block.upperBound - 1
                            for position in block {
                                let row = rowBase.base[position]
                                let goesLeft = Int(leftOf.base[Int(column.base[Int(row)])])
                                scratchBase.base[low] = row
                                scratchBase.base[high] = row
                                low += goesLeft
                                high -= 1 - goesLeft
                            }
                            return low - block.lowerBound
                        }
                        let leftTotal = leftCounts.reduce(0, +)
                        // Where each block's lefts and rights go: after the earlier blocks' ones.
                        let leftStarts = leftCounts.indices.map { leftCounts[..<$0].reduce(0, +) }
                        let rightStarts = blocks.indices.map { leftTotal + blocks[..<$0].reduce(0) { $0 + $1.count } - leftStarts[$0] }
                        ParallelFor.run(count: blocks.count, blockSize: 1, threads: threads) { items in
                            let index = items.lowerBound, block = blocks[index], lefts = leftCounts[index]
                            (rowBase.base + leftStarts[index]).update(from: scratchBase.base + block.lowerBound, count: lefts)
                            let rights = rowBase.base + rightStarts[index]
                            for k in 0..<(block.count - lefts) { rights[k] = scratchBase.base[block.upperBound - 1 - k] }
                        }
                        return leftTotal
                    }
                }
            }
        }
    }
}
