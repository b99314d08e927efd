import SpotterCore
import SpotterRules

/// Writes the text a person reads: the verdict first, then reps in reserve, rest, recovery,
/// why, and short citations. Pure string building.
public struct ReplyWriter: Sendable {
    public let book: RuleBook
    /// Ends the sources line: how to see the full trace where the reply is read ("why" in a
    /// chat; `spotter ask` sets its own, or nil when it prints the trace itself).
    public var traceHint: String?

    /// The hint a chat reply ends its sources line with.
    public static let chatTraceHint = "Say \"why\" for the full trace."

    public init(book: RuleBook, traceHint: String? = ReplyWriter.chatTraceHint) {
        self.book = book
        self.traceHint = traceHint
    }

    /// The reply to a consultation: the first line answers what was asked, at most three
    /// sources (those of the deciding rule), and no sentence twice.
    public func reply(to consultation: Consultation) -> String {
        Self.withoutRepeats(lines(for: consultation)).joined(separator: "\n")
    }

    private func lines(for consultation: Consultation) -> [String] {
        let utterance = consultation.utterance
        switch utterance.intent {
        case .help: return [Self.help]
        case .why: return ["Ask me something first: \"why\" explains the rules and studies behind my last answer."]
        case .unknown: return [unknown(consultation)]
        case .logSet: return [logged(utterance)]
        case .redFlag, .outOfScope: return scopeLines(consultation)
        case .askFrequency, .askVolume, .askLoad: return planLines(consultation)
        case .askFailure, .askRIR, .askRest, .askRecovery, .askDeload: break
        case .clarify:
            return [(utterance.clarification ?? "What did you mean?") + " (`spotter ask` keeps no log; `spotter chat` does.)"]
        case .checkIn, .checkInAnswer, .setProfile, .showProfile, .skip, .stats, .cancel, .forgetMe, .confirm, .decline,
             .undo, .editSet, .showLog, .bests, .setUnit, .setTimeZone:
            return ["That works in a conversation with memory: run `spotter chat` (check-ins, profile, set log, stats)."]
        }
        if utterance.intent == .askRecovery, consultation.plan?.consecutiveDays != nil { return planLines(consultation) }
        var lines: [String] = []
        if utterance.intent == .askDeload {
            // A deload answer is about deloads: no exercise verdict appended.
            lines += consultation.deloadNotes
            if consultation.referral, utterance.hints.pain == true { lines.append(Self.painReferral) }
            let deciding = (consultation.evaluation?.firedRules ?? []).filter { $0.id.hasPrefix("deload.") }.flatMap(\.sources)
            if let line = citationLine(deciding) { lines.append(line) }
            return lines
        }
        if let advice = consultation.advice, let exercise = utterance.exercise {
            lines += adviceLines(advice, exercise: exercise, consultation: consultation)
        } else {
            lines.append(noExercise(utterance.intent))
            if utterance.hints.pain == true { lines.append(Self.painReferral) }
        }
        if !consultation.deloadNotes.isEmpty { lines += consultation.deloadNotes }
        return lines
    }

    /// Drops any sentence already said earlier in the reply (a note that is also a rule's
    /// remark, a sources line twice), keeping the first.
    static func withoutRepeats(_ lines: [String]) -> [String] {
        // On UTF-8 bytes: ". " and the spaces trimmed are ASCII, and walking characters was
        // most of the cost of writing a reply.
        var seen = Set<String>()
        var result: [String] = []
        result.reserveCapacity(lines.count)
        let bullet = Array("•".utf8)
        for line in lines {
            let bytes = Array(line.utf8)
            var kept: [UInt8] = []
            kept.reserveCapacity(bytes.count)
            func consider(_ sentence: ArraySlice<UInt8>) {
                let key = sentenceKey(sentence)
                if key.isEmpty || key == "•" || seen.insert(key).inserted { kept += sentence }
            }
            // Sentences end after ". ": the space starts the next one, so joining gives the line back.
            var start = 0
            var index = 0
            while index < bytes.count {
                if bytes[index] == UInt8(ascii: "."), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: " ") {
                    consider(bytes[start...index])
                    start = index + 1
                }
                index += 1
            }
            if start < bytes.count { consider(bytes[start...]) }
            let bare = trimmedSpaces(kept[...])
            if !bare.isEmpty, !bare.elementsEqual(bullet) { result.append(String(decoding: kept, as: UTF8.self)) }
        }
        return result
    }

    static func trimmedSpaces(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        guard let first = bytes.firstIndex(where: { $0 != UInt8(ascii: " ") }),
              let last = bytes.lastIndex(where: { $0 != UInt8(ascii: " ") }) else { return [] }
        return bytes[first...last]
    }

    /// A sentence as compared for repeats: without surrounding spaces, in lower case.
    static func sentenceKey(_ sentence: ArraySlice<UInt8>) -> String {
        let bare = trimmedSpaces(sentence)
        if bare.allSatisfy({ $0 < 0x80 }) {
            return String(decoding: bare.map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 0x20 : $0 }, as: UTF8.self)
        }
        return String(decoding: bare, as: UTF8.self).lowercased()
    }

    /// "why": every rule that fired, with its reason, the facts it read, and its sources in full.
    public func explain(_ consultation: Consultation) -> String {
        guard let evaluation = consultation.evaluation, !evaluation.firings.isEmpty else {
            return "There is nothing to explain yet: ask a question first."
        }
        var lines = ["Rules behind that answer:"]
        var cited: [String] = []
        for rule in evaluation.firedRules {
            let outputs = rule.outputs.filter { $0.name != "advice.note" }.map { "\($0.name) = \($0.value)" }
            let result = outputs.isEmpty ? "" : " → " + outputs.joined(separator: ", ")
            lines.append("• \(rule.id)\(result): \(rule.because) [\(rule.file):\(rule.line)]")
            if let condition = rule.condition {
                lines.append("    when " + describe(condition, evaluation.facts))
            }
            for source in rule.sources where !cited.contains(source) { cited.append(source) }
        }
        lines.append("Sources:")
        for id in cited {
            guard let source = book.sources[id] else { continue }
            let doi = source.doi.map { " doi:\($0)" } ?? ""
            lines.append("• [\(source.tier.rawValue)] \(source.citation)\(doi)")
        }
        return lines.joined(separator: "\n")
    }

    /// "why" from stored rule ids: each rule's reason and where it is, then the sources in full.
    public func explain(rules ids: [String], topic: String) -> String {
        var lines = ["Rules behind my last answer (\(topic)):"]
        var cited: [String] = []
        for id in ids {
            guard let rule = book.rule(id) else { continue }
            let outputs = rule.outputs.filter { $0.name != "advice.note" && $0.name != "readiness.reason" }
                .map { "\($0.name) = \($0.value)" }
            let result = outputs.isEmpty ? "" : " → " + outputs.joined(separator: ", ")
            lines.append("• \(rule.id)\(result): \(rule.because)")
            for source in rule.sources where !cited.contains(source) { cited.append(source) }
        }
        lines.append("Sources:")
        for id in cited {
            guard let source = book.sources[id] else { continue }
            lines.append("• [\(source.tier.rawValue)] \(source.citation)" + (source.doi.map { " doi:\($0)" } ?? ""))
        }
        return lines.joined(separator: "\n")
    }

    // MARK: Pieces

    private func adviceLines(_ advice: Advice, exercise: Exercise, consultation: Consultation) -> [String] {
        let intent = consultation.utterance.intent
        var lines: [String] = []
        let rir = advice.repsInReserve.map { "\($0) (RPE \(IntRange(10 - $0.max, 10 - $0.min)))" }
        let rest = advice.restSeconds.map { "\(Self.seconds($0)) between sets" }
        let recovery = advice.recoveryHours.map { "\(Self.hours($0)) before training it hard again" }
        let verdict = Self.verdictSentence(advice.failure, exercise: exercise)
        var numbers: [String] = []
        switch intent {
        case .askRIR:
            lines.append("\(exercise.name): " + (rir.map { "keep \($0) reps in reserve." } ?? "reps in reserve do not apply: this is \(exercise.category.rawValue), not a lifting set."))
            numbers.append("Failure: " + Self.shortVerdict(advice.failure))
            if let rest { numbers.append("Rest: \(rest)") }
            if let recovery { numbers.append("Recovery: \(recovery)") }
        case .askRest:
            lines.append("\(exercise.name): " + (rest.map { "rest \($0)." } ?? "rest between sets does not apply: this is \(exercise.category.rawValue), not a lifting set."))
            numbers.append("Failure: " + Self.shortVerdict(advice.failure))
            if let rir { numbers.append("Reps in reserve: \(rir)") }
            if let recovery { numbers.append("Recovery: \(recovery)") }
        case .askRecovery:
            lines.append("\(exercise.name): " + (recovery.map { "\($0)." } ?? "recovery hours do not apply: this is \(exercise.category.rawValue), not a lifting set."))
            numbers.append("Failure: " + Self.shortVerdict(advice.failure))
            if let rir { numbers.append("Reps in reserve: \(rir)") }
            if let rest { numbers.append("Rest: \(rest)") }
        default:
            lines.append("\(exercise.name): " + verdict)
            if let rir { numbers.append("Reps in reserve: \(rir)") }
            if let rest { numbers.append("Rest: \(rest)") }
            if let recovery { numbers.append("Recovery: \(recovery)") }
        }
        if !numbers.isEmpty { lines.append(numbers.joined(separator: ". ") + ".") }
        let deciding = decidingRule(for: intent, consultation.evaluation)
        if let reason = deciding?.because ?? advice.reasons.first { lines.append("Why: \(reason)") }
        for note in notes(for: intent, consultation.evaluation, fallback: advice.notes) { lines.append("• \(note)") }
        if intent == .askFailure, let assumed = assumptionLine(consultation) { lines.append(assumed) }
        if let citations = citationLine(deciding?.sources ?? advice.sources) { lines.append(citations) }
        return lines
    }

    /// The rule that decided the figure the question asks about.
    private func decidingRule(for intent: Intent, _ evaluation: Evaluation?) -> Rule? {
        guard let evaluation else { return nil }
        let table = switch intent {
        case .askRIR: "rir_target"
        case .askRest: "rest"
        case .askRecovery: "recovery"
        default: "failure_verdict"
        }
        return evaluation.firedRule(in: table) ?? evaluation.firedRule(in: "failure_verdict")
    }

    /// Notes that belong to the question: the day's state (pain, red, amber) always; the rest
    /// only on the question they are about.
    private func notes(for intent: Intent, _ evaluation: Evaluation?, fallback: [String]) -> [String] {
        guard let evaluation else { return fallback }
        let always: Set<String> = ["note.pain_referral", "note.red_day", "note.amber_day"]
        let tables: Set<String> = switch intent {
        case .askFailure: ["failure_verdict", "failure_notes"]
        case .askRIR: ["rir_target", "rir_adjust"]
        case .askRest: ["rest", "rest_adjust"]
        case .askRecovery: ["recovery"]
        default: []
        }
        var notes: [String] = []
        for firing in evaluation.firings {
            let table = book.tables[firing.table]
            let rule = table.rules[firing.rule]
            guard tables.contains(table.name) || always.contains(rule.id) else { continue }
            for output in rule.outputs where output.name == "advice.note" {
                if case let .text(note) = output.value, !notes.contains(note) { notes.append(note) }
            }
        }
        return notes
    }

    // MARK: Muscle, schedule, week and load answers

    private func planLines(_ consultation: Consultation) -> [String] {
        let utterance = consultation.utterance
        guard let plan = consultation.plan else { return [noExercise(utterance.intent)] }
        let name = utterance.muscleGroup?.name ?? utterance.exercise?.name
        var lines: [String] = []
        if plan.asksLoad {
            lines += loadLines(plan, name: utterance.exercise?.name ?? name, consultation: consultation)
        } else if let consecutive = plan.consecutiveDays {
            let hours = (utterance.muscleGroup == nil ? consultation.advice?.recoveryHours : nil) ?? plan.recoveryHours
            let subject = name ?? "The same muscle"
            let wait = hours.map { " Train it hard again after \(Self.hours($0))." } ?? ""
            switch consecutive {
            case .no:
                lines.append("No: \(subject) should not go hard two days in a row after that session." + wait
                             + " A light session (3+ reps in reserve, few sets) or a different muscle is fine the next day.")
            case .lightOnly:
                lines.append("Only light: \(subject) two days in a row is fine if the second day is light (3+ reps in reserve, few sets)." + wait)
            case .yes:
                lines.append("Yes: \(subject) again the next day is fine after a light session." + wait)
            }
        } else if utterance.intent == .askVolume, let sets = plan.weeklySets {
            var line = "\(name ?? "Each muscle"): \(sets) hard sets a week (a set is hard at 0-3 reps in reserve)"
            if let sessions = plan.sessionsPerWeek { line += ", spread over \(sessions) sessions" }
            lines.append(line + ".")
        } else if let sessions = plan.sessionsPerWeek {
            var line = "\(name ?? "Each muscle"): \(sessions) sessions a week"
            if let sets = plan.weeklySets { line += ", \(sets) hard sets a week in total" }
            lines.append(line + ".")
        } else {
            return [noExercise(utterance.intent)]
        }
        if !plan.asksLoad, let done = plan.weekHardSets, let group = utterance.muscleGroup?.name ?? name {
            let target = plan.weeklySets ?? IntRange(10, 20)
            let mark = done < target.min ? "below" : done > target.max ? "above" : "within"
            lines.append("You did \(done) hard set\(done == 1 ? "" : "s") for \(group.lowercased()) in the last 7 days: \(mark) \(target).")
        }
        if !plan.asksLoad, let group = utterance.muscleGroup {
            let lifts = group.mainLifts.prefix(2)
            if !lifts.isEmpty { lines.append("Main lifts: " + lifts.joined(separator: ", ") + ".") }
        }
        if let reason = plan.reasons.first { lines.append("Why: \(reason)") }
        for note in plan.notes { lines.append("• \(note)") }
        if utterance.hints.pain == true { lines.append(Self.painReferral) }
        if let citations = citationLine(plan.sources) { lines.append(citations) }
        return lines
    }

    private func loadLines(_ plan: PlanAdvice, name: String?, consultation: Consultation) -> [String] {
        let subject = name.map { "\($0): " } ?? ""
        guard let load = plan.load else {
            if consultation.utterance.reference != nil || plan.notes.contains(where: { $0.hasPrefix("Past about 12") }) {
                return [subject + "I can't pick a reliable load from that set. Tell me a recent set, e.g. 100x5 (\"my best is 100x5\")."]
            }
            if consultation.utterance.target.reps == nil, consultation.utterance.reference == nil {
                return [subject + "I need a recent set to work from: tell me a recent set, e.g. 100x5 (\"my best is 100x5\" or \"I did 80 for 10 at RPE 8\"), and the reps you want."]
            }
            return [subject + "Tell me a recent set, e.g. 100x5 (\"my best is 100x5\"), and I'll work out the load for that target."]
        }
        let unit = load.unit.rawValue
        let range = load.min == load.max ? "\(Self.number(load.min)) \(unit)" : "\(Self.number(load.min))-\(Self.number(load.max)) \(unit)"
        var lines = [subject + "\(range) for \(load.reps) reps at \(load.rir) reps in reserve (RPE \(IntRange(10 - load.rir.max, 10 - load.rir.min)))."]
        let origin = load.basis == "stated" ? "the set you stated" : "your best logged set"
        var from = "Estimated 1RM \(Self.number(load.e1rm)) \(unit) from \(origin)"
        if let reference = consultation.utterance.reference ?? nil {
            from += " (\(Self.number(reference.load)) \(unit) x \(reference.reps)"
            from += reference.rir == 0 ? ", counted as a set to failure)" : ", RIR \(Self.number(reference.rir)))"
        }
        lines.append(from + ", Epley with reps in reserve; the lighter end is the safer start.")
        return lines
    }

    // MARK: Red flags and out-of-scope topics

    private func scopeLines(_ consultation: Consultation) -> [String] {
        guard let scope = consultation.scope else { return [unknown(consultation)] }
        var lines = [scope.reply]
        if scope.topic.isRedFlag {
            lines.append("Spotter can't assess symptoms and gives no training advice here: contact \(scope.referTo).")
        } else {
            lines.append("Ask \(scope.referTo). I can help with training: failure, reps in reserve, rest, recovery, how often and how many sets, and what weight to use.")
        }
        if let citations = citationLine(scope.sources) { lines.append(citations) }
        return lines
    }

    private func assumptionLine(_ consultation: Consultation) -> String? {
        let matter = consultation.assumptionsThatMatter
        guard !matter.isEmpty else { return nil }
        let profile = consultation.profile.profile
        var parts: [String] = []
        if matter.contains("experience") { parts.append("you are an \(profile.experience.rawValue) lifter") }
        if matter.contains("goal") { parts.append("your goal is \(profile.goal.rawValue)") }
        if matter.contains("spotter") { parts.append("you have no spotter or safeties") }
        return "Assumed: " + parts.joined(separator: ", ")
            + ". Tell me otherwise (\"I'm a beginner\", \"for strength\", \"I have a spotter\") and the answer may change."
    }

    /// At most three sources: those of the deciding rule (COACHING.md section 10); "why" has them all.
    private func citationLine(_ ids: [String]) -> String? {
        var seen: [String] = []
        for id in ids where !seen.contains(id) && book.sources[id] != nil && seen.count < Self.maxSources { seen.append(id) }
        let cited = seen.compactMap { book.sources[$0] }.map { "\($0.short) [\($0.tier.rawValue)]" }
        return cited.isEmpty ? nil : "Sources: " + cited.joined(separator: "; ") + "." + (traceHint.map { " " + $0 } ?? "")
    }

    private func logged(_ utterance: Utterance) -> String {
        guard let set = utterance.loggedSet else { return unknown(Consultation(
            utterance: utterance, profile: ResolvedProfile(profile: .assumed), advice: nil, deloadNotes: [],
            deloadSuggested: false, referral: false, evaluation: nil, assumptionsThatMatter: [])) }
        let name = utterance.exercise?.name ?? "an exercise I did not recognise"
        if utterance.loggedSets.count > 1 {
            let parts = utterance.loggedSets.map { set in
                Self.describe(set, exercise: set.exerciseID == utterance.exercise?.id ? name : set.exerciseID.split(separator: "_").joined(separator: " "))
            }
            return "That reads as \(utterance.loggedSets.count) groups of sets: " + parts.joined(separator: " ")
                + " `spotter ask` keeps no log; `spotter chat` does."
        }
        return "That reads as a set: " + Self.describe(set, exercise: name)
            + " `spotter ask` keeps no log; `spotter chat` does."
    }

    /// "Barbell Curl, 3 × 12 reps at 20 kg, RIR 2. Estimated 1RM about 28 kg."
    public static func describe(_ set: LoggedSet, exercise name: String) -> String {
        var text = "\(name), "
        if set.sets > 1 { text += "\(set.sets) × " }
        text += "\(set.reps) reps"
        let unit = set.unit?.rawValue ?? "kg"
        text += loadText(set)
        text += effortText(set)
        text += "."
        if let e1rm = set.estimatedOneRepMax {
            text += " Estimated 1RM about \(number((e1rm * 2).rounded() / 2)) \(unit) (Epley with reps in reserve)."
        }
        return text
    }

    /// The answer to a message in another language: nothing is read from it.
    public static let englishOnly = "Sorry, I only understand English for now, so I read nothing from that message. "
        + "Ask me in English, for example \"should I go to failure on bench?\""

    /// " at 100 kg", " at bodyweight + 10 kg", or "" when no load was given.
    public static func loadText(_ set: LoggedSet) -> String {
        let unit = set.unit?.rawValue ?? "kg"
        if let load = set.load { return " at \(number(load)) \(unit)" }
        if let added = set.addedLoad { return " at bodyweight + \(number(added)) \(unit)" }
        return ""
    }

    /// ", RPE 8" or ", RIR 2" as the lifter said it, ", to failure", or "".
    public static func effortText(_ set: LoggedSet) -> String {
        if set.toFailure { return ", to failure" }
        if let rpe = set.rpe { return ", RPE \(number(rpe))" }
        if let rir = set.repsInReserve { return ", RIR \(number(rir))" }
        return ""
    }

    private func unknown(_ consultation: Consultation) -> String {
        if consultation.utterance.notEnglish { return Self.englishOnly }
        var text = ""
        if consultation.utterance.hints.pain == true { text += Self.painReferral + "\n" }
        if let problem = consultation.utterance.implausibleSet {
            return text + "That can't be a real set (\(problem)), so I didn't log it. "
                + "Log a set like \"bench 100kg x 8 @ RIR 1\" or \"squat 140 5x5 rpe 8\"."
        }
        text += "I can't answer that one. I answer questions about training to failure, reps in reserve (RIR/RPE), "
            + "rest between sets, recovery between sessions and deloads, and I read set logs. "
            + "Try: \"should I go to failure on squats?\" or \"how long should I rest between sets of curls?\""
        return text
    }

    private func noExercise(_ intent: Intent) -> String {
        let ask: String
        switch intent {
        case .askFailure:
            ask = "It depends on the lift: isolation and machine work can go to failure, squats, deadlifts and "
                + "Olympic lifts should not, and barbell presses only with a spotter or safeties."
        case .askRIR:
            ask = "Most sets end 1-3 reps short of failure: closer on isolation and machine work, further on heavy barbell lifts."
        case .askRest:
            ask = "Rest depends on the lift: 3-5 min for heavy compound work, 2-3 min for other compound lifts, "
                + "1-2 min for isolation work."
        case .askRecovery:
            ask = "Without failure sets a muscle is ready again in about 24-48 h; failure sets add a day or so, "
                + "and heavy squat or deadlift days need about 72 h."
        default:
            ask = ""
        }
        return ask + " Name the exercise for a precise answer, for example \"should I go to failure on squats?\""
    }

    public static let painReferral = "Pain is not something to train through: stop the movement that hurts, and if it is sharp "
        + "or persists, see a qualified professional (a doctor or physiotherapist). Spotter gives general training "
        + "education, not medical advice."

    public static let help = """
        I'm Spotter, an evidence-based lifting coach. Ask me:
        • "should I go to failure on squats?" (failure verdict, reps in reserve, rest, recovery)
        • "how many reps in reserve on bench?", "how long should I rest between sets of curls?"
        • "how long before I train legs again?", "do I need a deload?"
        • log a set: "bench 100kg x 8 @ RIR 1", "squat 140 5x5 rpe 8"
        Tell me about yourself in the message ("I'm a beginner", "for strength", "I have a spotter").
        Say "why" after an answer for the rules and studies behind it.
        """

    /// The most sources a reply cites.
    public static let maxSources = 3

    static func shortVerdict(_ verdict: FailureVerdict) -> String {
        switch verdict {
        case .avoid: "avoid"
        case .lastSet: "last set only"
        case .allowed: "fine (within the weekly cap)"
        case .notApplicable: "does not apply"
        }
    }

    static func verdictSentence(_ verdict: FailureVerdict, exercise: Exercise) -> String {
        switch verdict {
        case .avoid: "avoid failure. Stop every set with reps in reserve."
        case .lastSet: "failure on the last set only. Stop earlier sets 1-2 reps short."
        case .allowed: "failure is fine here (not every session; the weekly failure cap still applies)."
        case .notApplicable: "the failure question does not apply: this is \(exercise.category.rawValue), not a lifting set."
        }
    }

    static func seconds(_ range: IntRange) -> String {
        if range.min % 60 == 0 && range.max % 60 == 0 {
            return range.min == range.max ? "\(range.min / 60) min" : "\(range.min / 60)-\(range.max / 60) min"
        }
        return "\(range)s"
    }

    static func hours(_ range: IntRange) -> String {
        range.min == range.max ? "about \(range.min) h" : "\(range.min)-\(range.max) h"
    }

    public static func number(_ value: Double) -> String {
        let tenths = (value * 10).rounded() / 10
        // Beyond Int's range (or not finite) there is nothing to round away.
        guard tenths.isFinite, abs(tenths) < 1e15 else { return "\(value)" }
        return tenths.rounded() == tenths ? String(Int(tenths)) : String(tenths)
    }

    private func describe(_ condition: Condition, _ facts: FactSet) -> String {
        switch condition {
        case let .test(test):
            let actual = facts[test.slot]?.description ?? "unknown"
            return "\(test.fact) \(test.op.rawValue) \(test.operand) (is \(actual))"
        case let .all(parts): return parts.map { describe($0, facts) }.joined(separator: " and ")
        case let .any(parts): return "(" + parts.map { describe($0, facts) }.joined(separator: " or ") + ")"
        case let .not(inner): return "not (" + describe(inner, facts) + ")"
        }
    }
}
