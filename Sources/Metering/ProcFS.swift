import Glibc

/// Readers for the Linux `/proc` files the meter samples. Every reader returns `nil` for a
/// process that has vanished in between (a normal race while a tree runs).
enum ProcFS {
    /// The whole content of a small file (proc, sysfs, cgroupfs), read with `read(2)` until EOF
    /// because such files report a size of zero.
    static func readSmallFile(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { return nil }
            if count == 0 { break }
            bytes.append(contentsOf: buffer[0..<count])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Clock ticks per second of `utime`/`stime` in `/proc/<pid>/stat`.
    static let clockTicksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))

    /// The fields of `/proc/<pid>/stat` the meter needs.
    struct ProcessStat: Equatable {
        var processGroup: Int32
        /// utime + stime + cutime + cstime: the process's own CPU time and that of the
        /// descendants it has reaped, in seconds.
        var cpuSecondsWithReapedChildren: Double
    }

    /// Parses `/proc/<pid>/stat`; the command name (field 2) may contain spaces and parentheses,
    /// so fields are counted from its closing parenthesis.
    static func processStat(_ pid: Int32) -> ProcessStat? {
        guard let text = readSmallFile("/proc/\(pid)/stat"), let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // After the name: state(3) ppid(4) pgrp(5) … utime(14) stime(15) cutime(16) cstime(17).
        guard fields.count > 14, let group = Int32(fields[2]) else { return nil }
        var ticks: Int64 = 0
        for index in 11...14 {
            guard let value = Int64(fields[index]) else { return nil }
            ticks += value
        }
        return ProcessStat(processGroup: group, cpuSecondsWithReapedChildren: Double(ticks) / clockTicksPerSecond)
    }

    /// The peak resident set (`VmHWM`) of a live process in bytes; `nil` for zombies and vanished processes.
    static func peakResidentBytes(_ pid: Int32) -> UInt64? {
        guard let text = readSmallFile("/proc/\(pid)/status") else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            guard parts.count >= 2, let kibibytes = UInt64(parts[1]) else { return nil }
            return kibibytes * 1024
        }
        return nil
    }

    /// The ids of all processes visible in `/proc`.
    static func allProcessIDs() -> [Int32] {
        guard let directory = opendir("/proc") else { return [] }
        defer { closedir(directory) }
        var ids: [Int32] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if let id = Int32(name) { ids.append(id) }
        }
        return ids
    }
}
