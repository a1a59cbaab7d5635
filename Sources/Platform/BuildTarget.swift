import CPlatform

/// The instruction set this build's numeric kernels were compiled for, and whether the CPU that
/// runs the process has it.
///
/// The x86-64 release ships two builds: `x86-64-v3` (AVX2 and FMA kernels) and `baseline` (any
/// x86-64 CPU). `install.sh` picks the one the CPU runs; an x86-64-v3 build started on an older
/// CPU stops with `requirementMessage` instead of dying with SIGILL. The numeric profile
/// (`Kernels.NumericProfile.id`) names the build that trained a run.
public enum BuildTarget {
    /// "x86-64-v3", "baseline" (x86-64 without AVX2) or the architecture ("arm64").
    public static var simdLevel: String {
        #if GITML_X86_64_V3
        return "x86-64-v3"
        #elseif arch(x86_64)
        return "baseline"
        #elseif arch(arm64)
        return "arm64"
        #else
        return "other"
        #endif
    }

    /// What the check prints when the CPU lacks what this build needs.
    public static let requirementMessage = "this build needs AVX2 and FMA (x86-64-v3); install the baseline build"

    /// Set to `baseline` to make the check act as on a CPU without AVX2 and FMA (for tests and for
    /// trying an installation's fallback).
    public static let pretendEnvironmentKey = "GITML_PRETEND_CPU"

    /// Whether the CPU running this process has x86-64-v3 (AVX2, FMA, BMI1/2, F16C, LZCNT, MOVBE),
    /// unless `environment` pretends it has not.
    public static func cpuHasX86_64_v3(environment: [String: String]) -> Bool {
        environment[pretendEnvironmentKey] != "baseline" && gitml_cpu_has_x86_64_v3() != 0
    }

    /// `requirementMessage` when this build cannot run on the CPU, nil when it can. Call it before
    /// any numeric kernel runs.
    public static func unmetRequirement(environment: [String: String]) -> String? {
        #if GITML_X86_64_V3
        return cpuHasX86_64_v3(environment: environment) ? nil : requirementMessage
        #else
        return nil
        #endif
    }
}
