import Foundation

/// The (manifest, file digest) pairs this store has seen assemble to bytes with that digest. A
/// record names a file of several chunks by its digest and reads it through its manifest, and
/// only each chunk and manifest node is verified on the way: a record from a remote or a
/// teammate may pair a manifest with another file's digest. `restore` hashes the bytes of a pair
/// it has not seen once and refuses a mismatch; `ingest` remembers the pairs it computes, so data
/// added here is never hashed twice.
///
/// File (`cache/verified-manifests-v1`): one line per pair, `<manifest hex> <digest hex>\n`,
/// appended (`O_APPEND`, one write per line). A line that does not parse is ignored; a lost
/// file only means one more hash per file.
final class VerifiedManifests: @unchecked Sendable {  // `pairs` is guarded by `lock`
    private let path: String
    private let lock = NSLock()
    private var pairs: Set<String>?

    init(layout: StoreLayout) { path = layout.cache + "/verified-manifests-v1" }

    private static func line(_ file: StoredFile) -> String? {
        file.manifest.map { "\($0.hex) \(file.digest.hex)" }
    }

    /// Whether `file` needs no hash: it has no manifest (its chunk is its digest), or its pair
    /// was verified before.
    func contains(_ file: StoredFile) -> Bool {
        guard let line = Self.line(file) else { return true }
        return lock.withLock {
            if pairs == nil {
                let text = (try? FileIO.readAll(path)).map { String(decoding: $0, as: UTF8.self) } ?? ""
                pairs = Set(text.split(separator: "\n").map(String.init))
            }
            return pairs!.contains(line)
        }
    }

    /// Records `file`'s pair as verified (best effort: a failed write only costs a later hash).
    func remember(_ file: StoredFile) {
        guard let line = Self.line(file) else { return }
        let fresh = lock.withLock { pairs?.insert(line).inserted ?? true }
        guard fresh else { return }
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return }
        defer { close(fd) }
        _ = Array((line + "\n").utf8).withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    }
}
