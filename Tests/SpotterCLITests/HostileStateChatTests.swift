import Foundation
import SpotterCore
import SpotterStore
import SpotterTesting
import Testing

/// Hostile state on the chat side (issue 10): ids that must not collide with another lifter's.
@Suite("Hostile state: chat ids")
struct HostileStateChatTests {
    /// One `--jsonl` input line.
    static func line(user: String, room: String? = nil, _ text: String) -> String {
        var fields: [(key: String, value: JSONValue)] = [("user", .string(user))]
        if let room { fields.append(("room", .string(room))) }
        fields.append(("text", .string(text)))
        return JSONValue.object(fields).serialized()
    }

    @Test("a NUL in a user id is refused with invalid_field: it neither reads nor deletes the victim's sets")
    func nulUserID() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let db = folder.appendingPathComponent("s.sqlite").path
        _ = try runSpotter(["chat", "--jsonl", "--db", db], stdin: Self.line(user: "victim", "bench 100kg x 5 @ rir 2") + "\n")
        let forged = "victim\u{0}attacker"
        let input = [Self.line(user: forged, "my week"), Self.line(user: forged, "forget me"), Self.line(user: forged, "yes"),
                     Self.line(user: "ok", room: "gym\u{1B}[2J", "hi"), Self.line(user: String(repeating: "a", count: 256), "hi")]
            .joined(separator: "\n") + "\n"
        let result = try runSpotter(["chat", "--jsonl", "--db", db], stdin: input)
        let lines = result.stdout.split(separator: "\n").map { try? JSONValue.parse(String($0)) }
        #expect(lines.count == 5)
        for line in lines {
            #expect(line?["error"]?["code"]?.string == "invalid_field", "\(String(describing: line))")
            #expect(line?["reply"] == nil)
        }
        #expect(lines.first??["error"]?["message"]?.string?.contains("control characters") == true)
        #expect(lines.last??["error"]?["message"]?.string?.contains("255") == true)
        let database = try SpotterDatabase(path: db)
        #expect(try database.read { try $0.sets(user: "victim", since: 0) }.count == 1, "the victim's set is still there")
        // The command line refuses such ids too.
        let export = try runSpotter(["forget", "--user", "victim\u{7}", "--db", db])
        #expect(export.status != 0)
        #expect(export.stderr.contains("control characters"))
        #expect(try database.read { try $0.sets(user: "victim", since: 0) }.count == 1)
    }

    @Test("the week's volume per muscle stays exact however many sets a lifter logged, read from hourly totals")
    func volumeWithManySets() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let database = try SpotterDatabase(path: folder.appendingPathComponent("s.sqlite").path)
        var random = SystemRandomNumberGenerator()
        let now: Timestamp = 1_795_420_800
        try database.write { session in
            for index in 0..<10_000 {
                let rir: Double? = [nil, 0, 1, 2, 3, 4, 5][index % 7]
                try session.logSet(SetRecord(
                    userID: "heavy", roomID: "direct", loggedAt: now - Double.random(in: 0..<(10 * 86400), using: &random),
                    exerciseID: "x", muscle: ["chest", "quadriceps"][index % 2], loadKilograms: 100, unit: .kilograms, reps: 5,
                    sets: 1 + index % 3, repsInReserve: rir, toFailure: index % 11 == 0, estimatedOneRepMaxKilograms: nil))
            }
        }
        try database.read { session in
            for since in [now - 7 * 86400, now - 7 * 86400 + 1234.5, now - 3600, now - 1, now - 20 * 86400, now + 10] {
                for muscle in ["chest", "quadriceps", "biceps"] {
                    let fast = try session.muscleVolume(user: "heavy", muscle: muscle, since: since)
                    let exact = try session.muscleVolumeBySets(user: "heavy", muscle: muscle, since: since)
                    #expect(fast == exact, "\(muscle) since \(since)")
                }
            }
        }
        // Forgetting the lifter removes the totals with the sets.
        try database.write { try $0.forget(user: "heavy") }
        #expect(try database.read { try $0.muscleVolume(user: "heavy", muscle: "chest", since: 0) } == (0, 0))
    }
}

@Suite("Data rights cover the whole schema")
struct DataRightsSchemaTests {
    @Test("every table that holds a user id is exported and forgotten (or tombstoned), so no new table slips past")
    func everyPersonalTableIsCovered() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("s.sqlite").path
        _ = try SpotterDatabase(path: path)
        let listing = try runCommand(URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", """
            import sqlite3, sys
            db = sqlite3.connect(sys.argv[1])
            for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
                columns = [row[1] for row in db.execute(f"PRAGMA table_info({name})")]
                for column in ("user_id", "sender", "recipient"):
                    if column in columns: print(name, column)
            """, path])
        #expect(listing.status == 0, "\(listing.stderr)")
        let personal = listing.stdout.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        #expect(personal.count >= 10, "the schema scan found the personal tables")
        let exported = Set(StoreSession.exportedTables.map { "\($0.0) \($0.1)" })
        // Derived counts need no export (the sets they count are exported); the journal and the
        // outbox name the user as sender or recipient and are tombstoned or kept while owed.
        let notExported: Set<String> = ["set_volume user_id"]
        let forgotten = Set(StoreSession.forgottenTables)
        let tombstoned: Set<String> = ["webhook_deliveries", "journal", "outbox"]
        for entry in personal where entry.count == 2 {
            let key = "\(entry[0]) \(entry[1])"
            #expect(exported.contains(key) || notExported.contains(key), "\(key) is not exported")
            if entry[1] == "user_id" {
                #expect(forgotten.contains(entry[0]) || tombstoned.contains(entry[0]), "\(entry[0]) keeps a forgotten user's rows")
            }
        }
    }
}
