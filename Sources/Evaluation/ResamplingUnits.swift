import Kernels

/// The units a bootstrap draws: rows within each class, or whole clusters of rows.
struct ResamplingUnits: Sendable {
    /// Rows of every unit, unit after unit: strata (negatives then positives) or clusters.
    let members: [Int]
    /// Unit u holds `members[offsets[u]..<offsets[u + 1]]` (one more offset than units).
    let offsets: [Int]
    let clustered: Bool
    let rowCount: Int

    init(_ data: BinaryPredictions, clusters: [String]?) throws(EvaluationError) {
        rowCount = data.count
        if let clusters {
            guard clusters.count == data.count else {
                throw .lengthMismatch(what: "cluster keys", expected: data.count, actual: clusters.count)
            }
            var index = [String: Int](minimumCapacity: clusters.count)
            var clusterOfRow = [Int]()
            clusterOfRow.reserveCapacity(clusters.count)
            for key in clusters {
                if let cluster = index[key] {
                    clusterOfRow.append(cluster)
                } else {
                    let cluster = index.count
                    clusterOfRow.append(cluster)
                    index[key] = cluster
                }
            }
            // Counting sort of rows by cluster, clusters in order of first appearance.
            var offsets = [Int](repeating: 0, count: index.count + 1)
            for cluster in clusterOfRow { offsets[cluster + 1] += 1 }
            for unit in 0..<index.count { offsets[unit + 1] += offsets[unit] }
            var next = offsets
            var members = [Int](repeating: 0, count: clusters.count)
            for (row, cluster) in clusterOfRow.enumerated() {
                members[next[cluster]] = row
                next[cluster] += 1
            }
            self.members = members
            self.offsets = offsets
            clustered = true
        } else {
            let positives = data.labels.indices.filter { data.labels[$0] }
            let negatives = data.labels.indices.filter { !data.labels[$0] }
            guard !positives.isEmpty && !negatives.isEmpty else { throw .empty(what: "rows of both classes for a stratified bootstrap") }
            members = negatives + positives
            offsets = [0, negatives.count, data.count]
            clustered = false
        }
    }

    var unitCount: Int { offsets.count - 1 }

    /// The rows of unit `unit`.
    func rows(of unit: Int) -> ArraySlice<Int> { members[offsets[unit]..<offsets[unit + 1]] }

    /// The class strata (negatives, positives) of a stratified design; nil for clusters.
    var strata: [[Int]]? { clustered ? nil : [Array(rows(of: 0)), Array(rows(of: 1))] }

    var design: ResamplingDesign {
        clustered ? .clusters(count: unitCount) : .stratifiedRows(positives: rows(of: 1).count, negatives: rows(of: 0).count)
    }

    /// Overwrites `multiplicity` (one per row) with how often each row was drawn.
    func draw(into multiplicity: inout [Double], _ rng: inout SplitMix64) {
        multiplicity.withUnsafeMutableBufferPointer { counts in
            counts.update(repeating: 0)
            members.withUnsafeBufferPointer { members in
                offsets.withUnsafeBufferPointer { offsets in
                    if clustered && members.count == offsets.count - 1 {
                        // Every row its own cluster (a unique entity): clusters are the rows in order.
                        for _ in 0..<members.count { counts[rng.index(below: members.count)] += 1 }
                    } else if clustered {
                        let units = offsets.count - 1
                        for _ in 0..<units {
                            let unit = rng.index(below: units)
                            for position in offsets[unit]..<offsets[unit + 1] { counts[members[position]] += 1 }
                        }
                    } else {
                        for stratum in 0..<offsets.count - 1 {
                            let start = offsets[stratum], size = offsets[stratum + 1] - start
                            for _ in 0..<size { counts[members[start + rng.index(below: size)]] += 1 }
                        }
                    }
                }
            }
        }
    }

    /// The statistic with each of at most `groups` contiguous groups of units left out in turn
    /// (delete-one jackknife when there are no more units than groups).
    func jackknife(groups limit: Int, _ statistic: @Sendable ([Double]) -> Double) -> [Double] {
        // Units are the clusters, or every row (the strata cover all rows) in row order.
        let unitCount = clustered ? self.unitCount : rowCount
        let count = min(unitCount, max(2, limit))
        let rows = rowCount
        return ParallelFor.map(count: count, blockSize: 4) { range in
            var multiplicity = [Double](repeating: 1, count: rows)
            return range.map { group in
                let members = (group * unitCount / count)..<((group + 1) * unitCount / count)
                setRows(of: members, to: 0, in: &multiplicity)
                let value = statistic(multiplicity)
                setRows(of: members, to: 1, in: &multiplicity)
                return value
            }
        }.flatMap { $0 }
    }

    private func setRows(of units: Range<Int>, to value: Double, in multiplicity: inout [Double]) {
        if clustered {
            for unit in units { for row in rows(of: unit) { multiplicity[row] = value } }
        } else {
            for row in units { multiplicity[row] = value }
        }
    }
}
