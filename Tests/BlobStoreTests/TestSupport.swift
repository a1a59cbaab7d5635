import Foundation
@testable import BlobStore

/// A temporary directory removed when the test case ends.
final class TemporaryDirectory {
    let path: String
    init() {
        path = NSTemporaryDirectory() + "gitml-test-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// A deterministic SplitMix64 stream for test data.
struct TestRandom {
    private var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// `count` incompressible bytes.
    mutating func bytes(_ count: Int) -> [UInt8] {
        (0..<((count + 7) / 8)).flatMap { _ in withUnsafeBytes(of: next().littleEndian, Array.init) }.prefix(count).map { $0 }
    }
}

/// Deterministic pseudo-random bytes (SplitMix64) that compress like text with numbers.
func csvLikeBytes(rows: Int, seed: UInt64) -> [UInt8] {
    var random = TestRandom(seed: seed)
    var out = ""
    for i in 0..<rows {
        out += "\(i),\(random.next() % 100_000),\(Double(random.next() % 1_000_000) / 1000),cat\(random.next() % 7)\n"
    }
    return Array(out.utf8)
}

func write(_ bytes: [UInt8], to path: String) {
    _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
}

/// A store under `dir/ml` holding the CSV-like file `dir/a` of `rows` rows (several chunks),
/// ingested and flushed.
func storeHoldingOneFile(in dir: TemporaryDirectory, rows: Int, seed: UInt64) throws -> (layout: StoreLayout, store: ObjectStore, data: [UInt8], file: StoredFile) {
    let layout = StoreLayout(root: dir.path + "/ml")
    let store = try ObjectStore(layout: layout)
    let data = csvLikeBytes(rows: rows, seed: seed)
    write(data, to: dir.path + "/a")
    let (file, _) = try store.ingest(path: dir.path + "/a")
    try store.flush()
    return (layout, store, data, file)
}
