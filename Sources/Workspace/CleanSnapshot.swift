import BlobStore
import Dispatch
import Foundation

/// The stat keys of a dataset's files at the last time status found it up to date. When every
/// file still has its key and no file was added, the dataset is unchanged: status then needs
/// neither the version record nor a digest, only one stat per file (on all cores) and a
/// directory scan. File: `cache/clean-<name>`: `GMCLEAN1\n`, u16 length + the dataset digest,
/// u32 entry count, then per file u16 length + relative path and u64 size, mtime, ctime, inode.
struct CleanSnapshot {
    let digest: String
    /// Relative paths, each NUL-terminated, back to back (no per-path allocation).
    let pathBytes: [UInt8]
    let keys: [StatCache.Key]

    init(digest: String, paths: [String], keys: [StatCache.Key]) {
        self.digest = digest
        pathBytes = paths.flatMap { Array($0.utf8) + [0] }
        self.keys = keys
    }

    private init(digest: String, pathBytes: [UInt8], keys: [StatCache.Key]) {
        self.digest = digest
        self.pathBytes = pathBytes
        self.keys = keys
    }

    private static let magic = Array("GMCLEAN1\n".utf8)

    static func path(layout: StoreLayout, name: String) -> String { layout.cache + "/clean-" + name }

    /// Whether `root/path` still holds exactly these files with these stat keys.
    func isUnchanged(base: String, isDirectory: Bool) -> Bool {
        var starts: [Int] = []
        starts.reserveCapacity(keys.count)
        var at = 0
        while at < pathBytes.count {
            starts.append(at)
            while pathBytes[at] != 0 { at += 1 }
            at += 1
        }
        guard starts.count == keys.count else { return false }
        let mismatches = Counter()
        let prefix = Array(base.utf8)
        let names = pathBytes, keys = self.keys, offsets = starts
        DispatchQueue.concurrentPerform(iterations: max(1, (keys.count + 4095) / 4096)) { block in
            // One path buffer per block: base + "/" + relative path + NUL.
            var path = prefix + [UInt8(ascii: "/")] + [UInt8](repeating: 0, count: 4096)
            for i in (block * 4096)..<min(keys.count, block * 4096 + 4096) {
                var n = 0
                while names[offsets[i] + n] != 0 { n += 1 }
                let length: Int
                if n == 0 {  // a single-file dataset: the base itself
                    length = prefix.count
                } else {
                    if path.count < prefix.count + 2 + n { path += [UInt8](repeating: 0, count: n) }
                    for k in 0..<n { path[prefix.count + 1 + k] = names[offsets[i] + k] }
                    length = prefix.count + 1 + n
                }
                path[length] = 0
                let key = path.withUnsafeBytes { StatCache.key(ofCString: $0.baseAddress!.assumingMemoryBound(to: CChar.self)) }
                if key != keys[i] { mismatches.increment(); return }
            }
        }
        guard mismatches.value == 0 else { return false }
        return !isDirectory || CleanSnapshot.countFiles(in: base) == keys.count
    }

    /// Regular files below `directory` (not following links, skipping `.git`), counted without
    /// building their names.
    static func countFiles(in directory: String) -> Int {
        guard let dir = opendir(directory) else { return -1 }
        defer { closedir(dir) }
        var count = 0
        while let entry = readdir(dir) {
            let type = entry.pointee.d_type
            let name = withUnsafeBytes(of: entry.pointee.d_name) { Array($0.prefix(while: { $0 != 0 })) }
            if name == [46] || name == [46, 46] || name == Array(".git".utf8) { continue }
            if type == UInt8(DT_REG) {
                count += 1
            } else if type == UInt8(DT_DIR) {
                count += countFiles(in: directory + "/" + String(decoding: name, as: UTF8.self))
            } else if type == UInt8(DT_UNKNOWN) {
                return -1  // file systems without d_type: let the full status decide
            }
        }
        return count
    }

    func encode() -> [UInt8] {
        var out = CleanSnapshot.magic
        func u16(_ v: Int) { withUnsafeBytes(of: UInt16(v).littleEndian) { out.append(contentsOf: $0) } }
        func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        u16(digest.utf8.count)
        out.append(contentsOf: digest.utf8)
        withUnsafeBytes(of: UInt32(keys.count).littleEndian) { out.append(contentsOf: $0) }
        var at = 0
        for key in keys {
            var n = 0
            while pathBytes[at + n] != 0 { n += 1 }
            u16(n)
            out.append(contentsOf: pathBytes[at..<(at + n)])
            at += n + 1
            u64(key.size); u64(UInt64(bitPattern: key.mtime)); u64(UInt64(bitPattern: key.ctime)); u64(key.inode)
        }
        return out
    }

    /// Decodes a snapshot; nil when the file is absent, damaged or of another format.
    static func load(_ file: String) -> CleanSnapshot? {
        guard let bytes = try? FileIO.readAll(file), bytes.starts(with: magic) else { return nil }
        return bytes.withUnsafeBytes { p -> CleanSnapshot? in
            var at = magic.count
            func u16() -> Int? {
                guard at + 2 <= p.count else { return nil }
                defer { at += 2 }
                return Int(UInt16(littleEndian: p.loadUnaligned(fromByteOffset: at, as: UInt16.self)))
            }
            func u64() -> UInt64 {
                defer { at += 8 }
                return UInt64(littleEndian: p.loadUnaligned(fromByteOffset: at, as: UInt64.self))
            }
            func text(_ n: Int) -> String? {
                guard at + n <= p.count else { return nil }
                defer { at += n }
                return String(decoding: p[at..<(at + n)], as: UTF8.self)
            }
            guard let dl = u16(), let digest = text(dl), at + 4 <= p.count else { return nil }
            let count = Int(UInt32(littleEndian: p.loadUnaligned(fromByteOffset: at, as: UInt32.self)))
            at += 4
            var names: [UInt8] = [], keys: [StatCache.Key] = []
            names.reserveCapacity(p.count)
            keys.reserveCapacity(count)
            for _ in 0..<count {
                guard let n = u16(), at + n + 32 <= p.count else { return nil }
                names.append(contentsOf: p[at..<(at + n)])
                names.append(0)
                at += n
                keys.append(StatCache.Key(size: u64(), mtime: Int64(bitPattern: u64()), ctime: Int64(bitPattern: u64()), inode: u64()))
            }
            return CleanSnapshot(digest: digest, pathBytes: names, keys: keys)
        }
    }
}

private final class Counter: @unchecked Sendable {  // guarded by its lock
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
