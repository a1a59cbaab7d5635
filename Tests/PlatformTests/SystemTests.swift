import Foundation
import Platform
import XCTest

/// The platform layer's readers of the kernel and the file system, checked against Foundation's
/// and the kernel's own answers on this machine.
final class SystemTests: XCTestCase {
    func testFileTimesAreTheModificationAndChangeTimesInNanoseconds() throws {
        let path = NSTemporaryDirectory() + "gitml-platform-\(UUID().uuidString)"
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data("x".utf8)))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let modified = Date(timeIntervalSince1970: 1_700_000_000.123456789)
        try FileManager.default.setAttributes([.modificationDate: modified], ofItemAtPath: path)
        var st = stat()
        XCTAssertEqual(stat(path, &st), 0)
        XCTAssertEqual(Double(st.modificationNanoseconds) / 1e9, modified.timeIntervalSince1970, accuracy: 1e-6)
        // The change time is now (setting the time changed the inode), within a minute.
        XCTAssertEqual(Double(st.statusChangeNanoseconds) / 1e9, Date().timeIntervalSince1970, accuracy: 60)
    }

    /// /proc files report a size of zero: the reader reads to the end.
    func testKernelFilesAreReadWhole() throws {
        let status = try XCTUnwrap(KernelFile.text("/proc/self/status"))
        XCTAssertTrue(status.hasPrefix("Name:"), status)
        XCTAssertTrue(status.contains("\nPid:\t\(getpid())\n"), status)
        XCTAssertGreaterThan(try XCTUnwrap(KernelFile.bytes("/proc/self/maps")).count, 4096, "more than one read")
        XCTAssertNil(KernelFile.text("/proc/nonexistent"))
    }

    func testProcessorDescriptionParsesX86AndArm() {
        let x86 = "processor\t: 0\nmodel name\t: AMD EPYC 9B14\nflags\t\t: fpu sse4_2 avx2 fma\n\nprocessor\t: 1\nmodel name\t: other\nflags\t\t: fpu\n"
        XCTAssertEqual(ProcessorDescription.parse(cpuinfo: x86), ProcessorDescription(model: "AMD EPYC 9B14", flags: ["fpu", "sse4_2", "avx2", "fma"]))
        XCTAssertEqual(ProcessorDescription.parse(cpuinfo: "processor\t: 0\nFeatures\t: fp asimd sha2\n"),
                       ProcessorDescription(model: nil, flags: ["fp", "asimd", "sha2"]))
        XCTAssertEqual(ProcessorDescription.parse(cpuinfo: ""), ProcessorDescription(model: nil, flags: []))
    }

    func testTheCurrentProcessorIsTheKernels() throws {
        #if os(Linux)
        let cpuinfo = try String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)
        let current = ProcessorDescription.current()
        XCTAssertFalse(current.flags.isEmpty)
        XCTAssertTrue(cpuinfo.contains(current.flags.joined(separator: " ")))
        #else
        throw XCTSkip("Linux only")
        #endif
    }

    func testRunningExecutableIsThisProcesssFile() throws {
        let path = RunningExecutable.path
        XCTAssertTrue(path.hasPrefix("/"), path)
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"), path)
    }
}
