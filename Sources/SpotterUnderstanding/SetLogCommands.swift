import SpotterCore

/// The set log's commands, read from the whole message: "undo", "that was 105 not 100",
/// "change the last set to 8 reps", "delete my squat from today", "I logged the wrong weight",
/// "my log today", "my bests", "use lbs". Each is a short message of its own; a longer one,
/// or one that reads as a set log, is not a command.
enum SetLogCommands {
    static let editWords: WordSet = ["change", "make", "was", "should", "actually", "correct", "correction", "meant", "fix", "edit"]
    static let deleteWords: WordSet = ["delete", "remove", "erase", "drop", "scrap", "scratch"]
    static let unitWords: WordSet = ["use", "lift", "switch", "change", "unit", "prefer", "work", "train", "log", "think", "set"]

    /// The words one of the commands without a number needs (see ``read(_:named:isQuestion:)``).
    static let commandWords: WordSet = ["log", "logged", "best", "pr", "record", "pb", "wrong", "mistake", "typo"]

    static func read(_ tokens: [Token], named: [SetLogGrammar.Named], isQuestion: Bool) -> LogCommand? {
        // Every command below is a short message (ten words at most): a longer one is none, and
        // is turned away before any of the sets and strings below are built.
        guard tokens.count(where: { $0.kind == .word }) <= 10 else { return nil }
        // Without a number, a command needs one of its words (a unit, "log", "best", "wrong"…) or
        // starts with "undo" or a delete word: most messages have none and stop here.
        if !tokens.contains(where: { $0.kind == .number }) {
            var first = true
            let mayBeCommand = tokens.contains { token in
                guard token.kind == .word else { return false }
                defer { first = false }
                if first, token.stem == "undo" || deleteWords.contains(token.stem) { return true }
                return commandWords.contains(token.stem) || SetLogGrammar.unit(token.stem) != nil
            }
            guard mayBeCommand else { return nil }
        }
        let words = tokens.compactMap { $0.kind == .word ? $0.stem : nil }
        let numbers = tokens.enumerated().filter { $0.element.kind == .number }
        var whole: String { words.joined(separator: " ") }
        let wordSet = WordSet(words)
        let count = words.count
        func unit(_ stem: String) -> LoadUnit? { SetLogGrammar.unit(stem) }
        let units = words.compactMap(unit)

        // "undo", "undo that last set", "scratch that", "remove the last set".
        if let first = words.first, numbers.isEmpty, count <= 6 {
            if first == "undo" { return .undo }
            if deleteWords.contains(first), named.isEmpty,
               wordSet.contains("last") || wordSet.contains("that") || wordSet.contains("it") || count == 1 {
                return .undo
            }
        }
        // "delete my squat from today", "remove today's squats".
        if let first = words.first, deleteWords.contains(first), numbers.isEmpty, count <= 8, let name = named.first {
            return .deleteToday(exerciseID: name.exercise.id)
        }
        // "my log today", "what did I log today?", "today's log".
        if numbers.isEmpty, count <= 7, named.isEmpty, wordSet.contains("log") || wordSet.contains("logged"),
           wordSet.contains("today") || wordSet.contains("my") || wordSet.contains("show"),
           wordSet.isDisjoint(with: deleteWords), !wordSet.contains("undo"), !wordSet.contains("wrong") {
            return .showToday
        }
        // "my bests", "my PRs", "personal records".
        if numbers.isEmpty, count <= 6, named.isEmpty,
           wordSet.contains("best") || wordSet.contains("pr") || wordSet.contains("record") || wordSet.contains("pb"),
           wordSet.contains("my") || wordSet.contains("show") || wordSet.contains("personal") || count <= 2 {
            return .showBests
        }
        // "I logged the wrong weight", "wrong reps", "that was a typo".
        if count <= 9, numbers.isEmpty, named.isEmpty,
           wordSet.contains("wrong") || wordSet.contains("mistake") || wordSet.contains("typo"),
           // About the log ("I logged the wrong weight"), not "my knee hurts, what's wrong with it?".
           !wordSet.isDisjoint(with: ["log", "logged", "entered", "typed", "wrote", "weight", "load", "rep", "set", "that", "entry"]) {
            let what = wordSet.contains("rep") ? "reps" : wordSet.contains("weight") || wordSet.contains("load") ? "weight" : "entry"
            return .askCorrection(what: what)
        }
        // "use lbs", "I lift in kg", "switch to pounds", "lb", "kg please".
        if !isQuestion, numbers.isEmpty, count <= 7, named.isEmpty, units.count == 1, let chosen = units.first {
            let rest = wordSet.subtracting(["please", "thanks", "from", "now", "on", "in", "i", "to", "it", "was", "lbs", "lb"])
            if count <= 3 && rest.subtracting(["kg", "kilo", "pound", "kilogram", "kgs"]).isEmpty || !wordSet.isDisjoint(with: unitWords) {
                return .useUnit(chosen)
            }
        }
        // "change the last set to 8 reps", "make that 8 reps", "last set was 8 reps not 6".
        if numbers.count >= 1, numbers.count <= 2, count <= 10, named.isEmpty, !wordSet.contains("x"),
           let first = numbers.first, first.offset + 1 < tokens.count, ["rep", "repetition"].contains(tokens[first.offset + 1].stem),
           !wordSet.isDisjoint(with: editWords) || wordSet.contains("not") || wordSet.contains("last"),
           let reps = first.element.number, reps >= 0 {
            return .changeReps(to: SetParser.whole(reps))
        }
        // "that was 105 not 100", "105 not 100", "make that 105", "should have been 105kg".
        if numbers.count >= 1, numbers.count <= 2, count <= 8, named.isEmpty, !wordSet.contains("x"),
           wordSet.isDisjoint(with: ["rep", "set", "rpe", "rir", "sleep", "slept", "hour", "energy", "stress", "sore", "soreness", "motivation"]),
           let to = numbers.first?.element.number {
            let isEdit = wordSet.contains("not") && numbers.count == 2
                || numbers.count == 1 && (wordSet.contains("make") || wordSet.contains("should") || wordSet.contains("meant")
                    || whole.hasPrefix("that was") || whole.hasPrefix("it was") || whole.hasPrefix("actually"))
            if isEdit {
                var from = numbers.count == 2 ? numbers[1].element.number : nil
                var to = to
                if numbers.count == 2, whole.hasPrefix("not"), let second = numbers[1].element.number {
                    // "not 100, 105", "not 100 but 105": the first number is the wrong one.
                    from = to
                    to = second
                }
                return .changeLoad(from: from, to: to, unit: units.first)
            }
        }
        return nil
    }
}
