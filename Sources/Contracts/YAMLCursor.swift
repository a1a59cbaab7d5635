import Tables
import Yams

/// A YAML node with its key path and file, for typed reading with located errors. Shared by
/// every reader of the user's YAML files (contracts, suites, experiments, gate policy,
/// `ml/config.yaml`) so that all of them report `file:line: key: message` the same way, and
/// refuse unknown keys the same way (`requireKeys`: `file:line:column`, the key path and the
/// nearest valid key).
public struct YAMLCursor {
    public let node: Node
    public let path: String
    public let file: String

    /// A cursor at `node`, whose dotted key path is `path` ("" for the document root).
    public init(node: Node, path: String, file: String) {
        self.node = node
        self.path = path
        self.file = file
    }

    /// The document root of `yaml`; `requiredKey` is named when the document is empty.
    public static func document(yaml: String, file: String, requiredKey: String) throws(ContractError) -> YAMLCursor {
        guard let root = try optionalDocument(yaml: yaml, file: file) else { throw .missingKey(file: file, line: 1, key: requiredKey) }
        return root
    }

    /// The document root of `yaml`, or nil when the document is empty (only comments). A
    /// document past `YAMLLimits` is refused before Yams reads it.
    public static func optionalDocument(yaml: String, file: String) throws(ContractError) -> YAMLCursor? {
        try YAMLLimits.check(yaml, file: file)
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            throw .invalidYAML(file: file, line: line(of: error), message: "\(error)")
        } catch {
            throw .invalidYAML(file: file, line: 0, message: "\(error)")
        }
        return root.map { YAMLCursor(node: $0, path: "", file: file) }
    }

    private static func line(of error: YamlError) -> Int {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): mark.line
        case .duplicatedKeysInMapping(_, let context): context.mark.line
        default: 0
        }
    }

    /// The 1-based line of the node (0 when unknown).
    public var line: Int { node.mark?.line ?? 0 }

    /// The 1-based column of the node (0 when unknown).
    public var column: Int { node.mark?.column ?? 0 }

    private func invalid(_ message: String) -> ContractError {
        .invalidValue(file: file, line: line, key: path, message: message)
    }

    private func childPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// The mapping's entries in order.
    public func entries() throws(ContractError) -> [(key: String, value: YAMLCursor)] {
        guard case .mapping(let mapping) = node else { throw invalid("expected a mapping") }
        return mapping.map { key, value in
            let name = key.string ?? ""
            return (name, YAMLCursor(node: value, path: childPath(name), file: file))
        }
    }

    /// Throws `unknownKey` for the first key of the mapping not in `allowed`, located at the
    /// key itself and naming the nearest allowed key when one is close (`NearestName`).
    public func requireKeys(in allowed: Set<String>) throws(ContractError) {
        guard case .mapping(let mapping) = node else { throw invalid("expected a mapping") }
        for (key, _) in mapping {
            let name = key.string ?? ""
            guard !allowed.contains(name) else { continue }
            throw .unknownKey(file: file, line: key.mark?.line ?? line, column: key.mark?.column ?? column,
                              key: childPath(name), suggestion: NearestName.suggestion(for: name, among: allowed))
        }
    }

    /// The value at `key`, or `nil` when absent or null.
    public func optional(_ key: String) throws(ContractError) -> YAMLCursor? {
        guard let entry = try entries().first(where: { $0.key == key }) else { return nil }
        if case .scalar(let scalar) = entry.value.node, scalar.style == .plain && ["", "~", "null", "Null", "NULL"].contains(scalar.string) {
            return nil
        }
        return entry.value
    }

    /// The value at `key`; throws when absent.
    public func required(_ key: String) throws(ContractError) -> YAMLCursor {
        guard let value = try optional(key) else { throw .missingKey(file: file, line: line, key: childPath(key)) }
        return value
    }

    public func items() throws(ContractError) -> [YAMLCursor] {
        guard case .sequence(let sequence) = node else { throw invalid("expected a list") }
        return sequence.enumerated().map { YAMLCursor(node: $1, path: "\(path)[\($0)]", file: file) }
    }

    public func string() throws(ContractError) -> String {
        guard case .scalar(let scalar) = node else { throw invalid("expected a scalar") }
        return scalar.string
    }

    public func double() throws(ContractError) -> Double {
        guard case .scalar(let scalar) = node, let value = Double(scalar.string) else { throw invalid("expected a number") }
        return value
    }

    public func int() throws(ContractError) -> Int {
        guard case .scalar(let scalar) = node, let value = Int(scalar.string) else { throw invalid("expected an integer") }
        return value
    }

    public func bool() throws(ContractError) -> Bool {
        guard case .scalar(let scalar) = node else { throw invalid("expected true or false") }
        switch scalar.string.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw invalid("expected true or false")
        }
    }

    public func strings() throws(ContractError) -> [String] {
        var result: [String] = []
        for item in try items() { result.append(try item.string()) }
        return result
    }

    /// A list of one or more distinct scalars (an enumeration: valid values, key columns).
    public func distinctStrings() throws(ContractError) -> [String] {
        let values = try strings()
        guard !values.isEmpty else { throw invalid("the list is empty: give at least one value") }
        var seen = Set<String>()
        for value in values where !seen.insert(value).inserted { throw invalid("'\(value)' is listed twice") }
        return values
    }

    /// Whether the node is a mapping.
    public var isMapping: Bool { if case .mapping = node { true } else { false } }

    /// A value from a fixed set of words.
    public func word<T: RawRepresentable>(_ type: T.Type) throws(ContractError) -> T where T.RawValue == String, T: CaseIterable {
        let text = try string()
        guard let value = T(rawValue: text) else {
            throw invalid("'\(text)' is not one of \(T.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return value
    }

    /// A two-number list `[low, high]` with low ≤ high.
    public func pair() throws(ContractError) -> (Double, Double) {
        let values = try items()
        guard values.count == 2 else { throw invalid("expected a list of two numbers") }
        let low = try values[0].double(), high = try values[1].double()
        guard low <= high else { throw invalid("the first bound exceeds the second") }
        return (low, high)
    }

    public func fail(_ message: String) -> ContractError { invalid(message) }
}
