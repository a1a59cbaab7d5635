import Foundation
import FuzzTargets
import XCTest

/// Replays the committed fuzz corpus (`Fuzz/corpus/<target>/`: seeds and every input a fuzzer
/// ever crashed on) through the same entry points as the libFuzzer harness, so CI checks the
/// findings without a fuzzer build; then seeded mutations of each file (byte flips, truncations,
/// duplicated spans), 40 per file by default and 2,000 with GITML_SLOW_TESTS=1. A reader that
/// traps kills the test process: the run fails.
final class FuzzCorpusTests: XCTestCase {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fuzz/corpus").path

    private func files(of target: FuzzTarget) throws -> [String] {
        let directory = Self.corpus + "/" + target.rawValue
        return try FileManager.default.contentsOfDirectory(atPath: directory).sorted().map { directory + "/" + $0 }
    }

    func testEveryTargetHasACorpus() throws {
        for target in FuzzTarget.allCases {
            XCTAssertFalse(try files(of: target).isEmpty, "Fuzz/corpus/\(target.rawValue) is empty")
        }
    }

    func testTheCorpusAndItsMutationsNeverCrashAReader() throws {
        let mutations = ProcessInfo.processInfo.environment["GITML_SLOW_TESTS"] == "1" ? 2_000 : 40
        var inputs = 0
        for target in FuzzTarget.allCases {
            for path in try files(of: target) {
                let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
                target.feed(bytes)
                var state = UInt64(bytes.count) &+ 0x9E37_79B9_7F4A_7C15
                for _ in 0..<mutations {
                    target.feed(Self.mutate(bytes, &state))
                }
                inputs += 1 + mutations
            }
        }
        print("fuzz corpus: \(inputs) inputs through \(FuzzTarget.allCases.count) readers, no crash")
    }

    /// One seeded mutation: flip a byte, truncate, or repeat a span (deep nesting, long fields).
    static func mutate(_ bytes: [UInt8], _ state: inout UInt64) -> [UInt8] {
        func next(_ bound: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return bound <= 0 ? 0 : Int((state >> 33) % UInt64(bound))
        }
        guard !bytes.isEmpty else { return [UInt8(next(256))] }
        var out = bytes
        switch next(3) {
        case 0:
            for _ in 0...next(4) { out[next(out.count)] ^= UInt8(1 + next(255)) }
        case 1:
            out.removeLast(next(out.count))
        default:
            let start = next(out.count), length = min(1 + next(16), out.count - start)
            let span = out[start..<(start + length)]
            out.insert(contentsOf: Array(repeating: span, count: 1 + next(64)).joined(), at: start)
        }
        return out
    }
}
