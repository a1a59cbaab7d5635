import CZlib
import CZstd

/// Decodes one column chunk (all its pages) of a flat column straight into its rows of the
/// column's final array: `rowCount` values of `leaf.storageWidth` bytes at `rows`, null rows
/// holding zero bytes (0, `false`, code 0, length 0). Every row is written unless the decode
/// throws.
struct ParquetColumnDecoder {
    /// The whole file.
    let file: UnsafeRawBufferPointer
    let leaf: ParquetLeaf
    let chunk: ParquetChunk
    let rowCount: Int

    /// What a chunk leaves besides its values.
    struct Output: Sendable {
        /// Optional columns: which of the chunk's rows hold a value.
        var validity: NullBitmap?
        /// Text columns: the distinct values the stored codes stand for.
        var strings: StringTable.Values
        /// Text kept as bytes: the values the stored lengths measure, end to end.
        var text: [UInt8]
    }

    /// The state of a chunk's decode between pages.
    private struct State {
        var writer: ParquetValueWriter
        var validity: NullBitmap?
        /// Rows written so far.
        var row = 0
    }

    func decode(into rows: UnsafeMutableRawPointer) throws(ParquetProblem) -> Output {
        var state = State(writer: ParquetValueWriter(leaf), validity: leaf.optional ? NullBitmap(count: rowCount) : nil)
        let scratch = PageScratch()
        try forEachPage { header, body, _ throws(ParquetProblem) in
            switch header.kind {
            case .dictionary(let count, let encoding):
                try readDictionary(body, header: header, count: count, encoding: encoding, into: &state, scratch)
            case .dataV1(let count, let encoding, let levelEncoding):
                let page = DataPage(count: count, nulls: nil, encoding: encoding, definitionBytes: 0, compressed: true)
                try readDataPageV1(body, header: header, page, levelEncoding: levelEncoding, into: &state, rows: rows, scratch)
            case .dataV2(let count, let nulls, let encoding, let definitionBytes, _, let compressed):
                let page = DataPage(count: count, nulls: nulls, encoding: encoding, definitionBytes: definitionBytes, compressed: compressed)
                try readDataPageV2(body, header: header, page, into: &state, rows: rows, scratch)
            case .other:
                break
            }
        }
        return Output(validity: state.validity, strings: state.writer.strings.values, text: state.writer.text)
    }

    /// The chunk's null rows, from its definition levels alone: no value is decoded, dictionary
    /// pages are skipped, and only v1 pages (whose levels are compressed with the values) are
    /// decompressed. A `REQUIRED` column has none, and no page is read.
    func nullCount() throws(ParquetProblem) -> Int {
        guard leaf.optional else { return 0 }
        var state = State(writer: ParquetValueWriter(leaf), validity: NullBitmap(count: rowCount))
        let scratch = PageScratch()
        var nulls = 0
        try forEachPage { header, body, _ throws(ParquetProblem) in
            switch header.kind {
            case .dataV1(let count, _, let levelEncoding):
                let raw = try ParquetCodecs.decompress(body, codec: chunk.codec, size: header.uncompressedSize, into: scratch)
                var cursor = PageCursor(raw)
                var levels = try Self.levelsV1(&cursor, in: raw, encoding: levelEncoding)
                nulls += count - (try readLevels(&levels, count: count, into: &state, scratch))
            case .dataV2(let count, let declared, _, let definitionBytes, _, _):
                var levels = PageCursor(body, from: 0, to: definitionBytes)
                let present = try readLevels(&levels, count: count, into: &state, scratch)
                guard count - present == declared else { throw .malformed("a page declares \(declared) nulls, its levels \(count - present)") }
                nulls += count - present
            case .dictionary, .other:
                break
            }
            state.row += header.kind.valueCount
        }
        return nulls
    }

    /// Whether some data page holds values that are not indices into the chunk's dictionary
    /// page (PLAIN or DELTA_* values): its writer's sign that the column's distinct values were
    /// too many for a dictionary. Reads the page headers alone.
    func storesValuesOutsideDictionary() throws(ParquetProblem) -> Bool {
        var outside = false
        try forEachPage(checkingChecksums: false) { header, _, _ in
            switch header.kind {
            case .dataV1(_, let encoding, _), .dataV2(_, _, let encoding, _, _, _):
                if encoding != ParquetEncodingID.plainDictionary.rawValue && encoding != ParquetEncodingID.rleDictionary.rawValue {
                    outside = true
                }
            case .dictionary, .other:
                break
            }
        }
        return outside
    }

    /// Calls `visit` with each page of the chunk (its header, its checked body, its index)
    /// until the data pages have covered `rowCount` rows. Checks what every page needs: the
    /// header and body lie inside the chunk, the CRC-32 where the writer recorded one (unless
    /// `checkingChecksums` is false: a walk that reads no body), data pages hold no more rows
    /// than are left, flat levels (no repetition), v2 levels inside the page.
    private func forEachPage(checkingChecksums: Bool = true,
                             _ visit: (ParquetPageHeader, UnsafeRawBufferPointer, Int) throws(ParquetProblem) -> Void) throws(ParquetProblem) {
        var position = chunk.range.lowerBound
        var page = 0
        var row = 0
        while row < rowCount {
            guard position < chunk.range.upperBound else {
                throw .truncated("the column chunk ends after \(row) of its \(rowCount) values")
            }
            let header = try ParquetPageHeader(file, at: position, end: chunk.range.upperBound)
            let bodyStart = position + header.headerSize
            guard header.compressedSize <= chunk.range.upperBound - bodyStart else {
                throw .truncated("page \(page) of \(header.compressedSize) bytes runs past its column chunk")
            }
            let body = UnsafeRawBufferPointer(rebasing: file[bodyStart..<bodyStart + header.compressedSize])
            if checkingChecksums, let crc = header.crc, UInt32(crc32(0, body.baseAddress?.assumingMemoryBound(to: Bytef.self), uInt(body.count))) != crc {
                throw .checksumMismatch(page: page)
            }
            position = bodyStart + header.compressedSize
            let count = header.kind.valueCount
            guard count <= rowCount - row else { throw .malformed("pages hold more values than the row group's \(rowCount) rows") }
            if case .dataV2(_, _, _, let definitionBytes, let repetitionBytes, _) = header.kind {
                guard repetitionBytes == 0 else { throw .malformed("repetition levels in a flat column") }
                guard definitionBytes <= body.count, header.uncompressedSize >= definitionBytes else {
                    throw .truncated("page \(page)'s definition levels run past the page")
                }
            }
            try visit(header, body, page)
            row += count
            page += 1
        }
    }

    private func readDictionary(_ body: UnsafeRawBufferPointer, header: ParquetPageHeader, count: Int, encoding: Int64,
                                into state: inout State, _ scratch: PageScratch) throws(ParquetProblem) {
        guard encoding == ParquetEncodingID.plain.rawValue || encoding == ParquetEncodingID.plainDictionary.rawValue else {
            throw .unsupported("dictionary page encoding \(encoding)")
        }
        let raw = try ParquetCodecs.decompress(body, codec: chunk.codec, size: header.uncompressedSize, into: scratch)
        var cursor = PageCursor(raw)
        try state.writer.setDictionary(ParquetEncoding.plain(&cursor, type: leaf.physical, typeLength: leaf.typeLength, count: count))
    }

    private struct DataPage {
        /// Values and nulls together (one per row), and the nulls a v2 header declares.
        let count: Int, nulls: Int?, encoding: Int64, definitionBytes: Int, compressed: Bool
    }

    /// A v1 page: levels (each with a 4-byte length) and values, compressed together.
    private func readDataPageV1(_ body: UnsafeRawBufferPointer, header: ParquetPageHeader, _ page: DataPage, levelEncoding: Int64,
                                into state: inout State, rows: UnsafeMutableRawPointer, _ scratch: PageScratch) throws(ParquetProblem) {
        let raw = try ParquetCodecs.decompress(body, codec: chunk.codec, size: header.uncompressedSize, into: scratch)
        var cursor = PageCursor(raw)
        var present = page.count
        if state.validity != nil {
            var levels = try Self.levelsV1(&cursor, in: raw, encoding: levelEncoding)
            present = try readLevels(&levels, count: page.count, into: &state, scratch)
        }
        try readValues(&cursor, page, present: present, into: &state, rows: rows, scratch)
    }

    /// A v1 page's definition levels (RLE, after a 4-byte length) as a cursor of their own,
    /// with `cursor` moved past them to the values.
    private static func levelsV1(_ cursor: inout PageCursor, in raw: UnsafeRawBufferPointer, encoding: Int64) throws(ParquetProblem) -> PageCursor {
        guard encoding == ParquetEncodingID.rle.rawValue else { throw .unsupported("definition level encoding \(encoding)") }
        let length = Int(try cursor.uint32())
        let start = try cursor.take(length, "definition levels")
        return PageCursor(raw, from: start, to: cursor.position)
    }

    /// A v2 page: uncompressed definition levels without a length prefix, then values,
    /// compressed unless the header says otherwise.
    private func readDataPageV2(_ body: UnsafeRawBufferPointer, header: ParquetPageHeader, _ page: DataPage,
                                into state: inout State, rows: UnsafeMutableRawPointer, _ scratch: PageScratch) throws(ParquetProblem) {
        var present = page.count
        if state.validity != nil {
            var levels = PageCursor(body, from: 0, to: page.definitionBytes)
            present = try readLevels(&levels, count: page.count, into: &state, scratch)
            guard page.count - present == page.nulls else { throw .malformed("a page declares \(page.nulls ?? 0) nulls, its levels \(page.count - present)") }
        }
        let valuesBody = UnsafeRawBufferPointer(rebasing: body[page.definitionBytes...])
        let size = header.uncompressedSize - page.definitionBytes
        let raw = page.compressed ? try ParquetCodecs.decompress(valuesBody, codec: chunk.codec, size: size, into: scratch) : valuesBody
        var cursor = PageCursor(raw)
        try readValues(&cursor, page, present: present, into: &state, rows: rows, scratch)
    }

    /// Reads `count` definition levels (0 = null, else a value) for the rows from `state.row`,
    /// marking the null rows in `state.validity`, and returns how many are values.
    private func readLevels(_ cursor: inout PageCursor, count: Int, into state: inout State, _ scratch: PageScratch) throws(ParquetProblem) -> Int {
        let levels = scratch.indices(count)
        try ParquetEncoding.hybrid(&cursor, width: 1, count: count, into: levels)
        var present = 0
        for k in 0..<count {
            if levels[k] != 0 {
                present += 1
            } else {
                state.validity?.set(state.row + k, valid: false)
            }
        }
        return present
    }

    /// Stores a page's `present` values at its first rows, spreads them over its rows when some
    /// are null, and moves `state.row` past the page.
    private func readValues(_ cursor: inout PageCursor, _ page: DataPage, present: Int, into state: inout State,
                            rows: UnsafeMutableRawPointer, _ scratch: PageScratch) throws(ParquetProblem) {
        let width = leaf.storageWidth
        let destination = rows + state.row * width
        try decodeValues(&cursor, encoding: page.encoding, count: present, into: &state.writer, destination, scratch)
        if present < page.count, let validity = state.validity {
            switch width {
            case 8: Self.spread(UInt64.self, destination, count: page.count, present: present, validity: validity, first: state.row)
            case 4: Self.spread(UInt32.self, destination, count: page.count, present: present, validity: validity, first: state.row)
            default: Self.spread(UInt8.self, destination, count: page.count, present: present, validity: validity, first: state.row)
            }
        }
        state.row += page.count
    }

    /// Moves the `present` values at the start of `values` to the valid rows among `count`
    /// (rows `first...` of `validity`), zeroing null rows; from the end, so that no value is
    /// overwritten before it moved.
    private static func spread<T: FixedWidthInteger>(_: T.Type, _ values: UnsafeMutableRawPointer, count: Int, present: Int,
                                                     validity: NullBitmap, first: Int) {
        let stride = MemoryLayout<T>.stride
        var k = present
        for row in (0..<count).reversed() {
            var value: T = 0
            if validity.isValid(first + row) {
                k -= 1
                value = values.load(fromByteOffset: k * stride, as: T.self)
            }
            values.storeBytes(of: value, toByteOffset: row * stride, as: T.self)
        }
    }

    private func decodeValues(_ cursor: inout PageCursor, encoding: Int64, count: Int, into writer: inout ParquetValueWriter,
                              _ destination: UnsafeMutableRawPointer, _ scratch: PageScratch) throws(ParquetProblem) {
        guard let id = ParquetEncodingID(rawValue: encoding) else { throw .unsupported("value encoding \(encoding)") }
        let type = leaf.physical
        switch id {
        case .plain:
            try writer.writePlain(&cursor, count: count, to: destination, scratch)
        case .plainDictionary, .rleDictionary:
            guard writer.hasDictionary else { throw .malformed("dictionary-encoded values without a dictionary page") }
            guard count > 0 else { return }
            let width = Int(try cursor.byte())
            let indices = scratch.indices(count)
            try ParquetEncoding.hybrid(&cursor, width: width, count: count, into: indices)
            try writer.write(indices: indices, count: count, to: destination)
        case .rle:
            guard type == .boolean else { throw .unsupported("RLE encoding of \(type) values") }
            let length = Int(try cursor.uint32())
            let start = try cursor.take(length, "RLE booleans")
            var run = PageCursor(cursor.bytes, from: start, to: cursor.position)
            try writer.write(.bool(ParquetEncoding.hybrid(&run, width: 1, count: count).map { $0 != 0 }), to: destination)
        case .deltaBinaryPacked:
            let values = try ParquetEncoding.deltaBinaryPacked(&cursor, count: count)
            switch type {
            case .int32: try writer.write(.int32(values.map { Int32(truncatingIfNeeded: $0) }), to: destination)
            case .int64: try writer.write(.int64(values), to: destination)
            default: throw .malformed("DELTA_BINARY_PACKED on \(type)")
            }
        case .deltaLengthByteArray:
            guard type == .byteArray else { throw .malformed("DELTA_LENGTH_BYTE_ARRAY on \(type)") }
            try writer.write(.bytes(ParquetEncoding.deltaLengthByteArray(&cursor, count: count)), to: destination)
        case .deltaByteArray:
            guard type == .byteArray || type == .fixedLenByteArray else { throw .malformed("DELTA_BYTE_ARRAY on \(type)") }
            let values = try ParquetEncoding.deltaByteArray(&cursor, count: count)
            if type == .fixedLenByteArray, (0..<values.count).contains(where: { values[$0].count != leaf.typeLength }) {
                throw .malformed("a DELTA_BYTE_ARRAY value of another length than \(leaf.typeLength)")
            }
            try writer.write(.bytes(values), to: destination)
        case .byteStreamSplit:
            try writer.write(ParquetEncoding.byteStreamSplit(&cursor, type: type, typeLength: leaf.typeLength, count: count), to: destination)
        case .bitPacked:
            throw .unsupported("BIT_PACKED value encoding")
        }
    }
}

/// Buffers one chunk's decode reuses from page to page: the decompressed page, its definition
/// levels or dictionary indices, and where its text values lie. Each grows to the largest page
/// seen. Also the chunk's zstd decompression context, made on its first zstd page.
final class PageScratch {
    private var pageBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1, alignment: 16)
    private var indexBuffer = UnsafeMutableBufferPointer<UInt32>.allocate(capacity: 1)
    private var valueBuffer = UnsafeMutableBufferPointer<(at: Int, length: Int, hash: UInt64)>.allocate(capacity: 1)

    private var zstd: OpaquePointer?

    /// The zstd decompression context, made on first use (nil if libzstd could not make one).
    var zstdContext: OpaquePointer? {
        if zstd == nil { zstd = ZSTD_createDCtx() }
        return zstd
    }

    deinit {
        if let zstd { ZSTD_freeDCtx(zstd) }
        pageBuffer.deallocate()
        indexBuffer.deallocate()
        valueBuffer.deallocate()
    }

    /// Room for where `count` text values lie in the page and their hashes.
    func values(_ count: Int) -> UnsafeMutablePointer<(at: Int, length: Int, hash: UInt64)> {
        if count > valueBuffer.count {
            valueBuffer.deallocate()
            valueBuffer = .allocate(capacity: count)
        }
        return valueBuffer.baseAddress!
    }

    /// At least `size` bytes for a decompressed page.
    func page(_ size: Int) -> UnsafeMutableRawBufferPointer {
        if size > pageBuffer.count {
            pageBuffer.deallocate()
            pageBuffer = .allocate(byteCount: size, alignment: 16)
        }
        return pageBuffer
    }

    /// Room for `count` levels or indices.
    func indices(_ count: Int) -> UnsafeMutablePointer<UInt32> {
        if count > indexBuffer.count {
            indexBuffer.deallocate()
            indexBuffer = .allocate(capacity: count)
        }
        return indexBuffer.baseAddress!
    }
}
