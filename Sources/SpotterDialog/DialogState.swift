import SpotterCore
import SpotterUnderstanding

/// The dialog a conversation is in. Every state can be left with "cancel".
public enum DialogState: Sendable, Hashable {
    /// Nothing open: every message is handled on its own.
    case idle
    /// Setting up the profile: offered on first contact or asked for; never forced.
    case profile(ProfileForm)
    /// The daily check-in, filling its items one message at a time.
    case checkIn(CheckInForm)
    /// "forget me" was said; waiting for "yes".
    case confirmForget

    /// The name the chat reports (`dialog` in `spotter chat --jsonl`), nil when idle.
    public var name: String? {
        switch self {
        case .idle: nil
        case .profile: "profile"
        case .checkIn: "checkin"
        case .confirmForget: "forget"
        }
    }
}

/// A profile being set up in the dialog.
public struct ProfileForm: Sendable, Hashable, Codable {
    /// The follow-up for missing values was asked; the next answer closes the dialog.
    public var askedFollowUp: Bool

    public init(askedFollowUp: Bool = false) { self.askedFollowUp = askedFollowUp }
}

/// A daily check-in in progress.
public struct CheckInForm: Sendable, Hashable, Codable {
    public var answers: CheckInAnswers
    /// The item asked last, which a bare answer fills.
    public var pending: CheckInItem?

    public init(answers: CheckInAnswers = CheckInAnswers(), pending: CheckInItem? = nil) {
        self.answers = answers
        self.pending = pending
    }
}

/// What "why" explains: the rules behind the last answer.
public struct LastAnswer: Sendable, Hashable, Codable {
    public var topic: String
    public var rules: [String]

    public init(topic: String, rules: [String]) {
        self.topic = topic
        self.rules = rules
    }
}

/// One conversation: a user in a room. Stored after every message.
public struct Conversation: Sendable, Hashable {
    public var state: DialogState
    /// When the conversation last changed; an open dialog older than the expiry has expired.
    public var updatedAt: Timestamp
    public var lastAnswer: LastAnswer?
    /// A set log held back until the lifter confirms its unit ("315 kg? or lb?"); stored on
    /// "kg", "lb" or "yes", dropped on anything else.
    public var pendingSets: [LoggedSet] = []

    public init(state: DialogState = .idle, updatedAt: Timestamp, lastAnswer: LastAnswer? = nil) {
        self.state = state
        self.updatedAt = updatedAt
        self.lastAnswer = lastAnswer
    }

    /// The same conversation stamped with another time (to compare what changed).
    public func withTime(_ time: Timestamp) -> Conversation {
        var copy = self
        copy.updatedAt = time
        return copy
    }

    /// What the next message should be understood against.
    public var understandingContext: ConversationContext {
        switch state {
        case let .checkIn(form): ConversationContext(checkInPending: form.pending ?? form.answers.missing.first)
        case .confirmForget: ConversationContext(awaitingConfirmation: true)
        case .idle, .profile: ConversationContext()
        }
    }
}

// MARK: Storage form

extension Conversation {
    /// A compact JSON form for the store.
    public var json: JSONValue {
        var fields: [(key: String, value: JSONValue)] = [("updated_at", .number(updatedAt))]
        switch state {
        case .idle:
            fields.append(("state", "idle"))
        case let .profile(form):
            fields.append(("state", "profile"))
            fields.append(("asked_follow_up", .bool(form.askedFollowUp)))
        case let .checkIn(form):
            fields.append(("state", "checkin"))
            fields.append(("pending", .optional(form.pending?.rawValue)))
            fields.append(("answers", Self.json(form.answers)))
        case .confirmForget:
            fields.append(("state", "forget"))
        }
        if let lastAnswer {
            fields.append(("last_topic", .string(lastAnswer.topic)))
            fields.append(("last_rules", .array(lastAnswer.rules.map(JSONValue.string))))
        }
        if !pendingSets.isEmpty { fields.append(("pending_sets", .array(pendingSets.map(Self.json)))) }
        return .object(fields)
    }

    /// Reads the stored form; an unreadable record is a fresh, idle conversation.
    public init(json: JSONValue) {
        updatedAt = json["updated_at"]?.number ?? 0
        switch json["state"]?.string {
        case "profile":
            state = .profile(ProfileForm(askedFollowUp: json["asked_follow_up"]?.bool ?? false))
        case "checkin":
            let answers = json["answers"].map(Self.answers) ?? CheckInAnswers()
            state = .checkIn(CheckInForm(answers: answers, pending: json["pending"]?.string.flatMap(CheckInItem.init(rawValue:))))
        case "forget":
            state = .confirmForget
        default:
            state = .idle
        }
        if let topic = json["last_topic"]?.string {
            lastAnswer = LastAnswer(topic: topic, rules: json["last_rules"]?.array?.compactMap(\.string) ?? [])
        }
        pendingSets = json["pending_sets"]?.array?.compactMap(Self.loggedSet) ?? []
    }

    static func json(_ set: LoggedSet) -> JSONValue {
        .object([
            ("exercise", .string(set.exerciseID)), ("load", set.load.map(JSONValue.number) ?? .null),
            ("unit", .optional(set.unit?.rawValue)), ("reps", .number(Double(set.reps))), ("sets", .number(Double(set.sets))),
            ("rir", set.rir.map(JSONValue.number) ?? .null), ("rpe", set.rpe.map(JSONValue.number) ?? .null),
            ("to_failure", .bool(set.toFailure)), ("added_load", set.addedLoad.map(JSONValue.number) ?? .null),
            ("unit_stated", .bool(set.unitStated)),
        ])
    }

    static func loggedSet(_ json: JSONValue) -> LoggedSet? {
        guard let exercise = json["exercise"]?.string, let reps = json["reps"]?.number, let sets = json["sets"]?.number,
              (1...Double(LoggedSet.maxReps)).contains(reps), (1...Double(LoggedSet.maxSets)).contains(sets) else { return nil }
        let set = LoggedSet(
            exerciseID: exercise, load: json["load"]?.number, unit: json["unit"]?.string.flatMap(LoadUnit.init(rawValue:)),
            reps: Int(reps), sets: Int(sets), rir: json["rir"]?.number, rpe: json["rpe"]?.number,
            toFailure: json["to_failure"]?.bool ?? false, addedLoad: json["added_load"]?.number,
            unitStated: json["unit_stated"]?.bool ?? true)
        return set.implausibility == nil ? set : nil
    }

    static func json(_ answers: CheckInAnswers) -> JSONValue {
        .object([
            ("sleep", answers.sleepHours.map(JSONValue.number) ?? .null),
            ("soreness", answers.soreness.map { .number(Double($0)) } ?? .null),
            ("energy", answers.energy.map { .number(Double($0)) } ?? .null),
            ("stress", answers.stress.map { .number(Double($0)) } ?? .null),
            ("motivation", answers.motivation.map { .number(Double($0)) } ?? .null),
            ("pain", answers.pain.map(JSONValue.bool) ?? .null),
        ])
    }

    static func answers(_ json: JSONValue) -> CheckInAnswers {
        func score(_ key: String) -> Int? { json[key]?.number.map { Int($0) }.flatMap { (1...5).contains($0) ? $0 : nil } }
        return CheckInAnswers(
            sleepHours: json["sleep"]?.number.flatMap { (0...16).contains($0) ? $0 : nil }, soreness: score("soreness"),
            energy: score("energy"), stress: score("stress"), motivation: score("motivation"), pain: json["pain"]?.bool)
    }
}
