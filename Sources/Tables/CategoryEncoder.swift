/// Assigns dense codes to strings in order of first appearance.
public struct CategoryEncoder: Sendable, TextCoder {
    public private(set) var dictionary: [String] = []
    private var codes: [String: Int32] = [:]

    /// An empty encoder.
    public init() {}

    /// The code of `value`, adding it to the dictionary when new.
    public mutating func code(for value: String) -> Int32 {
        if let code = codes[value] { return code }
        let code = Int32(dictionary.count)
        codes[value] = code
        dictionary.append(value)
        return code
    }
}

/// Codes text values for a column's slots (`SlotPointer.store`): by `String` equality
/// (`CategoryEncoder`) or by bytes (`StringTable`, whose parts `StringTable.merged` joins by
/// `String` equality).
protocol TextCoder {
    mutating func code(for text: String) -> Int32
}
