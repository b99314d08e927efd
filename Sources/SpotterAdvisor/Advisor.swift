import SpotterCore
import SpotterRules

/// What is known about the lifter's day and week beyond the message: readiness, pain, the
/// failure sets already done, and the check-in history. Empty for a one-shot `spotter ask`.
public struct TrainingContext: Sendable, Hashable {
    public var readiness: Readiness?
    public var pain: Bool
    /// Failure sets for the exercise's main muscle in the last 7 days.
    public var weekFailureSets: Int?
    /// The weekly failure cap per muscle (Config; COACHING.md rule 10).
    public var failureCap: Int
    public var amberOrRedCheckins: Int?
    public var stalledWeeks: Int?
    public var hardWeeks: Int?

    public init(
        readiness: Readiness? = nil, pain: Bool = false, weekFailureSets: Int? = nil, failureCap: Int = 4,
        amberOrRedCheckins: Int? = nil, stalledWeeks: Int? = nil, hardWeeks: Int? = nil
    ) {
        self.readiness = readiness
        self.pain = pain
        self.weekFailureSets = weekFailureSets
        self.failureCap = failureCap
        self.amberOrRedCheckins = amberOrRedCheckins
        self.stalledWeeks = stalledWeeks
        self.hardWeeks = hardWeeks
    }
}

/// The advisor's full answer to one message: the advice (when an exercise is known), the deload
/// view, and the evaluation behind both.
public struct Consultation: Sendable {
    public var utterance: Utterance
    public var profile: ResolvedProfile
    /// Present for a question about a known exercise.
    public var advice: Advice?
    /// Notes from the deload table (what a deload is, when to take one, when to see a doctor).
    public var deloadNotes: [String]
    public var deloadSuggested: Bool
    /// A professional should be seen (pain, or fatigue that lasts for weeks).
    public var referral: Bool
    public var evaluation: Evaluation?
    /// Profile values that were assumed and would change the verdict if different.
    public var assumptionsThatMatter: [String]

    public init(
        utterance: Utterance, profile: ResolvedProfile, advice: Advice?, deloadNotes: [String], deloadSuggested: Bool,
        referral: Bool, evaluation: Evaluation?, assumptionsThatMatter: [String]
    ) {
        self.utterance = utterance
        self.profile = profile
        self.advice = advice
        self.deloadNotes = deloadNotes
        self.deloadSuggested = deloadSuggested
        self.referral = referral
        self.evaluation = evaluation
        self.assumptionsThatMatter = assumptionsThatMatter
    }
}

/// The advisor: turns an understood message, a profile and the day's context into advice by
/// evaluating the rule book. Pure: no I/O, no clock.
///
/// ## Usage
/// ```swift
/// let advisor = try Advisor(book: book)
/// let consultation = advisor.consult(utterance, profile: ResolvedProfile(profile: .assumed))
/// consultation.advice?.failure  // .avoid for squats
/// ```
public struct Advisor: Sendable {
    public let book: RuleBook
    private let slots: Slots
    private let verdictTable: String = "failure_verdict"
    /// The tables a what-if verdict needs: the heavy-set decision and the verdict itself.
    private let verdictTables: [Int]

    /// Fails when the rule book lacks a fact the advisor must set or read.
    public init(book: RuleBook) throws(AdvisorError) {
        self.book = book
        self.slots = try Slots(book.schema)
        self.verdictTables = ["heavy_set", "failure_verdict"].compactMap(book.tableIndex)
    }

    /// Builds the fact set the rule tables read.
    public func facts(for utterance: Utterance, profile: Profile, context: TrainingContext) -> FactSet {
        var facts = book.makeFacts()
        if let exercise = utterance.exercise {
            facts[slots.risk] = .symbol(exercise.risk.rawValue)
            facts[slots.mechanic] = exercise.mechanic.map { .symbol($0.rawValue) }
            facts[slots.equipment] = .symbol(exercise.equipment.rawValue)
            facts[slots.category] = .symbol(exercise.category.rawValue)
        }
        facts[slots.experience] = .symbol(profile.experience.rawValue)
        facts[slots.goal] = .symbol(profile.goal.rawValue)
        facts[slots.spotter] = .bool(profile.spotter)
        facts[slots.persistentFatigue] = .bool(utterance.hints.persistentFatigue ?? false)
        let planned = utterance.plannedSet
        facts[slots.reps] = planned.reps.flatMap { (1...100).contains($0) ? .number(Double($0)) : nil }
        facts[slots.loadPercent] = planned.loadPercent.flatMap { (1...120).contains($0) ? .number($0) : nil }
        facts[slots.rpe] = planned.rpe.flatMap { (1...10).contains($0) ? .number($0) : nil }
        facts[slots.saidHeavy] = .bool(planned.saidHeavy)
        facts[slots.toFailure] = .bool(planned.toFailure)
        facts[slots.readiness] = context.readiness.map { .symbol($0.rawValue) }
        facts[slots.pain] = .bool(context.pain || utterance.hints.pain == true)
        facts[slots.weekFailureSets] = context.weekFailureSets.map { .number(Double($0)) }
        facts[slots.failureCap] = .number(Double(context.failureCap))
        facts[slots.topic] = .symbol(Self.topic(utterance.intent))
        facts[slots.amberOrRed] = context.amberOrRedCheckins.map { .number(Double(min(7, $0))) }
        facts[slots.stalledWeeks] = context.stalledWeeks.map { .number(Double($0)) }
        facts[slots.hardWeeks] = context.hardWeeks.map { .number(Double($0)) }
        return facts
    }

    /// Answers an understood message.
    public func consult(
        _ utterance: Utterance, profile: ResolvedProfile, context: TrainingContext = TrainingContext(), tracing: Bool = false
    ) -> Consultation {
        let profile = profile.applying(utterance.hints)
        let pain = context.pain || utterance.hints.pain == true
        var consultation = Consultation(
            utterance: utterance, profile: profile, advice: nil, deloadNotes: [], deloadSuggested: false,
            referral: pain || utterance.hints.persistentFatigue == true, evaluation: nil, assumptionsThatMatter: [])
        guard utterance.intent.isQuestion else { return consultation }
        let facts = facts(for: utterance, profile: profile.profile, context: context)
        if utterance.exercise != nil {
            let evaluation = book.evaluate(facts, tracing: tracing)
            consultation.evaluation = evaluation
            consultation.advice = advice(from: evaluation)
            consultation.assumptionsThatMatter = assumptionsThatMatter(facts, profile: profile,
                                                                        verdict: consultation.advice?.failure)
        } else {
            // Without an exercise only the deload table has anything to say.
            let evaluation = book.evaluate(table: "deload", facts: facts)
            consultation.evaluation = evaluation
        }
        if let evaluation = consultation.evaluation {
            consultation.deloadNotes = evaluation.firings.compactMap { firing -> [String]? in
                guard book.tables[firing.table].name == "deload" else { return nil }
                return book.tables[firing.table].rules[firing.rule].outputs.compactMap {
                    if $0.name == "advice.note", case let .text(note) = $0.value { return note }
                    return nil
                }
            }.flatMap { $0 }
            consultation.deloadSuggested = evaluation.outputs("deload.suggested").contains(.bool(true))
            if evaluation.outputs("deload.refer").contains(.bool(true)) { consultation.referral = true }
        }
        return consultation
    }

    /// Scores a completed check-in with the readiness tables, against the lifter's own baseline
    /// once there are 7 or more earlier check-ins.
    public func readiness(_ answers: CheckInAnswers, history: [CheckInAnswers] = []) -> ReadinessVerdict {
        var facts = book.makeFacts()
        func set(_ name: String, _ value: FactValue?) {
            if let slot = book.schema.slot(name) { facts[slot] = value }
        }
        set("checkin.sleep_hours", answers.sleepHours.map(FactValue.number))
        set("checkin.soreness", answers.soreness.map { .number(Double($0)) })
        set("checkin.energy", answers.energy.map { .number(Double($0)) })
        set("checkin.stress", answers.stress.map { .number(Double($0)) })
        set("checkin.motivation", answers.motivation.map { .number(Double($0)) })
        set("checkin.pain", .bool(answers.pain ?? false))
        let baseline = CheckInBaseline(history: history)
        for (name, flagged) in baseline.flags(for: answers) { set(name, .bool(flagged)) }
        let evaluation = book.evaluate(facts, pipeline: "readiness")
        var readiness = Readiness.green
        if let slot = book.schema.slot("checkin.readiness"), case let .symbol(raw)? = evaluation.facts[slot],
           let value = Readiness(rawValue: raw) {
            readiness = value
        }
        var reasons: [String] = []
        for case let .text(reason) in evaluation.outputs("readiness.reason") where !reasons.contains(reason) {
            reasons.append(reason)
        }
        let fired = evaluation.firedRules
        var sources: [String] = []
        for rule in fired { for source in rule.sources where !sources.contains(source) { sources.append(source) } }
        return ReadinessVerdict(readiness: readiness, reasons: reasons, because: evaluation.firedRule(in: "readiness")?.because ?? "",
                                rules: fired.map(\.id), sources: sources)
    }

    /// What the deload table says about the recent check-in history (no question asked).
    public func deloadReview(_ context: TrainingContext, persistentFatigue: Bool = false, lowEnergyCheckins: Int? = nil) -> DeloadReview {
        var facts = book.makeFacts()
        facts[slots.amberOrRed] = context.amberOrRedCheckins.map { .number(Double(min(7, $0))) }
        facts[slots.stalledWeeks] = context.stalledWeeks.map { .number(Double($0)) }
        facts[slots.hardWeeks] = context.hardWeeks.map { .number(Double($0)) }
        facts[slots.persistentFatigue] = .bool(persistentFatigue)
        if let slot = book.schema.slot("history.low_energy_checkins") {
            facts[slot] = lowEnergyCheckins.map { .number(Double(min(7, $0))) }
        }
        let evaluation = book.evaluate(table: "deload", facts: facts)
        var notes: [String] = []
        for case let .text(note) in evaluation.outputs("advice.note") { notes.append(note) }
        return DeloadReview(suggested: evaluation.outputs("deload.suggested").contains(.bool(true)),
                            refer: evaluation.outputs("deload.refer").contains(.bool(true)), notes: notes,
                            rules: evaluation.firedRules.map(\.id))
    }

    /// The failure verdict alone, for quick what-if questions.
    public func verdict(_ facts: FactSet) -> FailureVerdict? {
        var facts = facts
        return verdict(&facts)
    }

    private func verdict(_ facts: inout FactSet) -> FailureVerdict? {
        for index in verdictTables { book.apply(table: index, to: &facts) }
        if case let .symbol(value)? = facts[slots.failure] { return FailureVerdict(rawValue: value) }
        return nil
    }

    private func advice(from evaluation: Evaluation) -> Advice? {
        guard case let .symbol(raw)? = evaluation.facts[slots.failure], let verdict = FailureVerdict(rawValue: raw) else {
            return nil
        }
        var rir: IntRange?
        if case let .range(base)? = evaluation.facts[slots.rir] {
            let add = evaluation.outputs("advice.rir_add").compactMap(\.intValue).reduce(0, +)
            var range = IntRange(base.min + add, base.max + add)
            if let floor = evaluation.outputs("advice.rir_floor").compactMap(\.intValue).min() { range.min = min(floor, range.min) }
            rir = range
        }
        var rest: IntRange?
        if case let .range(base)? = evaluation.facts[slots.rest] {
            let add = evaluation.outputs("advice.rest_add").compactMap(\.intValue).reduce(0, +)
            rest = IntRange(base.min + add, base.max + add)
        }
        var recovery: IntRange?
        if case let .range(value)? = evaluation.facts[slots.recovery] { recovery = value }
        var notes: [String] = []
        for case let .text(note) in evaluation.outputs("advice.note") where !notes.contains(note) { notes.append(note) }
        let fired = evaluation.firedRules
        var sources: [String] = []
        for rule in fired { for source in rule.sources where !sources.contains(source) { sources.append(source) } }
        var reasons: [String] = []
        if let deciding = evaluation.firedRule(in: verdictTable) { reasons.append(deciding.because) }
        return Advice(failure: verdict, repsInReserve: rir, restSeconds: rest, recoveryHours: recovery, notes: notes,
                      reasons: reasons, rules: fired.map(\.id), sources: sources)
    }

    /// Which assumed profile values the verdict depends on: those whose other values change it.
    private func assumptionsThatMatter(_ facts: FactSet, profile: ResolvedProfile, verdict: FailureVerdict?) -> [String] {
        guard let verdict else { return [] }
        var matter: [String] = []
        var scratch = facts
        func changes(_ slot: Int, _ values: [FactValue]) -> Bool {
            let original = facts[slot]
            for value in values where value != original {
                scratch = facts
                scratch[slot] = value
                if self.verdict(&scratch) != verdict { return true }
            }
            return false
        }
        if profile.experienceOrigin == .assumed, changes(slots.experience, Self.experiences) { matter.append("experience") }
        if profile.goalOrigin == .assumed, changes(slots.goal, Self.goals) { matter.append("goal") }
        if profile.spotterOrigin == .assumed, changes(slots.spotter, [.bool(true)]) { matter.append("spotter") }
        return matter
    }

    private static let experiences: [FactValue] = Experience.allCases.map { .symbol($0.rawValue) }
    private static let goals: [FactValue] = TrainingGoal.allCases.map { .symbol($0.rawValue) }

    static func topic(_ intent: Intent) -> String {
        switch intent {
        case .askFailure: "failure"
        case .askRIR: "rir"
        case .askRest: "rest"
        case .askRecovery: "recovery"
        case .askDeload: "deload"
        default: "other"
        }
    }
}

/// The rule book does not declare what the advisor needs.
public struct AdvisorError: Error, Sendable, CustomStringConvertible {
    public let code = "advisor_fact_missing"
    public var fact: String

    public var description: String {
        "facts.yml: -: the advisor needs the fact '\(fact)', which is not declared; declare it in facts.yml"
    }
}

/// The slots of the facts the advisor sets and reads, looked up once.
private struct Slots: Sendable {
    let risk, mechanic, equipment, category, experience, goal, spotter, persistentFatigue: Int
    let reps, loadPercent, rpe, saidHeavy, toFailure, readiness, pain, weekFailureSets, failureCap, topic: Int
    let amberOrRed, stalledWeeks, hardWeeks, failure, rir, rest, recovery: Int

    init(_ schema: FactSchema) throws(AdvisorError) {
        func slot(_ name: String) throws(AdvisorError) -> Int {
            guard let slot = schema.slot(name) else { throw AdvisorError(fact: name) }
            return slot
        }
        risk = try slot("exercise.risk")
        mechanic = try slot("exercise.mechanic")
        equipment = try slot("exercise.equipment")
        category = try slot("exercise.category")
        experience = try slot("user.experience")
        goal = try slot("user.goal")
        spotter = try slot("user.spotter")
        persistentFatigue = try slot("user.persistent_fatigue")
        reps = try slot("set.reps")
        loadPercent = try slot("set.load_pct")
        rpe = try slot("set.rpe")
        saidHeavy = try slot("set.said_heavy")
        toFailure = try slot("set.to_failure")
        readiness = try slot("today.readiness")
        pain = try slot("today.pain")
        weekFailureSets = try slot("week.failure_sets")
        failureCap = try slot("week.failure_cap")
        topic = try slot("question.topic")
        amberOrRed = try slot("history.checkins_amber_or_red")
        stalledWeeks = try slot("history.stalled_weeks")
        hardWeeks = try slot("history.hard_weeks")
        failure = try slot("advice.failure")
        rir = try slot("advice.rir")
        rest = try slot("advice.rest")
        recovery = try slot("advice.recovery")
    }
}

extension FactValue {
    var intValue: Int? {
        if case let .number(value) = self { return Int(value) }
        return nil
    }
}

/// A scored check-in: the colour, the flags behind it, and the rules that decided.
public struct ReadinessVerdict: Sendable, Hashable {
    public var readiness: Readiness
    /// The flags raised, in plain words ("short sleep", "high stress", "pain").
    public var reasons: [String]
    /// The deciding rule's reason.
    public var because: String
    public var rules: [String]
    public var sources: [String]
}

/// What the deload table concluded from the history.
public struct DeloadReview: Sendable, Hashable {
    public var suggested: Bool
    public var refer: Bool
    public var notes: [String]
    public var rules: [String]
}

/// A lifter's own baseline from earlier check-ins: with 7 or more, an answer more than one
/// standard deviation worse than their mean counts as a flag (COACHING.md section 5).
public struct CheckInBaseline: Sendable {
    public static let minimumHistory = 7
    private let history: [CheckInAnswers]

    public init(history: [CheckInAnswers]) { self.history = history }

    /// `baseline.*` fact names and whether each is flagged for these answers.
    public func flags(for answers: CheckInAnswers) -> [(String, Bool)] {
        guard history.count >= Self.minimumHistory else { return [] }
        func worse(_ values: [Double], _ current: Double?, higherIsWorse: Bool) -> Bool {
            guard let current, values.count >= Self.minimumHistory else { return false }
            let mean = values.reduce(0, +) / Double(values.count)
            let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)
            let deviation = variance.squareRoot()
            guard deviation > 0 else { return false }
            return higherIsWorse ? current > mean + deviation : current < mean - deviation
        }
        return [
            ("baseline.sleep_drop", worse(history.compactMap(\.sleepHours), answers.sleepHours, higherIsWorse: false)),
            ("baseline.soreness_rise", worse(history.compactMap { $0.soreness.map(Double.init) }, answers.soreness.map(Double.init), higherIsWorse: true)),
            ("baseline.energy_drop", worse(history.compactMap { $0.energy.map(Double.init) }, answers.energy.map(Double.init), higherIsWorse: false)),
            ("baseline.stress_rise", worse(history.compactMap { $0.stress.map(Double.init) }, answers.stress.map(Double.init), higherIsWorse: true)),
            ("baseline.motivation_drop", worse(history.compactMap { $0.motivation.map(Double.init) }, answers.motivation.map(Double.init), higherIsWorse: false)),
        ]
    }
}
