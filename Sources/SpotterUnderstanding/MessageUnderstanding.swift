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
/// What the conversation is waiting for when a message arrives.
public struct ConversationContext: Sendable, Hashable {
    /// The check-in item just asked, when a check-in is open.
    public var checkInPending: CheckInItem?
    /// A yes/no question is open ("forget me" confirmation).
    public var awaitingConfirmation: Bool
    /// The message answers a scheduled check-in prompt (it was sent in the prompt's thread):
    /// anything that is not a question or command starts the check-in with what it says.
    public var answersCheckInPrompt: Bool

    public init(checkInPending: CheckInItem? = nil, awaitingConfirmation: Bool = false, answersCheckInPrompt: Bool = false) {
        self.checkInPending = checkInPending
        self.awaitingConfirmation = awaitingConfirmation
        self.answersCheckInPrompt = answersCheckInPrompt
    }
}

public struct MessageUnderstanding: Sendable {
    public let catalogue: ExerciseCatalogue
    private let index: ExerciseIndex
    private let corrector: TypoCorrector
    private let vocabulary: Vocabulary
    private let cues: CueMatcher
    private let checkInPhrases: CheckInParser.CompiledPhrases
    private let questionWords: Set<Int32>

    public init(catalogue: ExerciseCatalogue) {
        self.catalogue = catalogue
        var vocabulary = Vocabulary()
        self.index = ExerciseIndex(catalogue: catalogue, vocabulary: &vocabulary)
        self.cues = CueMatcher(vocabulary: &vocabulary)
        self.checkInPhrases = CheckInParser.CompiledPhrases(vocabulary: &vocabulary)
        var targets: [String: Int] = [:]
        for word in index.vocabulary { targets[word] = 1 }
        for word in index.aliasWords { targets[word] = 2 }
        // Typos are corrected toward question and profile words; the chat's one-word commands
        // ("later", "stop") are matched only as typed, so "laterl raises" stays a lateral raise.
        for list in CueList.allCases where !list.isCommand {
            for word in list.cues.words where word.count >= 4 { targets[word] = 3 }
        }
        var known = Lexicon.commonWords
        for list in CueList.allCases where list.isCommand { known.formUnion(list.cues.words) }
        known.formUnion(Lexicon.confirmWords.flatMap { $0.split(separator: " ").map(String.init) })
        known.formUnion(Lexicon.declineWords.flatMap { $0.split(separator: " ").map(String.init) })
        self.corrector = TypoCorrector(targets: targets, alsoKnown: known)
        for word in Lexicon.commonWords { _ = vocabulary.intern(word) }
        self.questionWords = Set(Lexicon.questionWords.map { vocabulary.intern($0) })
        self.vocabulary = vocabulary
    }

    /// Understands one message. `context` says what the conversation is waiting for, so that
    /// "4" answers the check-in item just asked and "yes" a confirmation.
    public func understand(_ text: String, context: ConversationContext = ConversationContext()) -> Utterance {
        var tokens = Tokenizer.tokenize(text)
        for i in tokens.indices where tokens[i].kind == .word && !corrector.isKnown(tokens[i].stem) {
            // Try the word as typed first ("rasies" → "raises"), then its stem.
            if let corrected = corrector.correct(tokens[i].text) ?? corrector.correct(tokens[i].stem) {
                tokens[i].stem = Stemmer.stem(corrected)
            }
        }
        let isQuestionMark = tokens.contains { $0.kind == .symbol && $0.text == "?" }
        // The set log reads the symbols ("@8", "+10 kg", "5, 5, 4"); the rest of understanding does not.
        let allTokens = tokens
        var positions: [Int] = []
        for (i, token) in tokens.enumerated() where !(token.kind == .symbol && token.text != "%" && token.text != "/") {
            positions.append(i)
        }
        tokens.removeAll { $0.kind == .symbol && $0.text != "%" && $0.text != "/" }
        let ids: [Int32] = tokens.map { $0.kind == .word ? vocabulary.id($0.stem) ?? Vocabulary.unknown : Vocabulary.unknown }

        let found = index.match(ids)
        var exercise = found.map { catalogue.exercises[$0.position] }
        let exerciseRange = found.map(\.range)
        // The exercise's own words ("good morning", "power clean") are not cues, and numbers
        // that describe the set ("RPE 9") do not make a question about RPE.
        var cueIDs = ids
        if let exerciseRange { for i in exerciseRange { cueIDs[i] = Vocabulary.masked } }
        for i in tokens.indices where (tokens[i].stem == "rpe" || tokens[i].stem == "rir")
            && (tokens[safe: i + 1]?.kind == .number || tokens[safe: i - 1]?.kind == .number) {
            cueIDs[i] = Vocabulary.masked
        }
        let matched = cues.match(cueIDs)

        let hints = profileHints(matched, stems: tokens.map(\.stem))
        let numbers = SetParser.numbers(tokens, skip: exerciseRange)
        let firstWord = cueIDs.first { $0 != Vocabulary.masked }
        let isQuestion = isQuestionMark || firstWord.map(questionWords.contains) ?? false
        let wordCount = cueIDs.count { $0 != Vocabulary.masked }

        var intent = classify(matched, wordCount: wordCount, isQuestion: isQuestion, hasExercise: exercise != nil,
                              numbers: numbers)
        // Every exercise named, in the set log's token positions.
        let named = index.matches(ids).map { match in
            SetLogGrammar.Named(exercise: catalogue.exercises[match.position],
                                range: positions[match.range.lowerBound]..<(positions[match.range.upperBound - 1] + 1))
        }
        // Inside a check-in "that was 4 not 3" corrects the check-in, not the log.
        let command = context.checkInPending == nil ? SetLogCommands.read(allTokens, named: named, isQuestion: isQuestion) : nil
        let reading: SetLogGrammar.Reading = isQuestion || command != nil ? .none : SetLogGrammar.read(allTokens, named: named)
        let words = tokens.filter { $0.kind == .word }.map(\.stem)
        let whole = words.joined(separator: " ")
        // A chat command is the whole message, give or take two words ("daily check-in", "show my week please").
        if exercise == nil, intent != .logSet, let command = chatCommand(cueIDs, words: words, whole: whole, context: context) {
            intent = command
        } else if intent == .unknown, matched.contains(.checkIn), !isQuestion {
            intent = .checkIn
        }
        var logged: LoggedSet?
        var loggedSets: [LoggedSet] = []
        var implausible: String?
        var clarification: String?
        if let command {
            intent = switch command {
            case .undo: .undo
            case .changeLoad, .changeReps, .deleteToday: .editSet
            case .askCorrection: .clarify
            case .showToday: .showLog
            case .showBests: .bests
            case .useUnit: .setUnit
            }
        } else if intent != .help || wordCount > 6, reading != .none {
            switch reading {
            case let .sets(sets):
                intent = .logSet
                loggedSets = sets
                logged = sets.first
                if let id = sets.first?.exerciseID, !id.isEmpty, let first = catalogue[id] { exercise = first }
            case let .refused(reason):
                intent = .unknown
                implausible = reason
            case let .ask(question):
                intent = .clarify
                clarification = question
            case .none:
                break
            }
        } else if intent == .logSet, let reps = numbers.reps {
            logged = LoggedSet(
                exerciseID: exercise?.id ?? "", load: numbers.load, unit: numbers.load == nil ? nil : numbers.unit ?? .kilograms,
                reps: reps, sets: numbers.sets ?? 1, rir: numbers.rir, rpe: numbers.rpe, toFailure: numbers.toFailure)
            // Numbers no set can have are refused with the reason, never stored (and inside a
            // check-in the message is read as an answer instead).
            if let problem = logged?.implausibility {
                implausible = problem
                logged = nil
                intent = .unknown
            }
            loggedSets = logged.map { [$0] } ?? []
        } else if intent == .logSet {
            intent = .unknown
        }
        if context.answersCheckInPrompt, context.checkInPending == nil, !isQuestion,
           intent == .unknown || intent == .confirm || intent == .checkInAnswer {
            intent = .checkIn
        }
        var checkIn: CheckInReading?
        if intent == .unknown, !isQuestion, context.checkInPending == nil, exercise == nil {
            // Check-in answers sent without "check in" (a reply to the morning prompt in a direct
            // message, say): two or more items answered make it a check-in.
            let reading = CheckInParser.read(tokens, ids: ids, compiled: checkInPhrases, expecting: nil, painHint: hints.pain)
            if CheckInItem.allCases.count - reading.answers.missing.count >= 2 { intent = .checkIn }
        }
        if context.checkInPending != nil || intent == .checkIn {
            let reading = CheckInParser.read(tokens, ids: ids, compiled: checkInPhrases, expecting: context.checkInPending,
                                             painHint: hints.pain)
            if !reading.isEmpty {
                checkIn = reading
                if intent == .unknown || intent == .confirm || intent == .decline || intent == .cancel && context.checkInPending == nil {
                    intent = .checkInAnswer
                }
            }
        }
        if intent == .unknown, hints.experience != nil || hints.goal != nil || hints.spotter != nil {
            intent = .setProfile
        }
        if intent == .unknown || intent == .clarify || intent.isChatOnly { exercise = nil }

        var planned = PlannedSet()
        planned.reps = numbers.reps
        planned.loadPercent = numbers.loadPercent
        planned.rpe = numbers.rpe ?? numbers.rir.map { 10 - $0 }
        planned.saidHeavy = matched.contains(.heavy)
        planned.isLastSet = matched.contains(.lastSet)
        planned.toFailure = (intent == .askRest || intent == .askRecovery) && matched.contains(.afterFailure)

        var utterance = Utterance(text: text, intent: intent, exercise: exercise, hints: hints, plannedSet: planned, loggedSet: logged,
                                  checkIn: checkIn, implausibleSet: implausible)
        utterance.loggedSets = intent == .logSet ? loggedSets : []
        if intent != .logSet { utterance.loggedSet = nil }
        utterance.clarification = intent == .clarify ? clarification : nil
        utterance.logCommand = command.flatMap { intent.isChatOnly || intent == .clarify ? $0 : nil }
        return utterance
    }

    /// The chat's own commands, when they make up (nearly) the whole message: "check in",
    /// "cancel", "my week", "daily check-in please"; "yes"/"no" only as the whole message.
    private func chatCommand(_ ids: [Int32], words: [String], whole: String, context: ConversationContext) -> Intent? {
        if Lexicon.confirmWords.contains(whole) { return .confirm }
        if Lexicon.declineWords.contains(whole) { return .decline }
        let order: [(CueList, Intent)] = [
            (.forgetMe, .forgetMe), (.checkIn, .checkIn), (.cancel, .cancel), (.stats, .stats),
            (.showProfile, .showProfile), (.skip, .skip), (.profileStart, .setProfile),
        ]
        let count = ids.count { $0 != Vocabulary.masked }
        for (list, intent) in order {
            if let length = cues.longestMatch(list, in: ids), count - length <= 2 { return intent }
        }
        return nil
    }

    private func classify(_ cues: CueSet, wordCount: Int, isQuestion: Bool, hasExercise: Bool, numbers: SetParser.Numbers) -> Intent {
        let short = wordCount <= 6 && !hasExercise
        if short, cues.contains(.help) { return .help }
        // A set report: reps and an exercise or a load, and not asked as a question.
        if !isQuestion, numbers.reps != nil, hasExercise || numbers.load != nil {
            return .logSet
        }
        if cues.contains(.deload) { return .askDeload }
        if cues.contains(.rir) { return .askRIR }
        if cues.contains(.recovery) { return .askRecovery }
        if cues.contains(.rest) { return .askRest }
        // "why not?" after an answer asks for the reasons, not about failure.
        if short, cues.contains(.why) { return .why }
        if cues.contains(.failure) { return .askFailure }
        return .unknown
    }

    private func profileHints(_ cues: CueSet, stems: [String]) -> ProfileHints {
        var hints = ProfileHints()
        if cues.contains(.beginner) {
            hints.experience = .beginner
        } else if let experience = experienceFromDuration(stems) {
            hints.experience = experience
        } else if cues.contains(.advanced) {
            hints.experience = .advanced
        } else if cues.contains(.intermediate) {
            hints.experience = .intermediate
        }
        if cues.contains(.strength) {
            hints.goal = .strength
        } else if cues.contains(.endurance) {
            hints.goal = .endurance
        } else if cues.contains(.hypertrophy) {
            hints.goal = .hypertrophy
        } else if cues.contains(.general) {
            hints.goal = .general
        }
        if cues.contains(.noSpotter) {
            hints.spotter = false
        } else if cues.contains(.withSpotter) {
            hints.spotter = true
        }
        if cues.contains(.noPain) {
            hints.pain = false
        } else if cues.contains(.pain) {
            hints.pain = true
        }
        if cues.contains(.persistentFatigue) { hints.persistentFatigue = true }
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
