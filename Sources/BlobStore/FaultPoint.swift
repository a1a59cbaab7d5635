import Foundation
import Platform

/// Named places where a test can make this process die by SIGKILL, to check that every
/// interruption between two steps of a write leaves a state `fsck` accepts and a rerun repairs
/// (docs/RELIABILITY.md, "Crash injection").
///
/// `GITML_FAULT_POINT=<name>` kills the process the first time it reaches the point `<name>`;
/// `GITML_FAULT_POINT=<name>:<n>` the n-th time. Without the variable a point costs one load and
/// one comparison with nil (the variable is read once, at the first point reached). The names
/// are listed in `FaultPoint.names` and in docs/RELIABILITY.md; they are a test interface, not a
/// user one.
public enum FaultPoint {
    public static let environmentKey = "GITML_FAULT_POINT"

    /// Every point the code exposes, `<command or layer>.<what is done>-before-<what is not>`.
    public static let names: [String] = [
        "pack.synced-before-rename", "pack.renamed-before-index",
        "add.stored-before-ref",
        "push.pack-before-index", "push.blobs-before-refs",
        "pull.fetched-before-seal",
        "remote-gc.copied-before-delete", "remote-gc.index-deleted-before-pack",
        "repack.sealed-before-delete", "repack.deleted-before-multi-pack-index",
        "run.stored-before-record",
        "mlcommit.records-before-lock", "mlcommit.written-before-commit",
    ]

    private static let armed: (name: String, hit: Int)? = {
        guard let value = getenv(environmentKey).map({ String(cString: $0) }), !value.isEmpty else { return nil }
        let parts = value.split(separator: ":", maxSplits: 1)
        return (String(parts[0]), parts.count == 2 ? max(1, Int(parts[1]) ?? 1) : 1)
    }()

    private static let hits = HitCounter()

    /// Dies here (SIGKILL, no cleanup, no buffered output flushed) when the environment arms
    /// this point and this is the armed hit.
    @inline(__always)
    public static func reach(_ name: StaticString) {
        guard let armed else { return }
        let reached = name.description
        guard reached == armed.name, hits.next() == armed.hit else { return }
        kill(getpid(), SIGKILL)
    }

    private final class HitCounter: @unchecked Sendable {  // guarded by `lock`
        private let lock = NSLock()
        private var count = 0
        func next() -> Int { lock.withLock { count += 1; return count } }
    }
}
