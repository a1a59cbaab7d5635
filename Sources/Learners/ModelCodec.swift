/// Reads serialized models of any kind.
public enum ModelCodec {
    /// Newest version of the binary model format this build writes and reads. A model is
    /// written with the oldest version that has its kind and objective (`Model.formatVersion`),
    /// so models of version 1 keep their bytes; version 2 added multiclass models (softmax GBDT,
    /// multinomial logistic regression, the MLP's softmax head) and the L1, Huber and quantile
    /// GBDT objectives.
    public static let formatVersion = 2
    static let magic: [UInt8] = Array("GMLM".utf8)

    static func writeHeader(kind: ModelKind, version: Int, into writer: inout ByteWriter) {
        writer.write(bytes: magic)
        writer.write(UInt16(version))
        writer.write(kind.rawValue)
    }

    /// Decodes bytes written by `Model.serialized()`; throws `corruptModel` or
    /// `unsupportedModelVersion` for anything else.
    public static func decode(_ bytes: [UInt8]) throws(LearnerError) -> any Model {
        var reader = ByteReader(bytes)
        guard try reader.readBytes(magic.count) == magic else { throw .corruptModel(reason: "not a GitML model") }
        let version = Int(try reader.read(UInt16.self))
        guard (1...formatVersion).contains(version) else { throw .unsupportedModelVersion(found: version, supported: formatVersion) }
        let kindByte = try reader.read(UInt8.self)
        let model: any Model
        switch ModelKind(rawValue: kindByte) {
        case .logisticRegression: model = try LogisticRegressionModel(decodingPayload: &reader)
        case .linearRegression: model = try LinearRegressionModel(decodingPayload: &reader)
        case .gradientBoostedTrees: model = try GradientBoostedTreesModel(decodingPayload: &reader)
        case .multilayerPerceptron: model = try MLPModel(decodingPayload: &reader)
        case .multinomialLogisticRegression: model = try MultinomialLogisticRegressionModel(decodingPayload: &reader)
        case nil: throw .corruptModel(reason: "unknown model kind \(kindByte)")
        }
        guard reader.isAtEnd else { throw .corruptModel(reason: "trailing bytes after the model") }
        // A version-1 header on a model only version 2 has is corrupt (a build that reads only
        // version 1 would misread it rather than refuse it).
        guard model.formatVersion == version else {
            throw .corruptModel(reason: "a model of format version \(model.formatVersion) has a version \(version) header")
        }
        return model
    }
}

/// Little-endian writer for model payloads.
public struct ByteWriter: Sendable {
    public private(set) var bytes: [UInt8] = []
    public init() {}

    /// Appends raw bytes.
    public mutating func write(bytes raw: [UInt8]) { bytes += raw }

    public mutating func write<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes += $0 }
    }
    public mutating func write(_ value: Double) { write(value.bitPattern) }
    public mutating func write(_ value: Float) { write(value.bitPattern) }
    public mutating func write(_ value: Bool) { write(UInt8(value ? 1 : 0)) }
    public mutating func write(_ value: String) {
        let utf8 = Array(value.utf8)
        write(UInt32(utf8.count))
        bytes += utf8
    }
    /// A count-prefixed array of doubles.
    public mutating func write(_ values: [Double]) {
        write(UInt64(values.count))
        for value in values { write(value) }
    }
    /// A count-prefixed array of floats.
    public mutating func write(_ values: [Float]) {
        write(UInt64(values.count))
        for value in values { write(value) }
    }
    public mutating func write(_ schema: FeatureSchema) {
        write(UInt32(schema.columns.count))
        for column in schema.columns {
            write(column.name)
            write(column.kind.rawValue)
        }
    }
}

/// Little-endian reader matching `ByteWriter`; every read checks bounds.
public struct ByteReader: Sendable {
    private let bytes: [UInt8]
    private var offset = 0
    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    public var isAtEnd: Bool { offset == bytes.count }

    public mutating func readBytes(_ count: Int) throws(LearnerError) -> [UInt8] {
        guard count >= 0, count <= bytes.count - offset else { throw .corruptModel(reason: "truncated at byte \(offset)") }
        defer { offset += count }
        return Array(bytes[offset..<(offset + count)])
    }
    public mutating func read<T: FixedWidthInteger>(_ type: T.Type) throws(LearnerError) -> T {
        let size = MemoryLayout<T>.size
        let raw = try readBytes(size)
        var value: T = 0
        for (i, byte) in raw.enumerated() { value |= T(truncatingIfNeeded: byte) << (8 * i) }
        return value
    }
    public mutating func readDouble() throws(LearnerError) -> Double { Double(bitPattern: try read(UInt64.self)) }
    public mutating func readFloat() throws(LearnerError) -> Float { Float(bitPattern: try read(UInt32.self)) }
    public mutating func readBool() throws(LearnerError) -> Bool { try read(UInt8.self) != 0 }
    public mutating func readString() throws(LearnerError) -> String {
        let count = Int(try read(UInt32.self))
        return String(decoding: try readBytes(count), as: UTF8.self)
    }
    /// A count, checked against the bytes left (each element takes at least `elementSize`).
    public mutating func readCount(elementSize: Int) throws(LearnerError) -> Int {
        let count = try read(UInt64.self)
        guard count <= UInt64((bytes.count - offset) / max(elementSize, 1)) else {
            throw .corruptModel(reason: "count \(count) exceeds the remaining bytes")
        }
        return Int(count)
    }
    public mutating func readDoubles() throws(LearnerError) -> [Double] {
        let count = try readCount(elementSize: 8)
        var values: [Double] = []
        values.reserveCapacity(count)
        for _ in 0..<count { values.append(try readDouble()) }
        return values
    }
    public mutating func readFloats() throws(LearnerError) -> [Float] {
        let count = try readCount(elementSize: 4)
        var values: [Float] = []
        values.reserveCapacity(count)
        for _ in 0..<count { values.append(try readFloat()) }
        return values
    }
    public mutating func readSchema() throws(LearnerError) -> FeatureSchema {
        let count = Int(try read(UInt32.self))
        var columns: [FeatureColumn] = []
        for _ in 0..<count {
            let name = try readString()
            guard let kind = FeatureKind(rawValue: try read(UInt8.self)) else {
                throw .corruptModel(reason: "unknown feature kind for column \(name)")
            }
            columns.append(FeatureColumn(name: name, kind: kind))
        }
        return FeatureSchema(columns)
    }
    /// Reads a class count (2…65536) of a multiclass model.
    public mutating func readClassCount() throws(LearnerError) -> Int {
        let count = Int(try read(UInt32.self))
        guard (2...65_536).contains(count) else { throw .corruptModel(reason: "class count \(count)") }
        return count
    }
    /// Reads a task byte.
    public mutating func readTask() throws(LearnerError) -> PredictionTask {
        let byte = try read(UInt8.self)
        guard let task = PredictionTask(rawValue: byte) else { throw .corruptModel(reason: "unknown task \(byte)") }
        return task
    }
}
