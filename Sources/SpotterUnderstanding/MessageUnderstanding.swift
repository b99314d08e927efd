import SpotterCore

/// Turns a message into an ``Utterance``: its intent, the exercise it names, and what it says
/// about the lifter and the set. Rule-based and deterministic; does no I/O.
///
/// ## Usage
/// ```swift
/// let understanding = MessageUnderstanding(catalogue: catalogue)
/// let utterance = understanding.understand("should I go to failure on squats?")
/// // utterance.intent == .askFailure, utterance.exercise?.id == "Barbell_Squat"
/// ```
public struct MessageUnderstanding: Sendable {
    public let catalogue: ExerciseCatalogue
    private let index: ExerciseIndex
    private let corrector: TypoCorrector

    public init(catalogue: ExerciseCatalogue) {
        self.catalogue = catalogue
        self.index = ExerciseIndex(catalogue: catalogue)
        var targets: [String: Int] = [:]
        for word in index.vocabulary { targets[word] = 1 }
        for word in index.aliasWords { targets[word] = 2 }
        let cueLists = [Lexicon.deload, Lexicon.rir, Lexicon.recovery, Lexicon.rest, Lexicon.failure, Lexicon.help,
                        Lexicon.why, Lexicon.beginner, Lexicon.advanced, Lexicon.strength, Lexicon.hypertrophy,
                        Lexicon.endurance, Lexicon.general, Lexicon.noSpotter, Lexicon.withSpotter, Lexicon.pain]
        for cues in cueLists {
            for word in cues.words where word.count >= 4 { targets[word] = 3 }
        }
        self.corrector = TypoCorrector(targets: targets, alsoKnown: Lexicon.commonWords)
    }

    /// Understands one message.
    public func understand(_ text: String) -> Utterance {
        var tokens = Tokenizer.tokenize(text)
        for i in tokens.indices where tokens[i].kind == .word && !corrector.isKnown(tokens[i].stem) {
            // Try the word as typed first ("rasies" → "raises"), then its stem.
            if let corrected = corrector.correct(tokens[i].text) ?? corrector.correct(tokens[i].stem) {
                tokens[i].stem = Stemmer.stem(corrected)
            }
        }
        let wordTokens = tokens.filter { $0.kind != .symbol || $0.text == "%" || $0.text == "/" }
        let stems = wordTokens.map(\.stem)

        let found = index.match(wordTokens.map { $0.kind == .word ? $0.stem : "" })
        var exercise = found.map { catalogue.exercises[$0.position] }
        let exerciseRange = found.map(\.range)
        // The exercise's own words ("good morning", "power clean") are not cues.
        // Numbers that describe the set ("RPE 9", "@ 8") are not questions about RPE either.
        var cueStems: [String] = exerciseRange.map { range in
            stems.enumerated().map { range.contains($0.offset) ? "_" : $0.element }
        } ?? stems
        for i in cueStems.indices where (cueStems[i] == "rpe" || cueStems[i] == "rir")
            && (wordTokens[safe: i + 1]?.kind == .number || wordTokens[safe: i - 1]?.kind == .number) {
            cueStems[i] = "_"
        }

        let hints = profileHints(cueStems)
        let numbers = SetParser.numbers(wordTokens, skip: exerciseRange)
        let isQuestion = tokens.contains { $0.kind == .symbol && $0.text == "?" }
            || cueStems.first.map { Lexicon.questionWords.contains($0) } ?? false

        var intent = classify(cueStems, isQuestion: isQuestion, hasExercise: exercise != nil, numbers: numbers)
        if intent == .unknown || intent == .help || intent == .why { exercise = intent == .unknown ? nil : exercise }

        var planned = PlannedSet()
        planned.reps = numbers.reps
        planned.loadPercent = numbers.loadPercent
        planned.rpe = numbers.rpe ?? numbers.rir.map { 10 - $0 }
        planned.saidHeavy = Lexicon.heavy.matches(cueStems)
        planned.isLastSet = Lexicon.lastSet.matches(cueStems)
        planned.toFailure = (intent == .askRest || intent == .askRecovery) && Lexicon.afterFailure.matches(cueStems)

        var logged: LoggedSet?
        if intent == .logSet, let reps = numbers.reps {
            logged = LoggedSet(
                exerciseID: exercise?.id ?? "", load: numbers.load, unit: numbers.load == nil ? nil : numbers.unit ?? .kilograms,
                reps: reps, sets: numbers.sets ?? 1, rir: numbers.rir, rpe: numbers.rpe, toFailure: numbers.toFailure)
            if exercise == nil { intent = .logSet }
        }
        return Utterance(text: text, intent: intent, exercise: exercise, hints: hints, plannedSet: planned, loggedSet: logged)
    }

    private func classify(_ stems: [String], isQuestion: Bool, hasExercise: Bool, numbers: SetParser.Numbers) -> Intent {
        let words = stems.filter { $0 != "?" && $0 != "_" }
        let short = words.count <= 6 && !hasExercise
        if short, Lexicon.help.matches(words) { return .help }
        // A set report: reps and an exercise or a load, and not asked as a question.
        if !isQuestion, numbers.reps != nil, hasExercise || numbers.load != nil {
            return .logSet
        }
        if Lexicon.deload.matches(stems) { return .askDeload }
        if Lexicon.rir.matches(stems) { return .askRIR }
        if Lexicon.recovery.matches(stems) { return .askRecovery }
        if Lexicon.rest.matches(stems) { return .askRest }
        // "why not?" after an answer asks for the reasons, not about failure.
        if short, Lexicon.why.matches(words) { return .why }
        if Lexicon.failure.matches(stems) { return .askFailure }
        return .unknown
    }

    private func profileHints(_ stems: [String]) -> ProfileHints {
        var hints = ProfileHints()
        if Lexicon.beginner.matches(stems) {
            hints.experience = .beginner
        } else if let experience = experienceFromDuration(stems) {
            hints.experience = experience
        } else if Lexicon.advanced.matches(stems) {
            hints.experience = .advanced
        } else if Lexicon.intermediate.matches(stems) {
            hints.experience = .intermediate
        }
        if Lexicon.strength.matches(stems) {
            hints.goal = .strength
        } else if Lexicon.endurance.matches(stems) {
            hints.goal = .endurance
        } else if Lexicon.hypertrophy.matches(stems) {
            hints.goal = .hypertrophy
        } else if Lexicon.general.matches(stems) {
            hints.goal = .general
        }
        if Lexicon.noSpotter.matches(stems) {
            hints.spotter = false
        } else if Lexicon.withSpotter.matches(stems) {
            hints.spotter = true
        }
        if Lexicon.noPain.matches(stems) {
            hints.pain = false
        } else if Lexicon.pain.matches(stems) {
            hints.pain = true
        }
        if Lexicon.persistentFatigue.matches(stems) { hints.persistentFatigue = true }
        return hints
    }

    /// "lifting for 5 years", "been training 3 months", "2 years of lifting": under 6 months is a
    /// beginner, 4 years and more advanced (our decision; COACHING.md defines only the beginner line).
    private func experienceFromDuration(_ stems: [String]) -> Experience? {
        let verbs: Set<String> = ["lifting", "training", "lift", "train", "lifted", "trained", "gym", "experience", "been"]
        for (i, stem) in stems.enumerated() where i > 0 && ["year", "month", "week"].contains(stem) {
            let amount: Double?
            switch stems[i - 1] {
            case "a", "one": amount = 1
            case "two", "few", "couple": amount = 2
            case "several": amount = 4
            default: amount = Double(stems[i - 1])
            }
            guard let amount else { continue }
            let before = stems[max(0, i - 5)..<(i - 1)]
            let after = stems[(i + 1)..<min(stems.count, i + 3)]
            guard before.contains(where: verbs.contains) || after.contains(where: verbs.contains) else { continue }
            switch stem {
            case "year": return amount >= 4 ? .advanced : amount >= 0.5 ? .intermediate : .beginner
            case "month": return amount < 6 ? .beginner : amount >= 48 ? .advanced : .intermediate
            default: return .beginner
            }
        }
        return nil
    }
}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
