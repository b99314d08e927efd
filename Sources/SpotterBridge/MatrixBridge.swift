import Foundation
import Logging
import SpotterApp
import SpotterCore
import SpotterDelivery
import SpotterGroup
import SpotterHTTP
import SpotterMatrix
import SpotterStore
import SpotterWebhook

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
public final class MatrixBridge: Sendable {
    public let settings: MatrixSettings
    public let runtime: ChatRuntime
    public let homeserver: HomeserverClient
    /// Where outbox items go: the homeserver (over several connections) and rooms' outbound webhooks.
    let outbox: Outbox
    /// On a shared store: which rooms, queues and scheduler runs are this instance's for a round.
    let leases: Leases
    public let metrics: MatrixMetrics
    package let logger: Logger
    /// Fault injection, decided once at start (the process tests' crash).
    let testHooks: TestHooks
    package let clock: @Sendable () -> Timestamp
    public let bot: BotIdentity
    /// Room commands, schedules, digests and one-tap ratings.
    let group: GroupCoach
    /// Messages sent before this (seconds) are not answered.
    public let startupCutoff: Timestamp

    /// Held while a webhook batch is answered (on the batch writer's one thread); tests hold it
    /// to make requests pile up into one batch, or to keep them in progress.
    let webhookLock = NSLock()
    /// Transaction ids seen in this process (the homeserver restarts its numbering when it restarts).
    private let seenTransactions = Locked(RecentTransactions(memory: 10_000))

    /// Signalled when the journal has new events.
    let wake = DispatchSemaphore(value: 0)
    /// Signalled when something was queued for delivery.
    let outboxWake = DispatchSemaphore(value: 0)
    let webhookOutboxWake = DispatchSemaphore(value: 0)
    let storageReport = StorageReport()

    public init(
        settings: MatrixSettings, runtime: ChatRuntime, homeserver: HomeserverClient, botUserID: String, metrics: MatrixMetrics,
        logger: Logger, clock: @escaping @Sendable () -> Timestamp = ChatRuntime.systemClock, webhookSender: WebhookSender? = nil,
        testHooks: TestHooks = .none
    ) {
        self.settings = settings
        self.runtime = runtime
        self.homeserver = homeserver
        let homeservers = [homeserver] + (1..<MatrixOutbound.connections).compactMap { _ in homeserver.sibling() }
        self.metrics = metrics
        self.logger = logger
        self.testHooks = testHooks
        self.clock = clock
        let bot = BotIdentity(userID: botUserID, commandPrefix: settings.commandPrefix)
        self.bot = bot
        let group = GroupCoach(settings: settings, bot: bot, runtime: runtime, metrics: metrics, logger: logger, clock: clock)
        self.group = group
        let roomSettings = settings.group.rooms, serverSecret = settings.webhookSecret
        let leases = Leases(database: runtime.database, clock: clock)
        self.leases = leases
        self.outbox = Outbox(
            channels: [
                MatrixOutbound(homeservers: homeservers, database: runtime.database),
                WebhookOutbound(sender: webhookSender ?? (try? CurlClient()).map(WebhookSender.init),
                                secret: { room in roomSettings[room]?.outbound?.secret ?? serverSecret }, clock: clock),
            ],
            database: runtime.database, clock: clock, logger: logger, leases: leases,
            followUp: { session, delivered, now in
                // A prompt's id is kept once it is posted, and its rating options are queued with it.
                for (item, eventID) in delivered {
                    guard let purpose = item.purpose, purpose.hasPrefix("prompt:") else { continue }
                    try session.setScheduleEvent(room: item.roomID, kind: "prompt", day: String(purpose.dropFirst("prompt:".count)),
                                                 eventID: eventID)
                    try group.enqueueRatingReactions(session, room: item.roomID, prompt: eventID, now: now)
                }
            })
        self.startupCutoff = clock() - settings.startupCutoffSeconds
        let database = runtime.database
        self.journalCommit = GroupCommit(name: "spotter-journal") { batches in
            MatrixBridge.journal(batches, database: database, now: clock())
        }
        // The batch writer's thread holds the bridge weakly, so a bridge nobody uses is freed.
        let owner = Locked(WeakBridge())
        webhookCommit = GroupCommit(name: "spotter-webhook") { jobs in
            guard let bridge = owner.withLock({ $0.bridge }) else { return jobs.map { _ in .error(503, "M_UNKNOWN", "shutting down") } }
            return bridge.answerWebhooks(jobs)
        }
        owner.withLock { $0.bridge = self }
    }

    var database: SpotterDatabase { runtime.database }

    // MARK: Receiving

    /// Takes a transaction: journals its events durably, then returns (the caller answers 200).
    /// Concurrent transactions are journaled together in one commit (group commit), so the
    /// HTTP side waits for the disk once per batch rather than once per request.
    public func receive(transactionID: String, body: [UInt8]) async throws(StoreError) -> TransactionOutcome {
        if seenTransactions.withLock({ $0.contains(transactionID) }) {
            logger.info("transaction", metadata: ["txn_id": "\(transactionID)", "outcome": "repeated, acknowledged again"])
            metrics.increment("spotter_transactions_duplicate_total")
            return .duplicate
        }
        let document: JSONValue
        do {
            // One user's absurdly nested event must not make Spotter refuse the transaction: the
            // homeserver would resend it forever and hold back every event after it.
            document = try JSONValue.parse(body, beyondMaxDepth: .readAsNull)
        } catch {
            return .notJSON(error.description)
        }
        guard let events = document["events"]?.array else {
            return .badJSON("a transaction is an object with an `events` list")
        }
        metrics.increment("spotter_transactions_total")
        var rows: [JournalRow] = []
        for event in events {
            guard let eventID = event["event_id"]?.string, let roomID = event["room_id"]?.string, let type = event["type"]?.string else {
                // Unprocessable content is acknowledged and logged, never refused.
                logger.warning("transaction \(transactionID): skipped an event without event_id, room_id or type",
                               metadata: ["txn_id": "\(transactionID)", "outcome": "skipped"])
                continue
            }
            let sender = event["sender"]?.string ?? ""
            // An id the store could not keep whole (a NUL, control characters, over 255 bytes) would
            // collide with another: the event is skipped and logged, the transaction still taken.
            // The event id too: it is the key that makes an event count once.
            if let problem = Identifier.problem(eventID, field: "event_id") ?? Identifier.problem(roomID, field: "room_id")
                ?? (sender.isEmpty ? nil : Identifier.problem(sender, field: "sender")) {
                logger.warning("transaction \(transactionID): skipped event \(eventID.debugDescription): \(problem.message)",
                               metadata: ["txn_id": "\(transactionID)", "event_id": "\(eventID.debugDescription)", "outcome": "skipped",
                                          "field": "\(problem.field)"])
                metrics.increment("spotter_events_invalid_total")
                continue
            }
            rows.append(JournalRow(eventID: eventID, roomID: roomID, sender: sender, type: type,
                                          json: event.serialized(), originTimestamp: event["origin_server_ts"]?.number.map { $0 / 1000 }))
        }
        let (fresh, repeated) = try await journalCommit.submit(rows).get()
        seenTransactions.withLock { $0.insert(transactionID) }
        logger.info("transaction", metadata: ["txn_id": "\(transactionID)", "events": "\(fresh)", "duplicates": "\(repeated)"])
        metrics.increment("spotter_events_total", by: Double(fresh))
        metrics.increment("spotter_events_duplicate_total", by: Double(repeated))
        if fresh > 0 { wake.signal() }
        return .accepted(newEvents: fresh)
    }

    /// Created with the bridge: requests arrive on many threads at once.
    private let journalCommit: GroupCommit<[JournalRow], Result<(Int, Int), StoreError>>
    /// Webhook requests answered together, one transaction per batch (set once, in init).
    let webhookCommit: GroupCommit<WebhookJob, APIResponse>

    // MARK: The worker

    /// One round of a loop's work (``BridgeLoop``); whether anything was done.
    func round(_ work: BridgeLoop.Work) -> Bool {
        switch work {
        case .journal:
            let worked = (try? step(delivering: false)) ?? false
            // A failing write is logged (once, with its reason) and probed until it works again.
            reportStorage(probe: !worked)
            return worked
        case .homeserverDelivery:
            return deliverDue(.homeserver) > 0
        case .webhookDelivery:
            return deliverDue(.webhooks) > 0
        }
    }

    /// What wakes a loop early: new events for the journal's, something queued for a delivery lane.
    func signal(for work: BridgeLoop.Work) -> DispatchSemaphore {
        switch work {
        case .journal: wake
        case .homeserverDelivery: outboxWake
        case .webhookDelivery: webhookOutboxWake
        }
    }

    /// One round: handle pending events, post what the schedules say is due (once a second),
    /// deliver what is due. Returns whether anything was done. For callers that run no
    /// ``BridgeLoop``s (tests stepping by hand): with the loops running, delivery is theirs.
    @discardableResult
    public func step() throws -> Bool {
        try step(delivering: true)
    }

    /// The journal loop's round never delivers: delivery has loops of its own, and a webhook
    /// receiver that hangs must not hold up handling, even before those loops have started.
    func step(delivering: Bool) throws -> Bool {
        let handled = try handlePending()
        let now = clock()
        let scheduled = journalLoop.withLock { state in
            guard now - state.lastScheduleRun >= 1 else { return false }
            state.lastScheduleRun = now
            return true
        }
        if scheduled {
            do {
                // With several instances, one runs a round of the scheduler at a time.
                let held = try leases.claim([LeaseKey.scheduler])
                defer { leases.release(held) }
                if !held.isEmpty { try group.runSchedules() }
            } catch {
                logger.error("scheduler: \(error)")
            }
        }
        let delivered = delivering ? deliverDue(.all) : 0
        // What was handled or scheduled may have queued posts: the delivery loops look now.
        if !delivering, handled > 0 || scheduled {
            outboxWake.signal()
            webhookOutboxWake.signal()
        }
        // Gauges are refreshed at most once a second: counting a long queue is not free.
        let checked = clock()
        let refresh = journalLoop.withLock { state in
            guard checked - state.lastGaugeUpdate >= 1 || handled + delivered == 0 else { return false }
            state.lastGaugeUpdate = checked
            return true
        }
        if refresh {
            let (depth, pending) = try database.read { session in
                (try session.outboxDepth(), try session.journalCount(status: "pending"))
            }
            metrics.set("spotter_outbox_depth", Double(depth))
            metrics.set("spotter_journal_pending", Double(pending))
        }
        return handled + delivered > 0
    }

    /// What the journal loop keeps between rounds.
    struct JournalLoopState: Sendable {
        /// Each room's power levels, kept current from its power-levels events.
        var powerLevels: [String: RoomPowerLevels] = [:]
        var lastGaugeUpdate: Timestamp = 0
        var lastScheduleRun: Timestamp = 0
        /// While the homeserver fails to say how big a room is, the room's events wait (with
        /// backoff) so that no message is dropped as unaddressed on a passing error. After
        /// `memberLookupAttempts` failures in a row the room is taken as a group, as when the
        /// homeserver refuses.
        var memberLookupPauses: [String: (until: Timestamp, failures: Int)] = [:]
    }

    private let journalLoop = Locked(JournalLoopState())
    static let answerBatch = 16

    /// Handles journaled events in order, messages in batches of one transaction each.
    /// Returns how many events were handled.
    public func handlePending() throws -> Int {
        // The round's entries and their rooms in one read (the worker keeps them current below).
        // With several instances on one store, each room's events are handled by the instance
        // holding its lease for the round, in order; the others take other rooms.
        var held: Set<String>? = nil
        if leases.contended {
            let waiting = try database.read { try $0.roomsWithPendingEvents(limit: 64) }
            held = try leases.claim(waiting.map(LeaseKey.room))
        }
        defer { if let held { leases.release(held) } }
        let (entries, stored) = try database.read { session in
            let entries = try session.pendingJournal(limit: 128, rooms: held.map { Array($0) })
            var rooms: [String: RoomInfo?] = [:]
            for room in Set(entries.map(\.roomID)) { rooms[room] = .some(try session.room(room)) }
            return (entries, rooms)
        }
        var rooms = stored
        var batch: [Pending] = []
        var handledCount = 0
        // Rooms whose size the homeserver could not tell: their events wait, in order, while
        // other rooms go on.
        let now = clock()
        var waiting = Set(journalLoop.withLock { $0.memberLookupPauses }.filter { $0.value.until > now }.keys)
        func flush() throws {
            guard !batch.isEmpty else { return }
            try answer(batch)
            handledCount += batch.count
            batch.removeAll()
        }
        do {
            for entry in entries {
                if testHooks.exitBeforeHandlingMessages, entry.type == "m.room.message" {
                    // Test hook: die between acknowledging and replying, as a crash would.
                    logger.warning("SPOTTER_CRASH_AFTER_JOURNAL is set: exiting before handling \(entry.eventID)",
                                   metadata: ["room": "\(entry.roomID)", "event_id": "\(entry.eventID)"])
                    Thread.sleep(forTimeInterval: 0.5)
                    _exit(137)
                }
                if waiting.contains(entry.roomID) { continue }
                let action: EventAction
                let room: RoomInfo
                do {
                    (action, room) = try triage(entry, known: rooms[entry.roomID])
                    rooms[entry.roomID] = .some(room)
                } catch let deferred as MemberLookupDeferred {
                    // The homeserver could not say how big the room is: handle this event and the
                    // room's later ones afterwards, rather than guess whether it was for Spotter.
                    let failures = (journalLoop.withLock { $0.memberLookupPauses[entry.roomID]?.failures } ?? 0) + 1
                    let delay = Backoff.delay(attempt: failures - 1, serverAsked: deferred.after)
                    let until = clock() + delay
                    journalLoop.withLock { $0.memberLookupPauses[entry.roomID] = (until, failures) }
                    waiting.insert(entry.roomID)
                    logger.info("members of \(entry.roomID) unknown (\(deferred.reason)); its events wait \(Int(delay)) s",
                                metadata: ["room": "\(entry.roomID)", "event_id": "\(entry.eventID)", "outcome": "waiting"])
                    continue
                }
                let message: Pending? = switch action {
                case let .message(text, threadRoot): Pending(entry: entry, text: text, threadRoot: threadRoot, room: room, answersPrompt: false)
                case let .promptAnswer(text, threadRoot): Pending(entry: entry, text: text, threadRoot: threadRoot, room: room, answersPrompt: true)
                default: nil
                }
                if let message, let command = RoomCommand.parse(message.text) {
                    // Room commands change what later messages see (schedules, membership): keep order.
                    try flush()
                    try applyCommand(command, message)
                    handledCount += 1
                } else if let message {
                    batch.append(message)
                    // Small batches keep each write short, so journaling new transactions never waits long.
                    if batch.count >= Self.answerBatch { try flush() }
                } else {
                    // Other events change what later messages see (membership, joins): keep order.
                    try flush()
                    try apply(action, to: entry, room: room)
                    handledCount += 1
                    rooms[entry.roomID] = nil  // it may have changed the room: read it again
                }
            }
            try flush()
        } catch let error as StoreError {
            // Another instance handled one of these first (its lease had lapsed to it): nothing
            // of this transaction was stored, and the room's later events wait for a new round.
            guard case .conflict = error else { throw error }
            logger.info("\(error)", metadata: ["outcome": "left to another instance"])
        }
        metrics.increment("spotter_events_handled_total", by: Double(handledCount))
        return handledCount
    }

    public static let memberLookupAttempts = 6

    struct MemberLookupDeferred: Error {
        var after: Double
        var reason: String
    }

    /// `known`: the room as read for this round (nil: read it now).
    func triage(_ entry: JournalEntry, known: RoomInfo?? = nil) throws -> (EventAction, RoomInfo) {
        let event = (try? JSONValue.parse(entry.json)) ?? .object([])
        let stored: RoomInfo? = if let known { known } else { try database.read { try $0.room(entry.roomID) } }
        var room = stored ?? RoomInfo(memberCount: nil, encrypted: false, encryptedNoticeSent: false)
        let database = self.database
        let isPrompt: (String) -> Bool = { id in (try? database.read { try $0.isCheckInPrompt(id) }) ?? false }
        var action = EventTriage.triage(event, bot: bot, memberCount: room.memberCount, startupCutoff: startupCutoff,
                                        isCheckInPrompt: isPrompt)
        let needsSize: Bool = switch action {
        case .ignore: true
        case .promptAnswer: true  // where the check-in's details may go depends on the room's size
        default: false
        }
        if needsSize, room.memberCount == nil, entry.type == "m.room.message" {
            // Unaddressed in a room of unknown size: learn its size, then decide.
            switch homeserver.memberCount(room: entry.roomID) {
            case let .known(count):
                journalLoop.withLock { $0.memberLookupPauses[entry.roomID] = nil }
                var audience = RoomAudience(verifiedMembers: room.memberCount)
                audience.counted(count)
                room.memberCount = audience.verifiedMembers
                try database.write { session in
                    try session.saveRoom(entry.roomID, room)
                    // A room that turned out to be a group is nobody's direct room any more.
                    if audience.isGroup, count > 2 { try session.forgetDirectRoom(room: entry.roomID) }
                }
                action = EventTriage.triage(event, bot: bot, memberCount: count, startupCutoff: startupCutoff, isCheckInPrompt: isPrompt)
            case let .retry(after, reason)
                where (journalLoop.withLock { $0.memberLookupPauses[entry.roomID]?.failures } ?? 0) < Self.memberLookupAttempts:
                throw MemberLookupDeferred(after: after, reason: reason)
            case let .retry(_, reason), let .unknown(reason):
                journalLoop.withLock { $0.memberLookupPauses[entry.roomID] = nil }
                logger.warning("members of \(entry.roomID) unknown (\(reason)); taken as a group room",
                               metadata: ["room": "\(entry.roomID)", "event_id": "\(entry.eventID)"])
            }
        }
        return (action, room)
    }

    /// A message for the dialog, with what triage learnt about it.
    struct Pending {
        var entry: JournalEntry
        var text: String
        var threadRoot: String?
        var room: RoomInfo
        /// Sent in the thread of a check-in prompt.
        var answersPrompt: Bool
    }

    /// Answers messages in one transaction: the dialogs' writes, the queued replies and the
    /// journal marks commit together.
    func answer(_ batch: [Pending]) throws {
        let now = clock()
        // A lifter answering a room's prompt without a zone of their own lives by the room's clock.
        var roomZones: [String: String] = [:]
        for item in batch where item.answersPrompt && roomZones[item.entry.roomID] == nil {
            roomZones[item.entry.roomID] = try database.read { try self.group.plan(for: item.entry.roomID, $0) }.zone
        }
        let messages = batch.map {
            IncomingMessage(user: $0.entry.sender, room: $0.entry.roomID, text: $0.text, answersCheckInPrompt: $0.answersPrompt,
                            roomTimeZone: roomZones[$0.entry.roomID])
        }
        let handled = try runtime.handle(messages) { session, replies in
            for (item, reply) in zip(batch, replies) {
                let user = item.entry.sender
                var text = reply.reply
                let audience = RoomAudience(verifiedMembers: item.room.memberCount)
                // A check-in's result (readiness, pain, advice) and a lifter's own numbers are theirs:
                // posted only in a room the homeserver says has two members, never on a guess.
                let personal = reply.readiness != nil || reply.intent == .stats
                if audience.isPrivate {
                    // A verified room of two is the lifter's direct room with Spotter.
                    try session.saveDirectRoom(user: user, room: item.entry.roomID, createdByBot: false)
                } else if audience.destination(personal: personal) == .direct {
                    // It goes to them directly; the room only sees that it was recorded.
                    if reply.readiness != nil {
                        try self.group.enqueueDirect(session, user: user, text: "Your check-in in the group:\n" + reply.reply,
                                               dedupeKey: "checkin:\(item.entry.eventID)", now: now)
                        text = "Thanks, check-in recorded. I've sent you your readiness and today's advice in a direct message."
                    } else {
                        try self.group.enqueueDirect(session, user: user, text: "Your training, as you asked in the group:\n" + reply.reply,
                                               dedupeKey: "personal:\(item.entry.eventID)", now: now)
                        text = "I've sent you that in a direct message: your numbers stay between us."
                    }
                }
                if reply.intent == .help, self.group.isGroup(item.room) {
                    text += "\n\n" + RoomCommand.help(prefix: self.bot.commandPrefix)
                }
                if item.answersPrompt, try session.membership(room: item.entry.roomID, user: user) == nil {
                    // Answering the room's prompt is taking part, unless the lifter has left.
                    try session.setMembership(room: item.entry.roomID, user: user, .joined, at: now)
                }
                let content = ReplyContent.make(reply: text, to: item.entry.eventID, sender: user,
                                                threadRoot: item.threadRoot, msgtype: self.settings.msgtype(for: item.entry.roomID))
                try session.enqueue(kind: .message, dedupeKey: "reply:\(item.entry.eventID)", roomID: item.entry.roomID,
                                    transactionID: ReplyContent.transactionID(replyingTo: item.entry.eventID),
                                    content: content.serialized(), recipient: item.entry.sender, at: now)
                try session.markJournal(item.entry.seq, status: "handled")
            }
            // A lifter who said "forget me" + "yes" in this batch: their messages in it, now
            // handled, are kept only as tombstones (the event id, so a resend is not stored again).
            for user in Set(zip(batch, replies).filter { $0.1.forgotten }.map { $0.0.entry.sender }) {
                try session.scrubJournal(sender: user)
            }
        }
        let done = clock()
        for (item, reply) in zip(batch, handled) {
            let seconds = max(0, done - max(item.entry.originTimestamp ?? done, startupCutoff))
            metrics.observeHandling(seconds: seconds)
            // What happened, never what was said: the operator's trail for one message.
            var metadata: Logger.Metadata = ["room": "\(item.entry.roomID)", "event_id": "\(item.entry.eventID)",
                                             "intent": "\(reply.intent.rawValue)", "outcome": "answered"]
            if logger.logLevel <= .debug { metadata["handling_ms"] = "\(Int((seconds * 1000).rounded()))" }
            logger.info("handled event", metadata: metadata)
        }
    }

    /// Applies a room command and queues its reply with the journal mark, in one transaction.
    func applyCommand(_ command: RoomCommand, _ message: Pending) throws {
        let now = clock()
        // Changing a room's schedule is for its moderators; asking the homeserver happens before
        // the write transaction, so no lock is held while it answers.
        let refusal = command.changesRoom ? permissionRefusal(user: message.entry.sender, room: message.entry.roomID) : nil
        try database.write { session in
            let reply = try refusal ?? self.group.apply(command, room: message.entry.roomID, user: message.entry.sender, from: .matrix,
                                                  session: session, now: now)
            let content = ReplyContent.make(reply: reply, to: message.entry.eventID, sender: message.entry.sender,
                                            threadRoot: message.threadRoot, msgtype: self.settings.msgtype(for: message.entry.roomID))
            try session.enqueue(kind: .message, dedupeKey: "reply:\(message.entry.eventID)", roomID: message.entry.roomID,
                                transactionID: ReplyContent.transactionID(replyingTo: message.entry.eventID),
                                content: content.serialized(), recipient: message.entry.sender, at: now)
            try session.markJournal(message.entry.seq, status: "handled")
        }
        metrics.increment("spotter_room_commands_total")
        logger.info("handled event", metadata: ["room": "\(message.entry.roomID)", "event_id": "\(message.entry.eventID)",
                                                "intent": "room_command", "outcome": refusal == nil ? "applied" : "refused"])
    }

    /// The reply refusing a room change to someone below `group.command_power_level`, or nil
    /// when they may. Levels come from the room's power-levels events as they arrive, else
    /// from the homeserver once; when it cannot say, the change is refused (the safe side).
    func permissionRefusal(user: String, room: String) -> String? {
        let needed = settings.group.commandPowerLevel
        let levels: RoomPowerLevels
        // On a shared store another instance may have seen the room's latest levels: ask each time.
        if !database.isShared, let known = journalLoop.withLock({ $0.powerLevels[room] }) {
            levels = known
        } else {
            switch homeserver.powerLevels(room: room) {
            case let .success(fetched):
                journalLoop.withLock { $0.powerLevels[room] = fetched }
                levels = fetched
            case let .failure(problem):
                logger.warning("power levels of \(room) unknown (\(problem.reason)); a schedule change was refused",
                               metadata: ["room": "\(room)", "outcome": "refused"])
                return "I couldn't check who may change this room's schedule just now; please try again in a minute."
            }
        }
        let level = levels.level(of: user)
        guard level < needed else { return nil }
        logger.info("refused a room command in \(room): power level \(level) is below \(needed)",
                    metadata: ["room": "\(room)", "outcome": "refused"])
        return "Only the room's moderators (power level \(needed) or more) can change its schedule; ask one of them. "
            + "Anyone can use \(bot.commandPrefix) schedule, \(bot.commandPrefix) summary, \(bot.commandPrefix) join and \(bot.commandPrefix) leave."
    }

    func apply(_ action: EventAction, to entry: JournalEntry, room: RoomInfo) throws {
        var room = room
        let now = clock()
        switch action {
        case let .powerLevels(content):
            // Known rooms take the new levels; an unknown room is read whole on its first command.
            journalLoop.withLock { state in
                if let known = state.powerLevels[entry.roomID] { state.powerLevels[entry.roomID] = known.updated(with: content) }
            }
            try database.write { try $0.markJournal(entry.seq, status: "handled") }
        case let .ignore(reason):
            logger.info("handled event", metadata: ["room": "\(entry.roomID)", "event_id": "\(entry.eventID)",
                                                    "outcome": "ignored", "reason": "\(reason)"])
            try database.write { try $0.markJournal(entry.seq, status: "ignored", note: reason) }
        case .join:
            let event = (try? JSONValue.parse(entry.json)) ?? .object([])
            // An invite marked `is_direct` is the inviter's direct room with Spotter.
            let direct = event["content"]?["is_direct"] == .bool(true) && !entry.sender.isEmpty && entry.sender != bot.userID
            try database.write { session in
                if direct { try session.saveDirectRoom(user: entry.sender, room: entry.roomID, createdByBot: false) }
                try session.enqueue(kind: .join, dedupeKey: "join:\(entry.eventID)", roomID: entry.roomID, transactionID: nil,
                                    content: nil, recipient: nil, at: now)
                try session.markJournal(entry.seq, status: "handled")
            }
        case .membership:
            // Who is in the room changed: its size is asked of the homeserver again before
            // anything depends on it, never adjusted by guesswork.
            var audience = RoomAudience(verifiedMembers: room.memberCount)
            audience.observe((try? JSONValue.parse(entry.json)) ?? .object([("type", "m.room.member")]))
            room.memberCount = audience.verifiedMembers
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
            try answer([Pending(entry: entry, text: text, threadRoot: threadRoot, room: room, answersPrompt: false)])
        case let .promptAnswer(text, threadRoot):
            try answer([Pending(entry: entry, text: text, threadRoot: threadRoot, room: room, answersPrompt: true)])
        case let .quickRating(prompt, rating):
            try group.recordQuickRating(entry, prompt: prompt, rating: rating, now: now)
        case let .redaction(redacts):
            try group.forgetQuickRating(entry, redacts: redacts)
        }
    }

    /// Delivers what is due in the outbox (the outcomes recorded in one transaction), then logs
    /// and counts them. Returns how many were attempted.
    package func deliverDue(_ lane: Outbox.Lane = .all) -> Int {
        let outcomes = outbox.deliverDue(lane)
        for (item, outcome) in outcomes {
            let status = switch outcome { case .delivered: "delivered"; case .retry: "retrying"; case .rejected: "refused" }
            // Ids only: the content is the lifter's conversation.
            var metadata: Logger.Metadata = ["kind": "\(item.kind.rawValue)", "room": "\(item.roomID)", "status": "\(status)",
                                             "attempts": "\(item.attempts + 1)"]
            if let transactionID = item.transactionID {
                metadata["txn_id"] = "\(transactionID)"
                if let eventID = ReplyContent.answeredEventID(transactionID: transactionID) { metadata["event_id"] = "\(eventID)" }
            }
            logger.info("reply", metadata: metadata)
            switch outcome {
            case .delivered:
                metrics.increment("spotter_replies_total")
            case let .retry(after, reason):
                metrics.increment("spotter_send_retries_total")
                logger.info("\(item.kind.rawValue) to \(item.roomID): \(reason); retrying in \(Int(Backoff.delay(attempt: item.attempts, serverAsked: after))) s",
                            metadata: metadata)
            case let .rejected(reason):
                metrics.increment("spotter_send_failures_total")
                logger.error("\(item.kind.rawValue) to \(item.roomID) refused: \(reason); not retried", metadata: metadata)
            }
        }
        return outcomes.count
    }
}

/// A bridge, held weakly.
struct WeakBridge: Sendable {
    weak var bridge: MatrixBridge?
}

/// The last `memory` transaction ids, to acknowledge a repeat at once; the oldest is forgotten first.
struct RecentTransactions: Sendable {
    let memory: Int
    private var order: [String] = []
    private var ids: Set<String> = []

    init(memory: Int) { self.memory = memory }

    func contains(_ id: String) -> Bool { ids.contains(id) }

    mutating func insert(_ id: String) {
        guard ids.insert(id).inserted else { return }
        order.append(id)
        if order.count > memory { ids.remove(order.removeFirst()) }
    }
}

/// A journal row for one event of a transaction.
struct JournalRow: Sendable {
    var eventID, roomID, sender, type, json: String
    var originTimestamp: Timestamp?
}

extension MatrixBridge {
    /// Journals the rows of many concurrent transactions in one write; per transaction
    /// (new events, events seen before), or the store's error for all of them.
    static func journal(_ batches: [[JournalRow]], database: SpotterDatabase, now: Timestamp) -> [Result<(Int, Int), StoreError>] {
        do {
            let counts = try database.write { session in
                try batches.map { rows -> (Int, Int) in
                    var fresh = 0
                    for row in rows {
                        if try session.journal(eventID: row.eventID, roomID: row.roomID, sender: row.sender, type: row.type,
                                               json: row.json, originTimestamp: row.originTimestamp, receivedAt: now) {
                            fresh += 1
                        }
                    }
                    return (fresh, rows.count - fresh)
                }
            }
            return counts.map { .success($0) }
        } catch {
            return batches.map { _ in .failure(error) }
        }
    }
}
