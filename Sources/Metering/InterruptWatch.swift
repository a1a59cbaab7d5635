import Dispatch
import Glibc

/// Catches a signal (SIGINT by default) for as long as it lives, instead of letting it kill
/// this process: the signal's disposition is set to ignore and a dispatch source reports each
/// delivery by setting `hasFired` and calling `handler` on a background queue.
///
/// Pass it to `MeteredProcess.waitForExit(stoppingOn:)` so Ctrl-C stops the metered tree
/// (which runs in its own process group and so does not get the terminal's SIGINT itself) and
/// the run can be recorded as interrupted. Create it before launching so no signal is missed.
/// `cancel()` restores the default disposition; create one watch per signal at a time.
public final class InterruptWatch: Sendable {
    /// The signal being watched.
    public let signalNumber: Int32
    private let fired = Locked(false)
    /// Safety: a dispatch source may be used from any thread; it is only resumed and cancelled here.
    private nonisolated(unsafe) let source: any DispatchSourceSignal

    /// Starts watching `signalNumber`; `handler` runs after each delivery (after `hasFired` is set).
    public init(signal signalNumber: Int32 = SIGINT, handler: (@Sendable () -> Void)? = nil) {
        self.signalNumber = signalNumber
        Glibc.signal(signalNumber, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
        let fired = self.fired
        source.setEventHandler {
            fired.withLock { $0 = true }
            handler?()
        }
        source.resume()
        self.source = source
    }

    /// Whether the signal has arrived since the watch started.
    public var hasFired: Bool { fired.withLock { $0 } }

    /// Stops watching and restores the signal's default action.
    public func cancel() {
        source.cancel()
        Glibc.signal(signalNumber, SIG_DFL)
    }
}
