import Platform

/// Readers for the Linux `/proc` files the meter samples. Every reader returns `nil` for a
/// process that has vanished in between (a normal race while a tree runs).
enum ProcFS {
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
    /// so fields are counted from its last closing parenthesis. Works on bytes: the budget
    /// sampler reads every process's stat file several times a second.
    static func processStat(_ pid: Int32) -> ProcessStat? {
        guard let bytes = KernelFile.bytes("/proc/\(pid)/stat"), let close = bytes.lastIndex(of: UInt8(ascii: ")")) else { return nil }
        // After the name: state(3) ppid(4) pgrp(5) … utime(14) stime(15) cutime(16) cstime(17),
        // i.e. fields 0…14 counted from the name's end.
        var field = -1
        var value: Int64 = 0
        var negative = false
        var group: Int32?
        var ticks: Int64 = 0
        for byte in bytes[(close + 1)...] {
            if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\n") {
                if field == 2 { group = Int32(truncatingIfNeeded: negative ? -value : value) }
                if (11...14).contains(field) { ticks += negative ? -value : value }
                if field == 14 { break }
                field += 1
                value = 0
                negative = false
            } else if byte == UInt8(ascii: "-") {
                negative = true
            } else if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                value = value &* 10 &+ Int64(byte - UInt8(ascii: "0"))
            }
        }
        guard field == 14, let group else { return nil }
        return ProcessStat(processGroup: group, cpuSecondsWithReapedChildren: Double(ticks) / clockTicksPerSecond)
    }

    /// The peak resident set (`VmHWM`) of a live process in bytes; `nil` for zombies and vanished processes.
    static func peakResidentBytes(_ pid: Int32) -> UInt64? {
        guard let text = KernelFile.text("/proc/\(pid)/status") else { return nil }
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
            let id = entry.pointee.withName { name -> Int32? in
                var value: Int32 = 0
                for byte in name {
                    guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") else { return nil }
                    value = value &* 10 &+ Int32(byte - UInt8(ascii: "0"))
                }
                return name.isEmpty ? nil : value
            }
            if let id { ids.append(id) }
        }
        return ids
    }
}
