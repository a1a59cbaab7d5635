import XCTest
@testable import Metering

final class EnvironmentSnapshotTests: XCTestCase {
    func testOSReleaseParsing() {
        let text = """
        PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
        NAME="Debian GNU/Linux"
        VERSION_ID="12"
        ID=debian
        """
        let parsed = EnvironmentSnapshot.parseOSRelease(text)
        XCTAssertEqual(parsed.name, "Debian GNU/Linux 12 (bookworm)")
        XCTAssertEqual(parsed.version, "12")
        let bare = EnvironmentSnapshot.parseOSRelease("NAME=Alpine\nVERSION_ID=3.20.1\n")
        XCTAssertEqual(bare.name, "Alpine")
        XCTAssertEqual(bare.version, "3.20.1")
    }

    func testCPUInfoParsingKeepsNotableFlagsOfFirstProcessor() {
        let x86 = """
        processor\t: 0
        model name\t: AMD EPYC 9R14 96-Core Processor
        flags\t\t: fpu sse2 sse4_2 avx avx2 fma avx512f sha_ni aes
        processor\t: 1
        model name\t: other
        flags\t\t: fpu
        """
        let parsed = EnvironmentSnapshot.parseCPUInfo(x86)
        XCTAssertEqual(parsed.model, "AMD EPYC 9R14 96-Core Processor")
        XCTAssertEqual(parsed.flags, ["aes", "avx", "avx2", "avx512f", "fma", "sha_ni", "sse4_2"])
        let arm = EnvironmentSnapshot.parseCPUInfo("processor\t: 0\nFeatures\t: fp asimd sha2 crc32 sve\n")
        XCTAssertNil(arm.model)
        XCTAssertEqual(arm.flags, ["asimd", "sha2", "sve"])
    }

    func testCaptureDescribesThisMachine() throws {
        let snapshot = EnvironmentSnapshot.capture()
        XCTAssertEqual(snapshot.kernelName, "Linux")
        XCTAssertFalse(snapshot.kernelRelease.isEmpty)
        XCTAssertGreaterThanOrEqual(snapshot.coreCount, 1)
        let encoded = try JSONEncoder().encode(snapshot)
        XCTAssertEqual(try JSONDecoder().decode(EnvironmentSnapshot.self, from: encoded), snapshot)
    }

    func testPipFreezeIsNilWithoutPython() {
        XCTAssertNil(PythonPackages.freeze(python: "no-such-python-xyz", environment: ["PATH": "/usr/bin:/bin"]))
    }
}
