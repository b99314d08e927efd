/// Today's readiness to train, from the daily check-in (COACHING.md section 5).
public enum Readiness: String, Sendable, Hashable, Codable, CaseIterable {
    case green, amber, red
}

/// One question of the daily check-in, in the order they are asked.
public enum CheckInItem: String, Sendable, Hashable, Codable, CaseIterable {
    case sleep, soreness, energy, stress, motivation, pain

    /// The valid range of a 1-5 score, or of sleep hours.
    public var range: ClosedRange<Double> {
        switch self {
        case .sleep: 0...16
        case .pain: 0...1
        default: 1...5
        }
    }
}

/// The answers of a daily check-in so far.
public struct CheckInAnswers: Sendable, Hashable, Codable {
    public var sleepHours: Double?
    public var soreness: Int?
    public var energy: Int?
    public var stress: Int?
    public var motivation: Int?
    public var pain: Bool?

    public init(
        sleepHours: Double? = nil, soreness: Int? = nil, energy: Int? = nil, stress: Int? = nil,
        motivation: Int? = nil, pain: Bool? = nil
    ) {
        self.sleepHours = sleepHours
        self.soreness = soreness
        self.energy = energy
        self.stress = stress
        self.motivation = motivation
        self.pain = pain
    }

    public func has(_ item: CheckInItem) -> Bool {
        switch item {
        case .sleep: sleepHours != nil
        case .soreness: soreness != nil
        case .energy: energy != nil
        case .stress: stress != nil
        case .motivation: motivation != nil
        case .pain: pain != nil
        }
    }

    /// The items still unanswered, in asking order.
    public var missing: [CheckInItem] { CheckInItem.allCases.filter { !has($0) } }

    public var isComplete: Bool { missing.isEmpty }

    /// These answers with `other`'s filled in where `other` has them (newer answers win).
    public func merging(_ other: CheckInAnswers) -> CheckInAnswers {
        CheckInAnswers(
            sleepHours: other.sleepHours ?? sleepHours, soreness: other.soreness ?? soreness,
            energy: other.energy ?? energy, stress: other.stress ?? stress,
            motivation: other.motivation ?? motivation, pain: other.pain ?? pain)
    }

    public var isEmpty: Bool { missing.count == CheckInItem.allCases.count }
}

/// What one message said toward a check-in: valid answers, and items it tried to answer
/// with a value out of range (to be asked again with a hint).
public struct CheckInReading: Sendable, Hashable {
    public var answers: CheckInAnswers
    /// Items answered with a value outside their range, with the value as written.
    public var outOfRange: [CheckInItem: String]

    public init(answers: CheckInAnswers = CheckInAnswers(), outOfRange: [CheckInItem: String] = [:]) {
        self.answers = answers
        self.outOfRange = outOfRange
    }

    public var isEmpty: Bool { answers.isEmpty && outOfRange.isEmpty }
}
