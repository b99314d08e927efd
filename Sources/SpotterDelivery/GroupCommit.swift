import Foundation
import SpotterCore

/// Work that many requests hand in at once and one thread does a batch at a time: each request
/// waits for its own outcome, and the disk is waited for once per batch rather than once per
/// request (group commit). The thread runs only while the committer is referenced.
package final class GroupCommit<Job: Sendable, Outcome: Sendable>: Sendable {
    private struct Waiting: Sendable {
        var job: Job
        var continuation: CheckedContinuation<Outcome, Never>
    }

    private let waiting = Locked<[Waiting]>([])
    private let signal = DispatchSemaphore(value: 0)
    private let maximumBatch: Int
    /// Does a batch; returns one outcome per job, in order.
    private let work: @Sendable ([Job]) -> [Outcome]

    package init(name: String, maximumBatch: Int = 256, work: @escaping @Sendable ([Job]) -> [Outcome]) {
        self.maximumBatch = maximumBatch
        self.work = work
        // The thread holds the committer only while it works, so one nobody uses any more lets
        // its thread end within a second.
        let thread = Thread { [weak self] in
            while let committer = self {
                committer.round(waitingAtMost: 1)
            }
        }
        thread.name = name
        thread.start()
    }

    /// Hands in a job; returns its outcome once its batch is done.
    package func submit(_ job: Job) async -> Outcome {
        await withCheckedContinuation { continuation in
            waiting.withLock { $0.append(Waiting(job: job, continuation: continuation)) }
            signal.signal()
        }
    }

    private func round(waitingAtMost seconds: Double) {
        guard signal.wait(timeout: .now() + seconds) == .success else { return }
        while true {
            // Everything handed in so far, up to a batch: later arrivals wait for the next round.
            let batch = waiting.withLock { queue -> [Waiting] in
                let taken = Array(queue.prefix(maximumBatch))
                queue.removeFirst(taken.count)
                return taken
            }
            guard !batch.isEmpty else { return }
            let outcomes = work(batch.map(\.job))
            precondition(outcomes.count == batch.count, "one outcome per job")
            for (waiter, outcome) in zip(batch, outcomes) { waiter.continuation.resume(returning: outcome) }
        }
    }
}
