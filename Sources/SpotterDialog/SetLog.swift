import SpotterAdvisor
import SpotterCore

/// The set log in the dialog: storing what a message logged (in the lifter's unit, confirming
/// a load far above their best first), saying what was stored and any new best, undo, edits,
/// today's log, bests and the unit preference.
extension Turn {
    /// A load more than this many times the lifter's best for the lift is confirmed before it is stored.
    static let implausibleFactor = 1.6

    /// The lifter's unit: as set ("use lbs"), else the one unit they always write, else kg.
    var unit: LoadUnit { context.unitPreference ?? context.inferredUnit ?? .kilograms }

    mutating func logSets() {
        let sets = utterance.loggedSets.isEmpty ? utterance.loggedSet.map { [$0] } ?? [] : utterance.loggedSets
        guard !sets.isEmpty, sets.allSatisfy({ !$0.exerciseID.isEmpty && engine.catalogue[$0.exerciseID] != nil }) else {
            loggedSets = []
            intent = .clarify
            return say("Which exercise was that? Log a set like \"bench 100kg x 8 @ RIR 1\".")
        }
        // A bare number takes the lifter's unit: as set, else the unit last used for this lift (so a
        // bare number means what it meant last time), else the one unit they always write, else kg.
        let resolved = sets.map { set -> LoggedSet in
            var set = set
            if !set.unitStated {
                let last = context.exerciseHistory.first {
                    $0.exerciseID == set.exerciseID && ($0.loadKilograms != nil || $0.addedLoadKilograms != nil)
                }?.unit
                set.unit = context.unitPreference ?? last ?? context.inferredUnit ?? .kilograms
            }
            return set
        }
        // A load far above the lifter's best for the lift is asked about before it is stored.
        for set in resolved {
            guard let load = set.load, let best = heaviest(set.exerciseID), best > 0 else { continue }
            let unit = set.unit ?? .kilograms
            if load * unit.kilograms > Self.implausibleFactor * best {
                conversation.pendingSets = resolved
                loggedSets = []
                intent = .clarify
                let name = engine.catalogue[set.exerciseID]?.name ?? set.exerciseID
                return say("\(LoggedSet.number(load)) \(unit.rawValue)? or \(unit.other.rawValue)? That is far above your best "
                    + "\(name) (\(weight(best, in: unit))), so I haven't logged it yet. Reply \"\(unit.rawValue)\" or "
                    + "\"\(unit.other.rawValue)\" to log it, or anything else to drop it.")
            }
        }
        store(resolved)
    }

    /// Stores sets, says what was stored, any new best, and the week's volume for the muscle.
    mutating func store(_ sets: [LoggedSet]) {
        var records: [SetRecord] = []
        for set in sets {
            guard let exercise = engine.catalogue[set.exerciseID] else { continue }
            records.append(Self.record(set, exercise: exercise, at: context.now))
        }
        for record in records { effects.append(.logSet(record)) }
        loggedSets = sets
        var text = "Logged: " + Self.describe(sets, catalogue: engine.catalogue)
        if let first = records.first {
            let muscle = first.muscle
            let mine = records.filter { $0.muscle == muscle }
            let hard = (context.weekHardSets ?? 0) + mine.filter(\.isHard).reduce(0) { $0 + $1.sets }
            let failures = (context.weekFailureSets ?? 0) + mine.filter(\.isFailure).reduce(0) { $0 + $1.sets }
            text += " Last 7 days, \(muscle): \(plural(hard, "hard set")) (target 10-20), \(failures) to failure"
            text += failures >= engine.settings.failureCap
                ? " — the weekly failure cap (\(engine.settings.failureCap)) is reached; keep the rest short of failure."
                : " (cap \(engine.settings.failureCap))."
        }
        say(text)
        for line in newBests(records) { say(line) }
        // What to do next, by autoregulation against today's RIR target, for the last set logged.
        var rules: [String] = []
        if let last = sets.last, let exercise = engine.catalogue[last.exerciseID], let next = nextSetAdvice(last, exercise: exercise) {
            say(next.text)
            rules = next.rules
        }
        // "why" explains the last answer that had a reason: a set log without one leaves it.
        if !rules.isEmpty { conversation.lastAnswer = LastAnswer(topic: "set log", rules: rules) }
    }

    static func record(_ set: LoggedSet, exercise: Exercise, at time: Timestamp) -> SetRecord {
        let unit = set.unit ?? .kilograms
        return SetRecord(
            userID: "", roomID: "", loggedAt: time, exerciseID: exercise.id, muscle: exercise.primary.first ?? "other",
            loadKilograms: set.load.map { $0 * unit.kilograms }, unit: unit, reps: set.reps, sets: max(1, set.sets),
            repsInReserve: set.repsInReserve, toFailure: set.toFailure,
            estimatedOneRepMaxKilograms: set.estimatedOneRepMax.map { $0 * unit.kilograms }, rpe: set.rpe,
            addedLoadKilograms: set.addedLoad.map { $0 * unit.kilograms }, unitStated: set.unitStated)
    }

    /// The heaviest load (kg) the lifter has logged for an exercise, before this message.
    func heaviest(_ exerciseID: String) -> Double? {
        context.exerciseHistory.filter { $0.exerciseID == exerciseID }.compactMap(\.loadKilograms).max()
    }

    /// "New best" lines: the heaviest load for a rep count (measured) and the best e1RM
    /// (estimated), each only when it beats an earlier set of the lift.
    func newBests(_ records: [SetRecord]) -> [String] {
        var lines: [String] = []
        var seen = context.exerciseHistory
        for record in records {
            defer { seen.append(record) }
            let earlier = seen.filter { $0.exerciseID == record.exerciseID }
            guard !earlier.isEmpty, let load = record.loadKilograms else { continue }
            let name = engine.catalogue[record.exerciseID]?.name ?? record.exerciseID
            // Replies use the lifter's unit when they set one, else the unit the set was logged in.
            let unit = context.unitPreference ?? record.unit ?? self.unit
            let sameReps = earlier.filter { $0.reps == record.reps }.compactMap(\.loadKilograms).max()
            if let sameReps, load > sameReps + 0.001 {
                lines.append("New best: \(name) \(weight(load, in: unit)) for \(plural(record.reps, "rep")) (measured; "
                    + "your best for \(plural(record.reps, "rep")) was \(weight(sameReps, in: unit))).")
            }
            if let e1rm = record.estimatedOneRepMaxKilograms, let before = earlier.compactMap(\.estimatedOneRepMaxKilograms).max(),
               e1rm > before + 0.001 {
                lines.append("New best estimated 1RM: \(name) about \(weight(e1rm, in: unit)) (estimated with Epley and reps in "
                    + "reserve; was \(weight(before, in: unit))).")
            }
        }
        return lines
    }

    // MARK: Asking back

    mutating func clarify() {
        loggedSets = []
        say(utterance.clarification ?? "What did you mean? Log a set like \"bench 100kg x 8 @ RIR 1\".")
    }

    /// A held-back log ("315 kg? or lb?") is stored on "kg", "lb" or "yes", and dropped otherwise.
    /// Returns true when the message was the answer.
    mutating func resolvePendingSets() -> Bool {
        let pending = conversation.pendingSets
        conversation.pendingSets = []
        var chosen: LoadUnit?
        if case let .useUnit(unit)? = utterance.logCommand { chosen = unit }
        if utterance.intent == .confirm { chosen = pending.first?.unit ?? unit }
        if let chosen {
            let sets = pending.map { set -> LoggedSet in
                var set = set
                set.unit = chosen
                set.unitStated = true
                return set
            }
            intent = .logSet
            store(sets)
            return true
        }
        if utterance.intent == .decline || utterance.intent == .undo {
            // "undo" right after the question means: never mind.
            loggedSets = []
            say("OK, not logged: nothing was stored.")
            return true
        }
        say("(The set I asked about was not logged.)")
        return false
    }

    // MARK: Undo, edits, views, unit

    mutating func logCommand() {
        guard let command = utterance.logCommand else { return }
        switch command {
        case .undo:
            guard !context.lastEntry.isEmpty else { return say("Nothing to undo: no sets are logged.") }
            logEdits.append(.deleteSets(context.lastEntry.compactMap(\.id)))
            say("Undone: removed " + Self.describe(context.lastEntry.map(\.logged), catalogue: engine.catalogue))
        case let .changeLoad(from, to, written):
            changeLoad(from: from, to: to, written: written)
        case let .changeReps(reps):
            changeReps(reps)
        case let .deleteToday(exerciseID):
            let name = engine.catalogue[exerciseID]?.name ?? exerciseID
            let rows = context.todaySets.filter { $0.exerciseID == exerciseID }
            guard !rows.isEmpty else { return say("No \(name) is logged today, so nothing was deleted.") }
            logEdits.append(.deleteSets(rows.compactMap(\.id)))
            say("Deleted today's " + Self.describe(rows.map(\.logged), catalogue: engine.catalogue))
        case let .askCorrection(what):
            intent = .clarify
            guard !context.lastEntry.isEmpty else { return say("Nothing is logged yet, so there is nothing to correct.") }
            let last = Self.describe(context.lastEntry.map(\.logged), catalogue: engine.catalogue)
            let example = what == "reps" ? "\"change the last set to 8 reps\"" : what == "weight" ? "\"that was 105 not 100\""
                : "\"that was 105 not 100\" or \"change the last set to 8 reps\""
            say("What should it be? Your last entry: \(last) Say \(example), or \"undo\" to remove it.")
        case .showToday:
            say(todayLog())
        case .showBests:
            say(bests())
        case let .useUnit(chosen):
            logEdits.append(.saveUnit(chosen))
            say("From now on I read a bare number as \(chosen == .kilograms ? "kg" : "lb") and answer in \(chosen.rawValue).")
        }
    }

    mutating func changeLoad(from: Double?, to: Double, written: LoadUnit?) {
        guard !context.lastEntry.isEmpty else { return say("Nothing is logged yet, so there is nothing to change.") }
        guard to >= 0, to <= LoggedSet.maxLoad else {
            return say("\(LoggedSet.number(to)) can't be a real load, so I changed nothing.")
        }
        let before = context.lastEntry
        var changed: [SetRecord] = []
        for var record in before {
            let shown = record.logged
            guard let current = shown.load ?? shown.addedLoad else { continue }
            if let from, abs(current - from) > 0.01 { continue }
            let unit = written ?? record.unit ?? .kilograms
            var set = shown
            if shown.load != nil { set.load = to } else { set.addedLoad = to }
            set.unit = unit
            set.unitStated = true
            let updated = Self.record(set, exercise: engine.catalogue[record.exerciseID] ?? Self.placeholder(record), at: record.loggedAt)
            record.loadKilograms = updated.loadKilograms
            record.addedLoadKilograms = updated.addedLoadKilograms
            record.unit = unit
            record.unitStated = true
            record.estimatedOneRepMaxKilograms = updated.estimatedOneRepMaxKilograms
            changed.append(record)
        }
        let was = Self.describe(before.map(\.logged), catalogue: engine.catalogue)
        guard !changed.isEmpty else {
            return say("Your last entry has no set at \(LoggedSet.number(from ?? 0)), so I changed nothing. It is: \(was)")
        }
        for record in changed { logEdits.append(.updateSet(record)) }
        let after = before.map { row in changed.first { $0.id == row.id } ?? row }
        say("Changed: " + Self.describe(after.map(\.logged), catalogue: engine.catalogue).dropLast() + " (was: " + was.dropLast() + ").")
    }

    mutating func changeReps(_ reps: Int) {
        guard var last = context.lastEntry.last else { return say("Nothing is logged yet, so there is nothing to change.") }
        guard reps >= 1, reps <= LoggedSet.maxReps else { return say("\(reps) reps can't be a real set, so I changed nothing.") }
        let was = Self.describe(context.lastEntry.map(\.logged), catalogue: engine.catalogue)
        var after = context.lastEntry
        var set = last.logged
        set.reps = reps
        set.sets = 1
        let exercise = engine.catalogue[last.exerciseID] ?? Self.placeholder(last)
        var single = Self.record(set, exercise: exercise, at: last.loggedAt)
        single.entry = last.entry
        single.muscle = last.muscle
        if last.sets > 1 {
            // "the last set" of 3 × 5 is one of them: 2 × 5 stay, the last becomes its own row.
            last.sets -= 1
            logEdits.append(.updateSet(last))
            effects.append(.logSet(single))
            after[after.count - 1] = last
            after.append(single)
        } else {
            single.id = last.id
            logEdits.append(.updateSet(single))
            after[after.count - 1] = single
        }
        say("Changed: " + Self.describe(after.map(\.logged), catalogue: engine.catalogue).dropLast() + " (was: " + was.dropLast() + ").")
    }

    static func placeholder(_ record: SetRecord) -> Exercise {
        Exercise(id: record.exerciseID, name: record.exerciseID, aliases: [], mechanic: nil, equipment: .other, category: .strength,
                 primary: [record.muscle], secondary: [], risk: .isolation)
    }

    func todayLog() -> String {
        guard !context.todaySets.isEmpty else {
            return "Nothing logged today. Log a set like \"bench 100kg x 8 @ RIR 1\"."
        }
        var lines = ["Today's log:"]
        var entries: [(Int64, [SetRecord])] = []
        for row in context.todaySets {
            let entry = row.entry ?? row.id ?? 0
            if let index = entries.firstIndex(where: { $0.0 == entry }) {
                entries[index].1.append(row)
            } else {
                entries.append((entry, [row]))
            }
        }
        for (_, rows) in entries {
            // Local time of day in the lifter's zone (the offset at `now`).
            var seconds = Int((rows[0].loggedAt + Double(context.utcOffset)).truncatingRemainder(dividingBy: 86400))
            if seconds < 0 { seconds += 86400 }
            func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
            let time = two(seconds / 3600) + ":" + two(seconds % 3600 / 60)
            lines.append("• \(time) \(context.timeZone ?? "UTC") " + Self.describe(rows.map(\.logged), catalogue: engine.catalogue))
        }
        lines.append("Say \"undo\" to remove the last entry, or \"that was 105 not 100\" to correct it.")
        return lines.joined(separator: "\n")
    }

    /// "my bests": per lift, the heaviest load for each rep count logged (measured) and the best
    /// estimated 1RM, kept apart.
    func bests() -> String {
        let byExercise = Dictionary(grouping: context.exerciseHistory.filter { $0.loadKilograms != nil }, by: \.exerciseID)
        guard !byExercise.isEmpty else {
            return "No bests yet: log sets with a load, like \"squat 140kg 3x5\", and I keep them."
        }
        var lines = ["Your bests (measured: heaviest load lifted for that many reps; estimated: 1RM by Epley with reps in reserve):"]
        for (exerciseID, sets) in byExercise.sorted(by: { $0.key < $1.key }) {
            let name = engine.catalogue[exerciseID]?.name ?? exerciseID
            var byReps: [Int: SetRecord] = [:]
            for set in sets {
                guard let load = set.loadKilograms else { continue }
                if let best = byReps[set.reps], (best.loadKilograms ?? 0) >= load { continue }
                byReps[set.reps] = set
            }
            let measured = byReps.keys.sorted().prefix(6).compactMap { reps -> String? in
                guard let set = byReps[reps], let load = set.loadKilograms else { return nil }
                return "\(weight(load, in: context.unitPreference ?? set.unit ?? unit)) × \(reps)"
            }
            var line = "• \(name): measured " + measured.joined(separator: ", ")
            if let top = sets.filter({ $0.estimatedOneRepMaxKilograms != nil })
                .max(by: { ($0.estimatedOneRepMaxKilograms ?? 0) < ($1.estimatedOneRepMaxKilograms ?? 0) }),
               let e1rm = top.estimatedOneRepMaxKilograms {
                line += "; estimated 1RM about \(weight(e1rm, in: context.unitPreference ?? top.unit ?? unit))"
            }
            lines.append(line + ".")
        }
        return lines.joined(separator: "\n")
    }

    /// A load in kilograms shown in `unit`, rounded to what a lifter would say.
    func weight(_ kilograms: Double, in unit: LoadUnit) -> String {
        Self.weight(kilograms, in: unit)
    }

    static func weight(_ kilograms: Double, in unit: LoadUnit) -> String {
        let value = kilograms / unit.kilograms
        let rounded = (value * 2).rounded() / 2
        return "\(LoggedSet.number(abs(value - value.rounded()) < 0.01 ? value.rounded() : rounded)) \(unit.rawValue)"
    }

    // MARK: Saying what was stored

    /// One short line: "Barbell Squat, 5 reps at 100 kg, RIR 1. Estimated 1RM about 120 kg (…)." for one
    /// group; "Standing Military Press, 3 sets: 5, 5, 4 reps at 60 kg, RPE 8." for a rep list; one part
    /// per exercise when a message logged several.
    static func describe(_ sets: [LoggedSet], catalogue: ExerciseCatalogue) -> String {
        var parts: [String] = []
        var index = 0
        while index < sets.count {
            var end = index + 1
            while end < sets.count && sets[end].exerciseID == sets[index].exerciseID { end += 1 }
            parts.append(describeExercise(Array(sets[index..<end]), catalogue: catalogue))
            index = end
        }
        return parts.joined(separator: " ")
    }

    static func describeExercise(_ groups: [LoggedSet], catalogue: ExerciseCatalogue) -> String {
        let first = groups[0]
        let name = catalogue[first.exerciseID]?.name ?? (first.exerciseID.isEmpty ? "an exercise" : first.exerciseID)
        if groups.count == 1 { return ReplyWriter.describe(first, exercise: name) }
        let sameLoad = groups.allSatisfy { $0.load == first.load && $0.addedLoad == first.addedLoad && $0.unit == first.unit }
        let sameEffort = groups.allSatisfy { $0.rpe == first.rpe && $0.rir == first.rir && $0.toFailure == first.toFailure }
        let total = groups.reduce(0) { $0 + $1.sets }
        if sameLoad {
            var reps: [String] = []
            for group in groups { reps += Array(repeating: String(group.reps), count: group.sets) }
            var text = "\(name), \(total) sets: " + reps.joined(separator: ", ") + " reps" + ReplyWriter.loadText(first)
            if sameEffort { text += ReplyWriter.effortText(first) }
            return text + "."
        }
        let each = groups.map { group -> String in
            let load = String(ReplyWriter.loadText(group).dropFirst(4))  // " at 100 kg" → "100 kg"
            let count = group.sets > 1 ? "\(group.sets) × \(group.reps)" : "\(group.reps)"
            return (load.isEmpty ? "" : load + " × ") + count + (sameEffort ? "" : ReplyWriter.effortText(group))
        }
        return "\(name), \(total) sets: " + each.joined(separator: ", ") + (sameEffort ? ReplyWriter.effortText(first) : "") + "."
    }
}
