import Foundation
import Platform

/// Thin, error-typed wrappers over the POSIX calls the store needs: positional reads, full
/// writes, fsync and atomic replacement (temp file + fsync + rename + directory fsync).
public enum FileIO {
    static func error(_ path: String, _ operation: String) -> StoreError {
        .io(path: path, operation: operation, message: String(cString: strerror(errno)))
    }

    /// Opens `path` read-only, with `flags` added (`O_DIRECTORY` for a folder).
    public static func openForReading(_ path: String, flags: Int32 = 0) throws -> Int32 {
        let fd = open(path, O_RDONLY | O_CLOEXEC | flags)
        if fd < 0 { throw error(path, "open") }
        return fd
    }

    /// Opens the regular file at `path` to read it, and returns its stat key too. Opened without
    /// blocking, so a path that is a FIFO (or a device, a socket) is refused with
    /// `StoreError.notARegularFile`, never waited on.
    static func openRegularFile(_ path: String) throws -> (fd: Int32, key: StatCache.Key) {
        let fd = try openForReading(path, flags: O_NONBLOCK)
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            let failure = error(path, "stat")
            close(fd)
            throw failure
        }
        guard (st.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            throw StoreError.notARegularFile(path: path)
        }
        return (fd, StatCache.Key(st))
    }

    /// Creates `path` exclusively for reading and writing (mode 0644).
    static func create(_ path: String, mode: mode_t = 0o644) throws -> Int32 {
        let fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        if fd < 0 { throw error(path, "create") }
        return fd
    }

    /// Reads exactly `buffer.count` bytes at `offset`; a short file is corruption.
    static func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, at offset: Int, path: String) throws {
        var done = 0
        while done < buffer.count {
            let n = pread(fd, buffer.baseAddress! + done, buffer.count - done, off_t(offset + done))
            if n < 0 {
                if errno == EINTR { continue }
                throw error(path, "read")
            }
            if n == 0 { throw StoreError.corruptFile(path: path, detail: "unexpected end of file at byte \(offset + done)") }
            done += n
        }
    }

    /// Reads up to `buffer.count` bytes from the current position; returns how many (0 at end).
    static func readSome(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, path: String) throws -> Int {
        var done = 0
        while done < buffer.count {
            let n = Glibc.read(fd, buffer.baseAddress! + done, buffer.count - done)
            if n < 0 {
                if errno == EINTR { continue }
                throw error(path, "read")
            }
            if n == 0 { break }
            done += n
        }
        return done
    }

    /// Writes all of `bytes`.
    static func write(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws {
        var done = 0
        while done < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + done, bytes.count - done)
            if n < 0 {
                if errno == EINTR { continue }
                throw error(path, "write")
            }
            done += n
        }
    }

    /// Writes all of `bytes` at `offset` (pwrite: safe from many threads on one descriptor).
    static func write(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, at offset: Int, path: String) throws {
        var done = 0
        while done < bytes.count {
            let n = pwrite(fd, bytes.baseAddress! + done, bytes.count - done, off_t(offset + done))
            if n < 0 {
                if errno == EINTR { continue }
                throw error(path, "write")
            }
            done += n
        }
    }

    /// The size of the file at `path`.
    static func size(_ path: String) throws -> UInt64 {
        var info = stat()
        guard stat(path, &info) == 0 else { throw error(path, "stat") }
        return UInt64(info.st_size)
    }

    static func sync(_ fd: Int32, path: String) throws {
        if fsync(fd) != 0 { throw error(path, "fsync") }
    }

    /// Makes a rename inside `directory` durable.
    static func syncDirectory(_ directory: String) throws {
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd < 0 { throw error(directory, "open directory") }
        defer { close(fd) }
        if fsync(fd) != 0 { throw error(directory, "fsync directory") }
    }

    public static func rename(_ from: String, to: String) throws {
        if Glibc.rename(from, to) != 0 { throw error(to, "rename \(from) to") }
    }

    /// Writes `bytes` to `path` atomically: a temp file in `temporaryDirectory` (same file
    /// system), fsync, rename over `path`, fsync of the parent directory. A crash leaves either
    /// the old file or the new one, never a mix. `mode`: the file's permission bits (less the umask).
    /// `durable: false` skips both fsyncs, for caches: a crash may then leave the old file, the
    /// new one or an empty one, never a mix of the two.
    public static func writeAtomically(_ bytes: [UInt8], to path: String, temporaryDirectory: String,
                                       mode: mode_t = 0o644, durable: Bool = true) throws {
        let temp = "\(temporaryDirectory)/tmp-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
        let fd = try create(temp, mode: mode)
        do {
            defer { close(fd) }
            try bytes.withUnsafeBytes { b in try write(fd, b, path: temp) }
            if durable { try sync(fd, path: temp) }
        } catch {
            unlink(temp)
            throw error
        }
        do {
            try rename(temp, to: path)
        } catch {
            unlink(temp)
            throw error
        }
        guard durable else { return }
        let directory = (path as NSString).deletingLastPathComponent
        try syncDirectory(directory.isEmpty ? "." : directory)
    }

    /// Reads a whole (small) file.
    public static func readAll(_ path: String) throws -> [UInt8] {
        let fd = try openForReading(path)
        defer { close(fd) }
        var st = stat()
        if fstat(fd, &st) != 0 { throw error(path, "stat") }
        var bytes = [UInt8](repeating: 0, count: Int(st.st_size))
        try bytes.withUnsafeMutableBytes { b in
            if b.count > 0 { try read(fd, into: b, at: 0, path: path) }
        }
        return bytes
    }

    /// Creates `path` and its parents if missing.
    /// Removes a file or a folder with everything in it (read-only entries made writable
    /// first); false when something could not be removed.
    @discardableResult
    public static func removeTree(_ path: String) -> Bool {
        if let files = FileManager.default.enumerator(atPath: path) {
            for case let file as String in files { chmod(path + "/" + file, 0o755) }
        }
        return (try? FileManager.default.removeItem(atPath: path)) != nil
    }

    public static func makeDirectory(_ path: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw StoreError.io(path: path, operation: "mkdir", message: "\(error.localizedDescription)")
        }
    }
}

extension Digest {
    /// The SHA-256 of the file at `path`, streamed in 4 MiB reads.
    public static func ofFile(atPath path: String) throws -> Digest {
        let fd = try FileIO.openForReading(path)
        defer { close(fd) }
        var hasher = StreamingDigest()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 4 << 20, alignment: 64)
        defer { buffer.deallocate() }
        while true {
            let n = try FileIO.readSome(fd, into: buffer, path: path)
            if n == 0 { break }
            hasher.update(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
        }
        return hasher.finalize()
    }
}
