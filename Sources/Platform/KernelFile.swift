/// Files the kernel writes on demand (procfs, sysfs, cgroupfs): they report a size of zero, so
/// they are read with `read(2)` until end of file. Every reader returns `nil` for a file that
/// cannot be opened or read (a process that has vanished in between is a normal race).
public enum KernelFile {
    /// The whole content as text (invalid UTF-8 repaired).
    public static func text(_ path: String) -> String? {
        bytes(path).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The whole content.
    public static func bytes(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = 1024
        while true {
            let old = bytes.count
            bytes.append(contentsOf: repeatElement(0, count: chunk))
            let count = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + old, chunk) }
            if count < 0 && errno == EINTR { bytes.removeLast(chunk); continue }
            guard count >= 0 else { return nil }
            bytes.removeLast(chunk - count)
            if count == 0 { return bytes }
            chunk = 4096
        }
    }
}
