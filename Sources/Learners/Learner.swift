import Kernels

/// What a model predicts: P(label = 1) for binary classification, the value for regression,
/// one probability per class for multiclass classification (labels are class indices 0…K-1).
public enum PredictionTask: UInt8, Sendable, Equatable {
    case binaryClassification = 0
    case regression = 1
    case multiclass = 2
}

/// The model families; the raw value is the kind byte of the serialized format.
public enum ModelKind: UInt8, Sendable, Equatable, CaseIterable {
    case logisticRegression = 1
    case linearRegression = 2
    case gradientBoostedTrees = 3
    case multilayerPerceptron = 4
    case multinomialLogisticRegression = 5
}

/// A trained model: scores for new rows and a versioned binary form whose bytes depend only on
/// the model (so their SHA-256 identifies it).
public protocol Model: Sendable {
    static var kind: ModelKind { get }
    /// The columns the model was trained on; `predict` requires exactly these.
    var schema: FeatureSchema { get }
    var task: PredictionTask { get }
    /// Values per row that `predict` returns: 1, or the class count of a multiclass model.
    var outputCount: Int { get }
    /// The model format version its serialized form needs (`ModelCodec.formatVersion` is the
    /// newest): 1 for the kinds and objectives of version 1, 2 for those added in version 2.
    var formatVersion: Int { get }
    /// `outputCount` scores per row, row-major: P(label = 1) for binary classification, the
    /// predicted value for regression, P(class k) for k = 0…K-1 for multiclass (each row's
    /// probabilities sum to 1). Throws `schemaMismatch` for other columns, and the model's
    /// input errors.
    func predict(_ features: FeatureMatrix, threads: ParallelFor.Threads) throws(LearnerError) -> [Double]
    /// Writes the model's payload (everything after the common header).
    func encodePayload(into writer: inout ByteWriter)
    /// Reads a payload written by `encodePayload`.
    init(decodingPayload reader: inout ByteReader) throws(LearnerError)
}

/// A training algorithm with its hyperparameters fixed at construction.
public protocol Learner: Sendable {
    associatedtype Trained: Model
    /// Throws `invalidHyperparameter` for a value outside its range. `fit` checks it first;
    /// callers check it before spending anything (a run validates its configuration before
    /// starting the worker).
    func validateHyperparameters() throws(LearnerError)
    /// Trains on `features` and `labels` (one per row). Every random choice comes from `seed`;
    /// the result is bit-identical for any `threads`.
    func fit(_ features: FeatureMatrix, labels: [Double], seed: UInt64,
             threads: ParallelFor.Threads) throws(LearnerError) -> Trained
}

extension Model {
    public var outputCount: Int { 1 }
    public var formatVersion: Int { 1 }

    /// The scores of `predict` as one column per output (`[output][row]`): the single score
    /// column, or one probability column per class.
    public func predictColumns(_ features: FeatureMatrix, threads: ParallelFor.Threads) throws(LearnerError) -> [[Double]] {
        let scores = try predict(features, threads: threads)
        let width = outputCount
        guard width > 1 else { return [scores] }
        return (0..<width).map { k in stride(from: k, to: scores.count, by: width).map { scores[$0] } }
    }

    /// The serialized model: header (magic "GMLM", format version, kind) then payload.
    public func serialized() -> [UInt8] {
        var writer = ByteWriter()
        ModelCodec.writeHeader(kind: Self.kind, version: formatVersion, into: &writer)
        encodePayload(into: &writer)
        return writer.bytes
    }
}
