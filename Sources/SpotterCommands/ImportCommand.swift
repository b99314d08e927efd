import ArgumentParser
import Foundation
import SpotterApp
import SpotterCore
import SpotterStore

public enum ImportFrom: String, ChoiceArgument {
    case strong, hevy
}

public enum ImportUnit: String, ChoiceArgument {
    case kg, lb
}

/// `spotter import`: sets from a Strong or Hevy CSV export. Previews unless `--yes`; stores in one
/// transaction; `--undo ID` removes an import.
public struct Import: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import sets from a Strong or Hevy CSV export (a preview unless --yes), or undo an import.",
        usage: "spotter import --user ID --from strong|hevy FILE [--yes] [--unit kg|lb]\n       spotter import --undo ID")

    @Option(help: "The user id the sets belong to.")
    var user: String?

    @Option(help: "strong or hevy: the app that wrote the file.")
    var from: ImportFrom?

    @Argument(help: "The CSV file.")
    var file: String?

    @Flag(help: "Import (without it, only the preview is shown).")
    var yes = false

    @Option(help: "The weight unit when the file does not say (Strong's current export): kg or lb (default: kg).")
    var unit: ImportUnit = .kg

    @Option(help: "Remove the import with this id (printed when it was made) and every set it stored.")
    var undo: Int64?

    @Option(help: "The SQLite database.")
    var db: String?

    public init() {}

    public func validate() throws {
        if undo != nil {
            guard from == nil, file == nil, !yes else { throw ValidationError("--undo takes only the import id (and --user, --db).") }
            return
        }
        guard user != nil else { throw ValidationError("--user is required: whose sets are these?") }
        guard from != nil else { throw ValidationError("--from strong or --from hevy is required: which app wrote the file?") }
        guard file != nil else { throw ValidationError("the CSV file to import is required.") }
    }

    public func run() throws {
        let settings = try loadSettings()
        // A preview reads the database only to warn of an earlier import, so it needs none; --yes
        // stores the lifter's history and creates one like `chat` does; --undo needs one.
        let path = DatabaseLocation.resolve(flag: db, settings: settings)
        let database: SpotterDatabase? = undo == nil && !yes && !FileManager.default.fileExists(atPath: path)
            ? nil : try openDatabase(db, settings: settings, create: yes)
        if let undo, let database { return try undoImport(undo, database: database) }
        guard let user, let from, let file else { return }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: file))
        } catch {
            throw fail("file_unreadable", "\(file): cannot read the file (\(error.localizedDescription)).")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw fail("invalid_utf8", "\(file): the file is not UTF-8 text; export it again from the app.")
        }
        let coach = try loadCoach(nil, settings: settings)
        let plan: WorkoutImport.Plan
        do {
            plan = try WorkoutImport.read(text, source: from == .strong ? .strong : .hevy,
                                          fileName: (file as NSString).lastPathComponent,
                                          unit: unit == .kg ? .kilograms : .pounds, understanding: coach.understanding)
        } catch {
            throw fail(error.code, error.message)
        }
        print(plan.preview)
        let earlier = try database?.read {
            try $0.earlierImports(user: user, source: plan.source.rawValue, fileName: plan.fileName)
        } ?? []
        for previous in earlier {
            print("  Note: import \(previous.id) of \(plan.fileName) (\(previous.sets) sets) is already stored; importing it again "
                + "counts those sets twice. Undo it first with: spotter import --undo \(previous.id)")
        }
        guard yes else {
            print("Nothing imported yet: run again with --yes to import \(plan.sets.count) set\(plan.sets.count == 1 ? "" : "s").")
            return
        }
        guard !plan.sets.isEmpty else { throw fail("nothing_to_import", "\(file): no sets to import, so nothing was stored.") }
        guard let database else { return }
        let id: Int64
        do {
            id = try WorkoutImport.store(plan, user: user, catalogue: coach.catalogue, database: database,
                                         now: Date().timeIntervalSince1970)
        } catch {
            throw fail(error.code, "\(error) Nothing was imported.", status: 3)
        }
        print("Imported \(plan.sets.count) set\(plan.sets.count == 1 ? "" : "s") from \(plan.workouts) workout\(plan.workouts == 1 ? "" : "s") "
            + "as import \(id). Undo it with: spotter import --undo \(id)")
    }

    func undoImport(_ id: Int64, database: SpotterDatabase) throws {
        let record = try database.read { try $0.importRecord(id: id) }
        guard let record else { throw fail("import_not_found", "There is no import \(id); nothing was changed.") }
        if let user, user != record.user {
            throw fail("import_not_yours", "Import \(id) belongs to another user, not \(user); nothing was changed.")
        }
        try database.write { try $0.undoImport(id: id) }
        print("Removed import \(id) (\(record.source), \(record.fileName)): \(record.sets) set\(record.sets == 1 ? "" : "s") deleted for \(record.user).")
    }

    /// Prints `spotter: code: message` to stderr and exits non-zero.
    /// Says why the import stopped and gives the exit status to throw: thrown rather than
    /// exiting on the spot, so what the command holds is released as it returns.
    func fail(_ code: String, _ message: String, status: Int32 = 1) -> ExitCode {
        FileHandle.standardError.write(Data("spotter: \(code): \(message)\n".utf8))
        return ExitCode(status)
    }
}
