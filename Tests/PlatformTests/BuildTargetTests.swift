import Foundation
import Platform
import XCTest

final class BuildTargetTests: XCTestCase {
    /// CPUID agrees with the kernel's view of the CPU (/proc/cpuinfo flags).
    func testCPUIDAgreesWithProcCPUInfo() throws {
        #if os(Linux) && arch(x86_64)
        let cpuinfo = try String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)
        let flagsLine = try XCTUnwrap(cpuinfo.split(separator: "\n").first { $0.hasPrefix("flags") })
        let flags = Set(flagsLine.split(separator: ":")[1].split(separator: " ").map(String.init))
        let v3 = ["avx", "avx2", "fma", "bmi1", "bmi2", "f16c", "movbe", "abm", "xsave"].allSatisfy(flags.contains)
        XCTAssertEqual(BuildTarget.cpuHasX86_64_v3(environment: [:]), v3)
        #else
        throw XCTSkip("x86-64 Linux only")
        #endif
    }

    /// The pretend override makes an x86-64-v3 build refuse with what to install; a baseline
    /// build runs anywhere.
    func testPretendBaselineCPU() {
        let pretend = [BuildTarget.pretendEnvironmentKey: "baseline"]
        XCTAssertFalse(BuildTarget.cpuHasX86_64_v3(environment: pretend))
        if BuildTarget.simdLevel == "x86-64-v3" {
            XCTAssertEqual(BuildTarget.unmetRequirement(environment: pretend),
                           "this build needs AVX2 and FMA (x86-64-v3); install the baseline build")
        } else {
            XCTAssertNil(BuildTarget.unmetRequirement(environment: pretend))
        }
    }
}
