import Foundation

/// Runs blocking transfers on a few dedicated threads (network waits, not CPU work, so the
/// width is independent of the core count). The first error stops the hand-out of new items
/// and is rethrown once the running ones finish.
enum RemoteTransferPool {
    static func forEach(_ count: Int, width: Int, _ body: @escaping @Sendable (Int) throws -> Void) throws {
        guard count > 0 else { return }
        let state = State()
        let threads = min(max(width, 1), count)
        let done = DispatchGroup()
        for _ in 0..<threads {
            done.enter()
            let thread = Thread {
                while let item = state.next(limit: count) {
                    do { try body(item) } catch { state.fail(error) }
                }
                done.leave()
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        done.wait()
        if let error = state.error { throw error }
    }

    private final class State: @unchecked Sendable {  // guarded by `lock`
        private let lock = NSLock()
        private var cursor = 0
        private(set) var firstError: Error?

        var error: Error? { lock.withLock { firstError } }

        func next(limit: Int) -> Int? {
            lock.withLock {
                guard firstError == nil, cursor < limit else { return nil }
                defer { cursor += 1 }
                return cursor
            }
        }

        func fail(_ error: Error) {
            lock.withLock { if firstError == nil { firstError = error } }
        }
    }
}
