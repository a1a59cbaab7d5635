/// One validity bit per row: bit set = value present, bit clear = null.
public struct NullBitmap: Sendable, Equatable, Hashable {
    private var words: [UInt64]
    /// Number of rows the bitmap covers.
    public private(set) var count: Int

    /// A bitmap of `count` rows, all valid (or all null when `allValid` is false).
    public init(count: Int, allValid: Bool = true) {
        self.count = count
        words = Array(repeating: allValid ? ~0 : 0, count: (count + 63) / 64)
        clearTail()
    }

    /// A bitmap whose row `i` is valid exactly when `validity[i]` is true.
    public init<S: Sequence>(validity: S) where S.Element == Bool {
        words = []
        count = 0
        for isValid in validity { append(isValid) }
    }

    /// The rows of `parts`, one after another.
    init(concatenating parts: [NullBitmap]) {
        let total = parts.reduce(0) { $0 + $1.count }
        words = [UInt64](repeating: 0, count: (total + 63) / 64)
        count = 0
        for part in parts {
            // Bits past a part's count are zero, so whole words can be shifted in.
            let shift = UInt64(count & 63)
            for (k, word) in part.words.enumerated() {
                let index = count >> 6 + k
                words[index] |= word << shift
                if shift != 0 && index + 1 < words.count { words[index + 1] |= word >> (64 - shift) }
            }
            count += part.count
        }
    }

    /// Whether row `index` holds a value.
    @inline(__always)
    public func isValid(_ index: Int) -> Bool {
        words[index >> 6] & (1 << UInt64(index & 63)) != 0
    }

    /// Whether row `index` is null.
    @inline(__always)
    public func isNull(_ index: Int) -> Bool { !isValid(index) }

    /// Number of null rows.
    public var nullCount: Int {
        count - words.reduce(0) { $0 + $1.nonzeroBitCount }
    }

    /// Appends one row.
    public mutating func append(_ isValid: Bool) {
        if count & 63 == 0 { words.append(0) }
        if isValid { words[count >> 6] |= 1 << UInt64(count & 63) }
        count += 1
    }

    /// Sets row `index` valid or null.
    public mutating func set(_ index: Int, valid: Bool) {
        let bit: UInt64 = 1 << UInt64(index & 63)
        if valid { words[index >> 6] |= bit } else { words[index >> 6] &= ~bit }
    }

    private mutating func clearTail() {
        let used = count & 63
        if used != 0, !words.isEmpty { words[words.count - 1] &= (1 << UInt64(used)) - 1 }
    }
}
