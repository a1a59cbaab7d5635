/// Which columns of a table to read: all of them, only some, or all but some. Names a file
/// lacks are ignored (a check or a run says what it misses). The columns read keep the file's
/// order. A selection that keeps none of a file's columns still reads its first column, so the
/// table keeps its row count.
public enum ColumnSelection: Sendable, Hashable, CustomStringConvertible {
    case all
    /// The columns with these names.
    case only(Set<String>)
    /// Every column except these.
    case allBut(Set<String>)

    /// Whether the column called `name` is read.
    public func keeps(_ name: String) -> Bool {
        switch self {
        case .all: true
        case .only(let names): names.contains(name)
        case .allBut(let names): !names.contains(name)
        }
    }

    /// The names of `available` this selection reads, in their order; the first alone when it
    /// keeps none (see the type's contract).
    public func applied(to available: [String]) -> [String] {
        let kept = available.filter(keeps)
        return kept.isEmpty ? Array(available.prefix(1)) : kept
    }

    /// A stable text for cache keys: `all`, `only:a,b`, `all-but:a,b` (names sorted).
    public var description: String {
        switch self {
        case .all: "all"
        case .only(let names): "only:" + names.sorted().joined(separator: ",")
        case .allBut(let names): "all-but:" + names.sorted().joined(separator: ",")
        }
    }
}
