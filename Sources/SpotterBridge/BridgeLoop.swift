import Foundation
import ServiceLifecycle
import SpotterCore

/// One of the bridge's long-running loops, as a service of `spotter serve`: handling the journal,
/// or delivering the outbox to the homeserver or to rooms' webhooks. Each runs on a thread of its
/// own, because its rounds block on SQLite and libcurl (never on the cooperative pool or an event
/// loop); graceful shutdown stops it after its current round.
public struct BridgeLoop: Service {
    /// What a loop does; the raw value names its thread.
    public enum Work: String, Sendable, CaseIterable {
        case journal = "spotter-matrix-worker"
        case homeserverDelivery = "spotter-homeserver-out"
        /// Apart from the homeserver's, so a receiver that never answers delays only its own posts.
        case webhookDelivery = "spotter-webhook-out"
    }

    let bridge: MatrixBridge
    public let work: Work

    public init(bridge: MatrixBridge, work: Work) {
        self.bridge = bridge
        self.work = work
    }

    /// Every loop the bridge needs, a service each.
    public static func all(for bridge: MatrixBridge) -> [BridgeLoop] {
        Work.allCases.map { BridgeLoop(bridge: bridge, work: $0) }
    }

    public func run() async {
        let bridge = self.bridge, work = self.work
        let loop = LoopThread(name: work.rawValue, signal: bridge.signal(for: work)) { bridge.round(work) }
        loop.start()
        // Cancellation ends the wait too: either way the loop finishes its round and stops.
        try? await gracefulShutdown()
        await loop.stop()
    }
}

/// A thread that does rounds until stopped, waiting for its signal (at most 200 ms) after a round
/// that found nothing to do.
final class LoopThread: Sendable {
    private struct State {
        var stopping = false
        var finished = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    let name: String
    let signal: DispatchSemaphore
    let round: @Sendable () -> Bool
    private let state = Locked(State())

    init(name: String, signal: DispatchSemaphore, round: @escaping @Sendable () -> Bool) {
        self.name = name
        self.signal = signal
        self.round = round
    }

    func start() {
        let thread = Thread { [self] in
            while !state.withLock({ $0.stopping }) {
                if !round() { _ = signal.wait(timeout: .now() + .milliseconds(200)) }
            }
            let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
                state.finished = true
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume()
        }
        thread.name = name
        thread.start()
    }

    /// Asks the thread to stop and waits, without blocking, until its last round is done.
    func stop() async {
        await withCheckedContinuation { continuation in
            let finished = state.withLock { state -> Bool in
                state.stopping = true
                if state.finished { return true }
                state.waiter = continuation
                return false
            }
            signal.signal()
            if finished { continuation.resume() }
        }
    }
}
