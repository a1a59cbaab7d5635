import Contracts
import Kernels
import Records

/// `ml/sweeps/<name>.yaml`: which experiment to vary, over which space, how to search, with
/// which early-stopping rule, and — first of all — within which budget.
///
///     experiment: churn-gbdt
///     budget: { max_usd: 0.50, max_trials: 12, max_wall_seconds: 1800 }
///     search: random            # grid | random | sobol
///     trials: 12                # random and sobol; a grid runs every combination
///     seed: 7
///     space:
///       model.learning_rate: { log_uniform: [0.01, 0.3] }
///       model.num_leaves: { int: [8, 64] }
///     halving: { resource: model.rounds, min: 25, max: 300, eta: 3 }
///     parallel: 2
///     cv: 5                     # optional: score trials by 5-fold cross-validation
public struct SweepSpec: Sendable, Equatable {
    public enum Search: String, Sendable, CaseIterable {
        case grid, random, sobol
    }

    /// The resource successive halving grows (a key of the experiment, such as model.rounds).
    public struct Halving: Sendable, Equatable {
        public let resource: String
        public let minResource: Int
        public let maxResource: Int
        public let eta: Int
    }

    public let name: String
    public let experiment: String
    public let budget: SweepBudget.Envelope
    public let search: Search
    public let seed: UInt64
    public let space: SearchSpace
    /// Trials to draw (random, Sobol) or the grid's size.
    public let trials: Int
    public let halving: Halving?
    /// Jobs run at once (1 … 64); the local executor lowers it to the cores it has.
    public let parallel: Int
    /// Cross-validation folds trials are scored on (`cv: K`, or `git ml sweep run --cv K`); nil:
    /// the experiment's validation rows.
    public var crossValidation: Int?

    /// The values of trial `index` (0 ..< trials), the same whatever order trials run in.
    public func values(trial index: Int) -> [String: JSONValue] {
        switch search {
        case .grid:
            return space.grid()[index]
        case .random:
            var generator = SplitMix64(seed: seed, stream: UInt64(index))
            return space.values(at: space.parameters.map { _ in generator.unit() })
        case .sobol:
            return space.values(at: SobolSequence(dimensions: space.parameters.count).point(index))
        }
    }

    /// Most grid combinations a sweep may declare.
    public static let maximumTrials = 10_000

    /// Parses a sweep file; errors name `file:line` and the key.
    public static func parse(yaml: String, file: String, name: String) throws(ContractError) -> SweepSpec {
        let root = try YAMLCursor.document(yaml: yaml, file: file, requiredKey: "experiment")
        try root.requireKeys(in: ["experiment", "budget", "search", "trials", "seed", "space", "halving", "parallel", "cv", "description"])
        let experiment = try root.required("experiment").string()
        let budgetNode = try root.required("budget")
        let budget = try parseBudget(budgetNode)
        let search = try root.optional("search")?.word(Search.self) ?? .random
        let space = try SearchSpace.parse(root.required("space"))
        let seedNode = try root.optional("seed")
        let seed = try seedNode?.int() ?? 0
        if let seedNode, seed < 0 { throw seedNode.fail("seed must be 0 or more") }

        let trials: Int
        let trialsNode = try root.optional("trials")
        switch search {
        case .grid:
            if let trialsNode { throw trialsNode.fail("a grid runs every combination; leave trials out (limit it with budget.max_trials)") }
            trials = space.gridCount
            guard trials <= maximumTrials else { throw root.fail("the grid has \(trials) combinations; at most \(maximumTrials)") }
        case .random, .sobol:
            guard let trialsNode else { throw ContractError.missingKey(file: file, line: root.line, key: "trials") }
            trials = try trialsNode.int()
            guard (1...maximumTrials).contains(trials) else { throw trialsNode.fail("trials must be 1 to \(maximumTrials)") }
            if search == .sobol, space.parameters.count > SobolSequence.maximumDimensions {
                throw root.fail("sobol search takes at most \(SobolSequence.maximumDimensions) parameters; use random")
            }
        }

        var halving: Halving?
        if let node = try root.optional("halving") {
            try node.requireKeys(in: ["resource", "min", "max", "eta"])
            let resource = try node.required("resource").string()
            let minNode = try node.required("min"), maxNode = try node.required("max")
            let low = try minNode.int(), high = try maxNode.int()
            let etaNode = try node.optional("eta")
            let eta = try etaNode?.int() ?? 3
            guard low >= 1 else { throw minNode.fail("min must be at least 1") }
            guard high > low, high <= 1_000_000 else { throw maxNode.fail("max must be above min and at most 1000000") }
            if let etaNode, !(2...10).contains(eta) { throw etaNode.fail("eta must be 2 to 10") }
            if space.parameters.contains(where: { $0.path == resource }) {
                throw node.fail("\(resource) is the halving resource; it cannot also be in the space")
            }
            halving = Halving(resource: resource, minResource: low, maxResource: high, eta: eta)
        }
        let parallelNode = try root.optional("parallel")
        let parallel = try parallelNode?.int() ?? 1
        if let parallelNode, !(1...64).contains(parallel) { throw parallelNode.fail("parallel must be 1 to 64") }
        let cvNode = try root.optional("cv")
        let folds = try cvNode?.int()
        if let cvNode, let folds, !CrossValidationFolds.allowed.contains(folds) { throw cvNode.fail("cv is a number of folds, 2 to 20") }
        return SweepSpec(name: name, experiment: experiment, budget: budget, search: search, seed: UInt64(seed), space: space,
                         trials: trials, halving: halving, parallel: parallel, crossValidation: folds)
    }

    /// The envelope; at least one limit, each positive.
    static func parseBudget(_ node: YAMLCursor) throws(ContractError) -> SweepBudget.Envelope {
        try node.requireKeys(in: ["max_usd", "max_cpu_hours", "max_trials", "max_wall_seconds"])
        func positive(_ key: String) throws(ContractError) -> Double? {
            guard let value = try node.optional(key) else { return nil }
            let number = try value.double()
            guard number.isFinite, number > 0 else { throw value.fail("\(key) must be a positive number") }
            return number
        }
        var envelope = SweepBudget.Envelope(maxUSD: try positive("max_usd"), maxCPUHours: try positive("max_cpu_hours"),
                                            maxWallSeconds: try positive("max_wall_seconds"))
        if let trials = try node.optional("max_trials") {
            let count = try trials.int()
            guard count >= 1 else { throw trials.fail("max_trials must be at least 1") }
            envelope.maxTrials = count
        }
        guard envelope != SweepBudget.Envelope() else {
            throw node.fail("a sweep needs a budget: give max_usd, max_cpu_hours, max_trials or max_wall_seconds")
        }
        return envelope
    }
}
