import Contracts
import Foundation
import Records

/// The hyperparameters a sweep varies: each is a dotted key path into the experiment file
/// (`model.learning_rate`) with a typed range. A trial's values come from a point of the unit
/// cube (one coordinate per parameter, in declaration order), so every search strategy —
/// grid, random, Sobol — only has to produce points.
public struct SearchSpace: Sendable, Equatable {
    /// One varied key and its range.
    public struct Parameter: Sendable, Equatable {
        public let path: String
        public let domain: Domain
        /// For grid search over a continuous or wide integer range: how many points (`grid: N`).
        public let gridSize: Int?
    }

    /// A typed range.
    public enum Domain: Sendable, Equatable {
        /// Uniform on [low, high].
        case uniform(low: Double, high: Double)
        /// Log-uniform on [low, high], 0 < low < high (learning rates, regularization).
        case logUniform(low: Double, high: Double)
        /// Integers in low...high, uniform, or log-uniform when `log` (leaves, depth).
        case integer(low: Int, high: Int, log: Bool)
        /// One of the listed values (strings, numbers or booleans).
        case choice([JSONValue])
    }

    public let parameters: [Parameter]

    public init(parameters: [Parameter]) { self.parameters = parameters }

    /// The values of a unit-cube point (`unit.count == parameters.count`, coordinates in [0, 1)).
    public func values(at unit: [Double]) -> [String: JSONValue] {
        precondition(unit.count == parameters.count, "one coordinate per parameter")
        var values: [String: JSONValue] = [:]
        for (parameter, u) in zip(parameters, unit) {
            values[parameter.path] = parameter.domain.value(at: min(max(u, 0), 1))
        }
        return values
    }

    /// Every combination of the parameters' grid values, the first parameter varying slowest.
    public func grid() -> [[String: JSONValue]] {
        var combinations: [[String: JSONValue]] = [[:]]
        for parameter in parameters {
            let values = parameter.gridValues
            combinations = combinations.flatMap { partial in
                values.map { value in partial.merging([parameter.path: value]) { $1 } }
            }
        }
        return combinations
    }

    /// The number of grid combinations (saturating), checked before a grid is built.
    public var gridCount: Int {
        parameters.reduce(1) { count, parameter in count.multipliedReportingOverflow(by: parameter.gridValues.count).partialValue }
    }
}

extension SearchSpace.Domain {
    /// The value at `u` ∈ [0, 1]: the inverse distribution function of the range.
    func value(at u: Double) -> JSONValue {
        switch self {
        case .uniform(let low, let high):
            return .number(low + u * (high - low))
        case .logUniform(let low, let high):
            return .number(min(high, exp(log(low) + u * (log(high) - log(low)))))
        case .integer(let low, let high, let logScale):
            let x = logScale ? exp(log(Double(low)) + u * (log(Double(high) + 1) - log(Double(low))))
                             : Double(low) + u * Double(high - low + 1)
            return .number(Double(min(high, max(low, Int(x.rounded(.down))))))
        case .choice(let values):
            return values[min(values.count - 1, Int((u * Double(values.count)).rounded(.down)))]
        }
    }
}

extension SearchSpace.Parameter {
    /// The values a grid search takes: every choice; every integer of a range of at most
    /// `gridSize` (default 32) values, else `gridSize` evenly spaced ones; `gridSize` evenly
    /// spaced points (log-spaced for log ranges) of a continuous range.
    var gridValues: [JSONValue] {
        /// n points at t = 0, 1/(n−1), …, 1; the ends are the range's bounds exactly.
        func spaced(_ n: Int, _ position: (Double) -> Double) -> [Double] {
            n == 1 ? [position(0)] : (0..<n).map { $0 == n - 1 ? position(1) : position(Double($0) / Double(n - 1)) }
        }
        switch domain {
        case .choice(let values):
            return values
        case .uniform(let low, let high):
            return spaced(gridSize ?? 1) { low + $0 * (high - low) }.map(JSONValue.number)
        case .logUniform(let low, let high):
            return spaced(gridSize ?? 1) { t in t == 0 ? low : t == 1 ? high : exp(log(low) + t * (log(high) - log(low))) }.map(JSONValue.number)
        case .integer(let low, let high, let logScale):
            let count = high - low + 1
            let n = gridSize ?? 32
            if count <= n { return (low...high).map { .number(Double($0)) } }
            let points = spaced(n) { t in
                logScale ? exp(log(Double(low)) + t * (log(Double(high)) - log(Double(low)))) : Double(low) + t * Double(high - low)
            }
            var seen = Set<Int>()
            return points.map { Int($0.rounded()) }.filter { seen.insert($0).inserted }.map { .number(Double($0)) }
        }
    }
}

extension SearchSpace {
    /// Reads a `space:` mapping: `path: { uniform: [lo, hi] }`, `{ log_uniform: [lo, hi] }`,
    /// `{ int: [lo, hi] }`, `{ log_int: [lo, hi] }` or `{ choice: [a, b, …] }`, each optionally
    /// with `grid: N` (2…1000) for grid search.
    public static func parse(_ node: YAMLCursor) throws(ContractError) -> SearchSpace {
        var parameters: [Parameter] = []
        for (path, spec) in try node.entries() {
            guard path.range(of: #"^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)+$"#, options: .regularExpression) != nil else {
                throw spec.fail("a parameter is a dotted key of the experiment file, such as model.learning_rate")
            }
            guard path.hasPrefix("model.") || path.hasPrefix("features.") else {
                throw spec.fail("a sweep varies keys under model or features (the data, suite and seeds are fixed for the whole sweep)")
            }
            try spec.requireKeys(in: ["uniform", "log_uniform", "int", "log_int", "choice", "grid"])
            var kinds: [String] = []
            for key in ["uniform", "log_uniform", "int", "log_int", "choice"] where try spec.optional(key) != nil { kinds.append(key) }
            guard kinds.count == 1, let kind = kinds.first, let range = try spec.optional(kind) else {
                throw spec.fail("give exactly one of uniform, log_uniform, int, log_int or choice")
            }
            let domain: Domain
            switch kind {
            case "choice":
                let items = try range.items()
                guard !items.isEmpty, items.count <= 1000 else { throw range.fail("choice takes 1 to 1000 values") }
                var values: [JSONValue] = []
                for item in items { values.append(try scalar(item)) }
                domain = .choice(values)
            case "int", "log_int":
                let bounds = try range.items()
                guard bounds.count == 2 else { throw range.fail("\(kind) takes [low, high]") }
                let low = try bounds[0].int(), high = try bounds[1].int()
                guard low < high else { throw range.fail("low must be below high") }
                guard kind == "int" || low > 0 else { throw range.fail("log_int needs low ≥ 1") }
                domain = .integer(low: low, high: high, log: kind == "log_int")
            default:
                let (low, high) = try range.pair()
                guard low.isFinite, high.isFinite, low < high else { throw range.fail("low must be below high, both finite") }
                guard kind == "uniform" || low > 0 else { throw range.fail("log_uniform needs low > 0") }
                domain = kind == "uniform" ? .uniform(low: low, high: high) : .logUniform(low: low, high: high)
            }
            let grid = try spec.optional("grid")
            let gridSize = try grid?.int()
            if let grid, let gridSize, !(2...1000).contains(gridSize) { throw grid.fail("grid must be 2 to 1000 points") }
            parameters.append(Parameter(path: path, domain: domain, gridSize: gridSize))
        }
        guard !parameters.isEmpty else { throw node.fail("the space names no parameter") }
        return SearchSpace(parameters: parameters)
    }

    /// A YAML scalar as JSON: booleans, numbers, else strings.
    static func scalar(_ item: YAMLCursor) throws(ContractError) -> JSONValue {
        guard case .scalar(let scalar) = item.node else { throw item.fail("a choice is a single value") }
        if scalar.style == .plain {
            if let bool = Bool(scalar.string) { return .bool(bool) }
            if let number = Double(scalar.string), number.isFinite { return .number(number) }
        }
        return .string(scalar.string)
    }
}
