import SpotterAdvisor
import SpotterCore
import SpotterRules

/// What the runtime loaded for one message: the lifter's stored data around it. The dialog
/// reads only this, so it stays pure.
public struct DialogContext: Sendable {
    public var now: Timestamp
    /// nil on first contact (nothing stored about this user yet).
    public var profile: LifterProfile?
    /// The latest check-in completed within the readiness window (today's).
    public var todayCheckIn: CheckInRecord?
    /// Check-ins of the last 7 days, newest first.
    public var recentCheckIns: [CheckInRecord]
    /// Earlier check-ins for the personal baseline (up to the last 28), newest first.
    public var baselineCheckIns: [CheckInRecord]
    /// Failure sets in the last 7 days for the muscle of the message's exercise.
    public var weekFailureSets: Int?
    /// Hard sets in the last 7 days for the muscle of the message's exercise (for set-log replies).
    public var weekHardSets: Int?
    /// Sets of the last 28 days, for stats, newest first.
    public var recentSets: [SetRecord]
    /// The set log (loaded for set logs, edits and their views): the rows of the last entry,
    /// today's rows (oldest first), the earlier sets of the exercises the message names that a new
    /// set is compared with (newest with a load first, the heaviest per rep count, the best e1RM; every
    /// set for "my bests"); the lifter's unit as set and as inferred from what they write.
    public var lastEntry: [SetRecord] = []
    public var todaySets: [SetRecord] = []
    public var exerciseHistory: [SetRecord] = []
    public var unitPreference: LoadUnit?
    public var inferredUnit: LoadUnit?
    /// The lifter's time zone ("today" for check-ins and the day's log) and its offset from UTC
    /// at `now`, in seconds east; UTC when neither they nor their room named one.
    public var timeZone: String?
    public var utcOffset: Int = 0

    public init(
        now: Timestamp, profile: LifterProfile?, todayCheckIn: CheckInRecord? = nil, recentCheckIns: [CheckInRecord] = [],
        baselineCheckIns: [CheckInRecord] = [], weekFailureSets: Int? = nil, weekHardSets: Int? = nil, recentSets: [SetRecord] = []
    ) {
        self.now = now
        self.profile = profile
        self.todayCheckIn = todayCheckIn
        self.recentCheckIns = recentCheckIns
        self.baselineCheckIns = baselineCheckIns
        self.weekFailureSets = weekFailureSets
        self.weekHardSets = weekHardSets
        self.recentSets = recentSets
    }
}

/// A change the runtime must make to the store.
public enum DialogEffect: Sendable, Hashable {
    case saveProfile(LifterProfile)
    case saveCheckIn(CheckInRecord)
    /// A set to store; without an `entry` it joins the message's own new entry.
    case logSet(SetRecord)
    /// Delete everything stored about the user.
    case forgetUser
}

/// A change to the set log other than a new set (kept apart from ``DialogEffect`` so code that
/// handles every effect goes on compiling): edits by row id and the unit preference.
public enum SetLogEdit: Sendable, Hashable {
    case updateSet(SetRecord)
    case deleteSets([Int64])
    /// "use lbs".
    case saveUnit(LoadUnit)
    /// "my time zone is Europe/London" (a setting kept beside the log, not an edit of it).
    case saveTimeZone(String)
}

/// The result of one message: the new conversation, the effects to perform, and the answer.
public struct DialogOutcome: Sendable {
    public var conversation: Conversation
    public var effects: [DialogEffect]
    public var reply: String
    public var intent: Intent
    /// Set on the message that completes a check-in.
    public var readiness: Readiness?
    public var advice: Advice?
    /// The muscle, week or load part of the advice, when the answer has one.
    public var plan: PlanAdvice?
    /// For a set log: what was stored ([] for a question back or a refusal); nil otherwise.
    public var loggedSets: [LoggedSet]? = nil
    /// Edits of the set log, performed after `effects`.
    public var logEdits: [SetLogEdit] = []
}

/// Settings the dialog reads.
public struct DialogSettings: Sendable, Hashable {
    /// An open dialog untouched this long has expired (default 12 hours).
    public var expirySeconds: Double = 12 * 3600
    /// The weekly failure cap per muscle (COACHING.md rule 10).
    public var failureCap: Int = 4
    /// A check-in counts as today's for this long after it was completed.
    public var readinessWindowSeconds: Double = 18 * 3600

    public init(expirySeconds: Double = 12 * 3600, failureCap: Int = 4, readinessWindowSeconds: Double = 18 * 3600) {
        self.expirySeconds = expirySeconds
        self.failureCap = failureCap
        self.readinessWindowSeconds = readinessWindowSeconds
    }
}

/// The conversation state machine: `(conversation, message, context) -> (conversation, effects, reply)`.
/// Pure: no I/O, time comes in the context.
///
/// ## Usage
/// ```swift
/// var conversation = engine.prepare(stored, now: now)          // applies expiry
/// let utterance = understanding.understand(text, context: conversation.conversation.understandingContext)
/// let outcome = engine.handle(conversation, utterance, context: dialogContext)
/// // perform outcome.effects, store outcome.conversation, then send outcome.reply
/// ```
public struct DialogEngine: Sendable {
    public let advisor: Advisor
    public let writer: ReplyWriter
    public let catalogue: ExerciseCatalogue
    public let settings: DialogSettings

    public init(advisor: Advisor, writer: ReplyWriter, catalogue: ExerciseCatalogue, settings: DialogSettings = DialogSettings()) {
        self.advisor = advisor
        self.writer = writer
        self.catalogue = catalogue
        self.settings = settings
    }

    /// A conversation ready for the next message: a new one on first contact, and an open
    /// dialog past its expiry closed.
    public struct Prepared: Sendable {
        public var conversation: Conversation
        /// The dialog that expired, when one did.
        public var expired: String?
        /// No conversation was stored: this user has not written in this room before.
        public var isNew: Bool
    }

    /// The weekly report ("my week") from the lifter's stored data, for a scheduled direct message.
    /// `context` needs `recentSets` (28 days) and `recentCheckIns` (7 days).
    public func weeklyReport(_ context: DialogContext) -> String {
        Stats(engine: self, context: context).report()
    }

    public func prepare(_ stored: Conversation?, now: Timestamp) -> Prepared {
        guard var conversation = stored else {
            return Prepared(conversation: Conversation(updatedAt: now), expired: nil, isNew: true)
        }
        var expired: String?
        if conversation.state != .idle, now - conversation.updatedAt > settings.expirySeconds {
            expired = conversation.state.name
            conversation.state = .idle
        }
        return Prepared(conversation: conversation, expired: expired, isNew: false)
    }

    /// Handles one understood message.
    public func handle(_ prepared: Prepared, _ utterance: Utterance, context: DialogContext) -> DialogOutcome {
        if utterance.notEnglish {
            // Nothing is read from it, so nothing is stored or changed: not even the first-contact
            // profile or the open dialog's clock. An expired dialog is still closed.
            var lines = [ReplyWriter.englishOnly]
            if case let .checkIn(form) = prepared.conversation.state, let next = form.pending ?? form.answers.missing.first {
                lines.append("Back to your check-in: " + Turn.prompt(next))
            }
            return DialogOutcome(conversation: prepared.conversation, effects: [], reply: lines.joined(separator: "\n"),
                                 intent: utterance.intent, readiness: nil, advice: nil)
        }
        var turn = Turn(engine: self, conversation: prepared.conversation, utterance: utterance, context: context)
        if let expired = prepared.expired {
            turn.lines.append("Your unfinished \(expired == "checkin" ? "check-in" : expired) expired, so I started fresh.")
        }
        turn.run(firstContact: context.profile == nil)
        turn.conversation.updatedAt = context.now
        return DialogOutcome(conversation: turn.conversation, effects: turn.effects, reply: turn.lines.joined(separator: "\n"),
                             intent: turn.intent ?? utterance.intent, readiness: turn.readiness, advice: turn.advice, plan: turn.plan,
                             loggedSets: turn.loggedSets, logEdits: turn.logEdits)
    }
}

/// One message being handled: accumulates the reply lines and effects.
struct Turn {
    let engine: DialogEngine
    var conversation: Conversation
    let utterance: Utterance
    let context: DialogContext
    var lines: [String] = []
    var effects: [DialogEffect] = []
    var logEdits: [SetLogEdit] = []
    var readiness: Readiness?
    var advice: Advice?
    var plan: PlanAdvice?
    /// The intent reported, when the dialog decided otherwise than understanding ("315 kg? or lb?" is clarify).
    var intent: Intent?
    /// What a set log stored ([] when it stored nothing), nil for other messages.
    var loggedSets: [LoggedSet]?
    /// The profile as it stands during this message (updated by profile statements).
    var profile: LifterProfile

    init(engine: DialogEngine, conversation: Conversation, utterance: Utterance, context: DialogContext) {
        self.engine = engine
        self.conversation = conversation
        self.utterance = utterance
        self.context = context
        self.profile = context.profile ?? LifterProfile()
    }

    mutating func run(firstContact: Bool) {
        if firstContact {
            // The profile is offered once: from now on this user is known, offer or not.
            effects.append(.saveProfile(profile))
        }
        let intent = utterance.intent
        // Commands that apply in every state.
        switch intent {
        case .cancel, .help, .why:
            if intent == .cancel { cancel() } else if intent == .help { say(Self.chatHelp) } else { why() }
            // "cancel" leaves every dialog, so it never opens the profile offer.
            if firstContact, conversation.state == .idle, intent != .cancel { offerProfile() }
            return
        case .forgetMe:
            conversation.state = .confirmForget
            return say("This deletes everything I have stored about you: profile, check-ins, logged sets and conversations. Reply \"yes\" to delete it all; anything else keeps it.")
        default: break
        }
        if !conversation.pendingSets.isEmpty, resolvePendingSets() { return }
        switch conversation.state {
        case .confirmForget:
            if intent == .confirm {
                effects.append(.forgetUser)
                conversation = Conversation(updatedAt: context.now)
                return say("Done: everything I stored about you is deleted.")
            }
            conversation.state = .idle
            say("OK, nothing deleted: your data is kept.")
            if intent == .decline { return }
            return handleFree(firstContact: false)
        case let .checkIn(form):
            return handleInCheckIn(form)
        case .profile(let form):
            return handleInProfile(form)
        case .idle:
            return handleFree(firstContact: firstContact)
        }
    }

    // MARK: No dialog open

    mutating func handleFree(firstContact: Bool) {
        switch utterance.intent {
        case .checkIn:
            startCheckIn()
        case .setProfile:
            if firstContact {
                // A first message that is a profile statement answers the offer before it is made.
                handleInProfile(ProfileForm())
            } else {
                updateProfile(openDialogWhenEmpty: true)
            }
        case .skip:
            say(firstContact ? skipProfileText : "Nothing to skip.")
        case .checkInAnswer where utterance.checkIn != nil:
            correctCheckIn()
        default:
            handleMessage()
            if firstContact { offerProfile() }
        }
    }

    /// First contact: answer, then offer a profile once; never forced.
    mutating func offerProfile() {
        conversation.state = .profile(ProfileForm())
        say(profileOffer)
    }

    /// Messages that mean the same in any state: questions, set logs, stats, profile views.
    mutating func handleMessage() {
        switch utterance.intent {
        case .askFailure, .askRIR, .askRest, .askRecovery, .askDeload, .askFrequency, .askVolume, .askLoad:
            answerQuestion()
        case .redFlag, .outOfScope:
            let consultation = engine.advisor.consult(utterance, profile: profile.resolved)
            say(engine.writer.reply(to: consultation))
            conversation.lastAnswer = LastAnswer(topic: utterance.text, rules: consultation.scope?.rules ?? [])
        case .logSet:
            logSets()
        case .clarify:
            if utterance.logCommand != nil { logCommand() } else { clarify() }
        case .undo, .editSet, .showLog, .bests, .setUnit:
            logCommand()
        case .setTimeZone:
            setTimeZone()
        case .stats:
            // The report has no rules of its own: "why" keeps explaining the last answer that had some.
            say(Stats(engine: engine, context: context).report())
        case .showProfile:
            say(profileDescription)
        case .setProfile:
            updateProfile(openDialogWhenEmpty: false)
        case .confirm, .decline:
            say("There is nothing waiting for a yes or no. Ask me something, or say \"help\".")
        case .skip:
            say("Nothing to skip.")
        case .unknown, .checkInAnswer:
            if utterance.implausibleSet != nil { loggedSets = [] }
            say(engine.writer.reply(to: Consultation(
                utterance: utterance, profile: profile.resolved, advice: nil, deloadNotes: [], deloadSuggested: false,
                referral: utterance.hints.pain == true, evaluation: nil, assumptionsThatMatter: [])))
        case .help, .why, .cancel, .forgetMe, .checkIn:
            break
        }
    }

    mutating func answerQuestion() {
        let training = TrainingContext(
            readiness: context.todayCheckIn?.readiness, pain: context.todayCheckIn?.answers.pain == true,
            weekFailureSets: context.weekFailureSets, failureCap: engine.settings.failureCap,
            amberOrRedCheckins: context.recentCheckIns.isEmpty ? nil : context.recentCheckIns.prefix(7).count { $0.readiness != .green })
        var consultation = engine.advisor.consult(utterance, profile: profile.resolved, context: training)
        if var plan = consultation.plan {
            if plan.asksLoad, utterance.reference == nil, let exercise = utterance.exercise, let best = bestLogged(exercise.id) {
                plan = engine.advisor.load(for: utterance, advice: consultation.advice, profile: profile.resolved.profile, logged: best)
            } else if !plan.asksLoad, let muscles = utterance.muscleGroup?.muscles ?? utterance.exercise.map({ Array($0.primary.prefix(1)) }) {
                // The lifter's own week: hard sets for the group's muscles in the last 7 days.
                let week = context.recentSets.filter { context.now - $0.loggedAt < 7 * 86400 && muscles.contains($0.muscle) }
                if !week.isEmpty { plan.weekHardSets = week.filter(\.isHard).reduce(0) { $0 + $1.sets } }
            }
            consultation.plan = plan
        }
        advice = consultation.advice
        plan = consultation.shownPlan
        say(engine.writer.reply(to: consultation))
        if let today = context.todayCheckIn, consultation.advice != nil, today.readiness != .green {
            say("(Today's check-in is \(today.readiness.rawValue), and this answer takes it into account.)")
        }
        // "why" explains the last answer that had a reason: one without rules leaves it as it was.
        let rules = (consultation.evaluation?.firedRules.map(\.id) ?? []) + (consultation.plan?.rules ?? [])
        if !rules.isEmpty { conversation.lastAnswer = LastAnswer(topic: utterance.text, rules: rules) }
    }

    /// The best recent logged set of an exercise (highest estimated 1RM), in the unit it was logged in.
    func bestLogged(_ exerciseID: String) -> ReferenceSet? {
        let best = context.recentSets.filter { $0.exerciseID == exerciseID && $0.estimatedOneRepMaxKilograms != nil }
            .max { ($0.estimatedOneRepMaxKilograms ?? 0) < ($1.estimatedOneRepMaxKilograms ?? 0) }
        guard let best, let kilograms = best.loadKilograms else { return nil }
        let unit = best.unit ?? .kilograms
        return ReferenceSet(load: kilograms / unit.kilograms, unit: unit, reps: best.reps, rir: best.repsInReserve ?? 0)
    }

    /// The next set or session after a logged set, by autoregulation against the RIR target.
    func nextSetAdvice(_ set: LoggedSet, exercise: Exercise) -> (text: String, rules: [String])? {
        let question = Utterance(text: "", intent: .askRIR, exercise: exercise)
        let training = TrainingContext(readiness: context.todayCheckIn?.readiness, pain: context.todayCheckIn?.answers.pain == true,
                                       weekFailureSets: context.weekFailureSets, failureCap: engine.settings.failureCap)
        guard let target = engine.advisor.consult(question, profile: profile.resolved, context: training).advice?.repsInReserve,
              let next = engine.advisor.nextSet(after: set, exercise: exercise, target: target) else { return nil }
        let load = ReplyWriter.number(next.load) + " " + next.unit.rawValue
        let action = switch next.action {
        case .hold: "keep \(load)"
        case .addStep: "add a step, \(load)"
        case .dropStep: "drop a step, \(load)"
        }
        var text = "Next set: \(action) (target \(target) reps in reserve)."
        if let note = next.notes.first { text += " " + note }
        return (text, next.rules)
    }

    // MARK: Profile

    var profileOffer: String {
        "By the way: tell me your experience, goal and whether you have a spotter or safeties, and I'll tailor every answer "
            + "(for example \"I'm a beginner training for strength, no spotter\"). Or say \"skip\"."
    }

    var skipProfileText: String {
        "OK. I'll assume an intermediate lifter training for size without a spotter until you tell me otherwise."
    }

    var profileDescription: String {
        let resolved = profile.resolved
        func mark(_ origin: ProfileValueOrigin) -> String { origin == .assumed ? " (assumed)" : "" }
        return "Your profile: \(resolved.profile.experience.rawValue)\(mark(resolved.experienceOrigin)), goal "
            + "\(resolved.profile.goal.rawValue)\(mark(resolved.goalOrigin)), "
            + "\(resolved.profile.spotter ? "spotter or safeties" : "no spotter")\(mark(resolved.spotterOrigin))."
    }

    mutating func updateProfile(openDialogWhenEmpty: Bool) {
        let hints = utterance.hints
        guard hints.hasProfileFact else {
            if utterance.uncertainHints.hasProfileFact {
                // Read only through a corrected typo: asked about, never stored.
                return say("I'm not sure I read that right, so I changed nothing: did you mean that "
                    + Self.facts(utterance.uncertainHints).joined(separator: ", ") + "? Say it in other words and I'll note it.")
            }
            if openDialogWhenEmpty {
                conversation.state = .profile(ProfileForm())
                say("Let's set up your profile. How long have you been lifting, what is your goal (size, strength, "
                    + "endurance or general fitness), and do you train with a spotter or safeties? Or say \"skip\".")
            } else {
                say(profileDescription)
            }
            return
        }
        let before = profile
        profile = profile.updated(with: hints)
        effects.append(.saveProfile(profile))
        var changed = ProfileHints()
        if profile.experience != before.experience { changed.experience = profile.experience }
        if profile.goal != before.goal { changed.goal = profile.goal }
        if profile.spotter != before.spotter { changed.spotter = profile.spotter }
        let echo = changed.hasProfileFact
            ? "Noted: " + Self.facts(changed).joined(separator: ", ") + "."
            : "Already noted: " + Self.facts(hints).joined(separator: ", ") + "."
        say("Profile updated. " + echo + " " + profileDescription)
    }

    /// Profile facts in the lifter's words: "you're a beginner", "you train without a spotter".
    static func facts(_ hints: ProfileHints) -> [String] {
        var facts: [String] = []
        switch hints.experience {
        case .beginner?: facts.append("you're a beginner")
        case .intermediate?: facts.append("you're an intermediate lifter")
        case .advanced?: facts.append("you're an advanced lifter")
        case nil: break
        }
        switch hints.goal {
        case .strength?: facts.append("you train for strength")
        case .hypertrophy?: facts.append("you train for size")
        case .endurance?: facts.append("you train for endurance")
        case .general?: facts.append("you train for general fitness")
        case nil: break
        }
        if let spotter = hints.spotter {
            facts.append(spotter ? "you train with a spotter or safeties" : "you train without a spotter")
        }
        return facts
    }

    mutating func handleInProfile(_ form: ProfileForm) {
        switch utterance.intent {
        case .setProfile:
            updateProfile(openDialogWhenEmpty: false)
            if profile.isComplete || form.askedFollowUp {
                conversation.state = .idle
            } else {
                conversation.state = .profile(ProfileForm(askedFollowUp: true))
                say(followUpQuestion)
            }
        case .skip:
            conversation.state = .idle
            effects.append(.saveProfile(profile))
            say(skipProfileText)
        case .checkIn:
            conversation.state = .idle
            startCheckIn()
        default:
            // Never forced: anything else closes the offer and is handled as usual.
            conversation.state = .idle
            handleMessage()
        }
    }

    var followUpQuestion: String {
        var missing: [String] = []
        if profile.experience == nil { missing.append("how long you have been lifting") }
        if profile.goal == nil { missing.append("your goal (size, strength, endurance or general fitness)") }
        if profile.spotter == nil { missing.append("whether you have a spotter or safeties") }
        return "And " + missing.joined(separator: ", ") + "? Or say \"skip\"."
    }

    // MARK: Check-in

    /// "my time zone is London": the zone the edge resolved, stored and said back.
    mutating func setTimeZone() {
        guard let zone = utterance.timeZone else {
            return say("I don't know the time zone \"\(utterance.timeZoneName ?? "")\". Say an IANA name such as Europe/London "
                + "or America/New_York, or a city such as London or New York.")
        }
        logEdits.append(.saveTimeZone(zone))
        say("Noted: your time zone is \(zone). \"Today\" for your check-ins and your log now follows it.")
    }

    /// Today's stored check-in (the same day in the lifter's time zone), which a new one updates
    /// rather than adds to.
    var sameDayCheckIn: CheckInRecord? {
        let today = CheckInRecord.day(of: context.now, utcOffset: context.utcOffset)
        return context.recentCheckIns.first { $0.day == today }
    }

    mutating func startCheckIn() {
        var form = CheckInForm()
        var intro = "Daily check-in. You can answer everything at once, for example \"slept 7h, soreness 2, energy 4, "
            + "stress 2, motivation 4, no pain\"."
        if let earlier = sameDayCheckIn {
            intro = "You already checked in today (readiness \(earlier.readiness.rawValue)); this check-in will update it. " + intro
        }
        say(intro)
        if let reading = utterance.checkIn { take(reading, into: &form) }
        continueCheckIn(form, outOfRange: utterance.checkIn?.outOfRange ?? [:], understood: true)
    }

    mutating func handleInCheckIn(_ form: CheckInForm) {
        var form = form
        switch utterance.intent {
        case .checkIn:
            // Asked again: keep what was answered and carry on.
            if let reading = utterance.checkIn { take(reading, into: &form) }
            continueCheckIn(form, outOfRange: utterance.checkIn?.outOfRange ?? [:], understood: true)
        case .checkInAnswer:
            let reading = utterance.checkIn ?? CheckInReading()
            take(reading, into: &form)
            continueCheckIn(form, outOfRange: reading.outOfRange, understood: true)
        case .skip, .confirm, .decline, .unknown:
            continueCheckIn(form, outOfRange: [:], understood: false)
        case .redFlag:
            // A red flag comes before the check-in: answered alone, with nothing after it; the
            // check-in stays open for later.
            conversation.state = .checkIn(form)
            handleMessage()
        default:
            // Questions, set logs, stats, profile: answered at once, then the check-in resumes
            // (with any answer the message also carried, echoed after the answer).
            handleMessage()
            if let reading = utterance.checkIn { take(reading, into: &form) }
            if form.answers.isComplete {
                complete(form)
            } else {
                let next = form.answers.missing[0]
                form.pending = next
                conversation.state = .checkIn(form)
                say("Back to your check-in: " + Self.prompt(next))
            }
        }
    }

    /// A check-in correction with no check-in open ("actually energy is 3" after the result):
    /// today's check-in is updated and scored again; with none today, a check-in starts with it.
    mutating func correctCheckIn() {
        guard let today = sameDayCheckIn, let reading = utterance.checkIn else { return startCheckIn() }
        var form = CheckInForm(answers: today.answers)
        take(reading, into: &form)
        if let (item, written) = reading.outOfRange.sorted(by: { $0.key.order < $1.key.order }).first {
            return say("\"\(written)\" is outside \(Self.rangeText(item)), so today's check-in is unchanged.")
        }
        complete(form)
    }

    /// Merges what a message answered into the form and says, in one line, what was recorded:
    /// new answers, changed ones ("Changed energy from 4 to 3"), and an answer that fits another
    /// item than the one asked ("I took that as soreness, not sleep").
    mutating func take(_ reading: CheckInReading, into form: inout CheckInForm) {
        let before = form.answers
        form.answers = before.merging(reading.answers)
        var noted: [CheckInItem] = []
        var changed: [String] = []
        var same: [String] = []
        for item in CheckInItem.allCases where reading.answers.has(item) {
            if !before.has(item) {
                noted.append(item)
            } else if Self.value(item, before) != Self.value(item, reading.answers) {
                changed.append("\(Self.name(item)) from \(Self.value(item, before)) to \(Self.value(item, reading.answers))")
            } else {
                same.append(Self.describe(item, reading.answers))
            }
        }
        var parts: [String] = []
        if !noted.isEmpty {
            var line = "Noted: " + noted.map { Self.describe($0, reading.answers) }.joined(separator: ", ")
            if let pending = form.pending, !reading.answers.has(pending), reading.outOfRange[pending] == nil {
                line += " (I took that as \(noted.map(Self.name).joined(separator: " and ")), not \(Self.name(pending)))"
            }
            parts.append(line + ".")
        }
        if !changed.isEmpty { parts.append("Changed " + changed.joined(separator: ", ") + ".") }
        if !same.isEmpty { parts.append("Already noted: " + same.joined(separator: ", ") + ".") }
        if !parts.isEmpty { say(parts.joined(separator: " ")) }
    }

    mutating func continueCheckIn(_ form: CheckInForm, outOfRange: [CheckInItem: String], understood: Bool) {
        var form = form
        if let (item, written) = outOfRange.sorted(by: { $0.key.order < $1.key.order }).first {
            form.pending = item
            conversation.state = .checkIn(form)
            return say("\"\(written)\" is outside \(Self.rangeText(item)). " + Self.prompt(item))
        }
        guard let next = form.answers.missing.first else { return complete(form) }
        form.pending = next
        conversation.state = .checkIn(form)
        if understood {
            say(Self.prompt(next))
        } else {
            say("I didn't catch that. " + Self.hint(next))
        }
    }

    mutating func complete(_ form: CheckInForm) {
        let answers = form.answers
        let earlier = sameDayCheckIn
        var record = CheckInRecord(userID: "", roomID: "", completedAt: context.now, answers: answers, readiness: .green)
        record.localDay = CheckInRecord.day(of: context.now, utcOffset: context.utcOffset)
        // One check-in per day: the one this replaces counts neither in the baseline nor in the week.
        let history = context.baselineCheckIns.filter { $0.day != record.day }
        let verdict = engine.advisor.readiness(answers, history: history.map(\.answers))
        readiness = verdict.readiness
        var stored = record
        stored.readiness = verdict.readiness
        effects.append(.saveCheckIn(stored))
        conversation.state = .idle

        say("Recorded: " + CheckInItem.allCases.map { Self.describe($0, answers) }.joined(separator: ", ") + "."
            + (earlier.map { " This updates today's earlier check-in (it was \($0.readiness.rawValue))." } ?? ""))
        var paragraph = "Readiness: \(verdict.readiness.rawValue)"
        if !verdict.reasons.isEmpty { paragraph += " (" + verdict.reasons.joined(separator: ", ") + ")" }
        paragraph += ". "
        switch verdict.readiness {
        case .green: paragraph += "Train as planned; failure is fine where the verdict for the lift allows it."
        case .amber: paragraph += "Train, but cap failure at your last set and keep one more rep in reserve than usual."
        case .red: paragraph += "No failure today: keep 3-4 reps in reserve and do fewer sets or a lighter session."
        }
        if let sleep = answers.sleepHours, sleep <= 6 {
            paragraph += " Sleep of 6 h or less costs about 7-8% of next-day performance."
        }
        say(paragraph)
        if answers.pain == true {
            say("Change or skip the movement that hurts. If the pain is sharp or persists, see a qualified professional "
                + "(a doctor or physiotherapist): this is general training education, not medical advice.")
        }
        // The last 7 days, one check-in per day, this one included.
        let week = [stored] + context.recentCheckIns.filter { context.now - $0.completedAt < 7 * 86400 && $0.day != record.day }.prefix(6)
        let review = engine.advisor.deloadReview(
            TrainingContext(amberOrRedCheckins: week.count { $0.readiness != .green }),
            lowEnergyCheckins: week.count { ($0.answers.energy ?? 5) <= 2 })
        if review.suggested || review.refer {
            for note in review.notes { say(note) }
            if review.suggested {
                say("A deload is about a week at roughly half your usual sets, 3-4 reps in reserve, same exercises and frequency.")
            }
        }
        conversation.lastAnswer = LastAnswer(topic: "check-in", rules: verdict.rules + review.rules)
    }

    /// An item's name as the reply says it.
    static func name(_ item: CheckInItem) -> String { item == .pain ? "pain" : item.rawValue }

    /// An item's value as stored: "6.5 h", "3", "yes".
    static func value(_ item: CheckInItem, _ answers: CheckInAnswers) -> String {
        func score(_ value: Int?) -> String { value.map(String.init) ?? "-" }
        switch item {
        case .sleep: return answers.sleepHours.map { ReplyWriter.number($0) + " h" } ?? "-"
        case .soreness: return score(answers.soreness)
        case .energy: return score(answers.energy)
        case .stress: return score(answers.stress)
        case .motivation: return score(answers.motivation)
        case .pain: return answers.pain.map { $0 ? "yes" : "no" } ?? "-"
        }
    }

    /// An answer as recorded: "sleep 6.5 h", "soreness 3/5", "no pain".
    static func describe(_ item: CheckInItem, _ answers: CheckInAnswers) -> String {
        switch item {
        case .sleep: return "sleep " + value(item, answers)
        case .pain: return answers.pain == true ? "sharp or joint pain" : "no pain"
        default: return "\(item.rawValue) \(value(item, answers))/5"
        }
    }

    static func prompt(_ item: CheckInItem) -> String {
        switch item {
        case .sleep: "How many hours did you sleep last night?"
        case .soreness: "How sore are you, from 1 (not at all) to 5 (very sore)?"
        case .energy: "How is your energy, from 1 (empty) to 5 (full of energy)?"
        case .stress: "How stressed are you, from 1 (relaxed) to 5 (very stressed)?"
        case .motivation: "How motivated are you to train, from 1 (not at all) to 5 (raring to go)?"
        case .pain: "Any sharp or joint pain today (not ordinary soreness)? Yes or no."
        }
    }

    static func hint(_ item: CheckInItem) -> String {
        switch item {
        case .sleep: "Sleep is in hours, from 0 to 16: how many hours did you sleep last night?"
        case .pain: "Please answer yes or no: any sharp or joint pain today (not ordinary soreness)?"
        default: "Please answer with a number from 1 to 5. " + prompt(item)
        }
    }

    static func rangeText(_ item: CheckInItem) -> String {
        switch item {
        case .sleep: "0 to 16 hours"
        case .pain: "yes or no"
        default: "1 to 5"
        }
    }

    /// "help" in the chat: everything the chat can do, in the words that do it.
    static let chatHelp = """
        I'm Spotter, an evidence-based lifting coach. In this chat you can:
        • ask: "should I go to failure on squats?", "how many reps in reserve on bench?", "how long should I rest between sets of curls?", "how long before I train legs again?", "do I need a deload?"
        • log a set: "bench 100kg x 8 @ RIR 1", "squat 140 5x5 rpe 8", "curls 20 lb 12 reps to failure"
        • check in: "check in" for today's readiness (sleep, soreness, energy, stress, motivation, pain); "actually energy is 3" corrects an answer; a second check-in the same day updates the day's
        • my week: "my week" for hard sets per muscle, failure sets, e1RM trends and readiness
        • my bests: "my bests" for your best sets per lift
        • undo: "undo" removes the last thing you logged
        • profile: "my profile" to see it; "I'm a beginner", "my goal is strength now", "I train with a spotter" to change it
        • why: "why" for the rules and studies behind my last answer that had a reason
        • cancel: "cancel" leaves a check-in or any open question
        • forget me: "forget me" deletes everything stored about you (after a "yes")
        • help: this list
        I only understand English for now.
        """

    // MARK: Always available

    mutating func cancel() {
        if !conversation.pendingSets.isEmpty {
            conversation.pendingSets = []
            if conversation.state == .idle { return say("OK, not logged: nothing was stored.") }
        }
        switch conversation.state {
        case .idle:
            say("Nothing to cancel.")
        case .checkIn:
            conversation.state = .idle
            say("Check-in cancelled. Say \"check in\" to start again.")
        case .profile:
            conversation.state = .idle
            say("Profile set-up cancelled.")
        case .confirmForget:
            conversation.state = .idle
            say("Cancelled: nothing deleted, your data is kept.")
        }
    }

    mutating func why() {
        guard let last = conversation.lastAnswer, !last.rules.isEmpty else {
            return say("There is nothing to explain yet: ask me a question or do a check-in first, then say \"why\".")
        }
        say(engine.writer.explain(rules: last.rules, topic: last.topic))
    }

    mutating func say(_ line: String) { lines.append(line) }
}

extension CheckInItem {
    var order: Int { CheckInItem.allCases.firstIndex(of: self) ?? 0 }
}

/// "1 hard set", "3 hard sets".
func plural(_ count: Int, _ noun: String) -> String { "\(count) \(noun)\(count == 1 ? "" : "s")" }
