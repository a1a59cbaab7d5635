import Yams

/// A YAML node with its key path and file, for typed reading with located errors.
struct YAMLCursor {
    let node: Node
    let path: String
    let file: String

    var line: Int { node.mark?.line ?? 0 }

    private func invalid(_ message: String) -> ContractError {
        .invalidValue(file: file, line: line, key: path, message: message)
    }

    private func childPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// The mapping's entries in order.
    func entries() throws(ContractError) -> [(key: String, value: YAMLCursor)] {
        guard case .mapping(let mapping) = node else { throw invalid("expected a mapping") }
        return mapping.map { key, value in
            let name = key.string ?? ""
            return (name, YAMLCursor(node: value, path: childPath(name), file: file))
        }
    }

    /// Throws for keys of the mapping not in `allowed`.
    func requireKeys(in allowed: Set<String>) throws(ContractError) {
        for entry in try entries() where !allowed.contains(entry.key) {
            throw .unknownKey(file: file, line: entry.value.line, key: entry.value.path)
        }
    }

    /// The value at `key`, or `nil` when absent or null.
    func optional(_ key: String) throws(ContractError) -> YAMLCursor? {
        guard let entry = try entries().first(where: { $0.key == key }) else { return nil }
        if case .scalar(let scalar) = entry.value.node, scalar.style == .plain && ["", "~", "null", "Null", "NULL"].contains(scalar.string) {
            return nil
        }
        return entry.value
    }

    /// The value at `key`; throws when absent.
    func required(_ key: String) throws(ContractError) -> YAMLCursor {
        guard let value = try optional(key) else { throw .missingKey(file: file, line: line, key: childPath(key)) }
        return value
    }

    func items() throws(ContractError) -> [YAMLCursor] {
        guard case .sequence(let sequence) = node else { throw invalid("expected a list") }
        return sequence.enumerated().map { YAMLCursor(node: $1, path: "\(path)[\($0)]", file: file) }
    }

    func string() throws(ContractError) -> String {
        guard case .scalar(let scalar) = node else { throw invalid("expected a scalar") }
        return scalar.string
    }

    func double() throws(ContractError) -> Double {
        guard case .scalar(let scalar) = node, let value = Double(scalar.string) else { throw invalid("expected a number") }
        return value
    }

    func int() throws(ContractError) -> Int {
        guard case .scalar(let scalar) = node, let value = Int(scalar.string) else { throw invalid("expected an integer") }
        return value
    }

    func bool() throws(ContractError) -> Bool {
        guard case .scalar(let scalar) = node else { throw invalid("expected true or false") }
        switch scalar.string.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw invalid("expected true or false")
        }
    }

    func strings() throws(ContractError) -> [String] {
        var result: [String] = []
        for item in try items() { result.append(try item.string()) }
        return result
    }

    /// A value from a fixed set of words.
    func word<T: RawRepresentable>(_ type: T.Type) throws(ContractError) -> T where T.RawValue == String, T: CaseIterable {
        let text = try string()
        guard let value = T(rawValue: text) else {
            throw invalid("'\(text)' is not one of \(T.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return value
    }

    /// A two-number list `[low, high]` with low ≤ high.
    func pair() throws(ContractError) -> (Double, Double) {
        let values = try items()
        guard values.count == 2 else { throw invalid("expected a list of two numbers") }
        let low = try values[0].double(), high = try values[1].double()
        guard low <= high else { throw invalid("the first bound exceeds the second") }
        return (low, high)
    }

    func fail(_ message: String) -> ContractError { invalid(message) }
}
