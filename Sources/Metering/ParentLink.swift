import Platform

/// Ties a child process's life to the process that launched it, for children that are
/// programs of ours (the training worker): when the launching process dies — even by SIGKILL,
/// which leaves it no chance to stop its tree — the kernel kills the child too, instead of
/// leaving it running under init.
///
/// The launcher adds `environment(linking:)` to the child's environment; the child calls
/// `dieWithParent()` first thing. The kernel's signal (`PR_SET_PDEATHSIG`) is sent when the
/// *thread* that spawned the child ends, so launch from a thread that outlives the child (the
/// CLI launches from its main thread).
public enum ParentLink {
    /// The environment variable naming the launching process's pid.
    public static let environmentKey = "GITML_PARENT_PID"

    /// `environment` with this process named as the parent a linked child must outlive.
    public static func environment(linking environment: [String: String]) -> [String: String] {
        var linked = environment
        linked[environmentKey] = String(getpid())
        return linked
    }

    /// In the child: asks the kernel for SIGKILL when the parent dies, then exits at once (status
    /// 137, as a SIGKILL would) when the parent named in the environment is already gone — it
    /// died between the spawn and this call, and the child was re-parented. Does nothing when the
    /// environment names no parent (the child was started by hand).
    public static func dieWithParent(environment: [String: String]) {
        guard let text = environment[environmentKey], let parent = Int32(text), parent > 0 else { return }
        _ = prctl?(setParentDeathSignal, UInt(SIGKILL), 0, 0, 0)
        if getppid() != parent { _exit(128 + SIGKILL) }
    }

    /// `PR_SET_PDEATHSIG` (linux/prctl.h), which the Glibc module does not export.
    private static let setParentDeathSignal: Int32 = 1

    /// glibc's `prctl`, which Swift cannot import (it is variadic); its arguments are five
    /// machine words.
    private static let prctl: (@convention(c) (Int32, UInt, UInt, UInt, UInt) -> Int32)? = {
        guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "prctl") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (Int32, UInt, UInt, UInt, UInt) -> Int32).self)
    }()
}
