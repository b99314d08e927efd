/// A muscle group lifters name instead of an exercise ("legs", "chest", "push muscles"),
/// mapped to the catalogue's muscle vocabulary (COACHING.md section 7).
public struct MuscleGroup: Sendable, Hashable, Codable, Identifiable {
    public var id: String
    public var name: String
    /// Catalogue muscles ("quadriceps", "lats"…), the ones the set log counts.
    public var muscles: [String]
    /// What lifters call it, lowercased ("legs", "leg day", "quads").
    public var words: [String]
    /// The group's main lifts, as answers name them.
    public var mainLifts: [String]

    public init(id: String, name: String, muscles: [String], words: [String], mainLifts: [String]) {
        self.id = id
        self.name = name
        self.muscles = muscles
        self.words = words
        self.mainLifts = mainLifts
    }

    /// The groups Spotter knows. Broad groups first so "leg day" is legs, not a single muscle.
    public static let all: [MuscleGroup] = [
        MuscleGroup(id: "legs", name: "Legs", muscles: ["quadriceps", "hamstrings", "glutes", "calves", "adductors", "abductors"],
                    words: ["legs", "leg", "leg day", "lower body", "legday"], mainLifts: ["squats", "Romanian deadlifts", "leg press"]),
        MuscleGroup(id: "quads", name: "Quads", muscles: ["quadriceps"], words: ["quads", "quad", "quadriceps", "thighs"],
                    mainLifts: ["squats", "leg press", "leg extensions"]),
        MuscleGroup(id: "hamstrings", name: "Hamstrings", muscles: ["hamstrings"], words: ["hamstrings", "hamstring", "hammies", "hams"],
                    mainLifts: ["Romanian deadlifts", "leg curls"]),
        MuscleGroup(id: "glutes", name: "Glutes", muscles: ["glutes"], words: ["glutes", "glute", "butt", "booty", "bum"],
                    mainLifts: ["hip thrusts", "squats"]),
        MuscleGroup(id: "calves", name: "Calves", muscles: ["calves"], words: ["calves", "calf"], mainLifts: ["standing calf raises"]),
        MuscleGroup(id: "chest", name: "Chest", muscles: ["chest"], words: ["chest", "pecs", "pec", "chest day"],
                    mainLifts: ["bench press", "dumbbell bench press"]),
        MuscleGroup(id: "back", name: "Back", muscles: ["lats", "middle back", "lower back", "traps"],
                    words: ["back", "back day", "upper back"], mainLifts: ["barbell rows", "pull-ups", "lat pulldowns"]),
        MuscleGroup(id: "lats", name: "Lats", muscles: ["lats"], words: ["lats", "lat"], mainLifts: ["pull-ups", "lat pulldowns"]),
        MuscleGroup(id: "shoulders", name: "Shoulders", muscles: ["shoulders"],
                    words: ["shoulders", "shoulder", "delts", "delt", "deltoids", "shoulder day"],
                    mainLifts: ["overhead press", "lateral raises"]),
        MuscleGroup(id: "arms", name: "Arms", muscles: ["biceps", "triceps", "forearms"], words: ["arms", "arm", "arm day", "guns"],
                    mainLifts: ["curls", "triceps pushdowns"]),
        MuscleGroup(id: "biceps", name: "Biceps", muscles: ["biceps"], words: ["biceps", "bicep", "bis"], mainLifts: ["curls"]),
        MuscleGroup(id: "triceps", name: "Triceps", muscles: ["triceps"], words: ["triceps", "tricep", "tris"],
                    mainLifts: ["triceps pushdowns", "dips"]),
        MuscleGroup(id: "forearms", name: "Forearms", muscles: ["forearms"], words: ["forearms", "forearm"], mainLifts: ["wrist curls"]),
        MuscleGroup(id: "core", name: "Core", muscles: ["abdominals"], words: ["core", "abs", "ab", "abdominals", "stomach", "six pack", "obliques"],
                    mainLifts: ["planks", "hanging leg raises"]),
        MuscleGroup(id: "traps", name: "Traps", muscles: ["traps"], words: ["traps", "trap"], mainLifts: ["shrugs"]),
        MuscleGroup(id: "push", name: "Push muscles", muscles: ["chest", "shoulders", "triceps"],
                    words: ["push muscles", "push day", "pushing muscles"], mainLifts: ["bench press", "overhead press"]),
        MuscleGroup(id: "pull", name: "Pull muscles", muscles: ["lats", "middle back", "biceps", "traps"],
                    words: ["pull muscles", "pull day", "pulling muscles"], mainLifts: ["pull-ups", "barbell rows"]),
        MuscleGroup(id: "upper_body", name: "Upper body", muscles: ["chest", "lats", "middle back", "shoulders", "biceps", "triceps"],
                    words: ["upper body"], mainLifts: ["bench press", "pull-ups"]),
        MuscleGroup(id: "full_body", name: "Full body", muscles: ["quadriceps", "hamstrings", "glutes", "chest", "lats", "middle back", "shoulders"],
                    words: ["full body", "whole body", "full-body", "fullbody", "total body"], mainLifts: ["squats", "bench press"]),
    ]

    public static func group(_ id: String) -> MuscleGroup? { all.first { $0.id == id } }
}

/// What a message is when it is not a training question at all (COACHING.md section 9).
public enum ScopeTopic: String, Sendable, Hashable, Codable, CaseIterable {
    /// Chest pain, fainting, arm tingling…: stop and get urgent medical help.
    case urgent
    /// A sudden pop with swelling, a joint giving way: stop, see a professional.
    case acuteInjury = "acute_injury"
    /// Treating or diagnosing an injury, rehab.
    case injury
    case illness
    case medication
    case diet
    case supplement

    public var isRedFlag: Bool { self == .urgent || self == .acuteInjury }
}

/// Whether the same muscle can be trained hard again the next day.
public enum ConsecutiveDays: String, Sendable, Hashable, Codable, CaseIterable {
    case yes
    /// Only a light session (RIR 3+, few sets).
    case lightOnly = "light_only"
    case no
}

/// A set the lifter states as a reference for choosing a load: "my best is 100x5",
/// "I did 80 for 10 last week at RPE 8".
public struct ReferenceSet: Sendable, Hashable, Codable {
    public var load: Double
    public var unit: LoadUnit
    public var reps: Int
    /// Reps in reserve; a stated "best" without one counts as 0 (COACHING.md section 8).
    public var rir: Double

    public init(load: Double, unit: LoadUnit, reps: Int, rir: Double) {
        self.load = load
        self.unit = unit
        self.reps = reps
        self.rir = rir
    }

    /// Epley with reps in reserve: load × (1 + (reps + RIR)/30); nil past 12 reps + RIR.
    public var estimatedOneRepMax: Double? {
        let total = Double(reps) + rir
        guard load > 0, total <= 12 else { return nil }
        return load * (1 + total / 30)
    }
}

/// What the lifter wants to do: "3x8 at RIR 2", "sets of 5".
public struct TargetSet: Sendable, Hashable {
    public var reps: Int?
    public var sets: Int?
    public var rir: IntRange?

    public init(reps: Int? = nil, sets: Int? = nil, rir: IntRange? = nil) {
        self.reps = reps
        self.sets = sets
        self.rir = rir
    }
}

/// A load range for a target (COACHING.md section 8).
public struct LoadAdvice: Sendable, Hashable {
    public var unit: LoadUnit
    public var min: Double
    public var max: Double
    public var reps: Int
    public var rir: IntRange
    public var e1rm: Double
    /// "stated" (from the message) or "logged" (from the set log).
    public var basis: String

    public init(unit: LoadUnit, min: Double, max: Double, reps: Int, rir: IntRange, e1rm: Double, basis: String) {
        self.unit = unit
        self.min = min
        self.max = max
        self.reps = reps
        self.rir = rir
        self.e1rm = e1rm
        self.basis = basis
    }
}

/// The answer to a muscle, schedule, week or load question, beside (or instead of) the
/// exercise advice.
public struct PlanAdvice: Sendable, Hashable {
    public var consecutiveDays: ConsecutiveDays?
    public var sessionsPerWeek: IntRange?
    public var weeklySets: IntRange?
    /// Hours before the muscle is ready for another hard session.
    public var recoveryHours: IntRange?
    /// Present (possibly nil) for a load question.
    public var load: LoadAdvice?
    public var asksLoad: Bool
    /// Hard sets for the group's muscles in the last 7 days, from the lifter's log (chat only).
    public var weekHardSets: Int?
    public var notes: [String]
    /// The reasons of the deciding rules, in order.
    public var reasons: [String]
    public var rules: [String]
    /// Sources of the deciding rules first, then the others.
    public var sources: [String]

    public init(
        consecutiveDays: ConsecutiveDays? = nil, sessionsPerWeek: IntRange? = nil, weeklySets: IntRange? = nil,
        recoveryHours: IntRange? = nil, load: LoadAdvice? = nil, asksLoad: Bool = false, notes: [String] = [],
        reasons: [String] = [], rules: [String] = [], sources: [String] = []
    ) {
        self.consecutiveDays = consecutiveDays
        self.sessionsPerWeek = sessionsPerWeek
        self.weeklySets = weeklySets
        self.recoveryHours = recoveryHours
        self.load = load
        self.asksLoad = asksLoad
        self.notes = notes
        self.reasons = reasons
        self.rules = rules
        self.sources = sources
    }
}
