/// How many joints an exercise works: the catalogue's `mechanic`.
public enum Mechanic: String, Sendable, Hashable, Codable, CaseIterable {
    case compound, isolation
}

/// What the exercise is done with, in the project's closed vocabulary (COACHING.md section 1).
public enum Equipment: String, Sendable, Hashable, Codable, CaseIterable {
    case barbell, dumbbell, kettlebell, machine, cable, bodyweight, band, other
}

/// The kind of training an exercise belongs to.
public enum ExerciseCategory: String, Sendable, Hashable, Codable, CaseIterable {
    case strength, powerlifting, olympic, plyometric, strongman, stretching, cardio
}

/// What happens when a rep of this exercise fails: the fact the failure rules read most.
public enum RiskClass: String, Sendable, Hashable, Codable, CaseIterable {
    /// A failed rep loads the spine while form breaks down (barbell squats, deadlifts…).
    case axial
    /// A failed rep traps the lifter under the bar (barbell bench and overhead press…).
    case pinning
    /// Speed and position are the point (olympic lifts, plyometrics, strongman).
    case technical
    /// Other free-weight or bodyweight compound lifts.
    case freeCompound = "free_compound"
    /// Compound lifts on a machine, cable or Smith machine.
    case machineCompound = "machine_compound"
    /// Single-joint work.
    case isolation
    /// Stretching and cardio: the failure question does not apply.
    case nonLifting = "non_lifting"
}

/// One entry of the exercise catalogue (`Rules/exercises.json`).
public struct Exercise: Sendable, Hashable, Codable, Identifiable {
    /// The stable id, kept from free-exercise-db (for example `Barbell_Squat`).
    public var id: String
    /// The display name.
    public var name: String
    /// The names lifters use for it ("squats", "back squat").
    public var aliases: [String]
    /// Compound or isolation; nil only for non-lifting entries.
    public var mechanic: Mechanic?
    public var equipment: Equipment
    public var category: ExerciseCategory
    /// Primary muscles worked (catalogue vocabulary: "quadriceps", "chest"…).
    public var primary: [String]
    public var secondary: [String]
    public var risk: RiskClass

    public init(
        id: String, name: String, aliases: [String] = [], mechanic: Mechanic?, equipment: Equipment,
        category: ExerciseCategory, primary: [String] = [], secondary: [String] = [], risk: RiskClass
    ) {
        self.id = id
        self.name = name
        self.aliases = aliases
        self.mechanic = mechanic
        self.equipment = equipment
        self.category = category
        self.primary = primary
        self.secondary = secondary
        self.risk = risk
    }
}
