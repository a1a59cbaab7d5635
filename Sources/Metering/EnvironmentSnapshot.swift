import Foundation
import Platform

/// The machine a run executed on, as recorded in a run record: operating system, kernel, CPU
/// model and the instruction-set flags that change numeric code paths, and the core count.
public struct EnvironmentSnapshot: Sendable, Codable, Equatable {
    /// `PRETTY_NAME` of /etc/os-release (e.g. "Debian GNU/Linux 12 (bookworm)"), or `NAME`.
    public var osName: String?
    /// `VERSION_ID` of /etc/os-release (e.g. "12").
    public var osVersion: String?
    /// `uname -s` (e.g. "Linux").
    public var kernelName: String
    /// `uname -r`.
    public var kernelRelease: String
    /// `uname -v`.
    public var kernelVersion: String
    /// `uname -m` (e.g. "x86_64").
    public var machine: String
    /// `model name` of /proc/cpuinfo; `nil` where the kernel reports none (many ARM systems).
    public var cpuModel: String?
    /// The members of `notableCPUFlags` that the CPU has (x86 `flags` or ARM `Features`), sorted.
    public var cpuFlags: [String]
    /// Online logical processors.
    public var coreCount: Int

    /// Instruction-set flags that select SIMD and hashing code paths.
    public static let notableCPUFlags: Set<String> = [
        "sse4_2", "avx", "avx2", "fma", "f16c", "bmi2", "avx512f", "avx512dq", "avx512bw", "avx512vl",
        "avx512_vnni", "avx512_bf16", "avx512_fp16", "sha_ni", "aes", "asimd", "sve", "sve2", "sha2", "sha512",
    ]

    public init(osName: String?, osVersion: String?, kernelName: String, kernelRelease: String, kernelVersion: String,
                machine: String, cpuModel: String?, cpuFlags: [String], coreCount: Int) {
        self.osName = osName
        self.osVersion = osVersion
        self.kernelName = kernelName
        self.kernelRelease = kernelRelease
        self.kernelVersion = kernelVersion
        self.machine = machine
        self.cpuModel = cpuModel
        self.cpuFlags = cpuFlags
        self.coreCount = coreCount
    }

    enum CodingKeys: String, CodingKey {
        case osName = "os_name"
        case osVersion = "os_version"
        case kernelName = "kernel_name"
        case kernelRelease = "kernel_release"
        case kernelVersion = "kernel_version"
        case machine
        case cpuModel = "cpu_model"
        case cpuFlags = "cpu_flags"
        case coreCount = "core_count"
    }

    /// The snapshot of this machine (reads /etc/os-release, /proc/cpuinfo and `uname`).
    public static func capture() -> EnvironmentSnapshot {
        var names = utsname()
        uname(&names)
        func field<T>(_ value: T) -> String {
            withUnsafeBytes(of: value) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        }
        let os = parseOSRelease(KernelFile.text("/etc/os-release") ?? "")
        let cpu = notable(ProcessorDescription.current())
        return EnvironmentSnapshot(
            osName: os.name, osVersion: os.version, kernelName: field(names.sysname), kernelRelease: field(names.release),
            kernelVersion: field(names.version), machine: field(names.machine), cpuModel: cpu.model, cpuFlags: cpu.flags,
            coreCount: max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    }

    /// Name (`PRETTY_NAME`, else `NAME`) and `VERSION_ID` from os-release text (values may be quoted).
    static func parseOSRelease(_ text: String) -> (name: String?, version: String?) {
        var values: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            var value = line[line.index(after: equals)...]
            if value.count >= 2, let quote = value.first, quote == "\"" || quote == "'", value.last == quote {
                value = value.dropFirst().dropLast()
            }
            values[String(line[..<equals])] = String(value)
        }
        return (values["PRETTY_NAME"] ?? values["NAME"], values["VERSION_ID"])
    }

    /// The first `model name` and the notable flags of the first `flags`/`Features` line of /proc/cpuinfo.
    static func parseCPUInfo(_ text: String) -> (model: String?, flags: [String]) {
        notable(ProcessorDescription.parse(cpuinfo: text))
    }

    /// The model and the members of `notableCPUFlags` the CPU has, sorted.
    static func notable(_ cpu: ProcessorDescription) -> (model: String?, flags: [String]) {
        (cpu.model, cpu.flags.filter(notableCPUFlags.contains).sorted())
    }
}
