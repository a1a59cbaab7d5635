import BlobStore
import Contracts
import Foundation
import Gate
import Kernels
import Records
import Runner
import Tables
import Workspace

/// The readers of untrusted bytes, each as one entry point that takes any bytes: the libFuzzer
/// harness (`gitml-fuzz`, `make fuzz`) and the corpus replay test (`FuzzCorpusTests`, every
/// file under `Fuzz/corpus/<target>/` in the normal test run) call the same code.
///
/// An input may be refused with any error; the contract is that no input traps, crashes or
/// hangs (libFuzzer's `-timeout=1`: over 1 s per input is a hang). Readers run on one thread so
/// that a finding reproduces.
public enum FuzzTarget: String, CaseIterable, Sendable {
    case csv, tsv, jsonl, parquet
    case contract, suite, experiment, gate, config, settings
    case json, datasetRecord = "dataset-record", runRecord = "run-record", lock, promotion, attestation
    case manifest, pack
    /// A run's predictions file as the gate reads it from a push: one score per row, and as a
    /// multiclass file of three declared classes, each joined by row to five labels.
    case predictions

    /// Feeds `bytes` to the reader; errors are expected answers and are dropped.
    public func feed(_ bytes: [UInt8]) {
        do {
            try read(bytes)
        } catch {
            _ = "\(error)"  // every error must also describe itself without trapping
        }
    }

    private func read(_ bytes: [UInt8]) throws {
        let text = String(decoding: bytes, as: UTF8.self)
        switch self {
        case .csv:
            _ = try CSVReader.read(bytes: bytes, options: CSVReadOptions(threads: .one))
        case .tsv:
            _ = try CSVReader.read(bytes: bytes, options: CSVReadOptions(delimiter: UInt8(ascii: "\t"), threads: .one))
        case .jsonl:
            _ = try JSONLinesReader.read(bytes: bytes, options: JSONLinesReadOptions(threads: .one))
        case .parquet:
            try Self.withFile(bytes, suffix: ".parquet") { _ = try ParquetReader.read(contentsOf: $0, options: ParquetReadOptions(threads: .one)) }
        case .contract:
            _ = try Contract.load(yaml: text, file: "fuzz.yaml")
        case .suite:
            _ = try Suite.parse(yaml: text, file: "fuzz.yaml", name: "fuzz")
        case .experiment:
            _ = try Experiment.parse(yaml: text, file: "fuzz.yaml", name: "fuzz")
        case .gate:
            _ = try GatePolicy.parse(yaml: text, file: "fuzz.yaml")
        case .config:
            _ = try ProjectConfig.parse(text: text, path: "fuzz.yaml")
        case .settings:
            _ = try RunSettings.parse(yaml: text, file: "fuzz.yaml")
        case .json:
            let value = try CanonicalJSON.parse(bytes: bytes)
            _ = CanonicalJSON.encode(value)
        case .datasetRecord:
            _ = try DatasetRecord(json: try CanonicalJSON.parse(bytes: bytes))
        case .runRecord:
            _ = try RunRecord(text: text)
        case .lock:
            _ = try Lock(bytes: bytes)
        case .promotion:
            _ = try Promotion(text: text)
        case .attestation:
            _ = try Attestation(text: text)
        case .manifest:
            var chunks = ChunkList()
            try ManifestNode.decode(bytes, digest: Digest.of(bytes)).appendChunks(to: &chunks, digest: Digest.of(bytes))
        case .pack:
            try Self.checkStore(bytes)
        case .predictions:
            for classes in [nil, ["a", "b", "c"]] {
                do {
                    _ = try PredictionsTable(bytes: bytes, name: "fuzz", classes: classes).joined(to: [0, 1, 2, 1, 0], everyRow: false, name: "fuzz")
                } catch {
                    _ = "\(error)"
                }
            }
        }
    }

    /// A pack and its index (`pack` inputs: a 4-byte little-endian index length, the index, then
    /// the pack) as the only pack of a fresh store, checked as `git ml fsck` checks it: the
    /// index's header and size, every entry header, every object decoded and verified.
    private static func checkStore(_ bytes: [UInt8]) throws {
        guard bytes.count >= 4 else { return }
        let length = min(bytes.count - 4, Int(UInt32(bytes[0]) | UInt32(bytes[1]) << 8 | UInt32(bytes[2]) << 16 | UInt32(bytes[3]) << 24))
        let root = FileManager.default.temporaryDirectory.path + "/gitml-fuzz-store-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let layout = StoreLayout(root: root)
        try layout.create()
        let name = layout.packs + "/pack-" + String(repeating: "0", count: 64)
        try Data(bytes[4..<(4 + length)]).write(to: URL(fileURLWithPath: name + ".idx"))
        try Data(bytes[(4 + length)...]).write(to: URL(fileURLWithPath: name + ".pack"))
        _ = try ObjectStore(layout: layout).check()
    }

    private static func withFile(_ bytes: [UInt8], suffix: String, _ body: (String) throws -> Void) throws {
        let path = FileManager.default.temporaryDirectory.path + "/gitml-fuzz-\(getpid())\(suffix)"
        defer { unlink(path) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        try body(path)
    }
}
