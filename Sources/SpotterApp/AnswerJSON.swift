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

    public static func advice(_ advice: Advice?) -> JSON {
        guard let advice else { return .null }
        return .object([
            ("failure", .string(advice.failure.rawValue)),
            ("rir", range(advice.repsInReserve)),
            ("rest_seconds", range(advice.restSeconds)),
            ("recovery_hours", range(advice.recoveryHours)),
            ("notes", .array(advice.notes.map(JSON.string))),
            ("rules", .array(advice.rules.map(JSON.string))),
            ("sources", .array(advice.sources.map(JSON.string))),
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
            ("advice", advice(consultation.advice)),
            ("reply", .string(reply)),
        ]
        if let set = consultation.utterance.loggedSet { fields.append(("logged_set", loggedSet(set))) }
        if isSetLog(consultation.utterance) {
            // What would be stored: `spotter ask` keeps no log.
            fields.append(("logged_sets", loggedSets(consultation.utterance.intent == .logSet ? consultation.utterance.loggedSets : [])))
        }
        return .object(fields)
    }
}
