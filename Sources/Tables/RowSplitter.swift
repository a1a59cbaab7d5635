import Kernels

/// Where the rows of delimited text are, found in parallel without storing an offset per row.
///
/// The input is cut into fixed chunks of `chunkSize` bytes; each chunk records the lines that
/// start in it (the first one's offset and how many are rows), and readers walk a chunk's rows
/// themselves (`forEachRow`). A newline ends a line unless it is inside quotes. Whether a
/// position is inside quotes is the parity of the quote bytes before it (RFC 4180 doubles
/// quotes inside quoted fields, which keeps the parity), so one parallel pass counts quotes per
/// chunk, a prefix sum gives each chunk's starting parity, and a second parallel pass finds the
/// lines. A line that is empty or holds only a carriage return is blank: counted, not a row.
struct RowSplit: Sendable {
    /// The lines that start in one chunk.
    struct Chunk: Sendable {
        /// The chunk's bytes in the input.
        let range: Range<Int>
        /// Offset of the first line that starts in the chunk, if any.
        let firstLine: Int?
        /// Rows (non-blank lines) that start in the chunk.
        let rows: Int
        /// Rows that start in earlier chunks.
        let rowsBefore: Int
        /// Whether the chunk's bytes are all ASCII (so valid UTF-8).
        let isASCII: Bool
    }

    let chunks: [Chunk]
    let rowCount: Int
    let blankLines: Int
    let locator: SourceLocator

    static let defaultChunkSize = 1 << 20

    /// The quote and newline bytes of each chunk of some bytes, and whether the chunk is ASCII.
    struct Counts: Sendable {
        /// The chunk size they were counted with.
        let chunkSize: Int
        let chunks: [(quotes: Int, newlines: Int, isASCII: Bool)]

        /// Counts `bytes` in chunks of `chunkSize`.
        init(_ bytes: UnsafeRawBufferPointer, chunkSize: Int) {
            self.chunkSize = chunkSize
            chunks = stride(from: 0, to: bytes.count, by: chunkSize).map { start in
                RowSplit.countQuotesAndNewlines(bytes, start..<min(start + chunkSize, bytes.count))
            }
        }

        /// The counts of the bytes before `end`, `bytes` being those counted.
        func prefix(_ end: Int, of bytes: UnsafeRawBufferPointer) -> Counts {
            var chunks = Array(chunks.prefix((end + chunkSize - 1) / chunkSize))
            if end % chunkSize != 0 {
                chunks[chunks.count - 1] = RowSplit.countQuotesAndNewlines(bytes, (chunks.count - 1) * chunkSize..<end)
            }
            return Counts(chunkSize: chunkSize, chunks: chunks)
        }

        private init(chunkSize: Int, chunks: [(quotes: Int, newlines: Int, isASCII: Bool)]) {
            self.chunkSize = chunkSize
            self.chunks = chunks
        }
    }

    /// Splits the rows of `input` after `origin`. `counted`, when it holds the counts of
    /// exactly these bytes from offset 0 in chunks of `chunkSize` (a reader that has counted
    /// them already), spares the counting pass.
    static func split(_ input: InputBytes, from origin: Int, delimiter: UInt8, threads: ParallelFor.Threads,
                      chunkSize: Int = defaultChunkSize, counted: Counts? = nil) throws(TableReadError) -> RowSplit {
        let bytes = input.bytes
        let length = input.count - origin
        let counts: [(quotes: Int, newlines: Int, isASCII: Bool)]
        if let counted, origin == 0, counted.chunkSize == chunkSize, counted.chunks.count == (length + chunkSize - 1) / chunkSize {
            counts = counted.chunks
        } else {
            counts = ParallelFor.map(count: length, blockSize: chunkSize, threads: threads) { range in
                let chunk = (origin + range.lowerBound)..<(origin + range.upperBound)
                defer { input.release(chunk) }
                return countQuotesAndNewlines(input.bytes, chunk)
            }
        }
        var startsInQuotes: [Bool] = []
        var newlinesBefore: [Int] = []
        var quoteTotal = 0, newlineTotal = 0
        for c in counts {
            startsInQuotes.append(quoteTotal & 1 == 1)
            newlinesBefore.append(newlineTotal)
            quoteTotal += c.quotes
            newlineTotal += c.newlines
        }
        // Chunks start at `origin`; the locator works on absolute offsets, so shift by the BOM.
        let locator = SourceLocator(chunkSize: chunkSize, origin: origin, newlinesBeforeChunk: newlinesBefore)
        let chunkStartsInQuotes = startsInQuotes
        let lines = ParallelFor.map(count: length, blockSize: chunkSize, threads: threads) { range in
            let chunk = (origin + range.lowerBound)..<(origin + range.upperBound)
            defer { input.release(chunk) }
            let firstLine = chunk.lowerBound == origin
                ? origin : firstLineStart(input.bytes, in: chunk, inQuotes: chunkStartsInQuotes[range.lowerBound / chunkSize])
            var rows = 0, blank = 0
            var lastRow: Int?
            forEachLine(input.bytes, from: firstLine, before: chunk.upperBound) { start, end in
                if end == start { blank += 1 } else { rows += 1; lastRow = start }
                return true
            }
            return (chunk: chunk, firstLine: firstLine, rows: rows, blank: blank, lastRow: lastRow)
        }
        var chunks: [Chunk] = []
        chunks.reserveCapacity(lines.count)
        var rowTotal = 0, blankTotal = 0
        for line in lines {
            chunks.append(Chunk(range: line.chunk, firstLine: line.firstLine, rows: line.rows, rowsBefore: rowTotal,
                                isASCII: counts[chunks.count].isASCII))
            rowTotal += line.rows
            blankTotal += line.blank
        }
        let split = RowSplit(chunks: chunks, rowCount: rowTotal, blankLines: blankTotal, locator: locator)
        if quoteTotal & 1 == 1 {
            let lastRow = lines.last { $0.lastRow != nil }?.lastRow ?? origin
            throw split.unterminatedQuoteError(bytes, lastRowStart: lastRow, delimiter: delimiter)
        }
        return split
    }

    /// Calls `body(start, end)` with the rows that start in chunk `index`, in order, where
    /// `end` excludes the line terminator; stops when `body` returns false.
    func forEachRow(_ bytes: UnsafeRawBufferPointer, inChunk index: Int, _ body: (Int, Int) -> Bool) {
        let chunk = chunks[index]
        var rows = 0
        Self.forEachLine(bytes, from: chunk.firstLine, before: chunk.range.upperBound) { start, end in
            guard end > start else { return true }
            // Never more than the counted rows (even if the file changed since they were counted),
            // so a walk never writes past the chunk's rows of the columns.
            guard rows < chunk.rows else { return false }
            rows += 1
            return body(start, end)
        }
    }

    /// The first row of the input (`rowCount` must be positive).
    func firstRow(_ bytes: UnsafeRawBufferPointer) -> (start: Int, end: Int) {
        var row = (start: 0, end: 0)
        let chunk = chunks.firstIndex { $0.rows > 0 }!
        forEachRow(bytes, inChunk: chunk) { start, end in
            row = (start, end)
            return false
        }
        return row
    }

    /// Calls `body(start, end)` for each line starting at `first` or after it and before
    /// `limit`; `end` excludes the newline and a carriage return before it. Stops when `body`
    /// returns false.
    private static func forEachLine(_ bytes: UnsafeRawBufferPointer, from first: Int?, before limit: Int,
                                    _ body: (Int, Int) -> Bool) {
        guard var start = first else { return }
        while start < limit {
            let newline = nextNewline(bytes, from: start, inQuotes: false) ?? bytes.count
            var end = newline
            if end > start && bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
            guard body(start, end) else { return }
            start = newline + 1
        }
    }

    /// The start of the first line that begins inside `chunk`, if any; `inQuotes` tells whether
    /// the chunk starts inside quotes.
    private static func firstLineStart(_ bytes: UnsafeRawBufferPointer, in chunk: Range<Int>, inQuotes: Bool) -> Int? {
        // A newline just before the chunk has the chunk's starting parity (it is not a quote).
        if !inQuotes && bytes[chunk.lowerBound - 1] == UInt8(ascii: "\n") { return chunk.lowerBound }
        guard let newline = nextNewline(bytes, from: chunk.lowerBound, inQuotes: inQuotes, before: chunk.upperBound),
              newline + 1 < chunk.upperBound else { return nil }
        return newline + 1
    }

    /// The first newline outside quotes at or after `start` and before `end` (default: the end
    /// of the input), given whether `start` is inside quotes.
    @inline(__always)
    private static func nextNewline(_ bytes: UnsafeRawBufferPointer, from start: Int, inQuotes: Bool, before end: Int? = nil) -> Int? {
        let end = end ?? bytes.count
        var inQuotes = inQuotes
        var i = start
        while i < end {
            // Skip eight-byte words holding neither quotes nor newlines.
            if i + 8 <= end && !hasQuoteOrNewline(bytes, at: i) { i += 8; continue }
            let blockEnd = min(i + 8, end)
            while i < blockEnd {
                let b = bytes[i]
                if b == UInt8(ascii: "\"") { inQuotes.toggle() } else if b == UInt8(ascii: "\n") && !inQuotes { return i }
                i += 1
            }
        }
        return nil
    }

    private static let quoteWord: UInt64 = 0x2222_2222_2222_2222
    private static let newlineWord: UInt64 = 0x0A0A_0A0A_0A0A_0A0A

    /// Whether the eight bytes at `offset` hold a quote or a newline.
    @inline(__always)
    static func hasQuoteOrNewline(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> Bool {
        let word = bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
        return RowTokenizer.zeroBytes(word ^ quoteWord) | RowTokenizer.zeroBytes(word ^ newlineWord) != 0
    }

    /// Quote and newline bytes in `range`, counted eight bytes at a time, and whether every
    /// byte is ASCII.
    static func countQuotesAndNewlines(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> (quotes: Int, newlines: Int, isASCII: Bool) {
        var quotes = 0, newlines = 0
        var highBits: UInt64 = 0
        var i = range.lowerBound
        while i + 8 <= range.upperBound {
            let word = bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            quotes &+= RowTokenizer.zeroBytes(word ^ quoteWord).nonzeroBitCount
            newlines &+= RowTokenizer.zeroBytes(word ^ newlineWord).nonzeroBitCount
            highBits |= word
            i += 8
        }
        while i < range.upperBound {
            quotes &+= bytes[i] == UInt8(ascii: "\"") ? 1 : 0
            newlines &+= bytes[i] == UInt8(ascii: "\n") ? 1 : 0
            highBits |= UInt64(bytes[i])
            i += 1
        }
        return (quotes, newlines, highBits & 0x8080_8080_8080_8080 == 0)
    }

    /// The error for an odd number of quotes: the quote that opens the unclosed field, or a
    /// stray quote in an unquoted field, both inside the last row.
    private func unterminatedQuoteError(_ bytes: UnsafeRawBufferPointer, lastRowStart: Int, delimiter: UInt8) -> TableReadError {
        var i = lastRowStart
        var fieldStart = true
        var inQuotes = false
        var openedAt = lastRowStart
        while i < bytes.count {
            let b = bytes[i]
            if inQuotes {
                if b == UInt8(ascii: "\"") {
                    if i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "\"") { i += 1 } else { inQuotes = false }
                }
            } else if b == UInt8(ascii: "\"") {
                if !fieldStart {
                    let at = locator.location(of: i, in: bytes)
                    return .unexpectedQuote(line: at.line, column: at.column)
                }
                inQuotes = true
                openedAt = i
            }
            fieldStart = !inQuotes && (b == delimiter || b == UInt8(ascii: "\n"))
            i += 1
        }
        let at = locator.location(of: openedAt, in: bytes)
        return .unterminatedQuote(line: at.line, column: at.column)
    }
}
