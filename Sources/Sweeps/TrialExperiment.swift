import Contracts
import Foundation
import Records
import Yams

/// The experiment file a sweep job trains: the sweep's experiment text with the trial's values,
/// the job's resource and its budget share set at their dotted keys. The text is what the
/// trial's run records (`config.experiment_file`), so `git ml reproduce` trains the same job.
public enum TrialExperiment {
    /// `yaml` with each dotted key (`model.learning_rate`) set to its value: integers written
    /// as integers, other numbers in their shortest exact form, strings and booleans as YAML
    /// scalars; intermediate mappings are created when missing.
    public static func applying(_ values: [String: JSONValue], to yaml: String) throws(ContractError) -> String {
        try editing(yaml, failure: "cannot apply the trial's values") { root in
            for (path, value) in values.sorted(by: { $0.key < $1.key }) {
                root = try set(Array(path.split(separator: ".").map(String.init)), to: scalar(value), in: root)
            }
        }
    }

    /// `yaml` with its top-level `key` replaced by the mapping `fields` (scalars as `applying` writes them).
    public static func replacing(_ key: String, with fields: [String: JSONValue], in yaml: String) throws(ContractError) -> String {
        try editing(yaml, failure: "cannot set \(key)") { root in
            root[key] = Node(try fields.sorted { $0.key < $1.key }.map { (Node($0.key), try scalar($0.value)) })
        }
    }

    /// The experiment text after `edit` changed its root mapping; errors say `failure`.
    private static func editing(_ yaml: String, failure: String, _ edit: (inout Node) throws -> Void) throws(ContractError) -> String {
        try YAMLLimits.check(yaml, file: "experiment")
        do {
            guard var root = try Yams.compose(yaml: yaml), root.mapping != nil else {
                throw ContractError.invalidValue(file: "experiment", line: 1, key: "", message: "the experiment file is not a mapping")
            }
            try edit(&root)
            return try Yams.serialize(node: root, sortKeys: false)
        } catch let error as ContractError {
            throw error
        } catch {
            throw ContractError.invalidValue(file: "experiment", line: 1, key: "", message: "\(failure): \(error)")
        }
    }

    private static func set(_ path: [String], to value: Node, in node: Node) throws -> Node {
        guard let key = path.first else { return value }
        guard node.mapping != nil else {
            throw ContractError.invalidValue(file: "experiment", line: 1, key: key, message: "\(key) is not a mapping in the experiment file")
        }
        var node = node
        let child = node[key] ?? Node([(Node, Node)]())
        node[key] = try set(Array(path.dropFirst()), to: value, in: child)
        return node
    }

    private static func scalar(_ value: JSONValue) throws -> Node {
        switch value {
        case .number(let n):
            if n == n.rounded(), abs(n) < 9.007_199_254_740_992e15 { return Node(String(Int64(n))) }
            return Node("\(n)")
        case .bool(let b): return Node(b ? "true" : "false")
        case .string(let s): return Node(s, Tag(.str), .doubleQuoted)
        default:
            throw ContractError.invalidValue(file: "experiment", line: 1, key: "", message: "a sweep value is a number, string or boolean")
        }
    }
}

extension SweepSpec {
    /// The values of trial `index` plus the halving resource (`resource`, when halving).
    public func jobValues(trial index: Int, resource: Int?) -> [String: JSONValue] {
        var values = self.values(trial: index)
        if let halving, let resource { values[halving.resource] = .number(Double(resource)) }
        return values
    }

    /// A job's content key: the digest of what determines its result — the sweep file, the
    /// experiment file, the code tree, the trial's values and its resource. A resumed sweep
    /// finds a finished job's run by this key (budget shares are not part of it).
    /// A cross-validated job's key also holds its folds (`crossValidation`; absent otherwise, so
    /// the keys of sweeps without it are unchanged).
    public static func jobKey(sweepFile: String, experimentFile: String, codeTree: String, values: [String: JSONValue],
                              crossValidation: Int? = nil) -> String {
        var fields: [String: JSONValue] = ["sweep_file": .string(CanonicalJSON.digest(.string(sweepFile))),
                                           "experiment_file": .string(CanonicalJSON.digest(.string(experimentFile))),
                                           "code_tree": .string(codeTree), "values": .object(values)]
        if let crossValidation { fields["cross_validation_folds"] = .number(Double(crossValidation)) }
        return CanonicalJSON.digest(.object(fields))
    }

    /// The experiment text a trial job trains: `values` (the job's values and budget limits)
    /// applied to the sweep's experiment, and, when the sweep cross-validates, its validation
    /// replaced by `{ split: kfold, folds: K }` — so the trial's run records how it was scored
    /// and `git ml reproduce` scores it the same way.
    public func trialExperiment(_ values: [String: JSONValue], experimentText: String) throws(ContractError) -> String {
        let text = try TrialExperiment.applying(values, to: experimentText)
        guard let crossValidation else { return text }
        return try TrialExperiment.replacing("validation", with: ["split": "kfold", "folds": .number(Double(crossValidation))], in: text)
    }
}
