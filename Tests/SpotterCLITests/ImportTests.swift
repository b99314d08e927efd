import Foundation
import SpotterApp
import SpotterCore
import SpotterStore
import SpotterTesting
import Testing

private let fixtures = ProjectFixtures.root.appendingPathComponent("Tests/Fixtures")

private func fixture(_ name: String) -> String { fixtures.appendingPathComponent(name).path }

private func exported(_ user: String, db: String) throws -> [String: Any] {
    let result = try runSpotter(["export", "--user", user, "--db", db])
    return try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
}

private func storedSets(_ user: String, db: String) throws -> [[String: Any]] {
    try exported(user, db: db)["sets"] as? [[String: Any]] ?? []
}

private func importID(_ output: String) -> String? {
    guard let range = output.range(of: #"as import (\d+)"#, options: .regularExpression) else { return nil }
    return output[range].split(separator: " ").last.map(String.init)
}

@Suite("spotter import")
struct ImportTests {
    @Test("a Strong export is previewed (workouts, sets, dates, mapping, unknown names, bad rows) and nothing is stored")
    func strongPreview() throws {
        let folder = try temporaryFolder("spotter-import")
        defer { try? FileManager.default.removeItem(at: folder) }
        let db = folder.appendingPathComponent("s.sqlite").path
        let result = try runSpotter(["import", "--user", "ida", "--from", "strong", fixture("strong.csv"), "--db", db])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("2 workouts, 7 sets, 2024-03-04 to 2024-03-06"), "\(result.stdout)")
        #expect(result.stdout.contains("Bench Press (Barbell) → Barbell Bench Press - Medium Grip (2 sets)"))
        #expect(result.stdout.contains("Not in the catalogue, not imported: Zercher Yoke Carry Thing (1 set)"))
        #expect(result.stdout.contains("Row 9 left out: reps \"five\" is not a whole number"))
        #expect(result.stdout.contains("Warm-up sets left out: 1"))
        #expect(result.stdout.contains("run again with --yes"))
        #expect(!FileManager.default.fileExists(atPath: db), "a preview stores nothing and creates no database")
    }

    @Test("--yes stores the sets as one import in the file's units, and --undo removes exactly that import")
    func importAndUndo() throws {
        let folder = try temporaryFolder("spotter-import")
        defer { try? FileManager.default.removeItem(at: folder) }
        let db = folder.appendingPathComponent("s.sqlite").path
        _ = try runSpotter(["chat", "--jsonl", "--db", db], stdin: "{\"user\": \"ida\", \"text\": \"curls 20kg x 10\"}\n")
        let strong = try runSpotter(["import", "--user", "ida", "--from", "strong", fixture("strong.csv"), "--yes", "--db", db])
        #expect(strong.status == 0, "\(strong.stderr)")
        #expect(strong.stdout.contains("Imported 7 sets from 2 workouts as import"))
        let strongID = try #require(importID(strong.stdout))
        let sets = try storedSets("ida", db: db)
        #expect(sets.count == 8)
        let squats = sets.filter { $0["exercise_id"] as? String == "Barbell_Squat" }
        #expect(squats.count == 2)
        #expect(squats.allSatisfy { $0["load_kg"] as? Double == 120 && $0["reps"] as? Double == 5 })
        #expect(squats.contains { $0["rir"] as? Double == 2 }, "RPE 8 is RIR 2")
        let pullup = try #require(sets.first { $0["exercise_id"] as? String == "Pullups" })
        #expect(pullup["load_kg"] is NSNull, "weight 0 is a bodyweight set")

        // The 12-hour time with a narrow no-break space is read: 7:30 PM is 19:30.
        let csv = try runSpotter(["export", "--user", "ida", "--format", "csv", "--db", db]).stdout
        #expect(csv.contains("2024-03-06T19:30:00Z,Barbell Squat"))
        #expect(csv.contains("import \(strongID) (strong)"))

        // The same file again: the preview warns that its sets would count twice.
        let repeated = try runSpotter(["import", "--user", "ida", "--from", "strong", fixture("strong.csv"), "--db", db])
        #expect(repeated.stdout.contains("Note: import \(strongID) of strong.csv (7 sets) is already stored"), "\(repeated.stdout)")

        let semicolon = try runSpotter(["import", "--user", "ida", "--from", "strong", fixture("strong-semicolon.csv"), "--yes",
                                        "--db", db])
        #expect(semicolon.status == 0, "\(semicolon.stderr)")
        let deadlifts = try storedSets("ida", db: db).filter { $0["logged_at"] as? Double ?? 0 < 1_600_000_000 }
        #expect(deadlifts.count == 3)
        #expect(deadlifts.allSatisfy { $0["unit"] as? String == "lb" })
        #expect(deadlifts.contains { abs(($0["load_kg"] as? Double ?? 0) - 135 * 0.45359237) < 0.001 })

        let undo = try runSpotter(["import", "--undo", strongID, "--db", db])
        #expect(undo.status == 0, "\(undo.stderr)")
        #expect(undo.stdout.contains("7 sets deleted for ida"))
        let after = try storedSets("ida", db: db)
        #expect(after.count == 4, "the chat's set and the other import stay")
        #expect(after.contains { $0["exercise_id"] as? String == "Barbell_Curl" })
        let again = try runSpotter(["import", "--undo", strongID, "--db", db])
        #expect(again.status != 0)
        #expect(again.stderr.contains("import_not_found"))
    }

    @Test("a Hevy export: warm-ups left out, failure sets kept as failure, RPE read, unknown names listed")
    func hevy() throws {
        let folder = try temporaryFolder("spotter-import")
        defer { try? FileManager.default.removeItem(at: folder) }
        let db = folder.appendingPathComponent("s.sqlite").path
        let preview = try runSpotter(["import", "--user", "jo", "--from", "hevy", fixture("hevy.csv"), "--db", db])
        #expect(preview.stdout.contains("2 workouts, 5 sets, 2025-07-26 to 2025-07-28"), "\(preview.stdout)")
        #expect(preview.stdout.contains("Not in the catalogue, not imported: Hyper Floofy Press (Machine) (1 set)"))
        #expect(preview.stdout.contains("Row 6 left out: reps \"ten\" is not a whole number"))
        let result = try runSpotter(["import", "--user", "jo", "--from", "hevy", fixture("hevy.csv"), "--yes", "--db", db])
        #expect(result.status == 0, "\(result.stderr)")
        let bench = try storedSets("jo", db: db).filter { $0["exercise_id"] as? String == "Barbell_Bench_Press_-_Medium_Grip" }
        #expect(bench.count == 2)
        #expect(bench.contains { $0["to_failure"] as? Double == 1 && $0["rir"] as? Double == 0 })
        #expect(bench.contains { $0["rir"] as? Double == 1.5 && $0["load_kg"] as? Double == 82.5 })

        let pounds = try runSpotter(["import", "--user", "jo", "--from", "hevy", fixture("hevy-lbs.csv"), "--yes", "--db", db])
        #expect(pounds.status == 0)
        #expect(try storedSets("jo", db: db).contains { $0["unit"] as? String == "lb" && $0["reps"] as? Double == 5 })
    }

    @Test("the wrong layout, a cut-off file or a missing file is refused with a clear error, and nothing is stored")
    func refusals() throws {
        let folder = try temporaryFolder("spotter-import")
        defer { try? FileManager.default.removeItem(at: folder) }
        let db = folder.appendingPathComponent("s.sqlite").path
        let wrong = try runSpotter(["import", "--user", "kim", "--from", "hevy", fixture("strong.csv"), "--yes", "--db", db])
        #expect(wrong.status != 0)
        #expect(wrong.stderr.contains("not_hevy_export"), "\(wrong.stderr)")
        let cut = folder.appendingPathComponent("cut.csv")
        try (String(contentsOfFile: fixture("hevy.csv"), encoding: .utf8) + "\"Lower A\",\"28 Jul 2025").write(
            to: cut, atomically: true, encoding: .utf8)
        let truncated = try runSpotter(["import", "--user", "kim", "--from", "hevy", cut.path, "--yes", "--db", db])
        #expect(truncated.status != 0)
        #expect(truncated.stderr.contains("malformed_csv"))
        let missing = try runSpotter(["import", "--user", "kim", "--from", "hevy", folder.appendingPathComponent("no.csv").path,
                                      "--db", db])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("file_unreadable"))
        let noUser = try runSpotter(["import", "--from", "hevy", fixture("hevy.csv"), "--db", db])
        #expect(noUser.status != 0)
        #expect(try storedSets("kim", db: db).isEmpty)
    }

    @Test("an import that fails half-way leaves nothing imported")
    func failureMidWay() throws {
        let folder = try temporaryFolder("spotter-import")
        defer { try? FileManager.default.removeItem(at: folder) }
        let database = try SpotterDatabase(path: folder.appendingPathComponent("s.sqlite").path)
        let text = try String(contentsOfFile: fixture("strong.csv"), encoding: .utf8)
        let coach = ProjectFixtures.coach
        let plan = try WorkoutImport.read(text, source: .strong, fileName: "strong.csv", unit: .kilograms,
                                          understanding: coach.understanding)
        #expect(plan.sets.count == 7)
        try database.failImportsForTests(after: 3)
        #expect(throws: StoreError.self) {
            try WorkoutImport.store(plan, user: "lee", catalogue: coach.catalogue, database: database, now: 0)
        }
        let stored = try database.read { session in try session.export(user: "lee") }
        #expect(stored.first { $0.table == "sets" }?.rows.isEmpty == true)
        #expect(stored.first { $0.table == "imports" }?.rows.isEmpty == true)
    }
}

@Suite("Import dates")
struct ImportDateTests {
    @Test("the date formats of the exports are read as UTC", arguments: [
        ("2024-03-05 18:01:12", "2024-03-05T18:01:12Z"), ("2024-03-05 6:01:12\u{202F}PM", "2024-03-05T18:01:12Z"),
        ("2024-03-05 12:01:12 AM", "2024-03-05T00:01:12Z"), ("26 Jul 2025, 07:06", "2025-07-26T07:06:00Z"),
        ("Jul 26, 2025, 7:06 AM", "2025-07-26T07:06:00Z"), ("2024-02-29T23:59:59Z", "2024-02-29T23:59:59Z"),
    ])
    func dates(_ pair: (String, String)) throws {
        let plan = try WorkoutImport.read(
            "Date,Exercise Name,Reps,Weight\n\"\(pair.0)\",Squat (Barbell),5,100\n", source: .strong, fileName: "t.csv",
            unit: .kilograms, understanding: ProjectFixtures.coach.understanding)
        let set = try #require(plan.sets.first, "\(plan.problems)")
        let formatter = ISO8601DateFormatter()
        #expect(formatter.string(from: Date(timeIntervalSince1970: set.start)) == pair.1)
    }

    @Test("dates that are not dates are listed as bad rows", arguments: ["yesterday", "2024-13-01 10:00", "2024-03-05", "31 Foo 2024, 10:00"])
    func badDates(_ text: String) throws {
        let plan = try WorkoutImport.read(
            "Date,Exercise Name,Reps,Weight\n\(text),Squat (Barbell),5,100\n", source: .strong, fileName: "t.csv",
            unit: .kilograms, understanding: ProjectFixtures.coach.understanding)
        #expect(plan.sets.isEmpty)
        #expect(plan.problems.count == 1)
    }
}
