import Foundation
import Tables

/// Scores CSV arriving as a stream (`git ml predict RUN -`) in batches of rows, so memory stays
/// bounded however long the input is: bytes are cut only at a newline outside quotes (an even
/// number of `"` before it, which holds for RFC 4180 with doubled quotes), and each batch is
/// parsed with the header and scored on all cores.
public struct StreamingScorer {
    public let model: RecordedModel
    /// Rows per batch.
    public let batchRows: Int

    public init(model: RecordedModel, batchRows: Int = 65_536) {
        self.model = model
        self.batchRows = batchRows
    }

    /// Reads `input` to its end; calls `emit` with each batch's table and scores, in order.
    public func run(input: FileHandle, emit: (Table, [Double]) throws -> Void) throws {
        var pending: [UInt8] = []
        var header: [UInt8]?
        var quotes = 0           // quotes in `pending` before `scanned`
        var scanned = 0
        var rows: [Int] = []     // offsets just after each complete row's newline in `pending`
        func flush(upTo end: Int) throws {
            guard let header, end > 0 else { return }
            let table = try CSVReader.read(bytes: header + pending[0..<end]).table
            try emit(table, try model.scores(table))
            // `end` is a row boundary (even quotes), and nothing after it was scanned yet.
            pending.removeFirst(end)
            rows = []
            scanned = 0
            quotes = 0
        }
        while true {
            let chunk = input.readData(ofLength: 1 << 20)
            let atEnd = chunk.isEmpty
            pending += chunk
            while scanned < pending.count {
                let byte = pending[scanned]
                scanned += 1
                if byte == UInt8(ascii: "\"") { quotes += 1 }
                guard byte == UInt8(ascii: "\n"), quotes % 2 == 0 else { continue }
                if header == nil {
                    header = Array(pending[0..<scanned])
                    pending.removeFirst(scanned)
                    scanned = 0
                    quotes = 0
                    continue
                }
                rows.append(scanned)
                if rows.count == batchRows { try flush(upTo: scanned) }
            }
            if atEnd {
                if !pending.isEmpty, pending.last != UInt8(ascii: "\n") { pending.append(UInt8(ascii: "\n")) }
                try flush(upTo: pending.count)
                return
            }
        }
    }
}
