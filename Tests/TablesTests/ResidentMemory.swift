import Foundation
import XCTest

/// The process's resident memory from /proc (Linux), for the readers' peak-memory tests.
enum ResidentMemory {
    /// The high-water mark (VmHWM) and current resident size, in bytes.
    static func now() throws -> (peak: Int, current: Int) {
        let status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
        func field(_ name: String) -> Int {
            let line = status.split(separator: "\n").first { $0.hasPrefix(name + ":") } ?? ""
            return (Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0) * 1024
        }
        return (field("VmHWM"), field("VmRSS"))
    }

    /// How far resident memory rose above its level at the start while `body` ran (the
    /// high-water mark is reset first), with `body`'s result. Skips the test where /proc
    /// cannot reset the mark.
    static func growth<R>(during body: () throws -> R) throws -> (bytes: Int, result: R) {
        #if os(Linux)
        guard FileManager.default.isWritableFile(atPath: "/proc/self/clear_refs") else { throw XCTSkip("no /proc/self/clear_refs") }
        try "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)  // reset VmHWM
        let before = try now().current
        let result = try body()
        return (try now().peak - before, result)
        #else
        throw XCTSkip("measured through /proc (Linux)")
        #endif
    }
}
