import Kernels

/// Text values kept as their UTF-8 bytes end to end, one per row, without a dictionary: how a
/// string column most of whose values differ (identifiers, free text) is read from a Parquet
/// file whose writer gave up on a dictionary for it, as pyarrow and polars keep such a column.
/// Hashing every value into a dictionary would cost more than the rest of the read.
///
/// Value `i` is `bytes[offsets[i]..<offsets[i + 1]]`; a null row holds no bytes. The logical
/// type is that of a category column (`ColumnType.category`): `dictionaryEncoded(validity:)`
/// gives the codes and dictionary the same values read as a category would have.
public struct TextValues: Sendable, Equatable {
    public private(set) var bytes: [UInt8]
    /// `count + 1` offsets into `bytes`, from 0 to `bytes.count`, never going down.
    public private(set) var offsets: [Int]

    /// - Precondition: `offsets` starts at 0, never goes down and ends at `bytes.count`.
    public init(bytes: [UInt8], offsets: [Int]) {
        precondition(offsets.first == 0 && offsets.last == bytes.count, "text offsets must run from 0 to the byte count")
        self.bytes = bytes
        self.offsets = offsets
    }

    /// Values from strings (`nil`, a null, holds no bytes).
    public init(_ values: [String?]) {
        var bytes: [UInt8] = []
        var offsets = [0]
        offsets.reserveCapacity(values.count + 1)
        for value in values {
            if let value { bytes += value.utf8 }
            offsets.append(bytes.count)
        }
        self.init(bytes: bytes, offsets: offsets)
    }

    public var count: Int { offsets.count - 1 }

    /// Value `row` as a `String`.
    public func string(at row: Int) -> String {
        bytes.withUnsafeBytes { String(decoding: $0[offsets[row]..<offsets[row + 1]], as: UTF8.self) }
    }

    /// The values at `rows`, in that order.
    public func selecting(rows: [Int]) -> TextValues {
        var selected: [UInt8] = []
        selected.reserveCapacity(rows.reduce(0) { $0 + offsets[$1 + 1] - offsets[$1] })
        var ends = [0]
        ends.reserveCapacity(rows.count + 1)
        for row in rows {
            selected += bytes[offsets[row]..<offsets[row + 1]]
            ends.append(selected.count)
        }
        return TextValues(bytes: selected, offsets: ends)
    }

    /// No values.
    public init() { self.init(bytes: [], offsets: [0]) }

    /// Adds the values of `other` after these.
    public mutating func append(_ other: TextValues) {
        let base = bytes.count
        bytes += other.bytes
        offsets += other.offsets.dropFirst().lazy.map { $0 + base }
    }

    /// The values as codes into a dictionary of the distinct strings in order of first
    /// appearance among the valid rows, null rows holding code 0: exactly what the category
    /// readers make of them, canonically equivalent strings included (one entry, spelled as it
    /// first appears; see `StringTable.merged`). Rows are hashed in blocks on `threads`.
    public func dictionaryEncoded(validity: NullBitmap, threads: ParallelFor.Threads = .all) -> (codes: [Int32], dictionary: [String]) {
        let blocks = ParallelFor.blocks(count: count, blockSize: max(65_536, (count + 4 * threads.count - 1) / max(1, 4 * threads.count)))
        let coded = ParallelFor.mapTasks(count: blocks.count, threads: threads) { b -> (codes: [Int32], values: StringTable.Values) in
            var table = StringTable()
            let codes = StringTable.withAddress(bytes) { base in
                blocks[b].map { row -> Int32 in
                    guard validity.isValid(row) else { return -1 }
                    var isNew = false
                    return table.code(of: base + offsets[row], length: offsets[row + 1] - offsets[row], isNew: &isNew)
                }
            }
            return (codes, table.values)
        }
        let (dictionary, maps) = StringTable.merged(coded.map(\.values), threads: threads)
        let codes = ParallelFor.mapTasks(count: coded.count, threads: threads) { b in
            maps[b].withUnsafeBufferPointer { map in coded[b].codes.map { $0 < 0 ? 0 : map[Int($0)] } }
        }
        return (codes.flatMap { $0 }, dictionary)
    }
}
