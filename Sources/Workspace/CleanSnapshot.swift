import BlobStore
import Dispatch
import Foundation
import Platform

/// The stat keys of a dataset's files and folders at the last time status found it up to date.
/// When every file still has its key and every folder below the data path still has its key,
/// the dataset is unchanged: status then needs neither the version record nor a digest nor a
/// directory listing, only one `fstatat` per file and per folder (on all cores), each relative
/// to its folder's descriptor. A folder's key covers its entries: creating, removing or renaming
/// anything in it sets its mtime and ctime (POSIX), the idea of git's untracked cache. Keys that
/// are racily clean (`StatCache.Key.isRacy`) are never captured.
///
/// File `cache/clean-<name>` (`docs/FORMAT.md`): `GMCLEAN2\n`; u16 length + the dataset digest;
/// u16 length + the data path; u32 folder count, then per folder u16 length, its path relative
/// to the data path ("" for the data path itself), NUL, key; u32 file count, then per file u32
/// folder index (`UInt32.max` for a single-file dataset), u16 length, its name, NUL, key. A key
/// is u64 size, i64 mtime ns, i64 ctime ns, u64 inode, little-endian.
struct CleanSnapshot {
    let digest: String
    let path: String
    /// The file's bytes: names are read in place, NUL-terminated, by offset.
    private let bytes: [UInt8]
    private let folders: [Entry]
    private let files: [Entry]

    /// One name (offset of its first byte in `bytes`) and its key; `folder` indexes `folders`.
    private struct Entry {
        let folder: UInt32
        let name: Int
        let key: StatCache.Key
    }

    private static let magic = Array("GMCLEAN2\n".utf8)
    private static let noFolder = UInt32.max

    static func path(layout: StoreLayout, name: String) -> String { layout.cache + "/clean-" + name }

    /// Whether `base` (the data path, absolute) still holds exactly the captured files and folders.
    func isUnchanged(base: String, isDirectory: Bool) -> Bool {
        guard isDirectory == !folders.isEmpty else { return false }
        if !isDirectory {
            return files.count == 1 && StatCache.key(of: base) == files[0].key
        }
        let baseFD = open(base, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard baseFD >= 0 else { return false }
        defer { close(baseFD) }
        let mismatch = Flag()
        let folders = self.folders, files = self.files
        let blockSize = 4096
        let blocks = (folders.count + files.count + blockSize - 1) / blockSize
        bytes.withUnsafeBufferPointer { buffer in
            let names = UnsafePointerBox(buffer.baseAddress!)
            DispatchQueue.concurrentPerform(iterations: blocks) { block in
                if mismatch.isSet { return }
                var current: (index: UInt32, fd: Int32) = (CleanSnapshot.noFolder, -1)
                defer { if current.fd >= 0 { close(current.fd) } }
                for i in (block * blockSize)..<min(folders.count + files.count, (block + 1) * blockSize) {
                    var st = stat()
                    if i < folders.count {
                        let folder = folders[i]
                        let name = names.cString(at: folder.name)
                        let found = name.pointee == 0 ? fstat(baseFD, &st) : fstatat(baseFD, name, &st, AT_SYMLINK_NOFOLLOW)
                        guard found == 0, (st.st_mode & S_IFMT) == S_IFDIR, StatCache.Key(st) == folder.key else { return mismatch.set() }
                        continue
                    }
                    let file = files[i - folders.count]
                    if file.folder != current.index {
                        if current.fd >= 0 { close(current.fd) }
                        let folderName = names.cString(at: folders[Int(file.folder)].name)
                        current = (file.folder, folderName.pointee == 0
                                   ? dup(baseFD) : openat(baseFD, folderName, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC))
                        guard current.fd >= 0 else { return mismatch.set() }
                    }
                    guard fstatat(current.fd, names.cString(at: file.name), &st, AT_SYMLINK_NOFOLLOW) == 0,
                          (st.st_mode & S_IFMT) == S_IFREG, StatCache.Key(st) == file.key else { return mismatch.set() }
                }
            }
        }
        return !mismatch.isSet
    }

    /// The snapshot of a dataset found up to date, taken from the file system now: nil when a
    /// file or folder is racily clean for a pass that began at `startedAt`, or when the tree no
    /// longer holds exactly `files` (it changed since status compared it).
    /// `files` are the record's relative paths (`[""]` for a single-file dataset).
    static func capture(digest: String, path: String, base: String, isDirectory: Bool, files: [String],
                        startedAt: Int64) -> CleanSnapshot? {
        var out = magic
        func u16(_ v: Int) { withUnsafeBytes(of: UInt16(v).littleEndian) { out.append(contentsOf: $0) } }
        func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        func key(_ k: StatCache.Key) {
            for v in [k.size, UInt64(bitPattern: k.mtime), UInt64(bitPattern: k.ctime), k.inode] {
                withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) }
            }
        }
        func name(_ s: String) -> Bool {
            guard s.utf8.count < Int(UInt16.max) else { return false }
            u16(s.utf8.count)
            out.append(contentsOf: s.utf8)
            out.append(0)
            return true
        }
        guard name(digest), name(path) else { return nil }
        if !isDirectory {
            guard files == [""], let k = StatCache.key(of: base), !k.isRacy(startedAt: startedAt) else { return nil }
            u32(0)
            u32(1)
            u32(noFolder)
            _ = name("")
            key(k)
            return load(bytes: out)
        }
        guard let tree = Tree(base: base), !tree.hasRacyKey(startedAt: startedAt),
              tree.files.count == files.count else { return nil }
        var folderIndex: [String: UInt32] = [:]
        u32(UInt32(tree.folders.count))
        for (i, (folder, k)) in tree.folders.enumerated() {
            folderIndex[folder] = UInt32(i)
            guard name(folder) else { return nil }
            key(k)
        }
        u32(UInt32(files.count))
        for file in files {
            guard let k = tree.files[file] else { return nil }
            let slash = file.lastIndex(of: "/")
            guard let folder = folderIndex[slash.map { String(file[..<$0]) } ?? ""] else { return nil }
            u32(folder)
            guard name(slash.map { String(file[file.index(after: $0)...]) } ?? file) else { return nil }
            key(k)
        }
        return load(bytes: out)
    }

    /// Every folder below a data path (with the path itself, as "") and every regular file, with
    /// their keys; `.git` and symbolic links are skipped, as `ConfinedDirectory.listFiles` does.
    private struct Tree {
        var folders: [(String, StatCache.Key)] = []
        var files: [String: StatCache.Key] = [:]

        init?(base: String) {
            let fd = open(base, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            guard fd >= 0, walk(fd, "") else { return nil }
        }

        /// Reads the folder open as `fd` (and closes it).
        private mutating func walk(_ fd: Int32, _ relative: String) -> Bool {
            var st = stat()
            guard fstat(fd, &st) == 0, let dir = fdopendir(fd) else {
                close(fd)
                return false
            }
            defer { closedir(dir) }
            folders.append((relative, StatCache.Key(st)))
            while let entry = readdir(dir) {
                let name = entry.pointee.name
                if name == "." || name == ".." || name == ".git" { continue }
                guard fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 else { return false }
                let child = relative.isEmpty ? name : relative + "/" + name
                switch st.st_mode & S_IFMT {
                case S_IFREG:
                    files[child] = StatCache.Key(st)
                case S_IFDIR:
                    let sub = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                    guard sub >= 0, walk(sub, child) else { return false }
                default:
                    continue
                }
            }
            return true
        }

        func hasRacyKey(startedAt: Int64) -> Bool {
            folders.contains { $0.1.isRacy(startedAt: startedAt) } || files.values.contains { $0.isRacy(startedAt: startedAt) }
        }
    }

    /// The encoded snapshot (as `load` reads it).
    func encode() -> [UInt8] { bytes }

    /// Decodes a snapshot file; nil when it is absent, damaged or of another format.
    static func load(_ file: String) -> CleanSnapshot? {
        guard let bytes = try? FileIO.readAll(file) else { return nil }
        return load(bytes: bytes)
    }

    private static func load(bytes: [UInt8]) -> CleanSnapshot? {
        guard bytes.starts(with: magic) else { return nil }
        var at = magic.count
        func u16() -> Int? {
            guard at + 2 <= bytes.count else { return nil }
            defer { at += 2 }
            return Int(bytes[at]) | Int(bytes[at + 1]) << 8
        }
        func u32() -> UInt32? {
            guard at + 4 <= bytes.count else { return nil }
            defer { at += 4 }
            return bytes.withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: at, as: UInt32.self)) }
        }
        /// A name's offset, checked to end in NUL.
        func name() -> Int? {
            guard let n = u16(), at + n < bytes.count, bytes[at + n] == 0 else { return nil }
            defer { at += n + 1 }
            return at
        }
        func key() -> StatCache.Key? {
            guard at + 32 <= bytes.count else { return nil }
            defer { at += 32 }
            return bytes.withUnsafeBytes { p in
                func u64(_ o: Int) -> UInt64 { UInt64(littleEndian: p.loadUnaligned(fromByteOffset: at + o, as: UInt64.self)) }
                return StatCache.Key(size: u64(0), mtime: Int64(bitPattern: u64(8)), ctime: Int64(bitPattern: u64(16)), inode: u64(24))
            }
        }
        func text(_ offset: Int) -> String { String(decoding: bytes[offset..<bytes[offset...].firstIndex(of: 0)!], as: UTF8.self) }
        guard let d = name(), let p = name(), let folderCount = u32() else { return nil }
        var folders: [Entry] = [], files: [Entry] = []
        folders.reserveCapacity(Int(folderCount))
        for _ in 0..<folderCount {
            guard let n = name(), let k = key() else { return nil }
            folders.append(Entry(folder: noFolder, name: n, key: k))
        }
        guard let fileCount = u32() else { return nil }
        files.reserveCapacity(Int(fileCount))
        for _ in 0..<fileCount {
            guard let folder = u32(), folder == noFolder ? folders.isEmpty : Int(folder) < folders.count,
                  let n = name(), let k = key() else { return nil }
            files.append(Entry(folder: folder, name: n, key: k))
        }
        guard at == bytes.count else { return nil }
        return CleanSnapshot(digest: text(d), path: text(p), bytes: bytes, folders: folders, files: files)
    }
}

/// Set once by whichever block finds a mismatch; the others stop at their next block.
private final class Flag: @unchecked Sendable {  // guarded by its lock
    private let lock = NSLock()
    private var value = false
    func set() { lock.withLock { value = true } }
    var isSet: Bool { lock.withLock { value } }
}

/// The snapshot's bytes, read (never written) by the blocks of `isUnchanged` while the array lives.
private struct UnsafePointerBox: @unchecked Sendable {
    let base: UnsafePointer<UInt8>
    init(_ base: UnsafePointer<UInt8>) { self.base = base }
    func cString(at offset: Int) -> UnsafePointer<CChar> {
        UnsafeRawPointer(base + offset).assumingMemoryBound(to: CChar.self)
    }
}
