import CZlib

/// Decodes one column chunk (all its pages) of a flat column into a `Column`.
struct ParquetColumnDecoder {
    /// The whole file.
    let file: UnsafeRawBufferPointer
    let leaf: ParquetLeaf
    let chunk: ParquetChunk
    let rowCount: Int

    func decode(name: String) throws(ParquetProblem) -> Column {
        var sink = ParquetValueSink(leaf.conversion)
        var validity: NullBitmap? = leaf.optional ? NullBitmap(count: 0) : nil
        var dictionary: PhysicalValues?
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
                guard encoding == ParquetEncodingID.plain.rawValue || encoding == ParquetEncodingID.plainDictionary.rawValue else {
                    throw .unsupported("dictionary page encoding \(encoding)")
                }
                let bytes = try ParquetCodecs.decompress(body, codec: chunk.codec, size: header.uncompressedSize)
                let values = try bytes.withTypedBytes { raw throws(ParquetProblem) in
                    var cursor = PageCursor(raw)
                    return try ParquetEncoding.plain(&cursor, type: leaf.physical, typeLength: leaf.typeLength, count: count)
                }
                try sink.setDictionary(values)
                dictionary = values
            case .dataV1(let count, let encoding, let levelEncoding):
                try checkCount(count, rows: rows)
                let bytes = try ParquetCodecs.decompress(body, codec: chunk.codec, size: header.uncompressedSize)
                try bytes.withTypedBytes { raw throws(ParquetProblem) in
                    var cursor = PageCursor(raw)
                    var present = count
                    if validity != nil {
                        guard levelEncoding == ParquetEncodingID.rle.rawValue else { throw .unsupported("definition level encoding \(levelEncoding)") }
                        let length = Int(try cursor.uint32())
                        let start = try cursor.take(length, "definition levels")
                        var levels = PageCursor(raw, from: start, to: cursor.position)
                        present = try appendLevels(&levels, count: count, to: &validity)
                    }
                    try decodeValues(&cursor, encoding: encoding, count: present, dictionary: dictionary, into: &sink)
                }
            case .dataV2(let count, let nulls, let encoding, let definitionBytes, let repetitionBytes, let compressed):
                try checkCount(count, rows: rows)
                guard repetitionBytes == 0 else { throw .malformed("repetition levels in a flat column") }
                guard definitionBytes <= body.count, header.uncompressedSize >= definitionBytes else {
                    throw .truncated("page \(page)'s definition levels run past the page")
                }
                var present = count
                if validity != nil {
                    var levels = PageCursor(body, from: 0, to: definitionBytes)
                    present = try appendLevels(&levels, count: count, to: &validity)
                    guard count - present == nulls else { throw .malformed("page \(page) declares \(nulls) nulls, its levels \(count - present)") }
                }
                let valuesBody = UnsafeRawBufferPointer(rebasing: body[definitionBytes...])
                let size = header.uncompressedSize - definitionBytes
                let bytes = compressed ? try ParquetCodecs.decompress(valuesBody, codec: chunk.codec, size: size) : Array(valuesBody)
                try bytes.withTypedBytes { raw throws(ParquetProblem) in
                    var cursor = PageCursor(raw)
                    try decodeValues(&cursor, encoding: encoding, count: present, dictionary: dictionary, into: &sink)
                }
            case .other:
                break
            }
            if case .dataV1(let count, _, _) = header.kind { rows += count }
            if case .dataV2(let count, _, _, _, _, _) = header.kind { rows += count }
            page += 1
        }
        return sink.column(named: name, rowCount: rowCount, validity: validity)
    }

    private func checkCount(_ count: Int, rows: Int) throws(ParquetProblem) {
        guard count <= rowCount - rows else { throw .malformed("pages hold more values than the row group's \(rowCount) rows") }
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
