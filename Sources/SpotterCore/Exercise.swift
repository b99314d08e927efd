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
    /// The fields, shared by every copy: an exercise is copied into each understanding, set log
    /// and answer, and copying its strings and lists one by one (a retain each) was a twentieth
    /// of the time per message. A change makes a new box; catalogues change only while loading.
    private final class Box: Sendable {
        let fields: Fields
        init(_ fields: Fields) { self.fields = fields }
    }

    /// The catalogue entry's fields; its coding is the exercise's.
    private struct Fields: Sendable, Hashable, Codable {
        var id: String
        var name: String
        var aliases: [String]
        var mechanic: Mechanic?
        var equipment: Equipment
        var category: ExerciseCategory
        var primary: [String]
        var secondary: [String]
        var risk: RiskClass
    }

    private var box: Box

    private mutating func change(_ body: (inout Fields) -> Void) {
        var fields = box.fields
        body(&fields)
        box = Box(fields)
    }

    /// The stable id, kept from free-exercise-db (for example `Barbell_Squat`).
    public var id: String { get { box.fields.id } set { change { $0.id = newValue } } }
    /// The display name.
    public var name: String { get { box.fields.name } set { change { $0.name = newValue } } }
    /// The names lifters use for it ("squats", "back squat").
    public var aliases: [String] { get { box.fields.aliases } set { change { $0.aliases = newValue } } }
    /// Compound or isolation; nil only for non-lifting entries.
    public var mechanic: Mechanic? { get { box.fields.mechanic } set { change { $0.mechanic = newValue } } }
    public var equipment: Equipment { get { box.fields.equipment } set { change { $0.equipment = newValue } } }
    public var category: ExerciseCategory { get { box.fields.category } set { change { $0.category = newValue } } }
    /// Primary muscles worked (catalogue vocabulary: "quadriceps", "chest"…).
    public var primary: [String] { get { box.fields.primary } set { change { $0.primary = newValue } } }
    public var secondary: [String] { get { box.fields.secondary } set { change { $0.secondary = newValue } } }
    public var risk: RiskClass { get { box.fields.risk } set { change { $0.risk = newValue } } }

    public init(
        id: String, name: String, aliases: [String] = [], mechanic: Mechanic?, equipment: Equipment,
        category: ExerciseCategory, primary: [String] = [], secondary: [String] = [], risk: RiskClass
    ) {
        box = Box(Fields(id: id, name: name, aliases: aliases, mechanic: mechanic, equipment: equipment, category: category,
                         primary: primary, secondary: secondary, risk: risk))
    }

    public init(from decoder: any Decoder) throws { box = Box(try Fields(from: decoder)) }

    public func encode(to encoder: any Encoder) throws { try box.fields.encode(to: encoder) }

    public static func == (lhs: Exercise, rhs: Exercise) -> Bool { lhs.box === rhs.box || lhs.box.fields == rhs.box.fields }

    public func hash(into hasher: inout Hasher) { hasher.combine(box.fields) }
}
