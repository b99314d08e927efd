/// What a message asks for.
public enum Intent: String, Sendable, Hashable, Codable, CaseIterable {
    case askFailure = "ask_failure"
    case askRIR = "ask_rir"
    case askRest = "ask_rest"
    case askRecovery = "ask_recovery"
    case askDeload = "ask_deload"
    /// "how often should I train chest?", "how many days a week for legs?"
    case askFrequency = "ask_frequency"
    /// "how many sets a week for back?"
    case askVolume = "ask_volume"
    /// "what weight for 3x8 at RIR 2 on bench? my best is 100x5"
    case askLoad = "ask_load"
    /// Urgent symptoms or an acute injury: stop and get help (COACHING.md section 9).
    case redFlag = "red_flag"
    /// Injury treatment, illness, medication, diet, supplements: outside the policy.
    case outOfScope = "out_of_scope"
    case logSet = "log_set"
    case help
    case why
    case unknown
    // The chat's own intents (`spotter chat`, Matrix); `spotter ask` reports them as unknown.
    /// "check in", "daily check-in": starts a check-in.
    case checkIn = "checkin"
    /// An answer inside a check-in ("slept 6h, legs 4/5 sore").
    case checkInAnswer = "checkin_answer"
    /// "I'm a beginner", "my goal is strength now", "I train with a spotter".
    case setProfile = "set_profile"
    /// "my profile".
    case showProfile = "show_profile"
    case skip
    /// "my week", "stats".
    case stats
    case cancel
    /// "forget me": delete everything stored about the user, after a confirmation.
    case forgetMe = "forget_me"
    /// "yes".
    case confirm
    /// "no".
    case decline
    /// A reply that asks what the lifter meant before anything is stored ("315 kg? or lb?",
    /// "3 plates": how much is that?). `spotter ask` reports it too.
    case clarify
    /// "undo", "undo that last set": removes the last thing logged.
    case undo
    /// "that was 105 not 100", "change the last set to 8 reps", "delete my squat from today".
    case editSet = "edit_set"
    /// "my log today".
    case showLog = "show_log"
    /// "my bests", "my PRs".
    case bests
    /// "use lbs", "I lift in kg".
    case setUnit = "set_unit"
    /// "my time zone is Europe/London": the lifter's own "today".
    case setTimeZone = "set_time_zone"

    /// The questions the advisor answers from the rule tables.
    public var isQuestion: Bool {
        switch self {
        case .askFailure, .askRIR, .askRest, .askRecovery, .askDeload, .askFrequency, .askVolume, .askLoad: true
        default: false
        }
    }

    /// The questions whose exercise advice comes from the exercise tables (failure, RIR, rest, recovery).
    public var isExerciseQuestion: Bool {
        switch self {
        case .askFailure, .askRIR, .askRest, .askRecovery, .askDeload: true
        default: false
        }
    }

    /// Intents that only mean something in a conversation with memory.
    public var isChatOnly: Bool {
        switch self {
        case .checkIn, .checkInAnswer, .setProfile, .showProfile, .skip, .stats, .cancel, .forgetMe, .confirm, .decline,
             .undo, .editSet, .showLog, .bests, .setUnit, .setTimeZone:
            true
        default: false
        }
    }

    /// The intents `spotter ask` reports (issue contract): the chat's own map to unknown there.
    /// (`clarify` is reported by `spotter ask` too: a set log it must ask about.)
    public static let askIntents: [Intent] = [
        .askFailure, .askRIR, .askRest, .askRecovery, .askDeload, .askFrequency, .askVolume, .askLoad, .redFlag, .outOfScope,
        .logSet, .help, .why, .unknown,
    ]
}

/// Profile facts said in a message; each overrides the stored profile for that message.
public struct ProfileHints: Sendable, Hashable {
    public var experience: Experience?
    public var goal: TrainingGoal?
    public var spotter: Bool?
    /// Sharp or joint pain (not ordinary soreness).
    public var pain: Bool?
    /// Fatigue, poor sleep or falling performance that has lasted for weeks.
    public var persistentFatigue: Bool?

    public init(
        experience: Experience? = nil, goal: TrainingGoal? = nil, spotter: Bool? = nil, pain: Bool? = nil,
        persistentFatigue: Bool? = nil
    ) {
        self.experience = experience
        self.goal = goal
        self.spotter = spotter
        self.pain = pain
        self.persistentFatigue = persistentFatigue
    }

    /// Says something the stored profile keeps (experience, goal or spotter).
    public var hasProfileFact: Bool { experience != nil || goal != nil || spotter != nil }
}

/// What a message says about the set being planned ("heavy triples", "at 90%", "RPE 9").
public struct PlannedSet: Sendable, Hashable {
    public var reps: Int?
    /// Load as a percentage of one-rep max.
    public var loadPercent: Double?
    public var rpe: Double?
    /// Said "heavy" without numbers.
    public var saidHeavy: Bool
    /// "on my last set".
    public var isLastSet: Bool
    /// The set was (or will be) taken to failure: "after a set to failure".
    public var toFailure: Bool

    public init(
        reps: Int? = nil, loadPercent: Double? = nil, rpe: Double? = nil, saidHeavy: Bool = false,
        isLastSet: Bool = false, toFailure: Bool = false
    ) {
        self.reps = reps
        self.loadPercent = loadPercent
        self.rpe = rpe
        self.saidHeavy = saidHeavy
        self.isLastSet = isLastSet
        self.toFailure = toFailure
    }
}

/// The unit a load was logged in.
public enum LoadUnit: String, Sendable, Hashable, Codable {
    case kilograms = "kg"
    case pounds = "lb"

    /// Kilograms per unit.
    public var kilograms: Double { self == .kilograms ? 1 : 0.45359237 }

    /// The other unit ("315 kg? or lb?").
    public var other: LoadUnit { self == .kilograms ? .pounds : .kilograms }
}

/// A set as the lifter logged it: "bench 100kg x 8 @ RIR 1", "squat 140 5x5 rpe 8".
public struct LoggedSet: Sendable, Hashable, Codable {
    public var exerciseID: String
    public var load: Double?
    public var unit: LoadUnit?
    public var reps: Int
    /// How many sets of those reps ("5x5" is five sets).
    public var sets: Int
    public var rir: Double?
    public var rpe: Double?
    public var toFailure: Bool
    /// Load added to bodyweight ("dips +10 kg"); `load` is nil then (bodyweight).
    public var addedLoad: Double?
    /// The unit was written ("100kg"); false for a bare number, which takes the lifter's unit.
    public var unitStated: Bool

    public init(
        exerciseID: String, load: Double?, unit: LoadUnit?, reps: Int, sets: Int = 1, rir: Double? = nil,
        rpe: Double? = nil, toFailure: Bool = false, addedLoad: Double? = nil, unitStated: Bool = true
    ) {
        self.exerciseID = exerciseID
        self.load = load
        self.unit = unit
        self.reps = reps
        self.sets = sets
        self.rir = rir
        self.rpe = rpe
        self.toFailure = toFailure
        self.addedLoad = addedLoad
        self.unitStated = unitStated
    }

    /// RPE as logged, or from RIR (10 − RIR), or 10 for a set to failure.
    public var effort: Double? {
        if let rpe { return rpe }
        if toFailure { return 10 }
        return rir.map { 10 - $0 }
    }

    /// Reps in reserve as logged: RIR directly, RPE as 10 − RPE, failure as 0.
    public var repsInReserve: Double? {
        if toFailure { return 0 }
        if let rir { return rir }
        if let rpe { return 10 - rpe }
        return nil
    }

    /// Beyond these no set is real (the heaviest lifts ever are about 500 kg; a billion typed
    /// digits is a typo or a test of the bot); a log past them is refused with the reason.
    public static let maxReps = 1000
    public static let maxSets = 100
    public static let maxLoad: Double = 2000

    /// What cannot be right about this set, in the lifter's words ("0 reps", "over 2000 kg"),
    /// or nil when it could be a real set.
    public var implausibility: String? {
        if reps < 1 { return "\(reps) reps" }
        if reps > Self.maxReps { return "over \(Self.maxReps) reps" }
        if sets < 1 { return "\(sets) sets" }
        if sets > Self.maxSets { return "over \(Self.maxSets) sets" }
        if let load, !(load <= Self.maxLoad) { return "over \(Int(Self.maxLoad)) \((unit ?? .kilograms).rawValue)" }
        if let load, load < 0 { return "a negative load" }
        if let addedLoad, !(addedLoad <= Self.maxLoad) { return "over \(Int(Self.maxLoad)) \((unit ?? .kilograms).rawValue) added" }
        if let addedLoad, addedLoad < 0 { return "a negative added load" }
        if let rpe, !(1...10).contains(rpe) { return "RPE \(Self.number(rpe)): the scale runs from 1 to 10" }
        if let rir, rir < 0 { return "RIR \(Self.number(rir)): reps in reserve can't be below 0" }
        if let rir, rir > 10 { return "RIR \(Self.number(rir)): more than 10 in reserve is not a working set" }
        return nil
    }

    public static func number(_ value: Double) -> String {
        value.rounded() == value && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }

    /// Estimated one-rep max, Epley with reps in reserve added (COACHING.md section 6):
    /// load × (1 + (reps + RIR) / 30), only where reps + RIR ≤ 12 and the load and RIR are known.
    public var estimatedOneRepMax: Double? {
        guard let load, load > 0, let rir = repsInReserve else { return nil }
        let total = Double(reps) + rir
        guard total <= 12 else { return nil }
        return load * (1 + total / 30)
    }
}

/// A message after understanding: what it asks, about which exercise, and what it says about the lifter.
public struct Utterance: Sendable, Hashable {
    public var text: String
    public var intent: Intent
    public var exercise: Exercise?
    public var hints: ProfileHints
    public var plannedSet: PlannedSet
    public var loggedSet: LoggedSet?
    /// Check-in answers the message carries, when it carries any.
    public var checkIn: CheckInReading?
    /// A set log refused because its numbers cannot be right: what is wrong ("over 1000 reps").
    public var implausibleSet: String?
    /// The message is not in English: it is answered with "I only understand English for now"
    /// and nothing is read from it.
    public var notEnglish: Bool = false
    /// Profile facts read only through a corrected typo ("soll" → "solo"): not confident enough
    /// to store or to change the advice; the chat asks instead. `hints` holds the confident ones.
    public var uncertainHints: ProfileHints = ProfileHints()
    /// For `set_time_zone`: the zone as written ("London", "Europe/London"), and the IANA name
    /// the edge resolved it to (nil: not a zone it knows).
    public var timeZoneName: String?
    public var timeZone: String?
    /// The muscle group the message asks about ("legs", "chest"), when it names one.
    public var muscleGroup: MuscleGroup?
    /// A red flag or an out-of-scope topic, for those intents.
    public var scope: ScopeTopic?
    /// The question is about the same muscle on consecutive days or "tomorrow".
    public var asksConsecutive: Bool = false
    /// A set stated as a reference for a load question ("my best is 100x5").
    public var reference: ReferenceSet?
    /// What the lifter wants to do, for a load question ("3x8 at RIR 2").
    public var target: TargetSet = TargetSet()
    /// The unit the lifter speaks in, when the message uses one.
    public var unit: LoadUnit?
    /// Every group of equal sets a set log holds, in the order performed ("ohp 60 x 5, 5, 4" is
    /// two: 2 × 5 and 1 × 4; "squat 140kg 3x5, then leg press 200 3x10" two exercises).
    /// `loggedSet` is the first of them.
    public var loggedSets: [LoggedSet] = []
    /// The question to ask before anything is stored ("3 plates": how much is that?).
    public var clarification: String?
    /// What an edit, undo or unit message asks for.
    public var logCommand: LogCommand?

    public init(
        text: String, intent: Intent, exercise: Exercise? = nil, hints: ProfileHints = ProfileHints(),
        plannedSet: PlannedSet = PlannedSet(), loggedSet: LoggedSet? = nil, checkIn: CheckInReading? = nil,
        implausibleSet: String? = nil
    ) {
        self.checkIn = checkIn
        self.implausibleSet = implausibleSet
        self.text = text
        self.intent = intent
        self.exercise = exercise
        self.hints = hints
        self.plannedSet = plannedSet
        self.loggedSet = loggedSet
    }
}

/// A change to the set log or its settings, said in words.
public enum LogCommand: Sendable, Hashable {
    /// "undo", "undo that last set".
    case undo
    /// "that was 105 not 100": the last entry's load `from` (when said) becomes `to`.
    case changeLoad(from: Double?, to: Double, unit: LoadUnit?)
    /// "change the last set to 8 reps".
    case changeReps(to: Int)
    /// "delete my squat from today".
    case deleteToday(exerciseID: String)
    /// "I logged the wrong weight": ask what it should be.
    case askCorrection(what: String)
    /// "my log today".
    case showToday
    /// "my bests".
    case showBests
    /// "use lbs", "I lift in kg".
    case useUnit(LoadUnit)
}
