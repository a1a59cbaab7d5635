import Foundation
import Platform

/// An open folder reached from a trusted root one component at a time with `openat(2)` and
/// `O_NOFOLLOW | O_DIRECTORY`, so no symbolic link on the way is followed: a component that is a
/// link, or not a folder, is an error (`StoreError.unsafePath`) and nothing is created past it.
/// Files are then created and replaced relative to the open descriptor (`openat`, `renameat`,
/// `unlinkat`), so a link swapped in after the walk cannot redirect them either.
///
/// The root itself is opened as given (it is the work tree the user is in, trusted).
/// Components must already be valid names (one path component each: no `/`, `.` or `..`);
/// callers get them from a validated path (`WorkTreePath` in Records).
public final class ConfinedDirectory {
    /// The open folder (closed when this value goes away).
    public let descriptor: Int32
    /// Its path, for messages.
    public let path: String

    private init(descriptor: Int32, path: String) {
        self.descriptor = descriptor
        self.path = path
    }

    deinit { close(descriptor) }

    /// Opens `root` (following links: it is trusted), then each of `components` below it.
    /// With `create`, missing folders are made (mode 0755); without, a missing one is
    /// `StoreError.io` with ENOENT.
    public static func open(root: String, components: some Collection<String> = [String](), create: Bool) throws -> ConfinedDirectory {
        let fd = Glibc.open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd < 0 { throw FileIO.error(root, "open directory") }
        return try ConfinedDirectory(descriptor: fd, path: root).subdirectory(components, create: create)
    }

    /// The folder `components` below this one, reached without following links.
    public func subdirectory(_ components: some Collection<String>, create: Bool) throws -> ConfinedDirectory {
        var current = self
        for name in components {
            precondition(!name.isEmpty && name != "." && name != ".." && !name.contains("/"), "not one path component: \(name)")
            let childPath = current.path + "/" + name
            var fd = openat(current.descriptor, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            if fd < 0, errno == ENOENT, create {
                // mkdirat never follows a link at the name; EEXIST means another writer made it.
                if mkdirat(current.descriptor, name, 0o755) != 0, errno != EEXIST { throw FileIO.error(childPath, "mkdir") }
                fd = openat(current.descriptor, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            }
            if fd < 0 {
                if errno == ELOOP || errno == ENOTDIR { throw StoreError.unsafePath(path: childPath, reason: current.describe(name)) }
                throw FileIO.error(childPath, "open directory")
            }
            current = ConfinedDirectory(descriptor: fd, path: childPath)
        }
        return current
    }

    /// What `name` in this folder is, for an error: a link (with its target) or not a folder.
    private func describe(_ name: String) -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlinkat(descriptor, name, &buffer, buffer.count - 1)
        if n >= 0 { return "is a symbolic link (to \(String(decoding: buffer[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)))" }
        return "is not a folder"
    }

    /// Whether `name` here is a regular file (a link is not followed: it is not one).
    public func isRegularFile(_ name: String) -> Bool {
        var st = stat()
        return fstatat(descriptor, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && (st.st_mode & S_IFMT) == S_IFREG
    }

    /// Creates a new file here that did not exist (`O_CREAT | O_EXCL | O_NOFOLLOW`), for
    /// reading and writing, mode 0644.
    func createFile(_ name: String) throws -> Int32 {
        let fd = openat(descriptor, name, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
        if fd < 0 { throw FileIO.error(path + "/" + name, "create") }
        return fd
    }

    /// Renames `from` to `to`, both here. A link at `to` is replaced, not followed (rename(2)).
    func rename(_ from: String, to: String) throws {
        if renameat(descriptor, from, descriptor, to) != 0 { throw FileIO.error(path + "/" + to, "rename \(from) to") }
    }

    /// Removes the file (or link) `name` here; a missing one is not an error.
    public func removeFile(_ name: String) throws {
        if unlinkat(descriptor, name, 0) != 0, errno != ENOENT { throw FileIO.error(path + "/" + name, "remove") }
    }

    /// Regular files below this folder, relative and sorted; skips `.git` and symbolic links and
    /// never follows one. Reads directories with readdir and its d_type, so listing 100,000 files
    /// costs no stat.
    public func listFiles(sorted: Bool = true) throws -> [String] {
        var out: [String] = []
        func walk(_ fd: Int32, _ relative: String) throws {
            guard let dir = fdopendir(fd) else {
                close(fd)
                throw FileIO.error(relative.isEmpty ? path : path + "/" + relative, "read directory")
            }
            defer { closedir(dir) }
            while let entry = readdir(dir) {
                let name = entry.pointee.name
                if name == "." || name == ".." || name == ".git" { continue }
                let child = relative.isEmpty ? name : relative + "/" + name
                var type = entry.pointee.d_type
                if type == UInt8(DT_UNKNOWN) {
                    var st = stat()
                    guard fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 else { continue }
                    type = (st.st_mode & S_IFMT) == S_IFDIR ? UInt8(DT_DIR) : (st.st_mode & S_IFMT) == S_IFREG ? UInt8(DT_REG) : 0
                }
                if type == UInt8(DT_DIR) {
                    let sub = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                    if sub >= 0 { try walk(sub, child) }
                } else if type == UInt8(DT_REG) {
                    out.append(child)
                }
            }
        }
        let start = openat(descriptor, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)  // its own read position
        if start < 0 { throw FileIO.error(path, "open directory") }
        try walk(start, "")
        return sorted ? out.sorted() : out
    }
}
