import Foundation
import Platform

/// A file or folder in the store's `tmp/` (`<purpose>-<pid>-<random>`, from
/// `StoreLayout.temporaryPath`): the open pack of a writing process, a push's staging packs, a
/// run's scratch folder. One whose process is gone is a leftover of an interrupted command —
/// nothing refers to it, and `git ml gc` removes it; one whose process still runs is in use.
public struct Leftover: Sendable, Equatable {
    public let path: String
    /// What wrote it: "run", "exec", "push", "pack", "tmp" (an atomic write), or "" when the
    /// name has no known form.
    public let purpose: String
    /// The process that made it, when the name says.
    public let pid: Int32?

    /// Whether the process that made it still runs (a reused pid counts as running: the
    /// leftover is then kept, never removed under a live command).
    public var ownerIsRunning: Bool {
        guard let pid, pid > 0 else { return false }
        return kill(pid, 0) == 0 || errno == EPERM
    }

    /// What a person should know about it (fsck's warning, `git ml run`'s note).
    public var explanation: String {
        let owner = pid.map { "process \($0) is gone" } ?? "no process owns it"
        switch purpose {
        case "run", "exec":
            return "scratch folder of an interrupted `git ml \(purpose == "run" ? "run" : "exec")` (\(owner)): partial outputs "
                + "that were never recorded; `git ml gc` removes it"
        case "push":
            return "staging packs of an interrupted `git ml push` (\(owner)); rerun the push, and `git ml gc` removes it"
        default:
            return "temporary file left by an interrupted write (\(owner)); `git ml gc` removes it"
        }
    }

    init(path: String) {
        self.path = path
        var name = (path as NSString).lastPathComponent
        if name.hasSuffix(".tmp") { name.removeLast(4) }
        let parts = name.split(separator: "-")
        if parts.count == 3, let pid = Int32(parts[1]), UInt64(parts[2]) != nil {
            purpose = String(parts[0])
            self.pid = pid
        } else {
            purpose = ""
            pid = nil
        }
    }

}

extension StoreLayout {
    /// The entries of `tmp/` whose process is gone: leftovers of interrupted commands.
    public func leftovers() -> [Leftover] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: tmp)) ?? []
        return names.sorted().map { Leftover(path: tmp + "/" + $0) }.filter { !$0.ownerIsRunning }
    }
}
