import Foundation
import FuzzTargets

/// The libFuzzer harness for the readers in `FuzzTarget` (docs/RELIABILITY.md, "Fuzzing").
/// `make fuzz` builds it with `--sanitize=fuzzer -DFUZZING` (scratch path `.build-fuzz`) and
/// runs it once per target: `GITML_FUZZ_TARGET=csv gitml-fuzz -runs=1000000 CORPUS_DIR`.
/// Built without FUZZING (the normal build) it replays files instead:
/// `gitml-fuzz TARGET FILE…`, to reproduce a finding without the fuzzer.

#if FUZZING
private let target: FuzzTarget = {
    let name = ProcessInfo.processInfo.environment["GITML_FUZZ_TARGET"] ?? ""
    guard let target = FuzzTarget(rawValue: name) else {
        FileHandle.standardError.write(Data("set GITML_FUZZ_TARGET to one of: \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", "))\n".utf8))
        exit(2)
    }
    return target
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    target.feed(size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
#else
@main
struct FuzzReplay {
    static func main() {
        let arguments = CommandLine.arguments.dropFirst()
        guard let name = arguments.first, let target = FuzzTarget(rawValue: name) else {
            print("usage: gitml-fuzz TARGET FILE…  (TARGET: \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")))")
            exit(2)
        }
        for path in arguments.dropFirst() {
            guard let data = FileManager.default.contents(atPath: path) else {
                print("\(path): cannot be read")
                exit(2)
            }
            target.feed([UInt8](data))
            print("\(path): no crash")
        }
    }
}
#endif
