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
    /// The answer to a muscle, schedule, week or load question.
    public var plan: PlanAdvice?
    /// The answer to a red flag or an out-of-scope topic.
    public var scope: ScopeAnswer?

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

extension Consultation {
    /// The plan as the `advice` object shows it: for muscle and week questions only when a
    /// muscle group or an exercise is known, for a load question when an exercise is known or a
    /// load could be computed (issue 13's contract).
    public var shownPlan: PlanAdvice? {
        guard let plan else { return nil }
        if plan.asksLoad { return utterance.exercise != nil || plan.load != nil ? plan : nil }
        return utterance.exercise != nil || utterance.muscleGroup != nil || plan.consecutiveDays != nil ? plan : nil
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
    /// Every fact the verdict tables can set, to undo a what-if trial without copying the facts.
    private let verdictOutputs: [Int]
    /// The answer for each out-of-scope topic: it depends on the topic and the rules alone, so it
    /// is worked out once here rather than by running the scope table for every such message.
    private let scopeAnswers: [ScopeAnswer]

    /// Fails when the rule book lacks a fact the advisor must set or read.
    public init(book: RuleBook) throws(AdvisorError) {
        self.book = book
        self.slots = try Slots(book.schema)
        self.verdictTables = ["heavy_set", "failure_verdict"].compactMap(book.tableIndex)
        self.verdictOutputs = Array(Set(verdictTables.flatMap { book.tables[$0].rules.flatMap(\.outputs).map(\.slot) })).sorted()
        self.scopeAnswers = Self.scopeTopics.map { Self.scopeAnswer($0, book: book) }
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
        if utterance.intent == .redFlag || utterance.intent == .outOfScope {
            consultation.scope = scopeAnswer(utterance.scope ?? .injury)
            consultation.referral = true
            return consultation
        }
        guard utterance.intent.isQuestion else { return consultation }
        let facts = facts(for: utterance, profile: profile.profile, context: context)
        if utterance.exercise == nil, !utterance.intent.isExerciseQuestion {
            // Muscle, week and load questions without an exercise have no exercise advice.
        } else if utterance.exercise != nil {
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
            consultation.deloadSuggested = evaluation.outputs(slots.deloadSuggested).contains(.bool(true))
            if evaluation.outputs(slots.deloadRefer).contains(.bool(true)) { consultation.referral = true }
        }
        if utterance.intent == .askFrequency || utterance.intent == .askVolume || utterance.asksConsecutive {
            if utterance.exercise != nil || utterance.muscleGroup != nil || utterance.asksConsecutive
                || utterance.intent == .askFrequency || utterance.intent == .askVolume {
                consultation.plan = schedule(facts, consecutive: utterance.asksConsecutive)
            }
        }
        if utterance.intent == .askLoad {
            consultation.plan = load(for: utterance, advice: consultation.advice, profile: profile.profile, logged: nil)
        }
        return consultation
    }

    // MARK: Muscle, schedule and week questions (COACHING.md section 7)

    /// Evaluates the schedule tables: consecutive days, sessions and hard sets per week.
    public func schedule(_ facts: FactSet, consecutive: Bool) -> PlanAdvice {
        var facts = facts
        if let slot = book.schema.slot("question.consecutive") { facts[slot] = .bool(consecutive) }
        let evaluation = book.evaluate(facts, pipeline: "schedule")
        var plan = PlanAdvice()
        func range(_ name: String) -> IntRange? {
            guard let slot = book.schema.slot(name), case let .range(value)? = evaluation.facts[slot] else { return nil }
            return value
        }
        if let slot = book.schema.slot("advice.consecutive_days"), case let .symbol(raw)? = evaluation.facts[slot] {
            plan.consecutiveDays = ConsecutiveDays(rawValue: raw)
        }
        plan.recoveryHours = range("plan.recovery")
        plan.sessionsPerWeek = range("advice.sessions_per_week")
        plan.weeklySets = range("advice.weekly_sets")
        // heavy_set only feeds the schedule tables; its rules are not part of this answer. The
        // table the question is about decides, so its rule comes first (reason and sources).
        let lead = consecutive ? "consecutive." : facts[slots.topic] == .symbol("volume") ? "volume." : "frequency."
        let fired = evaluation.firedRules.filter { !$0.id.hasPrefix("heavy.") }
        let ordered = fired.filter { $0.id.hasPrefix(lead) } + fired.filter { !$0.id.hasPrefix(lead) }
        fill(&plan, fired: ordered, evaluation: evaluation)
        return plan
    }

    private func fill(_ plan: inout PlanAdvice, fired: [Rule], evaluation: Evaluation) {
        for case let .text(note) in evaluation.outputs("advice.note") where !plan.notes.contains(note) { plan.notes.append(note) }
        plan.rules = fired.map(\.id)
        plan.reasons = fired.map(\.because)
        for rule in fired { for source in rule.sources where !plan.sources.contains(source) { plan.sources.append(source) } }
    }

    // MARK: What weight to use (COACHING.md section 8)

    /// The load range for the message's target from the stated reference set, or from `logged`
    /// (the lifter's best recent logged set) when the message states none.
    public func load(for utterance: Utterance, advice: Advice?, profile: Profile, logged: ReferenceSet?) -> PlanAdvice {
        var plan = PlanAdvice(asksLoad: true)
        let reference = utterance.reference ?? logged
        let basis = utterance.reference != nil ? "stated" : "logged"
        let unit = reference?.unit ?? utterance.unit ?? .kilograms
        let rir = utterance.target.rir ?? advice?.repsInReserve ?? IntRange(1, 3)
        let reps = utterance.target.reps ?? reference?.reps
        var facts = book.makeFacts()
        func set(_ name: String, _ value: FactValue?) { if let slot = book.schema.slot(name) { facts[slot] = value } }
        set("exercise.equipment", utterance.exercise.map { .symbol($0.equipment.rawValue) })
        set("load.unit", .symbol(unit.rawValue))
        if let reference { set("load.reference_total", .number((Double(reference.reps) + reference.rir).rounded())) }
        if let reps { set("load.target_total", .number(Double(reps + rir.max))) }
        let evaluation = book.evaluate(facts, pipeline: "load")
        var step = unit == .kilograms ? 2.5 : 5
        if let slot = book.schema.slot("load.step"), case let .number(value)? = evaluation.facts[slot], value > 0 { step = value }
        var reliable = true
        if let slot = book.schema.slot("load.reliable"), case let .bool(value)? = evaluation.facts[slot] { reliable = value }
        // The estimate's rule decides the answer; the rounding step follows.
        let fired = evaluation.firedRules.filter { reference != nil && reps != nil || !$0.id.hasPrefix("reliability.ok") }
        fill(&plan, fired: fired.filter { !$0.id.hasPrefix("step.") } + fired.filter { $0.id.hasPrefix("step.") }, evaluation: evaluation)
        guard reliable, let reference, let reps, let e1rm = reference.estimatedOneRepMax else {
            // Nothing computed: only the honesty rule, if it fired, explains the answer.
            let honest = fired.filter { $0.id == "reliability.long_reference" }
            plan.rules = honest.map(\.id)
            plan.reasons = honest.map(\.because)
            plan.sources = honest.flatMap(\.sources)
            return plan
        }
        func loadFor(_ reserve: Int) -> Double {
            let exact = e1rm / (1 + Double(reps + reserve) / 30)
            return (exact / step).rounded(.down) * step
        }
        let low = loadFor(rir.max)
        let high = loadFor(rir.min)
        guard high > 0 else { return plan }
        plan.load = LoadAdvice(unit: unit, min: max(step, low), max: high, reps: reps, rir: rir, e1rm: (e1rm * 10).rounded() / 10,
                               basis: basis)
        return plan
    }

    /// What to do on the next set or session after a logged set, by autoregulation: the logged
    /// RIR against the target range. nil when the set has no RIR or load.
    public func nextSet(after set: LoggedSet, exercise: Exercise, target: IntRange) -> NextSetAdvice? {
        guard let rir = set.repsInReserve, let load = set.load, load > 0 else { return nil }
        let logged = Int(rir.rounded())
        let gap = logged < target.min ? logged - target.min : logged > target.max ? logged - target.max : 0
        var facts = book.makeFacts()
        func put(_ name: String, _ value: FactValue?) { if let slot = book.schema.slot(name) { facts[slot] = value } }
        let unit = set.unit ?? .kilograms
        put("exercise.equipment", .symbol(exercise.equipment.rawValue))
        put("load.unit", .symbol(unit.rawValue))
        put("next.rir_vs_target", .number(Double(gap)))
        let evaluation = book.evaluate(facts, pipeline: "next_set")
        guard let slot = book.schema.slot("next.action"), case let .symbol(raw)? = evaluation.facts[slot],
              let action = NextSetAdvice.Action(rawValue: raw) else { return nil }
        var step = unit == .kilograms ? 2.5 : 5
        if let stepSlot = book.schema.slot("load.step"), case let .number(value)? = evaluation.facts[stepSlot], value > 0 { step = value }
        let next: Double = switch action {
        case .hold: load
        case .addStep: load + step
        case .dropStep: max(step, load - step)
        }
        var notes: [String] = []
        for case let .text(note) in evaluation.outputs("advice.note") { notes.append(note) }
        let fired = evaluation.firedRules.filter { !$0.id.hasPrefix("step.") }
        var sources: [String] = []
        for rule in fired { for source in rule.sources where !sources.contains(source) { sources.append(source) } }
        return NextSetAdvice(action: action, load: next, unit: unit, target: target, notes: notes, rules: fired.map(\.id), sources: sources)
    }

    // MARK: Red flags and out-of-scope topics (COACHING.md section 9)

    public func scopeAnswer(_ topic: ScopeTopic) -> ScopeAnswer {
        scopeAnswers[Self.scopeTopics.firstIndex(of: topic)!]
    }

    private static let scopeTopics = ScopeTopic.allCases

    private static func scopeAnswer(_ topic: ScopeTopic, book: RuleBook) -> ScopeAnswer {
        var facts = book.makeFacts()
        if let slot = book.schema.slot("message.scope") { facts[slot] = .symbol(topic.rawValue) }
        let evaluation = book.evaluate(facts, pipeline: "scope")
        var reply = "That is outside what I can advise on."
        var referTo = "a qualified professional (a doctor or physiotherapist)"
        if case let .text(text)? = evaluation.outputs("scope.reply").first { reply = text }
        if case let .text(text)? = evaluation.outputs("scope.refer_to").first { referTo = text }
        let fired = evaluation.firedRules
        var sources: [String] = []
        for rule in fired { for source in rule.sources where !sources.contains(source) { sources.append(source) } }
        return ScopeAnswer(topic: topic, reply: reply, referTo: referTo, because: fired.first?.because ?? "",
                           rules: fired.map(\.id), sources: sources)
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
            let add = evaluation.outputs(slots.rirAdd).compactMap(\.intValue).reduce(0, +)
            var range = IntRange(base.min + add, base.max + add)
            if let floor = evaluation.outputs(slots.rirFloor).compactMap(\.intValue).min() { range.min = min(floor, range.min) }
            rir = range
        }
        var rest: IntRange?
        if case let .range(base)? = evaluation.facts[slots.rest] {
            let add = evaluation.outputs(slots.restAdd).compactMap(\.intValue).reduce(0, +)
            rest = IntRange(base.min + add, base.max + add)
        }
        var recovery: IntRange?
        if case let .range(value)? = evaluation.facts[slots.recovery] { recovery = value }
        var notes: [String] = []
        for case let .text(note) in evaluation.outputs(slots.note) where !notes.contains(note) { notes.append(note) }
        var reasons: [String] = []
        if let deciding = evaluation.firedRule(in: verdictTable) { reasons.append(deciding.because) }
        return Advice(failure: verdict, repsInReserve: rir, restSeconds: rest, recoveryHours: recovery, notes: notes,
                      reasons: reasons, rules: evaluation.firedRuleIDs, sources: evaluation.firedSources)
    }

    /// Which assumed profile values the verdict depends on: those whose other values change it.
    private func assumptionsThatMatter(_ facts: FactSet, profile: ResolvedProfile, verdict: FailureVerdict?) -> [String] {
        guard let verdict else { return [] }
        var matter: [String] = []
        var scratch = facts
        func changes(_ slot: Int, _ values: [FactValue]) -> Bool {
            let original = facts[slot]
            let restoredSlots = [slot] + verdictOutputs
            for value in values where value != original {
                scratch[slot] = value
                let changed = self.verdict(&scratch) != verdict
                // Back to `facts`: the trial changed only this slot and what the verdict tables set
                // (copying the whole fact set for every trial was most of this function's cost).
                scratch.restore(restoredSlots, from: facts)
                if changed { return true }
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
        case .askFrequency: "frequency"
        case .askVolume: "volume"
        case .askLoad: "load"
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
    /// Outputs read after every evaluation, by slot (nil when the rules do not declare them:
    /// then no rule gives them, as when they are looked up by name).
    let rirAdd, rirFloor, restAdd, note, deloadSuggested, deloadRefer: Int?

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
        rirAdd = schema.slot("advice.rir_add")
        rirFloor = schema.slot("advice.rir_floor")
        restAdd = schema.slot("advice.rest_add")
        note = schema.slot("advice.note")
        deloadSuggested = schema.slot("deload.suggested")
        deloadRefer = schema.slot("deload.refer")
    }
}

extension Evaluation {
    /// The outputs of a slot the rules may not declare (none then).
    fileprivate func outputs(_ slot: Int?) -> [FactValue] { slot.map { outputs(slot: $0) } ?? [] }
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

/// The answer to a red flag or an out-of-scope topic: what to do first and who to ask.
public struct ScopeAnswer: Sendable, Hashable {
    public var topic: ScopeTopic
    public var reply: String
    public var referTo: String
    public var because: String
    public var rules: [String]
    public var sources: [String]
}

/// What to do on the next set after a logged one.
public struct NextSetAdvice: Sendable, Hashable {
    public enum Action: String, Sendable, Hashable {
        case hold
        case addStep = "add_step"
        case dropStep = "drop_step"
    }

    public var action: Action
    public var load: Double
    public var unit: LoadUnit
    public var target: IntRange
    public var notes: [String]
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
