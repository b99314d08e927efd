import Foundation

/// The project's exercise catalogue, as generated into `Rules/exercises.json` by
/// `scripts/build_catalogue.py`.
public struct ExerciseCatalogue: Sendable {
    public let exercises: [Exercise]
    private let byID: [String: Int]

    public init(exercises: [Exercise]) {
        self.exercises = exercises
        var index: [String: Int] = [:]
        for (position, exercise) in exercises.enumerated() { index[exercise.id] = position }
        self.byID = index
    }

    /// Decodes the generated JSON file.
    public init(json data: Data) throws(CatalogueError) {
        struct File: Decodable { var exercises: [Exercise] }
        do {
            self.init(exercises: try JSONDecoder().decode(File.self, from: data).exercises)
        } catch let DecodingError.dataCorrupted(context) {
            throw CatalogueError(reason: "not valid JSON (\(context.debugDescription))")
        } catch let DecodingError.keyNotFound(key, context) {
            throw CatalogueError(reason: "missing field '\(key.stringValue)' at \(Self.path(context.codingPath))")
        } catch let DecodingError.typeMismatch(_, context) {
            throw CatalogueError(reason: "wrong type at \(Self.path(context.codingPath)): \(context.debugDescription)")
        } catch let DecodingError.valueNotFound(_, context) {
            throw CatalogueError(reason: "missing value at \(Self.path(context.codingPath))")
        } catch {
            throw CatalogueError(reason: "\(error)")
        }
    }

    public subscript(id: String) -> Exercise? {
        byID[id].map { exercises[$0] }
    }

    private static func path(_ codingPath: [any CodingKey]) -> String {
        codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
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
