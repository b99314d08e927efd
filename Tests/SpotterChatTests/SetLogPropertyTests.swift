import Foundation
import SpotterApp
import SpotterCore
import SpotterStore
import SpotterTesting
import Testing


/// Set-log messages built from the pieces lifters (and fuzzers) type: exercises, plain, huge,
/// negative, scientific and comma numbers, units, separators, effort marks, plates and words.
private func message(_ rng: inout SeededGenerator) -> String {
    let pieces = [
        "bench", "squat", "deadlift", "ohp", "pullups", "dips", "incline db press", "leg press", "curls", "then", "and", ",",
        "x", "×", "@", "@8", "rpe", "rir", "kg", "lb", "lbs", "s", "+", "-", "for", "reps", "sets of", "sets", "to failure",
        "bodyweight", "plates", "/", "5, 5, 4", "10/8/6", "3x10", "5x5", "1e400", "5e3", "1,500", "-20", "0", "1", "3", "5",
        "8", "10", "12", "60", "100", "140", "315", "2500", "99999999999999999999", "1000000", "7.5", "11", "a billion",
    ]
    let count = Int.random(in: 2...9, using: &rng)
    return (0..<count).map { _ in pieces.randomElement(using: &rng)! }.joined(separator: Bool.random(using: &rng) ? " " : "")
}

@Suite("Set log properties")
struct SetLogPropertyTests {
    let runtime: ChatRuntime
    let folder: URL

    init() throws {
        folder = try temporaryFolder("spotter-setlog")
        let database = try SpotterDatabase(path: folder.appendingPathComponent("s.sqlite").path)
        runtime = ChatRuntime(coach: ProjectFixtures.coach, database: database, settings: CoachingSettings().dialog,
                              clock: { 1_795_420_800 })
    }

    func rows(_ user: String) throws -> [SetRecord] {
        try runtime.database.read { try $0.sets(user: user, since: 0) }
    }

    @Test("no message stores a set with impossible values", arguments: 0..<4)
    func nothingImpossible(seed: UInt64) throws {
        var rng = SeededGenerator(seed: seed + 1)
        let user = "lifter\(seed)"
        _ = try runtime.handle(IncomingMessage(user: user, text: "skip"))
        for _ in 0..<150 {
            let text = message(&rng)
            let reply = try runtime.handle(IncomingMessage(user: user, text: text))
            // Answer a held-back log the way a lifter might.
            if reply.intent == .clarify, Bool.random(using: &rng) {
                _ = try runtime.handle(IncomingMessage(user: user, text: ["kg", "lb", "yes"].randomElement(using: &rng)!))
            }
            for row in try rows(user) {
                let here = "seed \(seed), after \"\(text)\": \(row)"
                #expect((1...LoggedSet.maxReps).contains(row.reps), "\(here)")
                #expect((1...LoggedSet.maxSets).contains(row.sets), "\(here)")
                #expect(row.loadKilograms.map { $0 >= 0 && $0 <= LoggedSet.maxLoad } ?? true, "\(here)")
                #expect(row.addedLoadKilograms.map { $0 >= 0 && $0 <= LoggedSet.maxLoad } ?? true, "\(here)")
                #expect(row.repsInReserve.map { (0...10).contains($0) } ?? true, "\(here)")
                #expect(row.rpe.map { (1...10).contains($0) } ?? true, "\(here)")
                #expect(!(row.loadKilograms != nil && row.addedLoadKilograms != nil), "\(here)")
            }
            #expect(reply.loggedSets == nil || reply.intent == .logSet || reply.loggedSets == [], "only a stored log lists sets")
        }
    }

    @Test("undo after any logged message restores the log exactly", arguments: 0..<4)
    func undoRestores(seed: UInt64) throws {
        var rng = SeededGenerator(seed: seed + 100)
        let user = "undoer\(seed)"
        _ = try runtime.handle(IncomingMessage(user: user, text: "skip"))
        _ = try runtime.handle(IncomingMessage(user: user, text: "squat 140kg 3x5"))
        var checked = 0
        for _ in 0..<200 {
            let before = try rows(user)
            let text = message(&rng)
            let reply = try runtime.handle(IncomingMessage(user: user, text: text))
            guard reply.intent == .logSet else {
                if reply.intent == .clarify { _ = try runtime.handle(IncomingMessage(user: user, text: "no")) }
                continue
            }
            #expect(try rows(user).count > before.count, "seed \(seed): \"\(text)\" was logged")
            let undo = try runtime.handle(IncomingMessage(user: user, text: "undo"))
            #expect(undo.intent == .undo)
            #expect(try rows(user) == before, "seed \(seed): undo after \"\(text)\" → \(undo.reply)")
            checked += 1
        }
        #expect(checked >= 5, "seed \(seed): enough messages were logged to check")
    }

    @Test("the issue's table is read as lifters mean it, in the chat's logged_sets")
    func issueTable() throws {
        let user = "table"
        _ = try runtime.handle(IncomingMessage(user: user, text: "skip"))
        let ohp = try runtime.handle(IncomingMessage(user: user, text: "ohp 60 x 5, 5, 4"))
        #expect(ohp.loggedSets?.map { [$0.sets, $0.reps] } == [[2, 5], [1, 4]])
        #expect(ohp.reply.hasPrefix("Logged: Standing Military Press, 3 sets: 5, 5, 4 reps at 60 kg."))
        let dumbbells = try runtime.handle(IncomingMessage(user: user, text: "incline db press 30s x 10 x 3 @8"))
        #expect(dumbbells.loggedSets?.first.map { [$0.load, Double($0.sets), Double($0.reps), $0.rpe] } == [30, 3, 10, 8])
        let refused = try runtime.handle(IncomingMessage(user: user, text: "squat 100kg x 5 @ rpe 11"))
        #expect(refused.loggedSets == [])
        #expect(refused.reply.contains("RPE 11"))
        _ = try runtime.handle(IncomingMessage(user: user, text: "squat 140kg x 5"))
        let confirm = try runtime.handle(IncomingMessage(user: user, text: "squats 315 for 3"))
        #expect(confirm.intent == .clarify && confirm.loggedSets == [])
        #expect(try rows(user).contains { $0.reps == 3 } == false, "315 is not stored before it is confirmed")
        let undo = try runtime.handle(IncomingMessage(user: user, text: "undo that last set"))
        #expect(undo.intent == .undo)
        #expect(undo.reply.contains("nothing was stored"), "undo after a question drops the question: \(undo.reply)")
        #expect(try rows(user).count == 4, "the rows before the question (2 + 1 + 1) are kept")
    }
}

@Suite("Set log migration")
struct SetLogMigrationTests {
    @Test("sets stored before the set-log migration are kept, each its own entry: undo removes only the newest")
    func olderDatabase() throws {
        let folder = try temporaryFolder("spotter-migrate")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("s.sqlite").path
        try SpotterDatabase.createForTests(path: path, migratedUpTo: "v4-groups", sql: """
            INSERT INTO profiles (user_id, updated_at) VALUES ('old', 1);
            INSERT INTO sets (user_id, room_id, logged_at, exercise_id, muscle, load_kg, unit, reps, sets, rir, to_failure, e1rm_kg)
            VALUES ('old', 'direct', 1795420000, 'Barbell_Squat', 'quadriceps', 140, 'kg', 5, 3, 2, 0, 172.7),
                   ('old', 'direct', 1795420100, 'Barbell_Squat', 'quadriceps', 150, 'kg', 3, 1, 1, 0, 170),
                   ('old', 'direct', 1795420200, 'Barbell_Bench_Press_-_Medium_Grip', 'chest', 100, 'kg', 5, 1, NULL, 0, NULL);
            """)
        let database = try SpotterDatabase(path: path)
        let runtime = ChatRuntime(coach: ProjectFixtures.coach, database: database, settings: CoachingSettings().dialog,
                                  clock: { 1_795_420_800 })
        #expect(try database.read { try $0.sets(user: "old", since: 0) }.count == 3, "nothing stored is lost")
        let undo = try runtime.handle(IncomingMessage(user: "old", text: "undo"))
        #expect(undo.reply.contains("Barbell Bench Press"))
        let left = try database.read { try $0.sets(user: "old", since: 0) }
        #expect(left.map(\.loadKilograms) == [150, 140])
        // The older rows still count as bests.
        let best = try runtime.handle(IncomingMessage(user: "old", text: "squat 155kg x 3"))
        #expect(best.reply.contains("New best: Barbell Squat 155 kg for 3 reps"), "\(best.reply)")
    }
}
