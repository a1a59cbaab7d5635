// swift-tools-version:6.0
import PackageDescription

/// AVX2 + FMA for the SIMD kernels on x86-64 (the default SSE2 build turns `addingProduct` into a
/// libm call per lane). `GITML_BUILD=baseline` in the environment builds for any x86-64 CPU instead
/// (`make dist` ships both; `install.sh` picks one). Other architectures build with defaults.
/// `Platform` only gets the define: it checks the CPU before any x86-64-v3 code runs.
#if arch(x86_64)
let x86_64_v3 = Context.environment["GITML_BUILD"] != "baseline"
#else
let x86_64_v3 = false
#endif
let simdDefine: [SwiftSetting] = x86_64_v3 ? [.define("GITML_X86_64_V3")] : []
let simdFlags: [SwiftSetting] = x86_64_v3 ? [.unsafeFlags(["-Xcc", "-march=x86-64-v3"])] + simdDefine : []
/// The commit a release is built from (`make dist` and `make release` set GITML_COMMIT).
let buildCommit = Context.environment["GITML_COMMIT"].map { $0.filter { $0.isHexDigit } } ?? ""

let package = Package(
    name: "GitML",
    products: [
        .executable(name: "git-ml", targets: ["git-ml"]),
        .executable(name: "git-mlcommit", targets: ["git-mlcommit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
    ],
    targets: [
        // System libraries (pkg-config).
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        .systemLibrary(name: "CGit2", pkgConfig: "libgit2", providers: [.apt(["libgit2-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CSnappy", pkgConfig: "snappy", providers: [.apt(["libsnappy-dev"])]),
        // ISA-L's igzip: gzip text inflated several times faster than zlib.
        .systemLibrary(name: "CIsal", pkgConfig: "libisal", providers: [.apt(["libisal-dev"])]),
        // libbz2-dev ships no pkg-config file; its header and library are on the default paths.
        .systemLibrary(name: "CBzip2", providers: [.apt(["libbz2-dev"])]),

        // This build and the machine it runs on: release, commit, CPU features, OS-specific calls.
        .target(name: "CPlatform", cSettings: buildCommit.isEmpty ? [] : [.define("GITML_COMMIT", to: "\"\(buildCommit)\"")]),
        .target(name: "Platform", dependencies: ["CPlatform"], swiftSettings: simdDefine),

        // libcurl (for URLSession) and libgit2, opened on first use, not at start-up (LazyLibraries.h).
        .target(name: "CLazyLibraries", linkerSettings: [.linkedLibrary("dl")]),

        // Storage and git.
        .target(name: "BlobStore", dependencies: ["Platform", "CZstd", "CLazyLibraries", .product(name: "Crypto", package: "swift-crypto")],
                swiftSettings: simdFlags),
        .target(name: "GitRepo", dependencies: ["CGit2", "CLazyLibraries", "CZlib", "Platform"]),
        .target(name: "Records", dependencies: ["Platform", .product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "Workspace", dependencies: ["BlobStore", "GitRepo", "Platform", "Records", "Tables", "Contracts",
                                                  .product(name: "Yams", package: "Yams")]),

        // Compute.
        .target(name: "Kernels", dependencies: ["CPlatform"], swiftSettings: simdFlags),
        .target(name: "Evaluation", dependencies: ["Kernels", "Platform"], swiftSettings: simdFlags),
        .executableTarget(name: "EvaluationBenchmark", dependencies: ["Evaluation"],
                          path: "Benchmarks/evaluation/Sources", swiftSettings: simdFlags),
        .target(name: "Learners", dependencies: ["Kernels", "Tables"], swiftSettings: simdFlags),
        .target(name: "Tables", dependencies: ["Kernels", "Platform", "CZstd", "CZlib", "CSnappy", "CBzip2", "CIsal", "CLazyLibraries"], swiftSettings: simdFlags),
        .target(name: "Contracts", dependencies: ["Tables", "Kernels", .product(name: "Yams", package: "Yams")],
                swiftSettings: simdFlags),

        .target(name: "Gate", dependencies: ["Evaluation", "Records", "Contracts", "Kernels",
                                            .product(name: "Yams", package: "Yams")], swiftSettings: simdFlags),
        // Process metering (cost of a process tree, budgets).
        .target(name: "Metering", dependencies: ["Platform"]),
        .executableTarget(name: "metering-bench", dependencies: ["Metering"], path: "Benchmarks/metering/Sources"),

        // Runs.
        .target(name: "Runner", dependencies: ["Workspace", "Records", "Tables", "Contracts", "Learners", "Evaluation", "Kernels",
                                               "BlobStore", "GitRepo", "Gate", "Metering", "Platform", "Sweeps"]),

        // Sweeps: search spaces, successive halving, budget envelopes.
        .target(name: "Sweeps", dependencies: ["Contracts", "Kernels", "Records", .product(name: "Yams", package: "Yams")]),

        // Command line.
        .target(name: "GitMLCLI", dependencies: [
            "BlobStore", "GitRepo", "Records", "Workspace", "Tables", "Contracts", "Evaluation", "Runner", "Metering", "Learners", "Gate", "Kernels", "Platform", "Sweeps",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Yams", package: "Yams"),
        ]),
        .executableTarget(name: "git-ml", dependencies: ["GitMLCLI"]),
        .executableTarget(name: "git-mlcommit", dependencies: ["GitMLCLI"]),

        // Fuzzing (docs/RELIABILITY.md): the readers of untrusted bytes as entry points, and the
        // libFuzzer harness (`make fuzz`; a replay tool in the normal build).
        .target(name: "FuzzTargets", dependencies: ["BlobStore", "Contracts", "Gate", "Kernels", "Records", "Runner", "Tables", "Workspace"]),
        .executableTarget(name: "gitml-fuzz", dependencies: ["FuzzTargets"]),
        .executableTarget(name: "learners-bench", dependencies: ["Learners", "Kernels"],
                          path: "Benchmarks/learners/Sources", swiftSettings: simdFlags),
        .executableTarget(name: "gate-bench", dependencies: ["Gate"], path: "Benchmarks/gate/Sources", swiftSettings: simdFlags),
        .executableTarget(name: "parquet-bench", dependencies: ["Tables", "Contracts", "Platform"], path: "Benchmarks/parquet/Sources",
                          swiftSettings: simdFlags),
        .executableTarget(name: "tables-bench", dependencies: ["Tables", "Contracts", "Platform"], path: "Benchmarks/tables/Sources",
                          swiftSettings: simdFlags),

        // A moto S3 server on loopback for the tests of BlobStore and the CLI (public API only).
        .target(name: "MotoSupport", dependencies: ["BlobStore", "Platform"], path: "Tests/MotoSupport"),
        .testTarget(name: "BlobStoreTests", dependencies: ["BlobStore", "MotoSupport"]),
        .testTarget(name: "PlatformTests", dependencies: ["Platform"]),
        .testTarget(name: "GitRepoTests", dependencies: ["GitRepo", "CZlib"]),
        .testTarget(name: "RecordsTests", dependencies: ["Records", "Platform"]),
        .testTarget(name: "KernelsTests", dependencies: ["Kernels"]),
        .testTarget(name: "WorkspaceTests", dependencies: ["Workspace", "GitRepo", "BlobStore", "Records"]),
        .testTarget(name: "EvaluationTests", dependencies: ["Evaluation", "Kernels"], exclude: ["Golden"]),
        .testTarget(name: "LearnersTests", dependencies: ["Learners", "Kernels", "Tables"], exclude: ["Golden"]),
        .testTarget(name: "TablesTests", dependencies: ["Tables", "Kernels"], exclude: ["Fixtures"]),
        .testTarget(name: "ContractsTests", dependencies: ["Contracts", "Tables", "Kernels"], exclude: ["Golden", "Fixtures"]),
        .testTarget(name: "GateTests", dependencies: ["Gate", "Evaluation", "Records"]),
        .testTarget(name: "MeteringTests", dependencies: ["Metering", "Platform"]),
        .testTarget(name: "RunnerTests", dependencies: ["Runner", "BlobStore", "Kernels", "Records", "Learners", "Tables", "Metering"]),
        .testTarget(name: "FuzzTargetsTests", dependencies: ["FuzzTargets"]),
        .testTarget(name: "SweepsTests", dependencies: ["Sweeps", "Contracts", "Records"], exclude: ["Golden"]),
        .testTarget(name: "GitMLCLITests", dependencies: ["GitMLCLI", "GitRepo", "BlobStore", "Records", "MotoSupport", "Platform", "Runner", "Workspace", .product(name: "Yams", package: "Yams"),
                                                    .product(name: "ArgumentParser", package: "swift-argument-parser")],
                    exclude: ["Fixtures"]),
    ]
)
