/// Why a YAML file GitML reads (contract, suite, experiment, `ml/gate.yaml`, `ml/config.yaml`)
/// was refused. `line` and `column` are 1-based; `key` is the dotted path of the offending key,
/// e.g. `schema[0].properties[2].logicalType`. The description starts with `file:line:` (and
/// the column for unknown keys), as compilers print locations.
public enum ContractError: Error, Equatable, Sendable {
    case unreadableFile(path: String, reason: String)
    /// The text is not valid YAML.
    case invalidYAML(file: String, line: Int, message: String)
    /// A required key is absent.
    case missingKey(file: String, line: Int, key: String)
    /// A key has a value of the wrong shape or outside its allowed values.
    case invalidValue(file: String, line: Int, key: String, message: String)
    /// A key the format does not define (likely a typo); `suggestion` is the nearest valid key
    /// by edit distance, when one is close.
    case unknownKey(file: String, line: Int, column: Int, key: String, suggestion: String?)
}

extension ContractError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .unreadableFile(let path, let reason): return "cannot read \(path): \(reason)"
        case .invalidYAML(let file, let line, let message): return "\(file):\(line): invalid YAML: \(message)"
        case .missingKey(let file, let line, let key): return "\(file):\(line): missing required key \(key)"
        case .invalidValue(let file, let line, let key, let message): return "\(file):\(line): \(key): \(message)"
        case .unknownKey(let file, let line, let column, let key, let suggestion):
            let name = key.split(separator: ".").last.map(String.init) ?? key
            let hint = suggestion.map { " — did you mean '\($0)'?" } ?? " (not a key of this block: a typo?)"
            return "\(file):\(line):\(column): \(key): unknown key '\(name)'\(hint)"
        }
    }
}
