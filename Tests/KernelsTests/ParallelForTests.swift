import XCTest
@testable import Kernels

final class ParallelForTests: XCTestCase {
    func testBlocksDependOnlyOnSizeAndCoverEverything() {
        XCTAssertEqual(ParallelFor.blocks(count: 10, blockSize: 4), [0..<4, 4..<8, 8..<10])
        XCTAssertEqual(ParallelFor.blocks(count: 0, blockSize: 4), [])
    }

    func testReductionIsBitIdenticalOnOneAndTwoThreads() {
        let values = (0..<100_003).map { i in sin(Double(i)) * 1e-3 + Double(i % 7) * 1e5 }
        func sum(_ threads: ParallelFor.Threads) -> Double {
            values.withUnsafeBufferPointer { buf in
                let p = SendablePointer(UnsafeMutablePointer(mutating: buf.baseAddress!))
                return ParallelFor.map(count: buf.count, blockSize: 4096, threads: threads) { r in
                    r.reduce(0.0) { $0 + p.base[$1] }
                }.reduce(0, +)
            }
        }
        let one = sum(.one), two = sum(ParallelFor.Threads(2)), eight = sum(ParallelFor.Threads(8))
        XCTAssertEqual(one.bitPattern, two.bitPattern)
        XCTAssertEqual(one.bitPattern, eight.bitPattern)
    }

    func testRunWritesEveryElementOnce() {
        var out = [Int](repeating: 0, count: 10_000)
        out.withUnsafeMutableBufferPointer { buf in
            let p = SendablePointer(buf.baseAddress!)
            ParallelFor.run(count: buf.count, blockSize: 333, threads: ParallelFor.Threads(2)) { r in
                for i in r { p.base[i] += i }
            }
        }
        XCTAssertEqual(out, Array(0..<10_000))
    }

    /// Many one-element blocks on more threads than cores: every slot is written concurrently
    /// (the result slots once wrote through a shared array and crashed here).
    func testMapWithManyTinyBlocksOnManyThreadsKeepsBlockOrder() {
        for _ in 0..<20 {
            let parts = ParallelFor.map(count: 5000, blockSize: 1, threads: ParallelFor.Threads(4)) { range in [range.lowerBound * 2] }
            XCTAssertEqual(parts.flatMap { $0 }, (0..<5000).map { $0 * 2 })
        }
    }

    /// Tasks of uneven cost, handed to whichever thread is free: each runs once and the
    /// results come back in task order, on one thread or several.
    func testMapTasksRunsEachTaskOnceInOrder() {
        for threads in [ParallelFor.Threads.one, ParallelFor.Threads(2), ParallelFor.Threads(5)] {
            let results = ParallelFor.mapTasks(count: 300, threads: threads) { task in
                (0..<(task % 7 == 0 ? 20_000 : 10)).reduce(task) { $0 &+ $1 &* 0 }
            }
            XCTAssertEqual(results, Array(0..<300))
        }
        XCTAssertEqual(ParallelFor.mapTasks(count: 0) { $0 }, [])
    }
}
