/// Maps byte offsets of the input to 1-based line and column numbers. Built from per-chunk
/// newline counts, so it is cheap to build and only does work when an error is reported.
struct SourceLocator: Sendable {
    let chunkSize: Int
    /// The offset where chunk 0 starts (after a byte-order mark).
    let origin: Int
    /// Newlines before the start of each chunk.
    let newlinesBeforeChunk: [Int]

    func location(of offset: Int, in bytes: UnsafeRawBufferPointer) -> (line: Int, column: Int) {
        let chunk = max(0, min((offset - origin) / chunkSize, newlinesBeforeChunk.count - 1))
        var line = 1 + (newlinesBeforeChunk.isEmpty ? 0 : newlinesBeforeChunk[chunk])
        var i = origin + chunk * chunkSize
        var lineStart = 0
        while i < offset {
            if bytes[i] == UInt8(ascii: "\n") { line += 1; lineStart = i + 1 }
            i += 1
        }
        if lineStart == 0 {
            // The line started in an earlier chunk: find its start.
            var j = offset - 1
            while j >= 0 && bytes[j] != UInt8(ascii: "\n") { j -= 1 }
            lineStart = j + 1
        }
        return (line, offset - lineStart + 1)
    }
}
