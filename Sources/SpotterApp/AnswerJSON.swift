import SpotterAdvisor
import SpotterCore

/// The JSON shapes of the command-line contract (`spotter ask --json`).
public enum AnswerJSON {
    public static func exercise(_ exercise: Exercise?) -> JSON {
        guard let exercise else { return .null }
        return .object([
            ("id", .string(exercise.id)),
            ("name", .string(exercise.name)),
            ("mechanic", exercise.mechanic.map { .string($0.rawValue) } ?? .null),
            ("equipment", .string(exercise.equipment.rawValue)),
            ("risk", .string(exercise.risk.rawValue)),
        ])
    }

    public static func profile(_ profile: Profile) -> JSON {
        .object([
            ("experience", .string(profile.experience.rawValue)),
            ("goal", .string(profile.goal.rawValue)),
            ("spotter", .bool(profile.spotter)),
        ])
    }

    public static func range(_ range: IntRange?) -> JSON {
        guard let range else { return .null }
        return .object([("min", .number(Double(range.min))), ("max", .number(Double(range.max)))])
    }

    public static func advice(_ advice: Advice?) -> JSON { self.advice(advice, plan: nil) }

    /// The `advice` object: the exercise advice's fields (null where there is no exercise), and
    /// for muscle, week and load questions `consecutive_days`, `sessions_per_week`, `weekly_sets`
    /// and `load`, each where it applies.
    public static func advice(_ advice: Advice?, plan: PlanAdvice?) -> JSON {
        guard advice != nil || plan != nil else { return .null }
        var sources = advice?.sources ?? []
        for source in plan?.sources ?? [] where !sources.contains(source) { sources.append(source) }
        var notes = advice?.notes ?? []
        for note in plan?.notes ?? [] where !notes.contains(note) { notes.append(note) }
        var fields: [(String, JSON)] = [
            ("failure", advice.map { .string($0.failure.rawValue) } ?? .null),
            ("rir", range(advice?.repsInReserve)),
            ("rest_seconds", range(advice?.restSeconds)),
            ("recovery_hours", range(advice?.recoveryHours ?? plan?.recoveryHours)),
            ("notes", .array(notes.map(JSON.string))),
            ("rules", .array(((advice?.rules ?? []) + (plan?.rules ?? [])).map(JSON.string))),
            ("sources", .array(sources.map(JSON.string))),
        ]
        if let plan {
            if let days = plan.consecutiveDays { fields.append(("consecutive_days", .string(days.rawValue))) }
            if let sessions = plan.sessionsPerWeek { fields.append(("sessions_per_week", range(sessions))) }
            if let sets = plan.weeklySets { fields.append(("weekly_sets", range(sets))) }
            if let done = plan.weekHardSets { fields.append(("week_hard_sets", .number(Double(done)))) }
            if plan.asksLoad { fields.append(("load", load(plan.load))) }
        }
        return .object(fields)
    }

    public static func load(_ load: LoadAdvice?) -> JSON {
        guard let load else { return .null }
        return .object([
            ("unit", .string(load.unit.rawValue)),
            ("min", .number(load.min)),
            ("max", .number(load.max)),
            ("reps", .number(Double(load.reps))),
            ("rir", range(load.rir)),
            ("e1rm", .number(load.e1rm)),
            ("basis", .string(load.basis)),
        ])
    }

    public static func muscleGroup(_ group: MuscleGroup?) -> JSON {
        guard let group else { return .null }
        return .object([
            ("id", .string(group.id)),
            ("name", .string(group.name)),
            ("muscles", .array(group.muscles.map(JSON.string))),
        ])
    }

    public static func loggedSet(_ set: LoggedSet?) -> JSON {
        guard let set else { return .null }
        return .object([
            ("exercise", set.exerciseID.isEmpty ? .null : .string(set.exerciseID)),
            ("load", set.load.map(JSON.number) ?? .null),
            ("unit", set.unit.map { .string($0.rawValue) } ?? .null),
            ("sets", .number(Double(set.sets))),
            ("reps", .number(Double(set.reps))),
            ("rir", set.repsInReserve.map(JSON.number) ?? .null),
            ("to_failure", .bool(set.toFailure)),
            ("e1rm", set.estimatedOneRepMax.map { .number(($0 * 10).rounded() / 10) } ?? .null),
        ])
    }

    /// `logged_sets`: one entry per group of equal sets, in the order performed.
    public static func loggedSets(_ sets: [LoggedSet]) -> JSON {
        .array(sets.map { set in
            .object([
                ("exercise", set.exerciseID.isEmpty ? .null : .string(set.exerciseID)),
                ("load", set.load.map(JSON.number) ?? .null),
                ("added_load", set.addedLoad.map(JSON.number) ?? .null),
                ("unit", .string((set.unit ?? .kilograms).rawValue)),
                ("sets", .number(Double(set.sets))),
                ("reps", .number(Double(set.reps))),
                ("rir", set.repsInReserve.map(JSON.number) ?? .null),
                ("rpe", set.effort.map(JSON.number) ?? .null),
                ("to_failure", .bool(set.toFailure)),
                ("e1rm", set.estimatedOneRepMax.map { .number(($0 * 10).rounded() / 10) } ?? .null),
            ])
        })
    }

    /// Whether a message was a set log (stored, refused or asked about): it carries `logged_sets`.
    public static func isSetLog(_ utterance: Utterance) -> Bool {
        utterance.intent == .logSet || utterance.implausibleSet != nil || utterance.intent == .clarify && utterance.logCommand == nil
    }

    /// One `spotter ask --json` answer. Fields after `reply` are additions to the contract.
    public static func ask(_ consultation: Consultation, reply: String) -> JSON {
        var fields: [(String, JSON)] = [
            // `spotter ask` keeps to its documented intents; the chat's own read as unknown there.
            ("intent", .string(consultation.utterance.intent.isChatOnly ? Intent.unknown.rawValue
                                                                         : consultation.utterance.intent.rawValue)),
            ("exercise", exercise(consultation.utterance.exercise)),
            ("profile", profile(consultation.profile.profile)),
            ("advice", advice(consultation.advice, plan: consultation.shownPlan)),
            ("reply", .string(reply)),
            ("muscle_group", muscleGroup(consultation.utterance.muscleGroup)),
        ]
        if let set = consultation.utterance.loggedSet { fields.append(("logged_set", loggedSet(set))) }
        if isSetLog(consultation.utterance) {
            // What would be stored: `spotter ask` keeps no log.
            fields.append(("logged_sets", loggedSets(consultation.utterance.intent == .logSet ? consultation.utterance.loggedSets : [])))
        }
        return .object(fields)
    }
}
