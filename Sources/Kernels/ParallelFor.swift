import Foundation
import Dispatch
import Synchronization

/// Deterministic data parallelism: work is split into fixed blocks whose boundaries depend only
/// on the problem size and the block size — never on the number of threads — and per-block
/// results are combined in block order. A reduction therefore gives bit-identical results on
/// one core or many.
public enum ParallelFor {
    /// How many threads run blocks; 1 runs everything on the calling thread. Defaults to the
    /// active processor count. Results never depend on it.
    public struct Threads: Sendable, Equatable {
        public let count: Int
        public init(_ count: Int) { self.count = max(1, count) }
        public static var all: Threads { Threads(ProcessInfo.processInfo.activeProcessorCount) }
        public static let one = Threads(1)
    }

    /// The fixed blocks `0..<count` is cut into: `blockSize` elements each, the last shorter.
    public static func blocks(count: Int, blockSize: Int) -> [Range<Int>] {
        precondition(blockSize > 0, "block size must be positive")
        return stride(from: 0, to: count, by: blockSize).map { $0..<min($0 + blockSize, count) }
    }

    /// Runs `body` once per block, in parallel. `body` must only write state owned by its block.
    public static func run(count: Int, blockSize: Int, threads: Threads = .all,
                           _ body: @Sendable (Range<Int>) -> Void) {
        let ranges = blocks(count: count, blockSize: blockSize)
        if threads.count == 1 || ranges.count <= 1 {
            ranges.forEach(body)
            return
        }
        // Blocks go to whichever worker is free next, so a worker that shares its core with
        // another thread (a decoder, another reader) does not hold the others back; which
        // thread ran a block never changes what the block computes.
        let workers = min(threads.count, ranges.count)
        let next = TaskCounter(count: ranges.count)
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while let b = next.take() { body(ranges[b]) }
        }
    }

    /// Maps every block to a partial result in parallel and returns the partials in block order,
    /// so the caller's fold over them is in a fixed order.
    public static func map<T: Sendable>(count: Int, blockSize: Int, threads: Threads = .all,
                                        _ body: @Sendable (Range<Int>) -> T) -> [T] {
        let ranges = blocks(count: count, blockSize: blockSize)
        let slots = ResultSlots<T>(count: ranges.count)
        run(count: ranges.count, blockSize: 1, threads: threads) { index in
            let b = index.lowerBound
            slots.store(body(ranges[b]), at: b)
        }
        return slots.values()
    }

    /// Runs `body` on every task `0..<count` in parallel and returns the results in task
    /// order. Tasks go to whichever thread is free next (for independent tasks of uneven cost),
    /// so `body` must only compute from its task: no result may depend on which thread ran it.
    public static func mapTasks<T: Sendable>(count: Int, threads: Threads = .all, _ body: @Sendable (Int) -> T) -> [T] {
        let slots = ResultSlots<T>(count: count)
        let workers = min(threads.count, count)
        if workers <= 1 {
            for task in 0..<count { slots.store(body(task), at: task) }
        } else {
            let next = TaskCounter(count: count)
            DispatchQueue.concurrentPerform(iterations: workers) { _ in
                while let task = next.take() { slots.store(body(task), at: task) }
            }
        }
        return slots.values()
    }
}

/// Hands out task numbers `0..<count` once each, to whichever thread asks.
private final class TaskCounter: Sendable {
    private let next = Atomic<Int>(0)
    private let count: Int

    init(count: Int) { self.count = count }

    func take() -> Int? {
        let task = next.wrappingAdd(1, ordering: .relaxed).oldValue
        return task < count ? task : nil
    }
}

/// One result slot per block. Each block writes only its own slot through a raw pointer
/// (never through a shared array, whose in-place mutation is not safe from several threads),
/// and all writes happen before `values()` reads them (concurrentPerform returns after every
/// iteration finished), so there is no data race despite the unchecked Sendable.
private final class ResultSlots<T>: @unchecked Sendable {
    private let count: Int
    private let base: UnsafeMutablePointer<T?>
    init(count: Int) {
        self.count = count
        base = .allocate(capacity: count)
        base.initialize(repeating: nil, count: count)
    }
    deinit {
        base.deinitialize(count: count)
        base.deallocate()
    }
    func store(_ value: T, at index: Int) { base[index] = value }
    func values() -> [T] { (0..<count).map { base[$0]! } }
}

/// A raw pointer that parallel blocks write through, each to its own disjoint range.
/// The caller guarantees the ranges are disjoint and the memory outlives the parallel call.
public struct SendablePointer<T>: @unchecked Sendable {
    public let base: UnsafeMutablePointer<T>
    public init(_ base: UnsafeMutablePointer<T>) { self.base = base }
}
