/// The numeric profile of this build: architecture, SIMD features compiled in and the kernel
/// version. Results are bit-identical within one profile; record the id with every model.
public enum NumericProfile {
    /// Bumped whenever a kernel's arithmetic (and so any result bit) may change.
    public static let kernelVersion = 2

    /// The compiled-in architecture.
    public static var architecture: String {
        #if arch(x86_64)
        return "x86_64"
        #elseif arch(arm64)
        return "arm64"
        #else
        return "other"
        #endif
    }

    /// SIMD instruction-set level the kernels were compiled for.
    public static var simdFeatures: String {
        #if GITML_X86_64_V3
        return "avx2"
        #elseif arch(arm64)
        return "neon"
        #else
        return "baseline"
        #endif
    }

    /// e.g. "x86_64-avx2-nofma-k2": FMA is never used, so it is not a feature of the profile.
    public static var id: String { "\(architecture)-\(simdFeatures)-nofma-k\(kernelVersion)" }
}
