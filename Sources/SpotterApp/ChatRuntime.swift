import Foundation
import SpotterAdvisor
import SpotterCore
import SpotterDialog
import SpotterStore
import SpotterUnderstanding

/// One message in: who said what, where.
public struct IncomingMessage: Sendable, Hashable {
    public var user: String
    public var room: String
    public var text: String

    public init(user: String, room: String = "direct", text: String) {
        self.user = user
        self.room = room
        self.text = text
    }
}

/// One answer out: the fields of a `spotter chat --jsonl` output line.
public struct ChatReply: Sendable {
    public var user: String
    public var room: String
    public var reply: String
    public var intent: Intent
    /// The dialog still open after the message.
    public var dialog: String?
    /// Set on the message that completes a check-in.
    public var readiness: Readiness?
    public var advice: Advice?

    /// The output line's JSON.
    public var json: JSONValue {
        .object([
            ("user", .string(user)), ("room", .string(room)), ("reply", .string(reply)),
            ("intent", .string(intent.rawValue)), ("dialog", .optional(dialog)),
            ("readiness", .optional(readiness?.rawValue)), ("advice", AnswerJSON.advice(advice)),
        ])
    }
}

/// The conversation runtime: for each message, loads the conversation and what the dialog
/// needs, applies the pure state machine, performs its effects and saves, all in one
/// transaction that commits before any reply is returned.
public final class ChatRuntime: @unchecked Sendable {
    public let coach: Coach
    public let database: SpotterDatabase
    public let dialog: DialogEngine
    private let clock: @Sendable () -> Timestamp

    static let day: Double = 86400

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
        try database.write { session in
            try messages.map { try self.handle($0, session) }
        }
    }

    public func handle(_ message: IncomingMessage) throws(StoreError) -> ChatReply {
        try handle([message])[0]
    }

    private func handle(_ message: IncomingMessage, _ session: StoreSession) throws -> ChatReply {
        let now = clock()
        let stored = try session.conversation(room: message.room, user: message.user)
        let prepared = dialog.prepare(stored, now: now)
        let utterance = coach.understanding.understand(message.text, context: prepared.conversation.understandingContext)
        let context = try loadContext(for: utterance, prepared: prepared, user: message.user, now: now, session: session)
        let outcome = dialog.handle(prepared, utterance, context: context)
        var forgotten = false
        for effect in outcome.effects {
            switch effect {
            case let .saveProfile(profile):
                try session.saveProfile(profile, user: message.user, at: now)
            case var .saveCheckIn(record):
                record.userID = message.user
                record.roomID = message.room
                try session.saveCheckIn(record)
            case var .logSet(record):
                record.userID = message.user
                record.roomID = message.room
                try session.logSet(record)
            case .forgetUser:
                try session.forget(user: message.user)
                forgotten = true
            }
        }
        if !forgotten {
            try session.saveConversation(outcome.conversation, room: message.room, user: message.user)
        }
        return ChatReply(user: message.user, room: message.room, reply: outcome.reply, intent: outcome.intent,
                         dialog: outcome.conversation.state.name, readiness: outcome.readiness, advice: outcome.advice)
    }

    /// Loads only what this message can need.
    private func loadContext(
        for utterance: Utterance, prepared: DialogEngine.Prepared, user: String, now: Timestamp, session: StoreSession
    ) throws -> DialogContext {
        var context = DialogContext(now: now, profile: try session.profile(user: user))
        let intent = utterance.intent
        let inCheckIn: Bool = if case .checkIn = prepared.conversation.state { true } else { false }
        if intent.isQuestion || intent == .checkIn || intent == .checkInAnswer || intent == .stats || inCheckIn {
            let recent = try session.checkIns(user: user, since: now - 28 * Self.day, limit: 28)
            context.recentCheckIns = recent.filter { now - $0.completedAt < 7 * Self.day }
            context.baselineCheckIns = recent
            context.todayCheckIn = recent.first { now - $0.completedAt < dialog.settings.readinessWindowSeconds }
        }
        if let exercise = utterance.exercise, let muscle = exercise.primary.first {
            let volume = try session.muscleVolume(user: user, muscle: muscle, since: now - 7 * Self.day)
            context.weekHardSets = volume.hard
            context.weekFailureSets = volume.failure
        }
        if intent == .stats {
            context.recentSets = try session.sets(user: user, since: now - 28 * Self.day)
        }
        return context
    }
}
