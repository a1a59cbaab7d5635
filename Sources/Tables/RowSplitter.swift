import Kernels

/// The rows of delimited text: byte ranges without their line terminators, found in parallel.
///
/// A newline ends a row unless it is inside quotes. Whether a position is inside quotes is the
/// parity of the quote bytes before it (RFC 4180 doubles quotes inside quoted fields, which
/// keeps the parity), so one parallel pass counts quotes per chunk, a prefix sum gives each
/// chunk's starting parity, and a second parallel pass lists the row-ending newlines.
struct RowSplit: Sendable {
    var starts: [Int] = []
    var ends: [Int] = []
    var blankLines = 0
    let locator: SourceLocator

    var count: Int { starts.count }

    static let chunkSize = 1 << 20

    static func split(_ data: [UInt8], from origin: Int, delimiter: UInt8, threads: ParallelFor.Threads) throws(TableReadError) -> RowSplit {
        let length = data.count - origin
        let counts = ParallelFor.map(count: length, blockSize: chunkSize, threads: threads) { range in
            data.withUnsafeBytes { bytes in
                countQuotesAndNewlines(bytes, origin + range.lowerBound, origin + range.upperBound)
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
        let rowEnds = ParallelFor.map(count: length, blockSize: chunkSize, threads: threads) { range in
            data.withUnsafeBytes { bytes in
                var inQuotes = chunkStartsInQuotes[range.lowerBound / chunkSize]
                var ends: [Int] = []
                var i = origin + range.lowerBound
                let end = origin + range.upperBound
                while i < end {
                    // Skip eight-byte words holding neither quotes nor newlines.
                    if i + 8 <= end && !hasQuoteOrNewline(bytes, at: i) { i += 8; continue }
                    let blockEnd = min(i + 8, end)
                    while i < blockEnd {
                        let b = bytes[i]
                        if b == UInt8(ascii: "\"") { inQuotes.toggle() } else if b == UInt8(ascii: "\n") && !inQuotes { ends.append(i) }
                        i += 1
                    }
                }
                return ends
            }
        }
        var split = RowSplit(locator: locator)
        let expected = rowEnds.reduce(0) { $0 + $1.count } + 1
        split.starts.reserveCapacity(expected)
        split.ends.reserveCapacity(expected)
        data.withUnsafeBytes { bytes in
            var start = origin
            func add(_ end: Int) {
                var end = end
                if end > start && bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
                if end == start { split.blankLines += 1 } else { split.starts.append(start); split.ends.append(end) }
            }
            for block in rowEnds { for newline in block { add(newline); start = newline + 1 } }
            if start < data.count { add(data.count) }
        }
        if quoteTotal & 1 == 1 {
            throw data.withUnsafeBytes { bytes in
                split.unterminatedQuoteError(bytes, lastRowStart: split.starts.last ?? origin, delimiter: delimiter)
            }
        }
        return split
    }

    private static let quoteWord: UInt64 = 0x2222_2222_2222_2222
    private static let newlineWord: UInt64 = 0x0A0A_0A0A_0A0A_0A0A

    /// Whether the eight bytes at `offset` hold a quote or a newline.
    @inline(__always)
    static func hasQuoteOrNewline(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> Bool {
        let word = bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
        return RowTokenizer.zeroBytes(word ^ quoteWord) | RowTokenizer.zeroBytes(word ^ newlineWord) != 0
    }

    /// Quote and newline bytes in `start..<end`, counted eight bytes at a time.
    private static func countQuotesAndNewlines(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> (quotes: Int, newlines: Int) {
        var quotes = 0, newlines = 0
        var i = start
        while i + 8 <= end {
            let word = bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            quotes &+= RowTokenizer.zeroBytes(word ^ quoteWord).nonzeroBitCount
            newlines &+= RowTokenizer.zeroBytes(word ^ newlineWord).nonzeroBitCount
            i += 8
        }
        while i < end {
            quotes &+= bytes[i] == UInt8(ascii: "\"") ? 1 : 0
            newlines &+= bytes[i] == UInt8(ascii: "\n") ? 1 : 0
            i += 1
        }
        return (quotes, newlines)
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
