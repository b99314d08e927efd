/// The project's exercise catalogue, as generated into `Rules/exercises.json` by
/// `scripts/build_catalogue.py`.
public struct ExerciseCatalogue: Sendable {
    public let exercises: [Exercise]
    private let byID: WordTable<Int>

    public init(exercises: [Exercise]) {
        self.exercises = exercises
        var index = WordTable<Int>(minimumCapacity: exercises.count)
        for (position, exercise) in exercises.enumerated() { index.updateValue(position, forKey: exercise.id) }
        self.byID = index
    }

    /// Decodes the generated JSON file (`{"exercises": [...]}`), naming the first bad entry.
    public init(json data: some Collection<UInt8>) throws(CatalogueError) {
        let root: JSONValue
        do {
            root = try JSONValue.parse(data)
        } catch {
            throw CatalogueError(reason: "not valid JSON (\(error))")
        }
        guard let entries = root["exercises"]?.array else {
            throw CatalogueError(reason: "missing the `exercises` list")
        }
        var exercises: [Exercise] = []
        exercises.reserveCapacity(entries.count)
        for (index, entry) in entries.enumerated() {
            func field(_ name: String) throws(CatalogueError) -> String {
                guard let value = entry[name]?.string, !value.isEmpty else {
                    throw CatalogueError(reason: "exercises[\(index)]: missing or empty `\(name)`")
                }
                return value
            }
            func list(_ name: String) throws(CatalogueError) -> [String] {
                guard let values = entry[name]?.array else {
                    throw CatalogueError(reason: "exercises[\(index)]: `\(name)` must be a list")
                }
                return values.compactMap(\.string)
            }
            func choice<T: RawRepresentable>(_ name: String, _: T.Type) throws(CatalogueError) -> T where T.RawValue == String {
                let raw = try field(name)
                guard let value = T(rawValue: raw) else {
                    throw CatalogueError(reason: "exercises[\(index)]: unknown \(name) '\(raw)'")
                }
                return value
            }
            let id = try field("id")
            var mechanic: Mechanic?
            if let raw = entry["mechanic"], !raw.isNull {
                guard let value = raw.string.flatMap(Mechanic.init(rawValue:)) else {
                    throw CatalogueError(reason: "exercises[\(index)] (\(id)): unknown mechanic")
                }
                mechanic = value
            }
            exercises.append(Exercise(
                id: id, name: try field("name"), aliases: try list("aliases"), mechanic: mechanic,
                equipment: try choice("equipment", Equipment.self), category: try choice("category", ExerciseCategory.self),
                primary: try list("primary"), secondary: try list("secondary"), risk: try choice("risk", RiskClass.self)))
        }
        self.init(exercises: exercises)
    }

    public subscript(id: String) -> Exercise? {
        byID[id].map { exercises[$0] }
    }

}

/// The catalogue file could not be read as a catalogue.
public struct CatalogueError: Error, Sendable, CustomStringConvertible {
    /// Stable code for scripts and tests.
    public let code = "catalogue_invalid"
    public let reason: String

    public init(reason: String) { self.reason = reason }

    public var description: String {
        "\(reason); regenerate it with `python3 scripts/build_catalogue.py`"
    }
}

extension ExerciseCatalogue {
    private static let mechanics = Mechanic.allCases
    private static let equipments = Equipment.allCases
    private static let categories = ExerciseCategory.allCases
    private static let risks = RiskClass.allCases

    /// Writes every exercise, in order, for a start-up snapshot.
    public func write(to writer: inout SnapshotWriter) {
        writer.int(exercises.count)
        for exercise in exercises {
            writer.string(exercise.id)
            writer.string(exercise.name)
            writer.strings(exercise.aliases)
            // Enumerations by their position among the cases: reading a name back compares it
            // with every case's name, four times for each of some 900 exercises.
            writer.int32(exercise.mechanic.map { Int32(Self.mechanics.firstIndex(of: $0)!) } ?? -1)
            writer.int32(Int32(Self.equipments.firstIndex(of: exercise.equipment)!))
            writer.int32(Int32(Self.categories.firstIndex(of: exercise.category)!))
            writer.strings(exercise.primary)
            writer.strings(exercise.secondary)
            writer.int32(Int32(Self.risks.firstIndex(of: exercise.risk)!))
        }
    }

    /// Reads what ``write(to:)`` wrote.
    public init(reading reader: inout SnapshotReader) throws(SnapshotError) {
        let count = try reader.count(elementSize: 30)
        var exercises: [Exercise] = []
        exercises.reserveCapacity(count)
        func pick<T>(_ cases: [T], _ index: Int32) throws(SnapshotError) -> T {
            guard index >= 0, Int(index) < cases.count else { throw SnapshotError("unknown \(T.self) number \(index)") }
            return cases[Int(index)]
        }
        for _ in 0..<count {
            let id = try reader.string(), name = try reader.string(), aliases = try reader.strings()
            let mechanicIndex = try reader.int32()
            let mechanic = mechanicIndex == -1 ? nil : try pick(Self.mechanics, mechanicIndex)
            let equipment = try pick(Self.equipments, try reader.int32()), category = try pick(Self.categories, try reader.int32())
            let primary = try reader.strings(), secondary = try reader.strings()
            let risk = try pick(Self.risks, try reader.int32())
            exercises.append(Exercise(id: id, name: name, aliases: aliases, mechanic: mechanic, equipment: equipment,
                                      category: category, primary: primary, secondary: secondary, risk: risk))
        }
        self.init(exercises: exercises)
    }
}
