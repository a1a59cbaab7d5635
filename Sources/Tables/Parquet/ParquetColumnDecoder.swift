import CZlib

/// Decodes one column chunk (all its pages) of a flat column into a `Column`.
struct ParquetColumnDecoder {
    /// The whole file.
    let file: UnsafeRawBufferPointer
    let leaf: ParquetLeaf
    let chunk: ParquetChunk
    let rowCount: Int

    /// What the pages decoded so far left: values, validity (optional columns), dictionary.
    private struct State {
        var sink: ParquetValueSink
        var validity: NullBitmap?
        var dictionary: PhysicalValues?
    }

    func decode(name: String) throws(ParquetProblem) -> Column {
        var state = State(sink: ParquetValueSink(leaf.conversion), validity: leaf.optional ? NullBitmap(count: 0) : nil)
        var position = chunk.range.lowerBound
        var rows = 0, page = 0
        while rows < rowCount {
            guard position < chunk.range.upperBound else {
                throw .truncated("the column chunk ends after \(rows) of its \(rowCount) values")
            }
            let header = try ParquetPageHeader(file, at: position, end: chunk.range.upperBound)
            let bodyStart = position + header.headerSize
            guard header.compressedSize <= chunk.range.upperBound - bodyStart else {
                throw .truncated("page \(page) of \(header.compressedSize) bytes runs past its column chunk")
            }
            let body = UnsafeRawBufferPointer(rebasing: file[bodyStart..<bodyStart + header.compressedSize])
            if let crc = header.crc, UInt32(crc32(0, body.baseAddress?.assumingMemoryBound(to: Bytef.self), uInt(body.count))) != crc {
                throw .checksumMismatch(page: page)
            }
            position = bodyStart + header.compressedSize
            switch header.kind {
            case .dictionary(let count, let encoding):
                try readDictionary(body, header: header, count: count, encoding: encoding, into: &state)
            case .dataV1(let count, let encoding, let levelEncoding):
                guard count <= rowCount - rows else { throw .malformed("pages hold more values than the row group's \(rowCount) rows") }
                try readDataPageV1(body, header: header, count: count, encoding: encoding, levelEncoding: levelEncoding, into: &state)
                rows += count
            case .dataV2(let count, let nulls, let encoding, let definitionBytes, let repetitionBytes, let compressed):
                guard count <= rowCount - rows else { throw .malformed("pages hold more values than the row group's \(rowCount) rows") }
                guard repetitionBytes == 0 else { throw .malformed("repetition levels in a flat column") }
                guard definitionBytes <= body.count, header.uncompressedSize >= definitionBytes else {
                    throw .truncated("page \(page)'s definition levels run past the page")
                }
                let page = DataPageV2(count: count, nulls: nulls, encoding: encoding, definitionBytes: definitionBytes, compressed: compressed)
                try readDataPageV2(body, header: header, page, into: &state)
                rows += count
            case .other:
                break
            }
            page += 1
        }
        return state.sink.column(named: name, rowCount: rowCount, validity: state.validity)
    }

    private func readDictionary(_ body: UnsafeRawBufferPointer, header: ParquetPageHeader, count: Int, encoding: Int64,
                                into state: inout State) throws(ParquetProblem) {
        guard encoding == ParquetEncodingID.plain.rawValue || encoding == ParquetEncodingID.plainDictionary.rawValue else {
            throw .unsupported("dictionary page encoding \(encoding)")
        }
        let bytes = try ParquetCodecs.decompress(body, codec: chunk.codec, size: header.uncompressedSize)
        let values = try bytes.withTypedBytes { raw throws(ParquetProblem) in
            var cursor = PageCursor(raw)
            return try ParquetEncoding.plain(&cursor, type: leaf.physical, typeLength: leaf.typeLength, count: count)
        }
        try state.sink.setDictionary(values)
        state.dictionary = values
    }

    /// A v1 page: levels (each with a 4-byte length) and values, compressed together.
    private func readDataPageV1(_ body: UnsafeRawBufferPointer, header: ParquetPageHeader, count: Int, encoding: Int64,
                                levelEncoding: Int64, into state: inout State) throws(ParquetProblem) {
        let bytes = try ParquetCodecs.decompress(body, codec: chunk.codec, size: header.uncompressedSize)
        try bytes.withTypedBytes { raw throws(ParquetProblem) in
            var cursor = PageCursor(raw)
            var present = count
            if state.validity != nil {
                guard levelEncoding == ParquetEncodingID.rle.rawValue else { throw .unsupported("definition level encoding \(levelEncoding)") }
                let length = Int(try cursor.uint32())
                let start = try cursor.take(length, "definition levels")
                var levels = PageCursor(raw, from: start, to: cursor.position)
                present = try appendLevels(&levels, count: count, to: &state.validity)
            }
            try decodeValues(&cursor, encoding: encoding, count: present, dictionary: state.dictionary, into: &state.sink)
        }
    }

    private struct DataPageV2 {
        let count: Int, nulls: Int, encoding: Int64, definitionBytes: Int, compressed: Bool
    }

    /// A v2 page: uncompressed definition levels without a length prefix, then values,
    /// compressed unless the header says otherwise.
    private func readDataPageV2(_ body: UnsafeRawBufferPointer, header: ParquetPageHeader, _ page: DataPageV2,
                                into state: inout State) throws(ParquetProblem) {
        var present = page.count
        if state.validity != nil {
            var levels = PageCursor(body, from: 0, to: page.definitionBytes)
            present = try appendLevels(&levels, count: page.count, to: &state.validity)
            guard page.count - present == page.nulls else { throw .malformed("a page declares \(page.nulls) nulls, its levels \(page.count - present)") }
        }
        let valuesBody = UnsafeRawBufferPointer(rebasing: body[page.definitionBytes...])
        let size = header.uncompressedSize - page.definitionBytes
        let bytes = page.compressed ? try ParquetCodecs.decompress(valuesBody, codec: chunk.codec, size: size) : Array(valuesBody)
        try bytes.withTypedBytes { raw throws(ParquetProblem) in
            var cursor = PageCursor(raw)
            try decodeValues(&cursor, encoding: page.encoding, count: present, dictionary: state.dictionary, into: &state.sink)
        }
    }

    /// Reads `count` definition levels (0 = null, 1 = value) and returns how many are values.
    private func appendLevels(_ cursor: inout PageCursor, count: Int, to validity: inout NullBitmap?) throws(ParquetProblem) -> Int {
        let levels = try ParquetEncoding.hybrid(&cursor, width: 1, count: count)
        var present = 0
        for level in levels {
            validity?.append(level != 0)
            present += Int(level)
        }
        return present
    }

    private func decodeValues(_ cursor: inout PageCursor, encoding: Int64, count: Int, dictionary: PhysicalValues?,
                              into sink: inout ParquetValueSink) throws(ParquetProblem) {
        guard let id = ParquetEncodingID(rawValue: encoding) else { throw .unsupported("value encoding \(encoding)") }
        let type = leaf.physical
        switch id {
        case .plain:
            try sink.append(ParquetEncoding.plain(&cursor, type: type, typeLength: leaf.typeLength, count: count))
        case .plainDictionary, .rleDictionary:
            guard let dictionary else { throw .malformed("dictionary-encoded values without a dictionary page") }
            guard count > 0 else { return }
            let width = Int(try cursor.byte())
            try sink.append(indices: ParquetEncoding.hybrid(&cursor, width: width, count: count), dictionary: dictionary)
        case .rle:
            guard type == .boolean else { throw .unsupported("RLE encoding of \(type) values") }
            let length = Int(try cursor.uint32())
            let start = try cursor.take(length, "RLE booleans")
            var run = PageCursor(cursor.bytes, from: start, to: cursor.position)
            try sink.append(.bool(ParquetEncoding.hybrid(&run, width: 1, count: count).map { $0 != 0 }))
        case .deltaBinaryPacked:
            let values = try ParquetEncoding.deltaBinaryPacked(&cursor, count: count)
            switch type {
            case .int32: try sink.append(.int32(values.map { Int32(truncatingIfNeeded: $0) }))
            case .int64: try sink.append(.int64(values))
            default: throw .malformed("DELTA_BINARY_PACKED on \(type)")
            }
        case .deltaLengthByteArray:
            guard type == .byteArray else { throw .malformed("DELTA_LENGTH_BYTE_ARRAY on \(type)") }
            try sink.append(.bytes(ParquetEncoding.deltaLengthByteArray(&cursor, count: count)))
        case .deltaByteArray:
            guard type == .byteArray || type == .fixedLenByteArray else { throw .malformed("DELTA_BYTE_ARRAY on \(type)") }
            let values = try ParquetEncoding.deltaByteArray(&cursor, count: count)
            if type == .fixedLenByteArray, (0..<values.count).contains(where: { values[$0].count != leaf.typeLength }) {
                throw .malformed("a DELTA_BYTE_ARRAY value of another length than \(leaf.typeLength)")
            }
            try sink.append(.bytes(values))
        case .byteStreamSplit:
            try sink.append(ParquetEncoding.byteStreamSplit(&cursor, type: type, typeLength: leaf.typeLength, count: count))
        case .bitPacked:
            throw .unsupported("BIT_PACKED value encoding")
        }
    }
}
