import Platform

/// The processes a metered launch is responsible for: its cgroup v2 when it has one, else the
/// root's process group (whose id is the root's pid).
enum ProcessTree {
    case cgroup(CgroupV2, processGroup: Int32)
    case processGroup(Int32)

    /// A sample of the live tree: the CPU time so far and the pids to read memory from.
    struct Sample {
        var cpuSeconds: Double
        var members: [Int32]
    }

    /// CPU so far: `cpu.stat` for a cgroup; for a process group, the sum over its live
    /// members of their own and their reaped children's CPU time (`/proc/<pid>/stat`).
    func sample() -> Sample {
        switch self {
        case .cgroup(let cgroup, _):
            return Sample(cpuSeconds: cgroup.cpuSeconds() ?? 0, members: cgroup.memberIDs())
        case .processGroup(let group):
            var cpu = 0.0
            var members: [Int32] = []
            for pid in ProcFS.allProcessIDs() {
                guard let stat = ProcFS.processStat(pid), stat.processGroup == group else { continue }
                cpu += stat.cpuSecondsWithReapedChildren
                members.append(pid)
            }
            return Sample(cpuSeconds: cpu, members: members)
        }
    }

    /// Sends `signal` once to every process of the tree.
    func signal(_ signal: Int32) {
        switch self {
        case .cgroup(let cgroup, _):
            cgroup.signalAll(signal)
        case .processGroup(let group):
            kill(-group, signal)
        }
    }

    /// SIGKILLs every process of the tree; for a cgroup, waits (up to 5 s) until it is empty.
    func killAll() {
        switch self {
        case .cgroup(let cgroup, _):
            cgroup.killAll()
            _ = cgroup.waitUntilEmpty(timeout: 5)
        case .processGroup(let group):
            kill(-group, SIGKILL)
        }
    }
}
