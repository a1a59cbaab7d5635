/// A columnar in-memory table: named columns of equal length.
public struct Table: Sendable, Equatable {
    public let columns: [Column]
    public let rowCount: Int
    private let indexByName: [String: Int]

    /// Creates a table. Throws when column names repeat or column lengths differ.
    public init(columns: [Column]) throws(TableError) {
        var index: [String: Int] = [:]
        for (i, column) in columns.enumerated() {
            guard index[column.name] == nil else { throw .duplicateColumnName(column.name) }
            index[column.name] = i
        }
        let rows = columns.first?.count ?? 0
        if let bad = columns.first(where: { $0.count != rows }) {
            throw .columnLengthMismatch(column: bad.name, expected: rows, found: bad.count)
        }
        self.columns = columns
        self.rowCount = rows
        self.indexByName = index
    }

    /// Column names in order.
    public var columnNames: [String] { columns.map(\.name) }

    /// The column called `name`, if any.
    public func column(named name: String) -> Column? {
        indexByName[name].map { columns[$0] }
    }

    /// The table with the rows at `rows` (in that order).
    public func selecting(rows: [Int]) -> Table {
        // Selecting rows of valid equal-length columns keeps names unique and lengths equal.
        try! Table(columns: columns.map { $0.selecting(rows: rows) })
    }
}

/// Errors constructing a table.
public enum TableError: Error, Equatable, Sendable {
    /// Two columns share a name.
    case duplicateColumnName(String)
    /// A column's length differs from the first column's.
    case columnLengthMismatch(column: String, expected: Int, found: Int)
}

extension Column {
    /// The column with the rows at `rows` (in that order).
    public func selecting(rows: [Int]) -> Column {
        let validity = NullBitmap(validity: rows.lazy.map { self.validity.isValid($0) })
        let values: ColumnValues
        switch self.values {
        case .float64(let v): values = .float64(rows.map { v[$0] })
        case .float32(let v): values = .float32(rows.map { v[$0] })
        case .int64(let v): values = .int64(rows.map { v[$0] })
        case .timestamp(let v): values = .timestamp(rows.map { v[$0] })
        case .bool(let v): values = .bool(rows.map { v[$0] })
        case .category(let codes, let dictionary): values = .category(codes: rows.map { codes[$0] }, dictionary: dictionary)
        case .text(let text): values = .text(text.selecting(rows: rows))
        }
        return Column(name: name, values: values, validity: validity)
    }
}
