import Foundation
import Logging
import SpotterApp
import SpotterCore
import SpotterStore

/// How a transaction was taken.
public enum TransactionOutcome: Sendable, Hashable {
    /// Journaled (this many new events) and acknowledged.
    case accepted(newEvents: Int)
    /// Seen before in this process: acknowledged without reprocessing.
    case duplicate
    /// The body is not JSON (400 M_NOT_JSON).
    case notJSON(String)
    /// JSON, but not a transaction (400 M_BAD_JSON).
    case badJSON(String)
}

/// The application service: journals incoming events before acknowledging them, handles them
/// in order on one worker, and delivers replies from a durable outbox with retries.
///
/// Exactly once: an event is journaled under its event id (a repeat is ignored), handled in the
/// same transaction that queues its reply and marks it handled, and the reply is sent with a
/// transaction id derived from the event id, so a resend after a crash is idempotent at the
/// homeserver.
public final class MatrixBridge: @unchecked Sendable {
    public let settings: MatrixSettings
    public let runtime: ChatRuntime
    public let homeserver: HomeserverClient
    public let metrics: MatrixMetrics
    let logger: Logger
    let clock: @Sendable () -> Timestamp
    public private(set) var bot: BotIdentity
    /// Messages sent before this (seconds) are not answered.
    public let startupCutoff: Timestamp

    private let lock = NSLock()
    /// Transaction ids seen in this process (the homeserver restarts its numbering when it restarts).
    private var seenTransactions: [String] = []
    private var seenSet: Set<String> = []
    static let transactionMemory = 10_000

    private var worker: Thread?
    private let wake = DispatchSemaphore(value: 0)
    private var stopping = false
    private let stopped = DispatchSemaphore(value: 0)

    public init(
        settings: MatrixSettings, runtime: ChatRuntime, homeserver: HomeserverClient, botUserID: String, metrics: MatrixMetrics,
        logger: Logger, clock: @escaping @Sendable () -> Timestamp = ChatRuntime.systemClock
    ) {
        self.settings = settings
        self.runtime = runtime
        self.homeserver = homeserver
        self.metrics = metrics
        self.logger = logger
        self.clock = clock
        self.bot = BotIdentity(userID: botUserID, commandPrefix: settings.commandPrefix)
        self.startupCutoff = clock() - settings.startupCutoffSeconds
    }

    var database: SpotterDatabase { runtime.database }

    // MARK: Receiving

    /// Takes a transaction: journals its events durably, then returns (the caller answers 200).
    public func receive(transactionID: String, body: [UInt8]) throws(StoreError) -> TransactionOutcome {
        if lock.withLock({ seenSet.contains(transactionID) }) {
            metrics.increment("spotter_transactions_duplicate_total")
            return .duplicate
        }
        let document: JSONValue
        do {
            document = try JSONValue.parse(body)
        } catch {
            return .notJSON(error.description)
        }
        guard let events = document["events"]?.array else {
            return .badJSON("a transaction is an object with an `events` list")
        }
        metrics.increment("spotter_transactions_total")
        let now = clock()
        var fresh = 0
        var repeated = 0
        try database.write { session in
            for event in events {
                guard let eventID = event["event_id"]?.string, let roomID = event["room_id"]?.string,
                      let type = event["type"]?.string else {
                    // Unprocessable content is acknowledged and logged, never refused.
                    self.logger.warning("transaction \(transactionID): skipped an event without event_id, room_id or type")
                    continue
                }
                let isNew = try session.journal(
                    eventID: eventID, roomID: roomID, sender: event["sender"]?.string ?? "", type: type, json: event.serialized(),
                    originTimestamp: event["origin_server_ts"]?.number.map { $0 / 1000 }, receivedAt: now)
                if isNew { fresh += 1 } else { repeated += 1 }
            }
        }
        lock.withLock {
            seenTransactions.append(transactionID)
            seenSet.insert(transactionID)
            if seenTransactions.count > Self.transactionMemory {
                seenSet.remove(seenTransactions.removeFirst())
            }
        }
        metrics.increment("spotter_events_total", by: Double(fresh))
        metrics.increment("spotter_events_duplicate_total", by: Double(repeated))
        if fresh > 0 { wake.signal() }
        return .accepted(newEvents: fresh)
    }

    // MARK: The worker

    /// Starts the worker thread: handles journaled events in order, then delivers the outbox.
    public func start() {
        let thread = Thread { [self] in
            while !lock.withLock({ stopping }) {
                let worked = (try? step()) ?? false
                if !worked { _ = wake.wait(timeout: .now() + .milliseconds(200)) }
            }
            stopped.signal()
        }
        thread.name = "spotter-matrix-worker"
        worker = thread
        thread.start()
    }

    /// Stops the worker after its current step.
    public func stop() {
        guard worker != nil else { return }
        lock.withLock { stopping = true }
        wake.signal()
        stopped.wait()
        worker = nil
    }

    /// One round: handle pending events, deliver what is due. Returns whether anything was done.
    @discardableResult
    public func step() throws -> Bool {
        let handled = try handlePending()
        let delivered = deliverDue()
        let (depth, pending) = try database.read { session in (try session.outboxDepth(), try session.journalCount(status: "pending")) }
        metrics.set("spotter_outbox_depth", Double(depth))
        metrics.set("spotter_journal_pending", Double(pending))
        return handled + delivered > 0
    }

    /// Handles journaled events in order. Returns how many.
    public func handlePending() throws -> Int {
        let entries = try database.read { try $0.pendingJournal(limit: 64) }
        for entry in entries {
            if ProcessInfo.processInfo.environment["SPOTTER_CRASH_AFTER_JOURNAL"] == "1", entry.type == "m.room.message" {
                // Test hook: die between acknowledging and replying, as a crash would.
                logger.warning("SPOTTER_CRASH_AFTER_JOURNAL is set: exiting before handling \(entry.eventID)")
                Thread.sleep(forTimeInterval: 0.5)
                _exit(137)
            }
            try handle(entry)
        }
        return entries.count
    }

    func handle(_ entry: JournalEntry) throws {
        let event = (try? JSONValue.parse(entry.json)) ?? .object([])
        var room = try database.read { try $0.room(entry.roomID) } ?? RoomInfo(memberCount: nil, encrypted: false, encryptedNoticeSent: false)
        var action = EventTriage.triage(event, bot: bot, memberCount: room.memberCount, startupCutoff: startupCutoff)
        if case .ignore = action, room.memberCount == nil, entry.type == "m.room.message" {
            // Unaddressed in a room of unknown size: learn its size, then decide.
            if let count = homeserver.joinedMemberCount(room: entry.roomID) {
                room.memberCount = count
                try database.write { try $0.saveRoom(entry.roomID, room) }
                action = EventTriage.triage(event, bot: bot, memberCount: count, startupCutoff: startupCutoff)
            }
        }
        let now = clock()
        switch action {
        case let .ignore(reason):
            logger.debug("ignored \(entry.eventID): \(reason)")
            try database.write { try $0.markJournal(entry.seq, status: "ignored", note: reason) }
        case .join:
            try database.write { session in
                try session.enqueue(kind: .join, dedupeKey: "join:\(entry.eventID)", roomID: entry.roomID, transactionID: nil,
                                    content: nil, recipient: nil, at: now)
                try session.markJournal(entry.seq, status: "handled")
            }
        case let .membership(joined):
            if let count = room.memberCount { room.memberCount = max(1, count + (joined ? 1 : -1)) }
            try database.write { session in
                try session.saveRoom(entry.roomID, room)
                try session.markJournal(entry.seq, status: "handled")
            }
        case .encrypted:
            try database.write { session in
                if !room.encryptedNoticeSent {
                    let text = "I can't read encrypted messages, so I can't answer here. Invite me to an unencrypted room, "
                        + "or talk to me in a direct chat without encryption."
                    try session.enqueue(kind: .message, dedupeKey: "encrypted:\(entry.roomID)", roomID: entry.roomID,
                                        transactionID: ReplyContent.transactionID(replyingTo: "encrypted-" + entry.roomID),
                                        content: ReplyContent.notice(text, msgtype: settings.msgtype(for: entry.roomID)).serialized(),
                                        recipient: nil, at: now)
                    room.encrypted = true
                    room.encryptedNoticeSent = true
                    try session.saveRoom(entry.roomID, room)
                }
                try session.markJournal(entry.seq, status: "handled")
            }
        case let .message(text, threadRoot):
            let message = IncomingMessage(user: entry.sender, room: entry.roomID, text: text)
            _ = try runtime.handle([message]) { session, replies in
                guard let reply = replies.first else { return }
                let content = ReplyContent.make(reply: reply.reply, to: entry.eventID, sender: entry.sender, threadRoot: threadRoot,
                                                msgtype: self.settings.msgtype(for: entry.roomID))
                try session.enqueue(kind: .message, dedupeKey: "reply:\(entry.eventID)", roomID: entry.roomID,
                                    transactionID: ReplyContent.transactionID(replyingTo: entry.eventID),
                                    content: content.serialized(), recipient: entry.sender, at: now)
                try session.markJournal(entry.seq, status: "handled")
            }
            metrics.observeHandling(seconds: max(0, clock() - (entry.originTimestamp.map { max($0, startupCutoff) } ?? now)))
        }
        metrics.increment("spotter_events_handled_total")
    }

    /// Delivers what is due in the outbox. Returns how many were attempted.
    public func deliverDue() -> Int {
        guard let items = try? database.read({ try $0.dueOutbox(now: clock(), limit: 32) }), !items.isEmpty else { return 0 }
        for item in items {
            let outcome: Delivery
            switch item.kind {
            case .message:
                outcome = homeserver.send(room: item.roomID, transactionID: item.transactionID ?? "spotter-\(item.id)",
                                          content: item.contentJSON ?? "{}")
            case .join:
                outcome = homeserver.join(room: item.roomID)
            }
            let now = clock()
            switch outcome {
            case .delivered:
                try? database.write { try $0.markSent(item.id, at: now) }
                metrics.increment("spotter_replies_total")
            case let .retry(after, reason):
                let delay = Backoff.delay(attempt: item.attempts, serverAsked: after)
                try? database.write { try $0.reschedule(item.id, at: now + delay, error: reason) }
                metrics.increment("spotter_send_retries_total")
                logger.info("\(item.kind.rawValue) to \(item.roomID): \(reason); retrying in \(Int(delay)) s")
            case let .rejected(reason):
                try? database.write { try $0.markFailed(item.id, error: reason) }
                metrics.increment("spotter_send_failures_total")
                logger.error("\(item.kind.rawValue) to \(item.roomID) refused: \(reason); not retried")
            }
        }
        return items.count
    }
}
