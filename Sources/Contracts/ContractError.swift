/// Why a contract could not be loaded. `line` is 1-based; `key` is the dotted path of the
/// offending key, e.g. `schema[0].properties[2].logicalType`.
public enum ContractError: Error, Equatable, Sendable {
    case unreadableFile(path: String, reason: String)
    /// The text is not valid YAML.
    case invalidYAML(file: String, line: Int, message: String)
    /// A required key is absent.
    case missingKey(file: String, line: Int, key: String)
    /// A key has a value of the wrong shape or outside its allowed values.
    case invalidValue(file: String, line: Int, key: String, message: String)
    /// A key that the GitML extension blocks do not define (likely a typo).
    case unknownKey(file: String, line: Int, key: String)
}
