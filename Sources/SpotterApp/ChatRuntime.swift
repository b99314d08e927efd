import Foundation
import SpotterAdvisor
import SpotterCore
import SpotterDialog
import SpotterSchedule
import SpotterStore
import SpotterUnderstanding

/// One message in: who said what, where.
public struct IncomingMessage: Sendable, Hashable {
    public var user: String
    public var room: String
    public var text: String
    /// Sent in reply to a scheduled check-in prompt: starts the check-in unless it is a question.
    public var answersCheckInPrompt: Bool
    /// The room's own time zone (a group with a schedule): the lifter's "today" when they have
    /// not named a zone of their own.
    public var roomTimeZone: String?

    public init(user: String, room: String = "direct", text: String, answersCheckInPrompt: Bool = false, roomTimeZone: String? = nil) {
        self.user = user
        self.room = room
        self.text = text
        self.answersCheckInPrompt = answersCheckInPrompt
        self.roomTimeZone = roomTimeZone
    }
}

/// A conversation is per (room, user); a struct key, so no user or room text can collide.
struct ConversationKey: Hashable {
    var room: String
    var user: String
}

/// One answer out: the fields of a `spotter chat --jsonl` output line.
public struct ChatReply: Sendable {
    public var user: String
    public var room: String
    public var reply: String
    public var intent: Intent
    /// The dialog still open after the message, as the JSON-lines contract names it
    /// (`checkin`, `profile` or nil); a pending "forget me" confirmation reads as nil there.
    public var dialog: String? { openDialog == "forget" ? nil : openDialog }
    /// Every open dialog by name, the "forget me" confirmation (`forget`) included.
    public var openDialog: String?
    /// Set on the message that completes a check-in.
    public var readiness: Readiness?
    public var advice: Advice?
    /// Set on the message that deleted everything stored about the user ("forget me", "yes"):
    /// a channel then keeps nothing of it either.
    public var forgotten = false
    /// The muscle, week or load part of the advice (issue 13), when the answer has one.
    public var plan: PlanAdvice?
    /// For a set log: what was stored (empty when nothing was: a question back, a refusal);
    /// nil for every other message.
    public var loggedSets: [LoggedSet]? = nil

    /// The output line's JSON.
    public var json: JSONValue {
        var fields: [(key: String, value: JSONValue)] = [
            ("user", .string(user)), ("room", .string(room)), ("reply", .string(reply)),
            ("intent", .string(intent.rawValue)), ("dialog", .optional(dialog)),
            ("readiness", .optional(readiness?.rawValue)), ("advice", AnswerJSON.advice(advice, plan: plan)),
        ]
        if let loggedSets { fields.append(("logged_sets", AnswerJSON.loggedSets(loggedSets))) }
        return .object(fields)
    }
}

/// The conversation runtime: for each message, loads the conversation and what the dialog
/// needs, applies the pure state machine, performs its effects and saves, all in one
/// transaction that commits before any reply is returned.
public final class ChatRuntime: Sendable {
    public let coach: Coach
    public let database: SpotterDatabase
    public let dialog: DialogEngine
    private let clock: @Sendable () -> Timestamp
    /// Serialises handling: one batch at a time.
    private let lock = NSLock()
    /// Write-through caches of what this process stored, so a message does not re-read its own
    /// conversation and profile. Spotter expects to be the only writer of its database; entries
    /// are added only after their transaction committed. Not kept on a shared store.
    /// Under a lock of their own, held for a lookup only: a channel understanding a message
    /// ahead never waits for a batch being handled.
    private let caches = Locked(Caches())
    private struct Caches {
        var conversations: [ConversationKey: Conversation] = [:]
        var profiles: [String: LifterProfile?] = [:]
    }
    static let cacheLimit = 50_000

    static let day: Double = 86400

    /// What one batch changed, applied to the caches once it committed.
    final class Staged {
        var conversations: [ConversationKey: Conversation?] = [:]
        var profiles: [String: LifterProfile?] = [:]
    }

    public init(coach: Coach, database: SpotterDatabase, settings: DialogSettings, clock: @escaping @Sendable () -> Timestamp) {
        self.coach = coach
        self.database = database
        self.dialog = DialogEngine(advisor: coach.advisor, writer: coach.writer, catalogue: coach.understanding.catalogue,
                                   settings: settings)
        self.clock = clock
    }

    /// The system clock.
    public static let systemClock: @Sendable () -> Timestamp = { Date().timeIntervalSince1970 }

    /// Handles messages in order, in one transaction; the replies come back only once it committed.
    public func handle(_ messages: [IncomingMessage]) throws(StoreError) -> [ChatReply] {
        try handle(messages, alongside: { _, _ in })
    }

    /// Handles messages and, in the same transaction, runs `alongside` with their replies, so a
    /// channel can queue the replies and mark the input handled atomically with the dialog's writes.
    public func handle(
        _ messages: [IncomingMessage], alongside: (StoreSession, [ChatReply]) throws -> Void
    ) throws(StoreError) -> [ChatReply] {
        // Understanding (the costly, pure part) happens here, outside the lock and the write
        // transaction, so a long message does not hold up other channels' writes.
        try handle(messages, understood: understandAhead(messages), alongside: alongside)
    }

    /// As ``handle(_:alongside:)``, with the messages understood beforehand (``understandAhead(_:)``),
    /// so a channel can do that outside its own locks too.
    public func handle(
        _ messages: [IncomingMessage], understood ahead: [Understood?], alongside: (StoreSession, [ChatReply]) throws -> Void
    ) throws(StoreError) -> [ChatReply] {
        precondition(ahead.count == messages.count, "one understanding per message")
        lock.lock()
        defer { lock.unlock() }
        let staged = Staged()
        let replies = try database.write { session in
            try session.lockConversations(messages.map { ($0.room, $0.user) })
            let replies = try zip(messages, ahead).map { try self.handle($0, session, staged, ahead: $1) }
            try alongside(session, replies)
            return replies
        }
        // On a shared store another instance may write the same rows next: nothing is kept.
        if !database.isShared { caches.withLock { caches in
            if caches.conversations.count > Self.cacheLimit { caches.conversations.removeAll(keepingCapacity: true) }
            if caches.profiles.count > Self.cacheLimit { caches.profiles.removeAll(keepingCapacity: true) }
            for (key, conversation) in staged.conversations { caches.conversations[key] = conversation }
            for (key, profile) in staged.profiles { caches.profiles[key] = profile }
        } }
        return replies
    }

    public func handle(_ message: IncomingMessage) throws(StoreError) -> ChatReply {
        try handle([message])[0]
    }

    /// A message understood before its transaction, against the conversation as it was then.
    public struct Understood: Sendable {
        var context: ConversationContext
        var utterance: Utterance
    }

    /// Understands each message against its conversation as stored now (cache, else a short read;
    /// with `readingStore` false, only what is cached, so nothing waits for the store).
    /// Inside the transaction an understanding is used only if the context is still the same.
    public func understandAhead(_ messages: [IncomingMessage], readingStore: Bool = true) -> [Understood?] {
        let now = clock()
        return messages.map { message in
            let key = ConversationKey(room: message.room, user: message.user)
            let stored: Conversation?
            if let cached = caches.withLock({ $0.conversations[key] }) {
                stored = cached
            } else if readingStore, !database.isShared,
                      let read = try? database.read({ try $0.conversation(room: message.room, user: message.user) }) {
                // (On a shared store the transaction reads it anyway, and nothing is cached: a
                // read here would be a second round trip for the same row.)
                stored = read
            } else {
                return nil
            }
            var context = dialog.prepare(stored, now: now).conversation.understandingContext
            context.answersCheckInPrompt = message.answersCheckInPrompt
            return Understood(context: context, utterance: coach.understanding.understand(message.text, context: context))
        }
    }

    private func handle(
        _ message: IncomingMessage, _ session: StoreSession, _ staged: Staged, ahead: Understood? = nil
    ) throws -> ChatReply {
        let now = clock()
        let key = ConversationKey(room: message.room, user: message.user)
        let stored: Conversation?
        if let cached = staged.conversations[key] {
            stored = cached
        } else if let cached = caches.withLock({ $0.conversations[key] }) {
            stored = cached
        } else {
            stored = try session.conversation(room: message.room, user: message.user)
        }
        let prepared = dialog.prepare(stored, now: now)
        var understandingContext = prepared.conversation.understandingContext
        understandingContext.answersCheckInPrompt = message.answersCheckInPrompt
        var utterance = ahead.flatMap { $0.context == understandingContext ? $0.utterance : nil }
            ?? coach.understanding.understand(message.text, context: understandingContext)
        // Which zone "my time zone is London" names is decided here: the zone database is the edge's.
        if utterance.intent == .setTimeZone, let name = utterance.timeZoneName { utterance.timeZone = ZoneName.resolve(name) }
        let profile: LifterProfile?
        if let cached = staged.profiles[message.user] {
            profile = cached
        } else if let cached = caches.withLock({ $0.profiles[message.user] }) {
            profile = cached
        } else {
            profile = try session.profile(user: message.user)
        }
        var context = try loadContext(for: utterance, prepared: prepared, user: message.user, roomTimeZone: message.roomTimeZone,
                                      now: now, session: session)
        context.profile = profile
        let outcome = dialog.handle(prepared, utterance, context: context)
        var forgotten = false
        // Every set one message logs joins one entry: the first row's.
        var messageEntry: Int64?
        for effect in outcome.effects {
            switch effect {
            case let .saveProfile(profile):
                try session.saveProfile(profile, user: message.user, at: now)
                staged.profiles[message.user] = .some(profile)
            case var .saveCheckIn(record):
                record.userID = message.user
                record.roomID = message.room
                try session.saveCheckIn(record)
            case var .logSet(record):
                record.userID = message.user
                record.roomID = message.room
                let edit = record.entry != nil
                if !edit { record.entry = messageEntry }
                let id = try session.logSet(record)
                if !edit, messageEntry == nil { messageEntry = id }

            case .forgetUser:
                try session.forget(user: message.user)
                forgotten = true
                staged.profiles[message.user] = .some(nil)
                // Every room's conversation of this user is gone.
                for cachedKey in caches.withLock({ $0.conversations.keys.filter { $0.user == message.user } }) {
                    staged.conversations[cachedKey] = .some(nil)
                }
                for cachedKey in staged.conversations.keys where cachedKey.user == message.user {
                    staged.conversations[cachedKey] = .some(nil)
                }
            }
        }
        for edit in outcome.logEdits {
            switch edit {
            case var .updateSet(record):
                record.userID = message.user
                try session.updateSet(record)
            case let .deleteSets(ids):
                try session.deleteSets(user: message.user, ids: ids)
            case let .saveUnit(unit):
                try session.saveUnitPreference(unit, user: message.user, at: now)
            case let .saveTimeZone(zone):
                try session.saveTimeZone(zone, user: message.user, at: now)
            }
        }
        if !forgotten {
            // An idle conversation whose last answer did not change needs no write; an open
            // dialog always does, since its time decides when it expires.
            let unchanged = stored.map { $0.withTime(0) == outcome.conversation.withTime(0) } ?? false
            if !unchanged || outcome.conversation.state != .idle {
                try session.saveConversation(outcome.conversation, room: message.room, user: message.user)
            }
            staged.conversations[key] = .some(outcome.conversation)
        }
        return ChatReply(user: message.user, room: message.room, reply: outcome.reply, intent: outcome.intent,
                         openDialog: outcome.conversation.state.name, readiness: outcome.readiness, advice: outcome.advice,
                         forgotten: forgotten, plan: outcome.plan, loggedSets: outcome.loggedSets)
    }

    /// A lifter's weekly report, read inside the caller's transaction (scheduled reports).
    public func weeklyReport(user: String, session: StoreSession) throws -> String {
        let now = clock()
        var context = DialogContext(now: now, profile: try session.profile(user: user))
        context.recentCheckIns = try session.checkIns(user: user, since: now - 7 * Self.day, limit: 7)
        context.recentSets = try session.sets(user: user, since: now - 28 * Self.day)
        return dialog.weeklyReport(context)
    }

    /// Loads only what this message can need.
    private func loadContext(
        for utterance: Utterance, prepared: DialogEngine.Prepared, user: String, roomTimeZone: String?, now: Timestamp,
        session: StoreSession
    ) throws -> DialogContext {
        var context = DialogContext(now: now, profile: nil)
        let intent = utterance.intent
        let inCheckIn: Bool = if case .checkIn = prepared.conversation.state { true } else { false }
        // "Today" is the lifter's: their own zone, else their room's, else UTC.
        if intent == .checkIn || intent == .checkInAnswer || inCheckIn || intent == .showLog || intent == .editSet {
            if let zone = try session.timeZone(user: user) ?? roomTimeZone {
                context.timeZone = zone
                context.utcOffset = ZoneName.utcOffset(zone, at: now)
            }
        }
        if intent == .checkIn || intent == .checkInAnswer || intent == .stats || inCheckIn {
            // A check-in may complete: the baseline needs the last 28 days.
            let recent = try session.checkIns(user: user, since: now - 28 * Self.day, limit: 28)
            context.recentCheckIns = recent.filter { now - $0.completedAt < 7 * Self.day }
            context.baselineCheckIns = recent
        } else if intent.isQuestion {
            context.recentCheckIns = try session.checkIns(user: user, since: now - 7 * Self.day, limit: 7)
        }
        context.todayCheckIn = context.recentCheckIns.first { now - $0.completedAt < dialog.settings.readinessWindowSeconds }
        if let exercise = utterance.exercise, let muscle = exercise.primary.first {
            let volume = try session.muscleVolume(user: user, muscle: muscle, since: now - 7 * Self.day)
            context.weekHardSets = volume.hard
            context.weekFailureSets = volume.failure
        }
        // Stats, muscle and load questions and set logs read the log itself: the week's sets per
        // muscle group, the best recent set, a new best.
        if intent == .stats || intent == .askVolume || intent == .askFrequency || intent == .askLoad || intent == .logSet
            || utterance.asksConsecutive {
            context.recentSets = try session.sets(user: user, since: now - 28 * Self.day)
        }
        // The set log: each message reads only what it can need (logs run at chat speed).
        let pending = !prepared.conversation.pendingSets.isEmpty
        let logs = intent == .logSet || pending
        if logs || intent == .stats || intent == .bests {
            context.unitPreference = try session.unitPreference(user: user)
            let stated = try session.statedUnits(user: user)
            if stated.count == 1 { context.inferredUnit = stated.first }
        }
        if intent == .undo || intent == .editSet || intent == .clarify || pending {
            context.lastEntry = try session.lastEntry(user: user)
        }
        if intent == .showLog || intent == .editSet {
            // Today is the lifter's local day of the injected clock.
            let offset = Double(context.utcOffset)
            let today = ((now + offset) / Self.day).rounded(.down) * Self.day - offset
            context.todaySets = try session.sets(user: user, since: today).reversed()
        }
        if intent == .bests {
            context.exerciseHistory = try session.sets(user: user, since: 0, limit: 100_000)
        } else if logs {
            var ids = utterance.loggedSets.map(\.exerciseID) + prepared.conversation.pendingSets.map(\.exerciseID)
            ids = Array(Set(ids.filter { !$0.isEmpty })).sorted()
            context.exerciseHistory = try session.bestSets(user: user, exercises: ids)
        }
        if pending, context.weekHardSets == nil, let id = prepared.conversation.pendingSets.first?.exerciseID,
           let muscle = coach.understanding.catalogue[id]?.primary.first {
            let volume = try session.muscleVolume(user: user, muscle: muscle, since: now - 7 * Self.day)
            context.weekHardSets = volume.hard
            context.weekFailureSets = volume.failure
        }
        return context
    }
}

extension StoreSession {
    /// A lifter's conversation in a room, read back from the state the store keeps.
    public func conversation(room: String, user: String) throws -> Conversation? {
        try conversationState(room: room, user: user).map(Conversation.init(json:))
    }

    public func saveConversation(_ conversation: Conversation, room: String, user: String) throws {
        try saveConversationState(conversation.json, updatedAt: conversation.updatedAt, room: room, user: user)
    }
}
