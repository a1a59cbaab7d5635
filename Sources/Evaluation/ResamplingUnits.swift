import Kernels

/// The units a bootstrap draws: rows within each class, or whole clusters of rows.
struct ResamplingUnits: Sendable {
    /// The rows of every unit: the strata (negatives, then positives) or the clusters (in order
    /// of first appearance).
    let units: RowGroups
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
            units = RowGroups(groupOfRow: clusterOfRow, groupCount: index.count)
            clustered = true
        } else {
            units = RowGroups(groupOfRow: data.labels.map { $0 ? 1 : 0 }, groupCount: 2)
            guard units.rows(of: 0).count > 0 && units.rows(of: 1).count > 0 else {
                throw .empty(what: "rows of both classes for a stratified bootstrap")
            }
            clustered = false
        }
    }

    /// The class strata (negatives, positives) of a stratified design; nil for clusters.
    var strata: [[Int]]? { clustered ? nil : [units.rows(of: 0).map(Int.init), units.rows(of: 1).map(Int.init)] }

    var design: ResamplingDesign {
        clustered ? .clusters(count: units.groupCount) : .stratifiedRows(positives: units.rows(of: 1).count, negatives: units.rows(of: 0).count)
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
                            for _ in 0..<size { counts[Int(rows[start + rng.index(below: size)])] += 1 }
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
