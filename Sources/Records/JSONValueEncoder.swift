/// Encodes any `Encodable` value as a `JSONValue`, so Codable reports (suite reports, verdicts)
/// become canonical records with `CanonicalJSON` — non-finite numbers included, which
/// Foundation's `JSONEncoder` cannot write.
///
/// Property names become snake_case (`falsePositiveRate` → `false_positive_rate`) when
/// `snakeCaseKeys` is set, the records' style; the keys of dictionaries are converted too, so
/// encode dictionaries keyed by user data (column names) with `snakeCaseKeys` off or as arrays.
/// Integers become numbers (exact up to 2⁵³); `nil` optionals are left out, as Codable does.
public struct JSONValueEncoder {
    public var snakeCaseKeys: Bool

    public init(snakeCaseKeys: Bool = true) {
        self.snakeCaseKeys = snakeCaseKeys
    }

    /// The JSON value of `value`.
    public func encode<T: Encodable>(_ value: T) throws -> JSONValue {
        let root = EncodedNode()
        try root.store(value, snakeCaseKeys: snakeCaseKeys)
        return root.json
    }

    /// `camelCase` → `camel_case`; an acronym stays one word (`rocAUC` → `roc_auc`).
    static func snakeCase(_ key: String) -> String {
        let characters = Array(key)
        var result = ""
        for (index, character) in characters.enumerated() {
            if character.isUppercase && index > 0 {
                let previousIsLower = characters[index - 1].isLowercase || characters[index - 1].isNumber
                let nextIsLower = index + 1 < characters.count && characters[index + 1].isLowercase
                if previousIsLower || (characters[index - 1].isUppercase && nextIsLower) { result.append("_") }
            }
            result.append(contentsOf: character.lowercased())
        }
        return result
    }
}

/// A value under construction: a leaf, an object or an array of further nodes.
private final class EncodedNode {
    enum Content {
        case leaf(JSONValue)
        case object([String: EncodedNode])
        case array([EncodedNode])
    }
    var content = Content.leaf(.null)

    var json: JSONValue {
        switch content {
        case .leaf(let value): return value
        case .object(let members): return .object(members.mapValues(\.json))
        case .array(let items): return .array(items.map(\.json))
        }
    }

    func store(_ value: some Encodable, snakeCaseKeys: Bool) throws {
        switch value {
        case let number as Double: content = .leaf(.number(number))
        case let number as Float: content = .leaf(.number(Double(number)))
        case let number as Int: content = .leaf(.number(Double(number)))
        case let number as Int64: content = .leaf(.number(Double(number)))
        case let number as Int32: content = .leaf(.number(Double(number)))
        case let number as UInt64: content = .leaf(.number(Double(number)))
        case let number as UInt32: content = .leaf(.number(Double(number)))
        case let number as UInt: content = .leaf(.number(Double(number)))
        case let text as String: content = .leaf(.string(text))
        case let flag as Bool: content = .leaf(.bool(flag))
        case let json as JSONValue: content = .leaf(json)
        default: try value.encode(to: NodeEncoder(node: self, snakeCaseKeys: snakeCaseKeys, codingPath: []))
        }
    }

    func child(forKey key: String) -> EncodedNode {
        if case .object = content {} else { content = .object([:]) }
        guard case .object(var members) = content else { return self }
        let node = EncodedNode()
        members[key] = node
        content = .object(members)
        return node
    }

    func appendChild() -> EncodedNode {
        if case .array = content {} else { content = .array([]) }
        guard case .array(var items) = content else { return self }
        let node = EncodedNode()
        items.append(node)
        content = .array(items)
        return node
    }
}

private struct NodeEncoder: Encoder {
    let node: EncodedNode
    let snakeCaseKeys: Bool
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if case .object = node.content {} else { node.content = .object([:]) }
        return KeyedEncodingContainer(KeyedContainer<Key>(encoder: self))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if case .array = node.content {} else { node.content = .array([]) }
        return UnkeyedContainer(encoder: self)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { SingleContainer(encoder: self) }

    func nested(_ node: EncodedNode, _ key: (any CodingKey)?) -> NodeEncoder {
        NodeEncoder(node: node, snakeCaseKeys: snakeCaseKeys, codingPath: codingPath + (key.map { [$0] } ?? []))
    }

    func name(_ key: some CodingKey) -> String { snakeCaseKeys ? JSONValueEncoder.snakeCase(key.stringValue) : key.stringValue }
}

private struct KeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let encoder: NodeEncoder
    var codingPath: [any CodingKey] { encoder.codingPath }

    mutating func encodeNil(forKey key: Key) throws { encoder.node.child(forKey: encoder.name(key)).content = .leaf(.null) }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        let child = encoder.node.child(forKey: encoder.name(key))
        try child.store(value, snakeCaseKeys: encoder.snakeCaseKeys)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        encoder.nested(encoder.node.child(forKey: encoder.name(key)), key).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        encoder.nested(encoder.node.child(forKey: encoder.name(key)), key).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder { encoder.nested(encoder.node.child(forKey: "super"), nil) }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        encoder.nested(encoder.node.child(forKey: encoder.name(key)), key)
    }
}

private struct UnkeyedContainer: UnkeyedEncodingContainer {
    let encoder: NodeEncoder
    var codingPath: [any CodingKey] { encoder.codingPath }
    var count: Int {
        if case .array(let items) = encoder.node.content { return items.count }
        return 0
    }

    mutating func encodeNil() throws { encoder.node.appendChild().content = .leaf(.null) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        try encoder.node.appendChild().store(value, snakeCaseKeys: encoder.snakeCaseKeys)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        encoder.nested(encoder.node.appendChild(), nil).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        encoder.nested(encoder.node.appendChild(), nil).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder { encoder.nested(encoder.node.appendChild(), nil) }
}

private struct SingleContainer: SingleValueEncodingContainer {
    let encoder: NodeEncoder
    var codingPath: [any CodingKey] { encoder.codingPath }

    mutating func encodeNil() throws { encoder.node.content = .leaf(.null) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        try encoder.node.store(value, snakeCaseKeys: encoder.snakeCaseKeys)
    }
}
