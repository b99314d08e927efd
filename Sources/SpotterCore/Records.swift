/// Seconds since 1970-01-01 UTC. The core takes time as a value from an injected clock.
public typealias Timestamp = Double

/// What a lifter told Spotter about themselves; nil where they have not said (defaults apply).
public struct LifterProfile: Sendable, Hashable, Codable {
    public var experience: Experience?
    public var goal: TrainingGoal?
    public var spotter: Bool?

    public init(experience: Experience? = nil, goal: TrainingGoal? = nil, spotter: Bool? = nil) {
        self.experience = experience
        self.goal = goal
        self.spotter = spotter
    }

    /// The profile the advisor reads: stated values, defaults for the rest, with their origins.
    public var resolved: ResolvedProfile {
        var result = ResolvedProfile(profile: .assumed)
        if let experience { result.profile.experience = experience; result.experienceOrigin = .profile }
        if let goal { result.profile.goal = goal; result.goalOrigin = .profile }
        if let spotter { result.profile.spotter = spotter; result.spotterOrigin = .profile }
        return result
    }

    /// This profile with what a message said filled in.
    public func updated(with hints: ProfileHints) -> LifterProfile {
        LifterProfile(experience: hints.experience ?? experience, goal: hints.goal ?? goal, spotter: hints.spotter ?? spotter)
    }

    public var isComplete: Bool { experience != nil && goal != nil && spotter != nil }
}

/// A completed daily check-in.
public struct CheckInRecord: Sendable, Hashable, Codable {
    public var userID: String
    public var roomID: String
    public var completedAt: Timestamp
    public var answers: CheckInAnswers
    public var readiness: Readiness

    public init(
        userID: String, roomID: String, completedAt: Timestamp, answers: CheckInAnswers, readiness: Readiness, localDay: String? = nil
    ) {
        self.userID = userID
        self.roomID = roomID
        self.completedAt = completedAt
        self.answers = answers
        self.readiness = readiness
        self.localDay = localDay
    }

    /// The lifter's local calendar day when it was completed (their time zone), when known.
    public var localDay: String?

    /// The calendar day ("2026-11-23") the check-in belongs to: one check-in per user per day.
    /// The lifter's local day when their time zone was known, else the UTC day.
    public var day: String { localDay ?? Self.day(of: completedAt) }

    /// The calendar day of a time `utcOffset` seconds east of UTC, as "YYYY-MM-DD" (with no
    /// offset, the same text SQLite's `date(t, 'unixepoch')` gives).
    public static func day(of time: Timestamp, utcOffset: Int = 0) -> String {
        let time = time + Double(utcOffset)
        guard time.isFinite, abs(time) < 1e14 else { return "0000-00-00" }
        // Civil date from days since 1970-01-01 (H. Hinnant's algorithm), so the core needs no calendar.
        let days = Int((time / 86400).rounded(.down)) + 719_468
        let era = (days >= 0 ? days : days - 146_096) / 146_097
        let dayOfEra = days - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        func pad(_ value: Int, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }
}

/// A logged set (or several identical sets: "5x5" is one record with `sets` 5).
public struct SetRecord: Sendable, Hashable, Codable {
    public var userID: String
    public var roomID: String
    public var loggedAt: Timestamp
    public var exerciseID: String
    /// The exercise's first primary muscle, for weekly volume and the failure cap.
    public var muscle: String
    public var loadKilograms: Double?
    public var unit: LoadUnit?
    public var reps: Int
    public var sets: Int
    public var repsInReserve: Double?
    public var toFailure: Bool
    public var estimatedOneRepMaxKilograms: Double?
    /// The store's row id (nil until stored).
    public var id: Int64?
    /// The log entry the row belongs to: every group of sets one message logged shares it, so
    /// "undo" removes the whole message. nil on a new record: the message's own entry.
    public var entry: Int64?
    /// RPE as the lifter said it (RIR is `repsInReserve`).
    public var rpe: Double?
    /// Load added to bodyweight ("dips +10 kg"); `loadKilograms` is nil then.
    public var addedLoadKilograms: Double?
    /// The unit was written with the number (not taken from the lifter's preference).
    public var unitStated: Bool

    public init(
        userID: String, roomID: String, loggedAt: Timestamp, exerciseID: String, muscle: String, loadKilograms: Double?,
        unit: LoadUnit?, reps: Int, sets: Int, repsInReserve: Double?, toFailure: Bool, estimatedOneRepMaxKilograms: Double?,
        id: Int64? = nil, entry: Int64? = nil, rpe: Double? = nil, addedLoadKilograms: Double? = nil, unitStated: Bool = true
    ) {
        self.id = id
        self.entry = entry
        self.rpe = rpe
        self.addedLoadKilograms = addedLoadKilograms
        self.unitStated = unitStated
        self.userID = userID
        self.roomID = roomID
        self.loggedAt = loggedAt
        self.exerciseID = exerciseID
        self.muscle = muscle
        self.loadKilograms = loadKilograms
        self.unit = unit
        self.reps = reps
        self.sets = sets
        self.repsInReserve = repsInReserve
        self.toFailure = toFailure
        self.estimatedOneRepMaxKilograms = estimatedOneRepMaxKilograms
    }

    /// A hard set ends 3 or fewer reps short of failure (COACHING.md section 6); a set logged
    /// without RIR or RPE counts as hard, as most logged working sets are.
    public var isHard: Bool { (repsInReserve ?? 0) <= 3 }

    /// Taken to failure: said so, or RIR 0.
    public var isFailure: Bool { toFailure || repsInReserve == 0 }

    /// The set as the lifter logged it, in the unit they logged it in.
    public var logged: LoggedSet {
        let unit = unit ?? .kilograms
        func shown(_ kilograms: Double?) -> Double? {
            kilograms.map { unit == .kilograms ? $0 : (($0 / unit.kilograms) * 100).rounded() / 100 }
        }
        let rir = rpe == nil && !toFailure ? repsInReserve : nil
        return LoggedSet(exerciseID: exerciseID, load: shown(loadKilograms), unit: unit, reps: reps, sets: sets, rir: rir, rpe: rpe,
                         toFailure: toFailure, addedLoad: shown(addedLoadKilograms), unitStated: unitStated)
    }
}
