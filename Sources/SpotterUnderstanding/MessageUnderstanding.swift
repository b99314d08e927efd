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

/// A class, not a struct: its tables are shared, so handing the understanding around (and
/// calling it per message) retains one reference instead of copying every table.
public final class MessageUnderstanding: Sendable {
    public let catalogue: ExerciseCatalogue
    private let index: ExerciseIndex
    private let corrector: TypoCorrector
    private let vocabulary: Vocabulary
    private let cues: CueMatcher
    private let checkInPhrases: CheckInParser.CompiledPhrases
    private let questionWords: Set<Int32>
    /// Muscle-group phrases (one or two word ids, packed in one integer) → index in ``MuscleGroup/all``.
    private let groupPhrases: PackedTable<Int>
    private let backID: Int32

    public init(catalogue: ExerciseCatalogue) {
        self.catalogue = catalogue
        var vocabulary = Vocabulary()
        var targets: [String: Int] = [:]
        self.index = ExerciseIndex(catalogue: catalogue, vocabulary: &vocabulary, typoTargets: &targets)
        self.cues = CueMatcher(vocabulary: &vocabulary)
        self.checkInPhrases = CheckInParser.CompiledPhrases(vocabulary: &vocabulary)
        // Typos are corrected toward question and profile words; the chat's one-word commands
        // ("later", "stop") are matched only as typed, so "laterl raises" stays a lateral raise.
        for list in CueList.allCases where !list.isCommand {
            for word in list.cues.words where word.count >= 4 { targets[word] = 3 }
        }
        var known = Lexicon.commonWords
        // Muscle-group words ("pecs", "hammies") and out-of-scope words ("fasting") are never corrected
        // into exercise or cue words: "fasting" is not "failing".
        for group in MuscleGroup.all { for phrase in group.words { for word in phrase.split(separator: " ") { known.insert(Stemmer.stem(String(word))) } } }
        for list in CueList.allCases where list.isCommand { known.formUnion(list.cues.words) }
        known.formUnion(Lexicon.confirmWords.flatMap { $0.split(separator: " ").map(String.init) })
        known.formUnion(Lexicon.declineWords.flatMap { $0.split(separator: " ").map(String.init) })
        self.corrector = TypoCorrector(targets: targets, alsoKnown: known)
        for word in Lexicon.commonWords { _ = vocabulary.intern(word) }
        self.questionWords = Set(Lexicon.questionWords.map { vocabulary.intern($0) })
        var groupPhrases: [UInt64: Int] = [:]
        for (position, group) in MuscleGroup.all.enumerated() {
            for phrase in group.words {
                let key = Tokenizer.tokenize(phrase).filter { $0.kind == .word }.map { vocabulary.intern($0.stem) }
                guard key.count == 1 || key.count == 2 else { continue }
                let packed = Self.pack(key[0], key.count == 2 ? key[1] : nil)
                if groupPhrases[packed] == nil { groupPhrases[packed] = position }
            }
        }
        self.groupPhrases = PackedTable(groupPhrases.map { ($0.key, $0.value) })
        self.backID = vocabulary.intern("back")
        self.vocabulary = vocabulary
    }

    /// Writes everything built from the catalogue and the lexicon (not the catalogue itself) for
    /// a start-up snapshot; ``init(catalogue:reading:)`` reads it back.
    public func write(to writer: inout SnapshotWriter) {
        index.write(to: &writer)
        corrector.write(to: &writer)
        vocabulary.write(to: &writer)
        cues.write(to: &writer)
        checkInPhrases.write(to: &writer)
        questionWords.write(to: &writer)
        writer.int(groupPhrases.count)
        for (key, group) in groupPhrases.pairs { writer.int64(Int64(bitPattern: key)); writer.int(group) }
        writer.int32(backID)
    }

    /// The understanding a snapshot holds, for the catalogue it was built from. Word ids are
    /// checked against the vocabulary, and group positions against ``MuscleGroup/all``.
    public init(catalogue: ExerciseCatalogue, reading reader: inout SnapshotReader) throws(SnapshotError) {
        self.catalogue = catalogue
        index = try ExerciseIndex(reading: &reader, exercises: catalogue.exercises.count)
        corrector = try TypoCorrector(reading: &reader)
        vocabulary = try Vocabulary(reading: &reader)
        cues = try CueMatcher(reading: &reader)
        checkInPhrases = try CheckInParser.CompiledPhrases(reading: &reader)
        questionWords = try Set<Int32>(reading: &reader)
        var groupPhrases: [(UInt64, Int)] = []
        for _ in 0..<(try reader.count(elementSize: 16)) {
            let key = try reader.int64(), group = try reader.int()
            guard group >= 0, group < MuscleGroup.all.count else { throw SnapshotError("a muscle group is out of range") }
            groupPhrases.append((UInt64(bitPattern: key), group))
        }
        self.groupPhrases = PackedTable(groupPhrases)
        backID = try reader.int32()
        guard backID >= 0, Int(backID) < vocabulary.words.count else { throw SnapshotError("a word id is out of range") }
    }

    /// Understands one message. `context` says what the conversation is waiting for, so that
    /// "4" answers the check-in item just asked and "yes" a confirmation.
    public func understand(_ text: String, context: ConversationContext = ConversationContext()) -> Utterance {
        var tokens = Tokenizer.tokenize(text)
        // Another language is refused before any typo correction can turn its words into
        // English ones ("soll" → "solo").
        if Language.isNotEnglish(text, tokens: tokens) {
            var utterance = Utterance(text: text, intent: .unknown)
            utterance.notEnglish = true
            return utterance
        }
        if let zone = TimeZoneStatement.read(text) {
            var utterance = Utterance(text: text, intent: .setTimeZone)
            utterance.timeZoneName = zone
            return utterance
        }
        var typedStems: [Int: String] = [:]
        var attempts = 0
        for i in tokens.indices where tokens[i].kind == .word && !corrector.isKnown(tokens[i].stem) {
            attempts += 1
            if attempts > TypoCorrector.attemptsPerMessage { break }
            // Try the word as typed first ("rasies" → "raises"), then its stem.
            if let corrected = corrector.correct(tokens[i].text) ?? corrector.correct(tokens[i].stem) {
                // One edit in a short word changes a quarter of it ("soll" → "solo"): too loose to
                // read a profile fact from (below). Longer words ("wihtout", "begginer") are safe.
                if tokens[i].text.utf8.count <= 5 { typedStems[i] = tokens[i].stem }
                tokens[i].stem = Stemmer.stem(corrected)
            }
        }
        let isQuestionMark = tokens.contains { $0.kind == .symbol && $0.text == "?" }
        let clauses = Clauses(tokens: tokens)
        // The set log reads the symbols ("@8", "+10 kg", "5, 5, 4"); the rest of understanding does
        // not. Removing them shifts the words: the typed stems move with the words they belong to.
        let allTokens = tokens
        var positions: [Int] = []
        var shiftedStems: [Int: String] = [:]
        for (i, token) in tokens.enumerated() where !(token.kind == .symbol && token.text != "%" && token.text != "/") {
            if let stem = typedStems[i] { shiftedStems[positions.count] = stem }
            positions.append(i)
        }
        typedStems = shiftedStems
        // Filtered into a new array: removing in place would first copy every token (allTokens shares them).
        tokens = positions.map { tokens[$0] }
        let ids: [Int32] = tokens.map { $0.kind == .word ? vocabulary.id($0.stem) ?? Vocabulary.unknown : Vocabulary.unknown }

        // "two days in a row" names no rowing exercise.
        // Every exercise named, found once: the question's exercise and the set log both read them.
        let exerciseMatches = index.matches(ids)
        let named = exerciseMatches.filter { match in
            let start = match.range.lowerBound
            return !(start >= 2 && tokens[start - 1].stem == "a" && tokens[start - 2].stem == "in")
        }
        let found = chooseExercise(named, ids: ids, tokens: tokens, clauses: clauses)
        var exercise = found.map { catalogue.exercises[$0.position] }
        let exerciseRange = found.map(\.range)
        // The exercises' own words ("good morning", "power clean") are not cues, and numbers
        // that describe the set ("RPE 9") do not make a question about RPE.
        var cueIDs = ids
        if let exerciseRange { for i in exerciseRange { cueIDs[i] = Vocabulary.masked } }
        for i in tokens.indices where (tokens[i].stem == "rpe" || tokens[i].stem == "rir")
            && (tokens[safe: i + 1]?.kind == .number || tokens[safe: i - 1]?.kind == .number) {
            cueIDs[i] = Vocabulary.masked
        }
        let reading = cues.read(cueIDs, negated: clauses.negated)
        let matched = reading.found
        var muscleGroup = group(in: cueIDs, clauses: clauses)

        let stems = tokens.map(\.stem)
        var hints = profileHints(reading, stems: stems)
        // A profile fact is confident only when the words as typed say the same: a fact that
        // appears, or flips, through a corrected typo is set aside for the chat to ask about.
        var uncertain = ProfileHints()
        if !typedStems.isEmpty, hints.hasProfileFact {
            var typedIDs = cueIDs
            var typedTokens = tokens
            for (i, stem) in typedStems {
                typedTokens[i].stem = stem
                if typedIDs[i] != Vocabulary.masked { typedIDs[i] = vocabulary.id(stem) ?? Vocabulary.unknown }
            }
            let typed = profileHints(cues.read(typedIDs, negated: clauses.negated), stems: typedTokens.map(\.stem))
            // When the two readings differ, neither is trusted ("wihtout a spotter" typed reads as
            // "spotter"): the corrected one is asked about, nothing is taken as said.
            if typed.experience != hints.experience { uncertain.experience = hints.experience; hints.experience = nil }
            if typed.goal != hints.goal { uncertain.goal = hints.goal; hints.goal = nil }
            if typed.spotter != hints.spotter { uncertain.spotter = hints.spotter; hints.spotter = nil }
        }
        let numbers = SetParser.numbers(tokens, skip: exerciseRange)
        let firstWord = cueIDs.first { $0 != Vocabulary.masked }
        let isQuestion = isQuestionMark || firstWord.map(questionWords.contains) ?? false
        let wordCount = cueIDs.count { $0 != Vocabulary.masked }

        var intent = classify(matched, wordCount: wordCount, isQuestion: isQuestion, hasExercise: exercise != nil,
                              hasGroup: muscleGroup != nil, numbers: numbers, stems: stems)
        // Every exercise named, in the set log's token positions.
        let setNamed = exerciseMatches.map { match in
            SetLogGrammar.Named(exercise: catalogue.exercises[match.position],
                                range: positions[match.range.lowerBound]..<(positions[match.range.upperBound - 1] + 1))
        }
        // Inside a check-in "that was 4 not 3" corrects the check-in, not the log.
        let command = context.checkInPending == nil ? SetLogCommands.read(allTokens, named: setNamed, isQuestion: isQuestion) : nil
        // A load question names a set as its reference ("pick a weight: bench 3x5 at RIR 2, best 100x5"): no log.
        let setReading: SetLogGrammar.Reading = isQuestion || command != nil || intent == .askLoad
            ? .none : SetLogGrammar.read(allTokens, named: setNamed)
        let words = tokens.compactMap { $0.kind == .word ? $0.stem : nil }
        // A chat command is the whole message, give or take two words ("daily check-in", "show my week please").
        if exercise == nil, intent != .logSet, let command = chatCommand(cueIDs, words: words, context: context) {
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
        } else if intent != .help || wordCount > 6, setReading != .none {
            switch setReading {
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
            if CheckInItem.allCases.count - reading.answers.missing.count >= 2 {
                intent = .checkIn
            } else if !reading.answers.isEmpty, words.contains(where: Self.correctionWords.contains),
                      words.contains(where: CheckInParser.allKeywords.contains) {
                // "actually energy is 3" after the check-in: a correction of today's answers.
                intent = .checkInAnswer
                checkIn = reading
            }
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
        if intent == .unknown, hints.hasProfileFact || uncertain.hasProfileFact {
            intent = .setProfile
        }
        // Out-of-scope topics (COACHING.md section 9) replace an answer nobody could give well;
        // a training question about a named exercise is still answered ("failure on bench while bulking?").
        var scope = scopeTopic(matched)
        if let topic = scope, intent != .logSet, intent != .checkInAnswer,
           intent == .unknown || intent == .setProfile || intent == .why || intent == .help
            || (intent.isQuestion && (exercise == nil || topic == .medication || topic == .supplement || topic == .illness)) {
            intent = .outOfScope
        } else {
            scope = nil
        }
        // Red flags come before everything else in a message, a check-in answer or a set log included.
        if matched.contains(.urgent) || matched.contains(.acuteInjury) {
            intent = .redFlag
            scope = matched.contains(.urgent) ? .urgent : .acuteInjury
            checkIn = nil
            logged = nil
            loggedSets = []
            clarification = nil
        }
        if intent == .unknown || intent == .clarify || intent.isChatOnly || intent == .redFlag || intent == .outOfScope {
            exercise = nil
            muscleGroup = nil
        }

        var planned = PlannedSet()
        planned.reps = numbers.reps
        planned.loadPercent = numbers.loadPercent
        planned.rpe = numbers.rpe ?? numbers.rir.map { 10 - $0 }
        // "stop with 2 reps left" is RIR 2, not a set of 2.
        if planned.rpe == nil, let worded = LoadQuestion.wordedRIR(tokens) {
            planned.rpe = 10 - worded.value
            if planned.reps == Int(worded.value) { planned.reps = nil }
        }
        planned.saidHeavy = matched.contains(.heavy)
        planned.isLastSet = matched.contains(.lastSet)
        planned.toFailure = (intent == .askRest || intent == .askRecovery || intent == .askFrequency) && matched.contains(.afterFailure)

        var utterance = Utterance(text: text, intent: intent, exercise: exercise, hints: hints, plannedSet: planned, loggedSet: logged,
                                  checkIn: checkIn, implausibleSet: implausible)
        utterance.uncertainHints = uncertain
        utterance.muscleGroup = muscleGroup
        utterance.scope = scope
        utterance.unit = numbers.unit
        if intent == .askRecovery || intent == .askFrequency, matched.contains(.consecutive) {
            utterance.asksConsecutive = true
            // "light arm day yesterday": a light first session, 3+ reps in reserve.
            if utterance.plannedSet.rpe == nil,
               tokens.indices.contains(where: { ["light", "easy"].contains(tokens[$0].stem) && !(clauses.negated[safe: $0] ?? false) }) {
                utterance.plannedSet.rpe = 6
            }
        }
        if intent == .askLoad {
            let load = LoadQuestion.read(tokens, skip: exerciseRange)
            utterance.reference = load.reference
            utterance.target = load.target
            utterance.unit = load.reference?.unit ?? load.unit ?? numbers.unit
            // The reference set's numbers are not the planned set's.
            utterance.plannedSet.reps = load.target.reps
            utterance.plannedSet.rpe = load.target.rir.map { 10 - Double($0.min + $0.max) / 2 }
            // "how heavy should I go?" asks for a load; it does not plan heavy work.
            utterance.plannedSet.saidHeavy = false
        }
        utterance.loggedSets = intent == .logSet ? loggedSets : []
        if intent != .logSet { utterance.loggedSet = nil }
        utterance.clarification = intent == .clarify ? clarification : nil
        utterance.logCommand = command.flatMap { intent.isChatOnly || intent == .clarify ? $0 : nil }
        return utterance
    }

    /// The exercise a message is about when it names several: the one in the question's clause
    /// ("incline press, then cable flyes; should I take the flyes to failure?" is about the flyes,
    /// and "the flyes" means the cable flyes named before), never the one after "instead of".
    private func chooseExercise(
        _ named: [(position: Int, range: Range<Int>)], ids: [Int32], tokens: [Token], clauses: Clauses
    ) -> (position: Int, range: Range<Int>)? {
        guard named.count > 1 else { return named.first }
        func stem(_ i: Int) -> String { i >= 0 && i < tokens.count ? tokens[i].stem : "" }
        var pool = named.filter { match in
            let start = match.range.lowerBound
            return !((stem(start - 1) == "of" && stem(start - 2) == "instead") || stem(start - 1) == "than")
        }
        if pool.isEmpty { pool = named }
        func longest(_ matches: [(position: Int, range: Range<Int>)]) -> (position: Int, range: Range<Int>)? {
            var best: (position: Int, range: Range<Int>)?
            for match in matches where match.range.count > (best?.range.count ?? 0) { best = match }
            return best
        }
        if let question = clauses.questionClause,
           let pick = longest(pool.filter { $0.range.lowerBound < clauses.clause.count && clauses.clause[$0.range.lowerBound] == question }) {
            let words = Set(ids[pick.range])
            if let specific = pool.first(where: { $0.range.count > pick.range.count && words.isSubset(of: Set(ids[$0.range])) }) {
                return specific
            }
            return pick
        }
        return longest(pool)
    }

    /// The muscle group a message names ("legs", "leg day", "push muscles"), preferring the
    /// question's clause; "back" in "back to back" or "get back to" is not the back.
    private func group(in ids: [Int32], clauses: Clauses) -> MuscleGroup? {
        var first: MuscleGroup?
        var i = 0
        while i < ids.count {
            guard ids[i] >= 0 else { i += 1; continue }
            var hit: Int?
            var length = 1
            if i + 1 < ids.count, ids[i + 1] >= 0, let two = groupPhrases[Self.pack(ids[i], ids[i + 1])] {
                hit = two
                length = 2
            } else if let one = groupPhrases[Self.pack(ids[i], nil)] {
                hit = one
            }
            // "back to back days": neither "back" is the back, even where "back day" follows.
            if hit != nil, ids[i] == backID, isIdiomaticBack(ids, i, length: length) { i += 1; continue }
            // "safety arms", "spotting arms", "my left arm": equipment and symptoms, not a muscle group.
            if hit != nil, length == 1, i > 0, ids[i - 1] >= 0,
               ["safety", "spotting", "spot", "left", "right", "pin"].contains(vocabulary.words[Int(ids[i - 1])]) {
                i += 1
                continue
            }
            if let hit {
                let group = MuscleGroup.all[hit]
                if let question = clauses.questionClause, i < clauses.clause.count, clauses.clause[i] == question { return group }
                if first == nil { first = group }
            }
            i += length
        }
        return first
    }

    /// One or two word ids as one dictionary key, so matching allocates nothing.
    private static func pack(_ first: Int32, _ second: Int32?) -> UInt64 {
        UInt64(bitPattern: Int64(first) << 32 | Int64(UInt32(bitPattern: second ?? -1)))
    }

    private func isIdiomaticBack(_ ids: [Int32], _ i: Int, length: Int) -> Bool {
        func word(_ j: Int) -> String { j >= 0 && j < ids.count && ids[j] >= 0 ? vocabulary.words[Int(ids[j])] : "" }
        return length == 1 && ["to", "off", "on", "in", "from", "into", "up"].contains(word(i + 1))
            || ["to", "get", "come", "go", "bounce", "came", "went", "got"].contains(word(i - 1))
    }

    private func scopeTopic(_ cues: CueSet) -> ScopeTopic? {
        if cues.contains(.medication) { return .medication }
        if cues.contains(.supplement) { return .supplement }
        if cues.contains(.illness) { return .illness }
        if cues.contains(.injury) { return .injury }
        if cues.contains(.diet) { return .diet }
        return nil
    }

    /// Words that mark a message as correcting an answer already given.
    /// With an item named ("actually energy is 3"), so "sorry, I'm tired" is not taken as one.
    static let correctionWords: Set<String> = ["actually", "correction", "meant", "change", "update", "sorry", "wait", "oops"]

    private static let commandOrder: [(CueList, Intent)] = [
        (.forgetMe, .forgetMe), (.checkIn, .checkIn), (.cancel, .cancel), (.stats, .stats),
        (.showProfile, .showProfile), (.skip, .skip), (.profileStart, .setProfile),
    ]

    private static let commandLists: CueSet = {
        var set = CueSet()
        for (list, _) in commandOrder { set.insert(list) }
        return set
    }()

    /// The most parts a chat command's phrase has.
    private static let longestCommand = CueList.allCases.filter(\.isCommand)
        .flatMap { $0.cues.phrases.map(\.parts.count) }.max() ?? 0

    /// The most words a yes or no reply has ("yes please").
    private static let longestReply = Lexicon.confirmWords.union(Lexicon.declineWords)
        .map { $0.split(separator: " ").count }.max() ?? 0

    /// The chat's own commands, when they make up (nearly) the whole message: "check in",
    /// "cancel", "my week", "daily check-in please"; "yes"/"no" only as the whole message.
    private func chatCommand(_ ids: [Int32], words: [String], context: ConversationContext) -> Intent? {
        // Joining the words is skipped when there are more than any yes or no reply has.
        if words.count <= Self.longestReply {
            let whole = words.joined(separator: " ")
            if Lexicon.confirmWords.contains(whole) { return .confirm }
            if Lexicon.declineWords.contains(whole) { return .decline }
        }
        let count = ids.count { $0 != Vocabulary.masked }
        // A command phrase covers all but two words at most: a longer message is no command.
        guard count - Self.longestCommand <= 2 else { return nil }
        let longest = cues.longestMatches(Self.commandLists, in: ids)
        for (list, intent) in Self.commandOrder {
            let length = longest[list.rawValue]
            if length > 0, count - length <= 2 { return intent }
        }
        return nil
    }

    private func classify(
        _ cues: CueSet, wordCount: Int, isQuestion: Bool, hasExercise: Bool, hasGroup: Bool, numbers: SetParser.Numbers,
        stems: [String]
    ) -> Intent {
        let short = wordCount <= 6 && !hasExercise
        if short, cues.contains(.help) { return .help }
        // "what weight for 3x8? my best is 100x5": the numbers are the reference, not a log.
        if cues.contains(.load) { return .askLoad }
        // A set report: reps and an exercise or a load, and not asked as a question.
        if !isQuestion, numbers.reps != nil, hasExercise || numbers.load != nil {
            return .logSet
        }
        if cues.contains(.deload) { return .askDeload }
        if cues.contains(.rir) { return .askRIR }
        if cues.contains(.volume) { return .askVolume }
        if cues.contains(.recovery) { return .askRecovery }
        if cues.contains(.frequency) { return .askFrequency }
        if cues.contains(.rest) { return .askRest }
        // "why not?" after an answer asks for the reasons, not about failure.
        if short, cues.contains(.why) { return .why }
        if cues.contains(.failure) { return .askFailure }
        // "legs again tomorrow?", "chest two days straight?"
        if cues.contains(.consecutive), hasExercise || hasGroup { return .askRecovery }
        // "next set?", "what about my next session?"
        if wordCount <= 5, let next = stems.firstIndex(of: "next"), next + 1 < stems.count,
           ["set", "session", "workout", "time"].contains(stems[next + 1]) {
            return .askLoad
        }
        return .unknown
    }

    /// Profile facts said in the message, read clause by clause: a negated cue does not count
    /// ("I'm not a beginner anymore" is not a beginner, "nothing sharp" is not pain), and of two
    /// contrary cues the later clause wins ("no spotter, but my rack has safety arms").
    private func profileHints(_ reading: CueMatcher.Reading, stems: [String]) -> ProfileHints {
        let cues = reading.found
        var hints = ProfileHints()
        if cues.contains(.beginner) {
            hints.experience = .beginner
        } else if let experience = experienceFromDuration(stems) {
            hints.experience = experience
        } else if cues.contains(.advanced) {
            hints.experience = .advanced
        } else if cues.contains(.intermediate) {
            hints.experience = .intermediate
        } else if reading.negatedOnly.contains(.beginner) {
            // Decision: "not a beginner (anymore)", "not some newbie" means intermediate.
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
        if cues.contains(.noSpotter), cues.contains(.withSpotter) {
            hints.spotter = reading.last[CueList.withSpotter.rawValue] > reading.last[CueList.noSpotter.rawValue]
        } else if cues.contains(.noSpotter) {
            hints.spotter = false
        } else if cues.contains(.withSpotter) {
            hints.spotter = true
        }
        if cues.contains(.noPain) {
            hints.pain = false
        } else if cues.contains(.pain) {
            hints.pain = true
        } else if reading.negatedOnly.contains(.pain) {
            hints.pain = false
        }
        if cues.contains(.persistentFatigue) { hints.persistentFatigue = true }
        return hints
    }

    /// "lifting for 5 years", "been training 3 months", "2 years of lifting": under 6 months is a
    /// beginner, 4 years and more advanced (our decision; COACHING.md defines only the beginner line).
    // "been" alone is not enough: "been doing snatches for a month" says nothing about experience.
    private static let durationVerbs: Set<String> = ["lifting", "training", "lift", "train", "lifted", "trained", "gym", "experience"]

    private func experienceFromDuration(_ stems: [String]) -> Experience? {
        let verbs = Self.durationVerbs
        for (i, stem) in stems.enumerated() where i > 0 && (stem == "year" || stem == "month" || stem == "week") {
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
            // "18 months in", "two years in now": how long they have been at it.
            let saysIn = stems[safe: i + 1] == "in" && !["a", "the", "row"].contains(stems[safe: i + 2] ?? "")
            guard saysIn || before.contains(where: verbs.contains) || after.contains(where: verbs.contains) else { continue }
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
