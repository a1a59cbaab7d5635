import Kernels

/// The K folds of a cross-validated sweep trial (`cv:` in a sweep file): which fold each
/// training row is scored in. Deterministic: the same rows, labels, groups and seed give the
/// same folds on any machine (docs/SWEEPS.md, "Cross-validation").
///
/// - **grouped** when the suite names an entity column: every row of an entity falls in one
///   fold (an entity never trains the model that scores it); entities are taken in a seeded
///   random order, each into the fold with the fewest rows so far — for binary and multiclass
///   labels (**grouped_stratified**) the fewest rows of the entity's class (its first row's),
///   so folds keep the classes in proportion as far as whole entities allow.
/// - **stratified** for binary and multiclass labels without groups: each class's rows, in a
///   seeded random order, are dealt round the folds, continuing where the previous class
///   stopped, so every fold holds each class in proportion and fold sizes differ by at most one.
/// - **random** otherwise (regression): a seeded permutation dealt round the folds.
public struct CrossValidationFolds: Sendable, Equatable {
    public enum Scheme: String, Sendable, CaseIterable {
        case grouped
        case groupedStratified = "grouped_stratified"
        case stratified, random
    }

    /// Folds a sweep may ask for.
    public static let allowed = 2...20

    public let count: Int
    public let scheme: Scheme
    /// The fold (0 ..< count) of every row.
    public let foldOfRow: [Int]

    /// Why rows cannot be split into the folds asked for.
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        public let description: String
    }

    /// Assigns `rowCount` rows to `folds` folds: grouped by `groups` (one value per row) when
    /// given, stratified by `classes` (one label per row) when given, else random.
    public init(rowCount: Int, folds: Int, seed: UInt64, classes: [Double]?, groups: [String]?) throws(Failure) {
        guard Self.allowed.contains(folds) else { throw Failure(description: "cross-validation takes 2 to 20 folds, not \(folds)") }
        guard rowCount >= folds else { throw Failure(description: "\(rowCount) training rows cannot fill \(folds) folds") }
        var generator = SplitMix64(seed: seed, stream: 0x5eed_0002)
        var fold = [Int](repeating: 0, count: rowCount)
        if let groups {
            var firstSeen: [String: Int] = [:], members: [[Int]] = []
            for (row, group) in groups.enumerated() {
                if let index = firstSeen[group] { members[index].append(row) } else {
                    firstSeen[group] = members.count
                    members.append([row])
                }
            }
            guard members.count >= folds else {
                throw Failure(description: "the entity column has \(members.count) distinct values, fewer than the \(folds) folds")
            }
            // Greedy: each entity, in a seeded order, goes to the fold with the fewest rows of its
            // class (the class of its first row), then the fewest rows, then the lowest index.
            var sizes = [Int](repeating: 0, count: folds)
            var sizesByClass: [Double: [Int]] = [:]
            for index in generator.permutation(members.count) {
                let rows = members[index]
                let label = classes?[rows[0]] ?? 0
                let ofClass = sizesByClass[label] ?? [Int](repeating: 0, count: folds)
                let target = (0..<folds).min { (ofClass[$0], sizes[$0], $0) < (ofClass[$1], sizes[$1], $1) }!
                for row in rows { fold[row] = target }
                sizes[target] += rows.count
                sizesByClass[label, default: ofClass][target] += rows.count
            }
            scheme = classes == nil ? .grouped : .groupedStratified
        } else if let classes {
            var byClass: [Double: [Int]] = [:]
            for (row, label) in classes.enumerated() { byClass[label, default: []].append(row) }
            var dealt = 0
            for label in byClass.keys.sorted() {
                let rows = byClass[label]!
                for (position, index) in generator.permutation(rows.count).enumerated() {
                    fold[rows[index]] = (dealt + position) % folds
                }
                dealt += rows.count
            }
            scheme = .stratified
        } else {
            for (position, row) in generator.permutation(rowCount).enumerated() { fold[row] = position % folds }
            scheme = .random
        }
        count = folds
        foldOfRow = fold
    }

    /// The rows of fold `index`, ascending.
    public func rows(in index: Int) -> [Int] { foldOfRow.indices.filter { foldOfRow[$0] == index } }

    /// The rows outside fold `index` (those its model trains on), ascending.
    public func rows(outside index: Int) -> [Int] { foldOfRow.indices.filter { foldOfRow[$0] != index } }

    /// The mean of the fold scores and its standard error, the sample standard deviation
    /// (n − 1) over √n, as `scipy.stats.sem` computes it.
    public static func summary(_ scores: [Double]) -> (mean: Double, standardError: Double) {
        let n = Double(scores.count)
        let mean = scores.reduce(0, +) / n
        guard scores.count > 1 else { return (mean, .nan) }
        let variance = scores.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)
        return (mean, (variance / n).squareRoot())
    }
}
