import Foundation
import Logging
import SpotterCore
import SpotterStore

/// One attempt to deliver an outbox item; for a message, the event id it became.
package typealias Attempt = (delivery: Delivery, eventID: String?)

/// Where outbox items go out. The outbox's delivery round hands each channel the due items it
/// carries, and records all outcomes in one transaction.
package protocol OutboundChannel: Sendable {
    /// Whether this channel delivers the item.
    func carries(_ item: OutboxItem) -> Bool
    /// Delivers one round's items, in order within a room; an attempt per item, in order.
    func deliver(_ items: [OutboxItem]) -> [Attempt]
}

/// The durable outbox's delivery rounds: the due items go to the channel that carries each, and
/// every outcome (sent, retried after a backoff, refused) is recorded in one transaction.
package struct Outbox: Sendable {
    /// Which queue a delivery round serves: each has its own, so one channel's dead receiver
    /// does not hold up the other; within a channel, items go in order.
    package enum Lane: Sendable {
        case homeserver, webhooks, all

        var webhooksOnly: Bool? {
            switch self {
            case .homeserver: false
            case .webhooks: true
            case .all: nil
            }
        }
    }

    /// A delivered item that became an event, for whoever queued it to follow up in the same transaction.
    package typealias Delivered = (item: OutboxItem, eventID: String)

    let channels: [any OutboundChannel]
    let database: SpotterDatabase
    let clock: @Sendable () -> Timestamp
    let logger: Logger
    /// Runs in the transaction that records a round, with the items that became events (a
    /// prompt's rating reactions are queued there, once its event id is kept).
    let followUp: @Sendable (StoreSession, [Delivered], Timestamp) throws -> Void
    /// On a shared store, each room's queue (and each lifter's direct messages) is delivered by
    /// one instance at a time, so its items go once and in order.
    let leases: Leases

    package init(
        channels: [any OutboundChannel], database: SpotterDatabase, clock: @escaping @Sendable () -> Timestamp, logger: Logger,
        leases: Leases? = nil, followUp: @escaping @Sendable (StoreSession, [Delivered], Timestamp) throws -> Void = { _, _, _ in }
    ) {
        self.channels = channels
        self.database = database
        self.clock = clock
        self.logger = logger
        self.leases = leases ?? Leases(database: database, clock: clock)
        self.followUp = followUp
    }

    /// The lease an item is delivered under: its room's queue on its channel, or its recipient's
    /// direct messages (the first may create their direct room).
    static func leaseKey(_ item: OutboxItem) -> String {
        switch item.kind {
        case .direct: LeaseKey.outbox("direct:" + (item.recipient ?? ""))
        case .webhook: LeaseKey.outbox("webhook:" + item.roomID)
        default: LeaseKey.outbox(item.roomID)
        }
    }

    /// The round's due items; on a shared store only those of queues this instance now holds,
    /// read again once held (another instance may have just delivered some), with the leases to
    /// give back after the round.
    func claimDue(_ lane: Lane, limit: Int) -> (items: [OutboxItem], held: Set<String>) {
        let due: () -> [OutboxItem]? = {
            try? database.read { try $0.dueOutbox(now: clock(), limit: limit, webhooks: lane.webhooksOnly) }
        }
        guard let items = due(), !items.isEmpty else { return ([], []) }
        guard leases.contended else { return (items, []) }
        guard let held = try? leases.claim(items.map(Self.leaseKey)), !held.isEmpty else { return ([], []) }
        return ((due() ?? []).filter { held.contains(Self.leaseKey($0)) }, held)
    }

    /// Delivers what is due on a lane, then records the outcomes in one transaction. Returns the
    /// items attempted with their outcomes, in order.
    package func deliverDue(_ lane: Lane = .all, limit: Int = 64) -> [(OutboxItem, Delivery)] {
        let (items, held) = claimDue(lane, limit: limit)
        defer { leases.release(held) }
        guard !items.isEmpty else { return [] }
        // Each item to the channel it goes out on; each channel delivers its share of the round.
        var attempts = [Attempt?](repeating: nil, count: items.count)
        for channel in channels {
            let indices = items.indices.filter { channel.carries(items[$0]) }
            guard !indices.isEmpty else { continue }
            for (index, attempt) in zip(indices, channel.deliver(indices.map { items[$0] })) { attempts[index] = attempt }
        }
        var outcomes: [(OutboxItem, Delivery)] = []
        var delivered: [Delivered] = []
        for (item, attempt) in zip(items, attempts) {
            guard let attempt else { continue }
            if let eventID = attempt.eventID { delivered.append((item, eventID)) }
            outcomes.append((item, attempt.delivery))
        }
        let now = clock()
        try? database.write { session in
            try followUp(session, delivered, now)
            for (item, outcome) in outcomes {
                switch outcome {
                case .delivered:
                    try session.markSent(item.id, at: now)
                case let .retry(after, reason):
                    try session.reschedule(item.id, at: now + Backoff.delay(attempt: item.attempts, serverAsked: after), error: reason)
                case let .rejected(reason):
                    try session.markFailed(item.id, error: reason)
                }
            }
        }
        return outcomes
    }
}
