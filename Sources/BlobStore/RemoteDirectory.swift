import Foundation
import Platform

/// A remote in a shared directory (NFS, a mounted disk): key `k` is the file `<root>/k`.
/// Writes go to `<root>/tmp/` first and are renamed into place (atomic on one file system);
/// exclusive creation uses `link(2)`, which fails when the target exists, so it is atomic
/// on NFS too.
public struct DirectoryRemote: RemoteBackend {
    public let name: String
    /// The directory's absolute path.
    public let root: String
    private var tmp: String { root + "/tmp" }

    /// A remote rooted at `root` (created if missing).
    public init(name: String, root: String) throws {
        self.name = name
        self.root = root
        do {
            try FileIO.makeDirectory(root + "/tmp")
        } catch {
            throw RemoteError.io(remote: name, key: "", message: "\(error)")
        }
    }

    private func path(_ key: String) -> String { root + "/" + key }

    public func list(prefix: String) throws -> [RemoteObjectInfo] {
        let slash = prefix.lastIndex(of: "/")
        let folder = slash.map { String(prefix[..<$0]) } ?? ""
        let start = folder.isEmpty ? root : path(folder)
        guard let walker = FileManager.default.enumerator(atPath: start) else { return [] }
        var found: [RemoteObjectInfo] = []
        while let relative = walker.nextObject() as? String {
            let key = folder.isEmpty ? relative : folder + "/" + relative
            guard key.hasPrefix(prefix), !key.hasPrefix("tmp/"),
                  walker.fileAttributes?[.type] as? FileAttributeType == .typeRegular else { continue }
            found.append(RemoteObjectInfo(key: key, size: (walker.fileAttributes?[.size] as? NSNumber)?.uint64Value ?? 0,
                                          modified: walker.fileAttributes?[.modificationDate] as? Date))
        }
        return found
    }

    public func stat(_ key: String) throws -> RemoteObjectInfo? {
        guard let size = fileSize(path(key)) else {
            if errno == ENOENT { return nil }
            throw failure(key, "stat")
        }
        return RemoteObjectInfo(key: key, size: size)
    }

    public func get(_ key: String, range: Range<UInt64>?) throws -> [UInt8] {
        let fd = open(path(key), O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { throw RemoteError.notFound(remote: name, key: key) }
            throw failure(key, "open")
        }
        defer { close(fd) }
        var info = Glibc.stat()
        guard fstat(fd, &info) == 0 else { throw failure(key, "stat") }
        let wanted = range ?? 0..<UInt64(info.st_size)
        guard wanted.upperBound <= UInt64(info.st_size) else {
            throw RemoteError.corruptObject(remote: name, key: key,
                                            detail: "\(info.st_size) bytes, shorter than the \(wanted.upperBound) "
                                                + "its index implies")
        }
        var bytes = [UInt8](repeating: 0, count: wanted.count)
        do {
            try bytes.withUnsafeMutableBytes { try FileIO.read(fd, into: $0, at: Int(wanted.lowerBound), path: path(key)) }
        } catch {
            throw RemoteError.io(remote: name, key: key, message: "\(error)")
        }
        return bytes
    }

    public func put(_ key: String, bytes: [UInt8]) throws {
        let temp = try writeTemporary(key) { fd, tempPath in
            try bytes.withUnsafeBytes { try FileIO.write(fd, $0, path: tempPath) }
        }
        guard Glibc.rename(temp, path(key)) == 0 else {
            unlink(temp)
            throw failure(key, "rename")
        }
    }

    public func put(_ key: String, file source: String) throws {
        let temp = try writeTemporary(key) { fd, tempPath in
            let input = try FileIO.openForReading(source)
            defer { close(input) }
            var buffer = [UInt8](repeating: 0, count: 1 << 20)
            while true {
                let n = try buffer.withUnsafeMutableBytes { try FileIO.readSome(input, into: $0, path: source) }
                if n == 0 { break }
                try buffer.withUnsafeBytes { try FileIO.write(fd, UnsafeRawBufferPointer(rebasing: $0[0..<n]), path: tempPath) }
            }
        }
        guard Glibc.rename(temp, path(key)) == 0 else {
            unlink(temp)
            throw failure(key, "rename")
        }
    }

    public func delete(_ key: String) throws {
        if unlink(path(key)) != 0 && errno != ENOENT { throw failure(key, "delete") }
    }

    public func createExclusively(_ key: String, bytes: [UInt8]) throws -> Bool {
        let temp = try writeTemporary(key) { fd, tempPath in
            try bytes.withUnsafeBytes { try FileIO.write(fd, $0, path: tempPath) }
        }
        defer { unlink(temp) }
        if link(temp, path(key)) == 0 { return true }
        if errno == EEXIST { return false }
        throw failure(key, "link")
    }

    /// Writes a complete, fsynced temp file for `key` (and creates the key's folder); returns its path.
    private func writeTemporary(_ key: String, _ fill: (Int32, String) throws -> Void) throws -> String {
        let temp = "\(tmp)/\(getpid())-\(UInt64.random(in: 0...UInt64.max)).tmp"
        do {
            try FileIO.makeDirectory((path(key) as NSString).deletingLastPathComponent)
            let fd = try FileIO.create(temp)
            defer { close(fd) }
            do {
                try fill(fd, temp)
                try FileIO.sync(fd, path: temp)
            } catch {
                unlink(temp)
                throw error
            }
        } catch let error as RemoteError {
            throw error
        } catch {
            throw RemoteError.io(remote: name, key: key, message: "\(error)")
        }
        return temp
    }

    private func failure(_ key: String, _ operation: String) -> RemoteError {
        .io(remote: name, key: key, message: "\(operation): \(String(cString: strerror(errno)))")
    }
}

/// The size of the file at `path`, or nil with `errno` set (outside `DirectoryRemote`, whose
/// `stat` method would shadow the system call).
private func fileSize(_ path: String) -> UInt64? {
    var info = stat()
    return stat(path, &info) == 0 ? UInt64(info.st_size) : nil
}
