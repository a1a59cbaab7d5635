import Foundation
import Platform

/// A cgroup v2 created for one metered process tree, as a child of this process's own cgroup.
///
/// The tree is born inside it (see `launch`), so every descendant — including ones that call
/// `setsid`, double-fork or are re-parented to init — is counted in `cpu.stat` and killed by
/// `cgroup.kill`. Needs a cgroup2 mount where this process may create a directory and write
/// `cgroup.procs` (root, or a delegated subtree); otherwise `create` says why not.
struct CgroupV2 {
    /// The cgroup's directory.
    let path: String
    /// The cgroup this process runs in (where it returns after a launch).
    let ownPath: String

    /// Serializes launches: a launch moves this whole process into the new cgroup for the
    /// duration of `posix_spawn` and back, so two launches must not overlap.
    private static let migrationLock = NSLock()
    private static let sequence = Locked(0)

    /// Creates a fresh child cgroup of this process's cgroup, or returns why that is impossible.
    static func create() -> Result<CgroupV2, CgroupUnavailable> {
        guard let ownPath = ownCgroupDirectory() else {
            return .failure(CgroupUnavailable(reason: "no cgroup v2 hierarchy holds this process (/proc/self/cgroup, /proc/self/mountinfo)"))
        }
        removeAbandoned(under: ownPath)
        let number = sequence.withLock { value in value += 1; return value }
        let path = "\(ownPath)/\(namePrefix)\(getpid())-\(number)"
        guard mkdir(path, 0o755) == 0 else {
            return .failure(CgroupUnavailable(reason: "cannot create \(path): \(describe(errno))"))
        }
        return .success(CgroupV2(path: path, ownPath: ownPath))
    }

    /// `gitml-meter-<pid namespace inode>-`: cgroup names continue with the creating process's
    /// pid and a sequence number. The namespace keeps `removeAbandoned` from judging pids it
    /// cannot see.
    static let namePrefix: String = {
        var target = [CChar](repeating: 0, count: 64)
        let length = readlink("/proc/self/ns/pid", &target, target.count - 1)
        let link = length > 0 ? String(decoding: target[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self) : ""
        return "gitml-meter-\(link.filter(\.isNumber))-"
    }()

    /// Kills and removes the metering cgroups under `directory` whose creating process (in this
    /// pid namespace) has died: a meter that was itself SIGKILLed leaves its tree running there.
    static func removeAbandoned(under directory: String) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        for name in names where name.hasPrefix(namePrefix) {
            let parts = name.dropFirst(namePrefix.count).split(separator: "-")
            guard parts.count == 2, let creator = Int32(parts[0]), kill(creator, 0) != 0, errno == ESRCH else { continue }
            let abandoned = CgroupV2(path: "\(directory)/\(name)", ownPath: directory)
            abandoned.killAll()
            _ = abandoned.waitUntilEmpty(timeout: 1)
            abandoned.remove()
        }
    }

    /// Runs `spawn` while this process is a member of the cgroup, so the child it creates starts
    /// inside it, then moves this process back. The CPU this process uses during `spawn`
    /// (a `vfork` + `exec`, well under a millisecond) is charged to the cgroup too.
    /// Returns `.unavailable` when this process cannot join the cgroup (nothing was spawned);
    /// when it cannot return, the child is killed and `MeteringError.cgroupMigrationFailed` thrown.
    func launch(_ spawn: () throws(MeteringError) -> Int32) throws(MeteringError) -> CgroupLaunch {
        Self.migrationLock.lock()
        defer { Self.migrationLock.unlock() }
        let selfID = "\(getpid())"
        let joinError = Self.write(selfID, to: "\(path)/cgroup.procs")
        guard joinError == 0 else {
            return .unavailable(reason: "cannot move a process into \(path): \(describe(joinError))")
        }
        let spawned = Result { () throws(MeteringError) in try spawn() }
        let returnError = Self.write(selfID, to: "\(ownPath)/cgroup.procs")
        if returnError != 0 {
            killAll()
            throw .cgroupMigrationFailed(path: ownPath, errno: returnError)
        }
        return .started(processID: try spawned.get())
    }

    /// Total CPU time (`usage_usec` of `cpu.stat`) of every process that ever ran in the cgroup.
    func cpuSeconds() -> Double? {
        guard let text = KernelFile.text("\(path)/cpu.stat") else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("usage_usec ") {
            return Double(line.dropFirst("usage_usec ".count)).map { $0 / 1e6 }
        }
        return nil
    }

    /// `memory.peak` in bytes; `nil` when the memory controller is not enabled for the cgroup.
    func memoryPeakBytes() -> UInt64? {
        KernelFile.text("\(path)/memory.peak").flatMap { UInt64($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    /// The live members of the cgroup.
    func memberIDs() -> [Int32] {
        (KernelFile.text("\(path)/cgroup.procs") ?? "").split(separator: "\n").compactMap { Int32($0) }
    }

    /// Whether any process is still in the cgroup (`populated` of `cgroup.events`).
    func isPopulated() -> Bool {
        guard let events = KernelFile.text("\(path)/cgroup.events") else { return !memberIDs().isEmpty }
        return events.split(separator: "\n").contains("populated 1")
    }

    /// Sends `signal` to every member.
    func signalAll(_ signal: Int32) {
        for member in memberIDs() { kill(member, signal) }
    }

    /// SIGKILLs every member: `cgroup.kill` (Linux ≥ 5.14) is atomic against forks; older
    /// kernels get repeated passes over `cgroup.procs` while the cgroup is frozen.
    func killAll() {
        if Self.write("1", to: "\(path)/cgroup.kill") == 0 { return }
        _ = Self.write("1", to: "\(path)/cgroup.freeze")
        for _ in 0..<100 where isPopulated() {
            signalAll(SIGKILL)
            usleep(1_000)
        }
    }

    /// Waits until the cgroup has no members, for at most `timeout` seconds; returns whether it emptied.
    func waitUntilEmpty(timeout: Double) -> Bool {
        let deadline = MonotonicClock.seconds() + timeout
        while isPopulated() {
            if MonotonicClock.seconds() > deadline { return false }
            usleep(1_000)
        }
        return true
    }

    /// Removes the (empty) cgroup directory, its child cgroups first (a meter that ran inside a
    /// metered tree — a nested `git ml run` — leaves one inside, and rmdir of a cgroup with a
    /// child fails with EBUSY however long it is retried: each launch spent 1 s per such
    /// leftover); a busy one is retried briefly, then left behind.
    func remove() {
        for child in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] {
            var st = stat()
            let childPath = path + "/" + child
            guard lstat(childPath, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR else { continue }
            let nested = CgroupV2(path: childPath, ownPath: ownPath)
            nested.killAll()
            _ = nested.waitUntilEmpty(timeout: 1)
            nested.remove()
        }
        for _ in 0..<200 {
            if rmdir(path) == 0 || errno == ENOENT { return }
            usleep(5_000)
        }
    }

    /// `0` or the `errno` of writing `value` to the cgroup control file at `path`.
    private static func write(_ value: String, to path: String) -> Int32 {
        let fd = open(path, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { return errno }
        defer { close(fd) }
        let bytes = Array(value.utf8)
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        return written == bytes.count ? 0 : errno
    }

    /// The directory of this process's cgroup v2: the `0::<path>` line of /proc/self/cgroup,
    /// placed under the cgroup2 mount found in /proc/self/mountinfo (hybrid systems mount it at
    /// /sys/fs/cgroup/unified, pure v2 systems at /sys/fs/cgroup).
    static func ownCgroupDirectory() -> String? {
        guard let membership = KernelFile.text("/proc/self/cgroup")?.split(separator: "\n")
            .first(where: { $0.hasPrefix("0::") }).map({ String($0.dropFirst(3)) }),
              let mount = cgroup2Mount() else { return nil }
        let relative: Substring
        if mount.root == "/" {
            relative = membership.dropFirst()
        } else if membership == mount.root || membership.hasPrefix(mount.root + "/") {
            relative = membership.dropFirst(mount.root.count + 1)
        } else {
            return nil
        }
        return relative.isEmpty ? mount.point : "\(mount.point)/\(relative)"
    }

    /// The mount point and mounted root of the first cgroup2 mount in /proc/self/mountinfo.
    private static func cgroup2Mount() -> (point: String, root: String)? {
        guard let text = KernelFile.text("/proc/self/mountinfo") else { return nil }
        for line in text.split(separator: "\n") {
            let halves = line.components(separatedBy: " - ")
            guard halves.count == 2, halves[1].hasPrefix("cgroup2 ") else { continue }
            let fields = halves[0].split(separator: " ")
            guard fields.count >= 5 else { continue }
            return (unescapeMountField(fields[4]), unescapeMountField(fields[3]))
        }
        return nil
    }

    /// Undoes the octal escapes (`\040` for a space) of mountinfo fields.
    private static func unescapeMountField(_ field: Substring) -> String {
        var bytes: [UInt8] = []
        var utf8 = Array(field.utf8)[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "\\"), utf8.count >= 3, let code = UInt8(String(decoding: utf8.prefix(3), as: UTF8.self), radix: 8) {
                bytes.append(code)
                utf8 = utf8.dropFirst(3)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// Why no cgroup v2 could be used; the meter then falls back to rusage and records the reason.
struct CgroupUnavailable: Error {
    let reason: String
}

/// The result of `CgroupV2.launch`.
enum CgroupLaunch {
    /// The child started inside the cgroup.
    case started(processID: Int32)
    /// This process could not join the cgroup; nothing was started.
    case unavailable(reason: String)
}

/// `strerror` text with the errno number, for reasons and messages.
func describe(_ code: Int32) -> String {
    "\(String(cString: strerror(code))) (errno \(code))"
}
