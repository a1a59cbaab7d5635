import Kernels

/// The units a bootstrap draws: rows within each class, all rows (no classes), or whole
/// clusters of rows.
struct ResamplingUnits: Sendable {
    /// The rows of every unit: the strata (negatives, then positives; or one stratum of all
    /// rows) or the clusters (in order of first appearance).
    let units: RowGroups
    let clustered: Bool
    let stratified: Bool
    let rowCount: Int

    /// `strata`: each row's class (binary labels), or nil to draw among all rows.
    init(rows: Int, strata labels: [Bool]?, clusters: [String]?) throws(EvaluationError) {
        rowCount = rows
        stratified = clusters == nil && labels != nil
        if let clusters {
            guard clusters.count == rows else {
                throw .lengthMismatch(what: "cluster keys", expected: rows, actual: clusters.count)
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
            units = RowGroups(count: clusterOfRow.count, groupCount: index.count) { clusterOfRow[$0] }
            clustered = true
        } else if let labels {
            units = RowGroups(count: labels.count, groupCount: 2) { labels[$0] ? 1 : 0 }
            guard units.rows(of: 0).count > 0 && units.rows(of: 1).count > 0 else {
                throw .empty(what: "rows of both classes for a stratified bootstrap")
            }
            clustered = false
        } else {
            guard rows > 0 else { throw .empty(what: "rows to resample") }
            units = RowGroups(count: rows, groupCount: 1) { _ in 0 }
            clustered = false
        }
    }

    /// The class strata (negatives, positives) of a stratified design; nil otherwise.
    var strata: [[Int]]? { stratified ? [units.rows(of: 0).map(Int.init), units.rows(of: 1).map(Int.init)] : nil }

    var design: ResamplingDesign {
        if clustered { return .clusters(count: units.groupCount) }
        if stratified { return .stratifiedRows(positives: units.rows(of: 1).count, negatives: units.rows(of: 0).count) }
        return .rows(count: rowCount)
    }

    /// Overwrites `multiplicity` (one per row) with how often each row was drawn.
    func draw(into multiplicity: inout [Double], _ rng: inout SplitMix64) {
        multiplicity.withUnsafeMutableBufferPointer { counts in
            counts.update(repeating: 0)
            units.rows.withUnsafeBufferPointer { rows in
                units.starts.withUnsafeBufferPointer { starts in
                    let groups = starts.count - 1
                    if clustered && rows.count == groups {
                        // Every row its own cluster (a unique entity): clusters are the rows in order.
                        for _ in 0..<groups { counts[rng.index(below: groups)] += 1 }
                    } else if clustered {
                        for _ in 0..<groups {
                            let unit = rng.index(below: groups)
                            for position in starts[unit]..<starts[unit + 1] { counts[Int(rows[position])] += 1 }
                        }
                    } else {
                        for stratum in 0..<groups {
                            let start = starts[stratum], size = starts[stratum + 1] - start
                            // A block of draws at a time, each drawn row's index prefetched (`SplitMix64.draws`).
                            rng.draws(size, below: size, prefetch: { Prefetch.element(rows, start + $0) }) { member in
                                counts[Int(rows[start + member])] += 1
                            }
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
        let unitCount = clustered ? units.groupCount : rowCount
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

    private func setRows(of chosen: Range<Int>, to value: Double, in multiplicity: inout [Double]) {
        if clustered {
            for unit in chosen { for row in units.rows(of: unit) { multiplicity[Int(row)] = value } }
        } else {
            for row in chosen { multiplicity[row] = value }
        }
    }
}
