import SpotterCore
import SpotterRules

/// Writes the text a person reads: the verdict first, then reps in reserve, rest, recovery,
/// why, and short citations. Pure string building.
public struct ReplyWriter: Sendable {
    public let book: RuleBook

    public init(book: RuleBook) { self.book = book }

    /// The reply to a consultation.
    public func reply(to consultation: Consultation) -> String {
        let utterance = consultation.utterance
        switch utterance.intent {
        case .help: return Self.help
        case .why: return "Ask me something first: \"why\" explains the rules and studies behind my last answer."
        case .unknown: return unknown(consultation)
        case .logSet: return logged(utterance)
        case .askFailure, .askRIR, .askRest, .askRecovery, .askDeload: break
        case .clarify:
            return (utterance.clarification ?? "What did you mean?") + " (`spotter ask` keeps no log; `spotter chat` does.)"
        case .checkIn, .checkInAnswer, .setProfile, .showProfile, .skip, .stats, .cancel, .forgetMe, .confirm, .decline,
             .undo, .editSet, .showLog, .bests, .setUnit:
            return "That works in a conversation with memory: run `spotter chat` (check-ins, profile, set log, stats)."
        }
        var lines: [String] = []
        if utterance.intent == .askDeload {
            lines += consultation.deloadNotes
        }
        if let advice = consultation.advice, let exercise = utterance.exercise {
            lines += adviceLines(advice, exercise: exercise, consultation: consultation)
        } else if utterance.intent != .askDeload {
            lines.append(noExercise(utterance.intent))
        } else if consultation.referral, utterance.hints.pain == true {
            lines.append(Self.painReferral)
        }
        if utterance.intent != .askDeload, !consultation.deloadNotes.isEmpty {
            lines += consultation.deloadNotes
        }
        if utterance.intent == .askDeload, consultation.evaluation != nil {
            let sources = (consultation.evaluation?.firedRules ?? []).flatMap(\.sources)
            if let line = citationLine(sources) { lines.append(line) }
        }
        return lines.joined(separator: "\n")
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
        var lines: [String] = []
        lines.append("\(exercise.name): " + Self.verdictSentence(advice.failure, exercise: exercise))
        var numbers: [String] = []
        if let rir = advice.repsInReserve {
            numbers.append("Reps in reserve: \(rir) (RPE \(IntRange(10 - rir.max, 10 - rir.min)))")
        }
        if let rest = advice.restSeconds { numbers.append("Rest: \(Self.seconds(rest)) between sets") }
        if let recovery = advice.recoveryHours {
            numbers.append("Recovery: \(Self.hours(recovery)) before training it hard again")
        }
        if !numbers.isEmpty { lines.append(numbers.joined(separator: ". ") + ".") }
        if let reason = advice.reasons.first { lines.append("Why: \(reason)") }
        for note in advice.notes { lines.append("• \(note)") }
        if let assumed = assumptionLine(consultation) { lines.append(assumed) }
        if let citations = citationLine(advice.sources) { lines.append(citations) }
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

    private func citationLine(_ ids: [String]) -> String? {
        var seen: [String] = []
        for id in ids where !seen.contains(id) { seen.append(id) }
        let cited = seen.compactMap { book.sources[$0] }.map { "\($0.short) [\($0.tier.rawValue)]" }
        return cited.isEmpty ? nil : "Sources: " + cited.joined(separator: "; ") + ". Say \"why\" for the full trace."
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
