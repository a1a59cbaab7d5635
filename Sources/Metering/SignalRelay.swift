import Foundation
import Platform

/// Write ends of the relay pipes, indexed by signal number (-1: none). Safety: an entry is
/// written once, under `SignalRelay.relays`' lock, before any handler for that signal is
/// installed, and never changes afterwards; the signal handler only reads it.
private nonisolated(unsafe) let relayWriteEnds: UnsafeMutablePointer<Int32> = {
    let ends = UnsafeMutablePointer<Int32>.allocate(capacity: Int(NSIG))
    ends.initialize(repeating: -1, count: Int(NSIG))
    return ends
}()

/// The signal handler `InterruptWatch` installs: it only writes one byte to the signal's relay
/// pipe (`write` is async-signal-safe; the pipe is non-blocking, so a full pipe drops the byte)
/// and keeps `errno` as it was.
private let relayHandler: @convention(c) (Int32) -> Void = { signalNumber in
    let savedErrno = errno
    let fd = relayWriteEnds[Int(signalNumber)]
    if fd >= 0 {
        var byte: UInt8 = 1
        _ = write(fd, &byte, 1)
    }
    errno = savedErrno
}

/// Carries deliveries of one signal from its handler to ordinary code: a pipe, and a thread
/// that reads it and calls the current listener. One relay per signal number, created on first
/// use and kept for the life of the process (so a handler never writes to a closed descriptor).
final class SignalRelay: Sendable {
    private static let relays = Locked<[Int32: SignalRelay]>([:])
    private let listener = Locked<(@Sendable () -> Void)?>(nil)

    /// The relay for `signalNumber`, created (pipe and reader thread) on first use.
    static func relay(for signalNumber: Int32) -> SignalRelay {
        relays.withLock { relays in
            if let relay = relays[signalNumber] { return relay }
            let relay = SignalRelay()
            var ends: [Int32] = [-1, -1]
            if pipe(&ends) == 0 {
                let readEnd = ends[0]
                _ = fcntl(readEnd, F_SETFD, FD_CLOEXEC)
                _ = fcntl(ends[1], F_SETFD, FD_CLOEXEC)
                _ = fcntl(ends[1], F_SETFL, O_NONBLOCK)
                Thread.detachNewThread { relay.forwardDeliveries(from: readEnd) }
                relayWriteEnds[Int(signalNumber)] = ends[1]
            }
            relays[signalNumber] = relay
            return relay
        }
    }

    /// Makes `listener` the one called for each delivery (`nil`: deliveries are dropped).
    func setListener(_ listener: (@Sendable () -> Void)?) {
        self.listener.withLock { $0 = listener }
    }

    /// The installed handler, for `sigaction`.
    static var handler: @convention(c) (Int32) -> Void { relayHandler }

    /// Runs on the relay's own thread for the life of the process.
    private func forwardDeliveries(from readEnd: Int32) {
        var buffer = [UInt8](repeating: 0, count: 64)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(readEnd, $0.baseAddress, $0.count) }
            if count < 0 && errno != EINTR { return }
            for _ in 0..<max(count, 0) { listener.withLock { $0 }?() }
        }
    }
}
