import Kernels

/// The units a bootstrap draws: rows within each class, or whole clusters of rows.
struct ResamplingUnits: Sendable {
    /// Rows of each stratum (stratified design: negatives then positives) or each cluster.
    let groups: [[Int]]
    let clustered: Bool
    let rowCount: Int

    init(_ data: BinaryPredictions, clusters: [String]?) throws(EvaluationError) {
        rowCount = data.count
        if let clusters {
            guard clusters.count == data.count else {
                throw .lengthMismatch(what: "cluster keys", expected: data.count, actual: clusters.count)
            }
            var index = [String: Int]()
            var groups = [[Int]]()
            for (row, key) in clusters.enumerated() {
                if let cluster = index[key] { groups[cluster].append(row) } else {
                    index[key] = groups.count
                    groups.append([row])
                }
            }
            self.groups = groups
            clustered = true
        } else {
            let positives = data.labels.indices.filter { data.labels[$0] }
            let negatives = data.labels.indices.filter { !data.labels[$0] }
            guard !positives.isEmpty && !negatives.isEmpty else { throw .empty(what: "rows of both classes for a stratified bootstrap") }
            groups = [negatives, positives]
            clustered = false
        }
    }

    /// The class strata (negatives, positives) of a stratified design; nil for clusters.
    var strata: [[Int]]? { clustered ? nil : groups }

    var design: ResamplingDesign {
        clustered ? .clusters(count: groups.count) : .stratifiedRows(positives: groups[1].count, negatives: groups[0].count)
    }

    /// Overwrites `multiplicity` (one per row) with how often each row was drawn.
    func draw(into multiplicity: inout [Double], _ rng: inout SplitMix64) {
        multiplicity.withUnsafeMutableBufferPointer { counts in
            counts.update(repeating: 0)
            if clustered {
                for _ in groups.indices {
                    for row in groups[rng.index(below: groups.count)] { counts[row] += 1 }
                }
            } else {
                for stratum in groups {
                    stratum.withUnsafeBufferPointer { rows in
                        for _ in 0..<rows.count { counts[rows[rng.index(below: rows.count)]] += 1 }
                    }
                }
            }
        }
    }

    /// The statistic with each of at most `groups` contiguous groups of units left out in turn
    /// (delete-one jackknife when there are no more units than groups).
    func jackknife(groups limit: Int, _ statistic: @Sendable ([Double]) -> Double) -> [Double] {
        // Units are the clusters, or every row (the strata cover all rows) in row order.
        let unitCount = clustered ? groups.count : rowCount
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
            for unit in units { for row in groups[unit] { multiplicity[row] = value } }
        } else {
            for row in units { multiplicity[row] = value }
        }
    }
}
