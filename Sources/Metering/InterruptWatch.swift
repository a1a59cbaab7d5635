import Platform

/// Catches a signal (SIGINT by default) for as long as it is active, instead of letting it
/// kill this process: a handler is installed with `sigaction` that only records the delivery
/// (async-signal-safe, through a pipe); `deliveryCount` grows and `handler` runs on a
/// background thread.
///
/// Pass it to `MeteredProcess.waitForExit(stoppingOn:)` so Ctrl-C stops the metered tree
/// (which runs in its own process group and so does not get the terminal's SIGINT itself) and
/// the run can be recorded as interrupted; a second Ctrl-C kills the tree without waiting for
/// the grace period. Create it before launching so no signal is missed; `cancel()` puts back
/// the signal action that was there before. Keep one active watch per signal at a time.
public final class InterruptWatch: Sendable {
    /// The signal being watched.
    public let signalNumber: Int32
    private let deliveries = Locked(0)
    private let relay: SignalRelay
    private let previousAction: Locked<sigaction>

    /// Starts watching `signalNumber`; `handler` runs after each delivery (after `deliveryCount` grew).
    public init(signal signalNumber: Int32 = SIGINT, handler: (@Sendable () -> Void)? = nil) {
        self.signalNumber = signalNumber
        relay = SignalRelay.relay(for: signalNumber)
        let deliveries = self.deliveries
        relay.setListener {
            deliveries.withLock { $0 += 1 }
            handler?()
        }
        var action = sigaction()
        action.__sigaction_handler.sa_handler = SignalRelay.handler
        action.sa_flags = SA_RESTART
        sigemptyset(&action.sa_mask)
        var previous = sigaction()
        sigaction(signalNumber, &action, &previous)
        previousAction = Locked(previous)
    }

    /// Whether the signal has arrived since the watch started.
    public var hasFired: Bool { deliveryCount > 0 }

    /// How many times the signal has arrived since the watch started (deliveries that arrive
    /// while one is still pending merge into one, as the kernel merges them).
    public var deliveryCount: Int { deliveries.withLock { $0 } }

    /// Stops watching and puts back the signal action that was in place before.
    public func cancel() {
        var previous = previousAction.withLock { $0 }
        sigaction(signalNumber, &previous, nil)
        relay.setListener(nil)
    }
}
