/// Whether sets of an exercise may be taken to muscular failure.
public enum FailureVerdict: String, Sendable, Hashable, Codable, CaseIterable {
    /// Stop every set with reps in reserve.
    case avoid
    /// Only the final set may go to failure; earlier sets stop 1-2 reps short.
    case lastSet = "last_set"
    /// Failure is fine on this exercise (still bounded by the weekly cap).
    case allowed
    /// Stretching and cardio: the question does not apply.
    case notApplicable = "not_applicable"
}

/// A closed range of whole numbers, written `{"min": a, "max": b}` in JSON.
public struct IntRange: Sendable, Hashable, Codable, CustomStringConvertible {
    public var min: Int
    public var max: Int

    public init(_ min: Int, _ max: Int) {
        self.min = min
        self.max = max
    }

    public var description: String { min == max ? "\(min)" : "\(min)-\(max)" }
}

/// The advisor's answer for one exercise and one lifter.
public struct Advice: Sendable, Hashable {
    public var failure: FailureVerdict
    /// Reps to keep in reserve; nil where it does not apply (non-lifting entries).
    public var repsInReserve: IntRange?
    public var restSeconds: IntRange?
    public var recoveryHours: IntRange?
    /// Extra remarks from the rules that fired, in rule order.
    public var notes: [String]
    /// The one or two sentences of why: the reasons of the deciding rules.
    public var reasons: [String]
    /// Ids of every rule that fired, in evaluation order.
    public var rules: [String]
    /// Source ids behind those rules, deduplicated, in first-use order.
    public var sources: [String]

    public init(
        failure: FailureVerdict, repsInReserve: IntRange?, restSeconds: IntRange?, recoveryHours: IntRange?,
        notes: [String], reasons: [String], rules: [String], sources: [String]
    ) {
        self.failure = failure
        self.repsInReserve = repsInReserve
        self.restSeconds = restSeconds
        self.recoveryHours = recoveryHours
        self.notes = notes
        self.reasons = reasons
        self.rules = rules
        self.sources = sources
    }
}
