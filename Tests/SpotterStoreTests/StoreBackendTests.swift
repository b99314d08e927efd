import Foundation
import SpotterCore
import SpotterPostgres
import SpotterStore
import SpotterTesting
import Testing

/// The store's promises, on every backend: what one session writes, the next reads back the same
/// on SQLite and on PostgreSQL.
@Suite("Store on every backend")
struct StoreBackendTests {
    static let backends = TestBackend.available

    func set(_ user: String, _ exercise: String, load: Double?, reps: Int, at time: Timestamp, rir: Double? = 2,
             toFailure: Bool = false, muscle: String = "quads", entry: Int64? = nil) -> SetRecord {
        SetRecord(userID: user, roomID: "!gym", loggedAt: time, exerciseID: exercise, muscle: muscle, loadKilograms: load,
                  unit: load == nil ? nil : .kilograms, reps: reps, sets: 1, repsInReserve: rir, toFailure: toFailure,
                  estimatedOneRepMaxKilograms: load.map { $0 * (1 + Double(reps) / 30) }, entry: entry)
    }

    @Test("a new store is created and migrated once; reopened, it keeps what was stored", arguments: backends)
    func createAndReopen(_ backend: TestBackend) throws {
        let location = try backend.newLocation()
        let first = try backend.open(location)
        #expect(first.created)
        try first.write { session in
            try session.saveConversationState(.object([("open", "checkin")]), updatedAt: 10, room: "!r", user: "@ana")
            try session.saveProfile(LifterProfile(experience: .beginner, goal: .strength, spotter: true), user: "@ana", at: 10)
        }
        let again = try backend.open(location)
        #expect(!again.created)
        try again.read { session throws in
            #expect(try session.conversationState(room: "!r", user: "@ana") == .object([("open", "checkin")]))
            #expect(try session.profile(user: "@ana") == LifterProfile(experience: .beginner, goal: .strength, spotter: true))
            #expect(try session.profile(user: "@bo") == nil)
        }
    }

    @Test("both backends know the same schema versions, in the same order")
    func sameVersions() {
        #expect(PostgresBackend.migrationIdentifiers == SpotterDatabase.migrationIdentifiers)
    }

    @Test("a store that is not there is refused when it must not be created (database_missing)", arguments: backends)
    func missing(_ backend: TestBackend) throws {
        let location = try backend.newLocation()
        #expect(throws: StoreError.self) { try backend.open(location, create: false) }
        do {
            _ = try backend.open(location, create: false)
        } catch let error as StoreError {
            #expect(error.code == "database_missing")
        }
    }

    @Test("another application's tables are refused untouched (database_not_spotter)", arguments: backends)
    func foreign(_ backend: TestBackend) throws {
        let location = try backend.newLocation()
        switch backend {
        case .sqlite: try SpotterDatabase.createForeignDatabaseForTests(path: location)
        case .postgres: try PostgresBackend.executeForTests(url: location, "CREATE TABLE invoices (id BIGINT PRIMARY KEY, total REAL)")
        }
        var code: String?
        do { _ = try backend.open(location) } catch let error as StoreError { code = error.code }
        #expect(code == "database_not_spotter")
        // Still another application's: nothing of Spotter's was added.
        #expect(throws: StoreError.self) { try backend.open(location) }
    }

    @Test("a store written by a newer Spotter is refused untouched (database_too_new)", arguments: backends)
    func newer(_ backend: TestBackend) throws {
        let location = try backend.newLocation()
        _ = try backend.open(location)
        switch backend {
        case .sqlite: try SpotterDatabase.recordMigrationForTests("v99-future", path: location)
        case .postgres: try PostgresBackend.executeForTests(url: location, "INSERT INTO spotter_migrations (identifier) VALUES ('v99-future')")
        }
        var refusal: StoreError?
        do { _ = try backend.open(location) } catch let error as StoreError { refusal = error }
        #expect(refusal?.code == "database_too_new")
        #expect(refusal?.description.contains("v99-future") == true)
    }

    @Test("a write that fails half-way stores nothing of it", arguments: backends)
    func atomic(_ backend: TestBackend) throws {
        struct Stop: Error {}
        let database = try backend.open(try backend.newLocation())
        #expect(throws: StoreError.self) {
            try database.write { session throws in
                try session.logSet(set("@ana", "squat", load: 100, reps: 5, at: 100))
                throw Stop()
            }
        }
        #expect(try database.read { try $0.sets(user: "@ana", since: 0) }.isEmpty)
        // The connection is usable after the rollback.
        _ = try database.write { session in try session.logSet(set("@ana", "squat", load: 100, reps: 5, at: 100)) }
        #expect(try database.read { try $0.sets(user: "@ana", since: 0) }.count == 1)
    }

    @Test("a second check-in the same day replaces the first, which is kept aside", arguments: backends)
    func checkInPerDay(_ backend: TestBackend) throws {
        let database = try backend.open(try backend.newLocation())
        let morning = CheckInRecord(userID: "@ana", roomID: "!r", completedAt: 1_700_000_000,
                                    answers: CheckInAnswers(sleepHours: 6.5, soreness: 2, energy: 3, stress: 2, motivation: 4, pain: false),
                                    readiness: .amber, localDay: "2023-11-14")
        var evening = morning
        evening.completedAt += 3600
        evening.answers.sleepHours = 8
        evening.readiness = .green
        try database.write { session throws in
            try session.saveCheckIn(morning)
            try session.saveCheckIn(evening)
        }
        let stored = try database.read { try $0.checkIns(user: "@ana", since: 0) }
        #expect(stored.count == 1)
        #expect(stored.first?.answers.sleepHours == 8)
        #expect(stored.first?.readiness == .green)
        #expect(stored.first?.answers.pain == false)
        let kept = try database.read { session in try session.export(user: "@ana").first { $0.table == "checkins_replaced" }?.rows.count }
        #expect(kept == 1)
    }

    @Test("sets: entries, edits, undo, bests per rep count, stated units", arguments: backends)
    func sets(_ backend: TestBackend) throws {
        let database = try backend.open(try backend.newLocation())
        let (first, second, third) = try database.write { session throws in
            let a = try session.logSet(set("@ana", "squat", load: 100, reps: 5, at: 1000))
            let b = try session.logSet(set("@ana", "squat", load: 110, reps: 5, at: 2000))
            // Two rows of one message share its entry.
            let c = try session.logSet(set("@ana", "squat", load: 110, reps: 3, at: 3000))
            try session.logSet(set("@ana", "squat", load: 90, reps: 3, at: 3000, entry: c))
            return (a, b, c)
        }
        #expect(first < second && second < third)
        let last = try database.read { try $0.lastEntry(user: "@ana") }
        #expect(last.map(\.loadKilograms) == [110, 90])
        #expect(Set(last.map(\.entry)) == [third])

        let bests = try database.read { try $0.bestSets(user: "@ana", exercises: ["squat"]) }
        // The newest with a load (90 x 3), the heaviest of each rep count (110 x 3, 110 x 5), the best e1RM (110 x 5).
        #expect(bests.count == 4)
        #expect(bests.first?.loadKilograms == 90)
        #expect(bests.contains { $0.reps == 5 && $0.loadKilograms == 110 })
        #expect(bests.contains { $0.reps == 3 && $0.loadKilograms == 110 })
        #expect(!bests.contains { $0.loadKilograms == 100 })

        var edited = try #require(try database.read { try $0.lastEntry(user: "@ana") }.first)
        edited.loadKilograms = 112.5
        try database.write { session in try session.updateSet(edited) }
        #expect(try database.read { try $0.lastEntry(user: "@ana") }.first?.loadKilograms == 112.5)
        try database.write { session in try session.deleteSets(user: "@ana", ids: try session.lastEntry(user: "@ana").compactMap(\.id)) }
        #expect(try database.read { try $0.lastEntry(user: "@ana") }.map(\.id) == [second])
        #expect(try database.read { try $0.statedUnits(user: "@ana") } == [.kilograms])
        #expect(try database.read { try $0.sets(user: "@ana", exercises: ["squat", "bench"]) }.count == 2)
    }

    @Test("weekly volume by hours equals the count from every set, through logs, edits and deletes", arguments: backends)
    func volume(_ backend: TestBackend) throws {
        let database = try backend.open(try backend.newLocation())
        let since: Timestamp = 1_700_000_000 - 7 * 86_400 + 1234.5
        try database.write { session throws in
            for index in 0..<40 {
                let time = since - 7200 + Double(index) * 5000
                try session.logSet(set("@ana", "squat", load: 100, reps: 5, at: time, rir: Double(index % 5), toFailure: index % 7 == 0))
            }
            // Before 1970: the hour rounds down on both backends.
            try session.logSet(set("@ana", "squat", load: 80, reps: 5, at: -5400, rir: 1))
        }
        func agree() throws {
            for start in [since, since - 3600, -7200.0, 0] {
                let (fast, slow) = try database.read { session throws in
                    (try session.muscleVolume(user: "@ana", muscle: "quads", since: start),
                     try session.muscleVolumeBySets(user: "@ana", muscle: "quads", since: start))
                }
                #expect(fast == slow, "since \(start)")
            }
        }
        try agree()
        #expect(try database.read { try $0.muscleVolumeBySets(user: "@ana", muscle: "quads", since: since) }.hard > 0)
        try database.write { session throws in
            var changed = try #require(try session.sets(user: "@ana", since: 0).first)
            changed.repsInReserve = 0
            try session.updateSet(changed)
            try session.deleteSets(user: "@ana", ids: try session.sets(user: "@ana", since: 0).suffix(3).compactMap(\.id))
        }
        try agree()
    }

    @Test("an import is stored whole or not at all, and undone whole", arguments: backends)
    func imports(_ backend: TestBackend) throws {
        let database = try backend.open(try backend.newLocation())
        let id = try database.write { session throws in
            let id = try session.beginImport(user: "@ana", source: "strong", fileName: "a.csv", at: 50, workouts: 1, sets: 2)
            try session.logImportedSet(set("@ana", "squat", load: 100, reps: 5, at: 10), importID: id)
            try session.logImportedSet(set("@ana", "squat", load: 105, reps: 5, at: 20), importID: id)
            return id
        }
        let record = try database.read { try $0.importRecord(id: id) }
        #expect(record?.sets == 2)
        #expect(record?.source == "strong")
        #expect(try database.read { try $0.earlierImports(user: "@ana", source: "strong", fileName: "a.csv") }.map(\.sets) == [2])
        #expect(try database.read { try $0.setLog(user: "@ana") }.allSatisfy { $0.importID == id && $0.source == "strong" })

        try database.failImportsForTests(after: 1)
        #expect(throws: StoreError.self) {
            try database.write { session throws in
                let second = try session.beginImport(user: "@ana", source: "hevy", fileName: "b.csv", at: 60, workouts: 1, sets: 2)
                try session.logImportedSet(set("@ana", "bench", load: 60, reps: 5, at: 30), importID: second)
                try session.logImportedSet(set("@ana", "bench", load: 62, reps: 5, at: 40), importID: second)
            }
        }
        #expect(try database.read { try $0.setLog(user: "@ana") }.count == 2)
        try database.write { session in try session.undoImport(id: id) }
        #expect(try database.read { try $0.setLog(user: "@ana") }.isEmpty)
        #expect(try database.read { try $0.importRecord(id: id) } == nil)
    }

    @Test("the journal stores an event once and hands pending events out in order", arguments: backends)
    func journal(_ backend: TestBackend) throws {
        let database = try backend.open(try backend.newLocation())
        let stored = try database.write { session throws in
            [try session.journal(eventID: "$1", roomID: "!r", sender: "@ana", type: "m.room.message", json: "{}", originTimestamp: 5, receivedAt: 6),
             try session.journal(eventID: "$2", roomID: "!r", sender: "@bo", type: "m.room.message", json: "{\"a\":1}", originTimestamp: nil, receivedAt: 7),
             try session.journal(eventID: "$1", roomID: "!r", sender: "@ana", type: "m.room.message", json: "{}", originTimestamp: 5, receivedAt: 8)]
        }
        #expect(stored == [true, true, false])
        let pending = try database.read { try $0.pendingJournal(limit: 10) }
        #expect(pending.map(\.eventID) == ["$1", "$2"])
        #expect(pending.map(\.originTimestamp) == [5, nil])
        try database.write { session in try session.markJournal(pending[0].seq, status: "handled") }
        #expect(try database.read { try $0.pendingJournal(limit: 10) }.map(\.eventID) == ["$2"])
        #expect(try database.read { try $0.journalCount(status: "handled") } == 1)
    }

    @Test("the outbox queues an item once per key and records each delivery's outcome", arguments: backends)
    func outbox(_ backend: TestBackend) throws {
        let database = try backend.open(try backend.newLocation())
        try database.write { session throws in
            #expect(try session.enqueue(kind: .message, dedupeKey: "reply:$1", roomID: "!r", transactionID: "t1", content: "{}",
                                        recipient: "@ana", at: 100))
            #expect(try !session.enqueue(kind: .message, dedupeKey: "reply:$1", roomID: "!r", transactionID: "t1", content: "{}",
                                         recipient: "@ana", at: 100))
            try session.enqueue(kind: .webhook, dedupeKey: "hook:1", roomID: "hook", transactionID: nil, content: "{}",
                                recipient: "@bo", target: "http://127.0.0.1:9/", purpose: "reply", at: 101)
            try session.enqueue(kind: .join, dedupeKey: "join:!s", roomID: "!s", transactionID: nil, content: nil, recipient: nil, at: 500)
        }
        let due = try database.read { try $0.dueOutbox(now: 200, limit: 10) }
        #expect(due.map(\.kind) == [.message, .webhook])
        #expect(try database.read { try $0.dueOutbox(now: 200, limit: 10, webhooks: true) }.map(\.target) == ["http://127.0.0.1:9/"])
        #expect(try database.read { try $0.dueOutbox(now: 200, limit: 10, webhooks: false) }.map(\.roomID) == ["!r"])
        try database.write { session throws in
            try session.markSent(due[0].id, at: 201)
            try session.reschedule(due[1].id, at: 300, error: "503")
        }
        #expect(try database.read { try $0.nextOutboxDue() } == 300)
        #expect(try database.read { try $0.outboxDepth() } == 2)
        try database.write { session in try session.markFailed(due[1].id, error: "410") }
        #expect(try database.read { try $0.outboxCounts() } == ["sent": 1, "failed": 1, "pending": 1])
        #expect(try database.read { try $0.dueOutbox(now: 1000, limit: 10) }.map(\.attempts) == [0])
    }

    @Test("rooms and group tables: settings, members, schedule log, ratings, direct rooms", arguments: backends)
    func groups(_ backend: TestBackend) throws {
        let database = try backend.open(try backend.newLocation())
        try database.write { session throws in
            try session.saveRoom("!r", RoomInfo(memberCount: 12, encrypted: true, encryptedNoticeSent: false))
            try session.saveRoomSettings("!r", RoomSettingsRow(checkIn: "07:30", zone: "Europe/Paris", coaches: ["@coach", "@c2"]),
                                         by: "@coach", at: 1)
            try session.setMembership(room: "!r", user: "@bo", .joined, at: 1)
            try session.setMembership(room: "!r", user: "@ana", .joined, at: 1)
            try session.setMembership(room: "!r", user: "@cy", .left, at: 2)
            try session.setSharesWithCoach(room: "!r", user: "@ana", true, at: 3)
            try session.recordSchedule(room: "!r", kind: "prompt", day: "2026-12-01", status: "posted", scheduledAt: 10, at: 11)
            try session.recordSchedule(room: "!r", kind: "prompt", day: "2026-12-01", status: "skipped", scheduledAt: 10, at: 12)
            try session.recordSchedule(room: "!r", kind: "prompt", day: "2026-12-02", status: "posted", scheduledAt: 20, at: 21)
            try session.setScheduleEvent(room: "!r", kind: "prompt", day: "2026-12-02", eventID: "$prompt")
            try session.recordQuickRating(reactionEventID: "$x1", room: "!r", user: "@ana", day: "2026-12-02", rating: 2, at: 30)
            try session.recordQuickRating(reactionEventID: "$x2", room: "!r", user: "@ana", day: "2026-12-02", rating: 4, at: 31)
            try session.saveDirectRoom(user: "@ana", room: "!dm1", createdByBot: true)
            try session.saveDirectRoom(user: "@ana", room: "!dm2", createdByBot: true)
        }
        try database.read { session throws in
            #expect(try session.room("!r") == RoomInfo(memberCount: 12, encrypted: true, encryptedNoticeSent: false))
            #expect(try session.roomSettings("!r")?.coaches == ["@coach", "@c2"])
            #expect(try session.roomsWithSettings() == ["!r"])
            #expect(try session.joinedMembers(room: "!r") == ["@ana", "@bo"])
            #expect(try session.membership(room: "!r", user: "@cy") == .left)
            #expect(try session.coachSharers(room: "!r") == ["@ana"])
            #expect(try session.scheduleEntry(room: "!r", kind: "prompt", day: "2026-12-01")?.status == "posted")
            #expect(try session.lastScheduledDay(room: "!r", kind: "prompt") == "2026-12-02")
            #expect(try session.scheduleLog(room: "!r").map(\.day) == ["2026-12-01", "2026-12-02"])
            #expect(try session.isCheckInPrompt("$prompt"))
            #expect(try !session.isCheckInPrompt("$other"))
            #expect(try session.checkInPrompt("$prompt")?.day == "2026-12-02")
            #expect(try session.quickCheckIns(room: "!r", fromDay: "2026-12-01", toDay: "2026-12-07").map(\.rating) == [4])
            #expect(try session.directRoom(user: "@ana") == "!dm1")
        }
        try database.write { session throws in
            #expect(try session.removeQuickRating(reactionEventID: "$x2", room: "!r")?.rating == 4)
            try session.saveDirectRoom(user: "@ana", room: "!dm3", createdByBot: false)
        }
        try database.read { session throws in
            #expect(try session.quickCheckIns(room: "!r", fromDay: "2026-12-01", toDay: "2026-12-07").map(\.rating) == [2])
            #expect(try session.directRoom(user: "@ana") == "!dm3")
        }
    }

    @Test("forget leaves nothing of a lifter but tombstones; the write probe leaves nothing at all", arguments: backends)
    func forget(_ backend: TestBackend) throws {
        let database = try backend.open(try backend.newLocation())
        try storeOneOfEverything(database, user: "@ana")
        try storeOneOfEverything(database, user: "@bo")
        try database.probeWrite()
        try database.write { session in try session.forget(user: "@ana") }
        let left = try database.read { try $0.export(user: "@ana") }.filter { !$0.rows.isEmpty }.map(\.table)
        #expect(left.isEmpty, "still stored: \(left)")
        #expect(try database.read { try $0.webhookResponse("hook-@ana") } == StoreSession.forgottenWebhookResponse("hook-@ana"))
        #expect(try database.read { try $0.webhookResponse("spotter:write-probe") } == nil)
        // The other lifter keeps everything.
        #expect(try database.read { try $0.export(user: "@bo") }.filter { $0.rows.isEmpty }.map(\.table).isEmpty)
    }

    /// Everything the export covers, for `user`.
    func storeOneOfEverything(_ database: SpotterDatabase, user: String) throws {
        try database.write { session throws in
            try session.saveProfile(LifterProfile(experience: .intermediate), user: user, at: 1)
            try session.saveConversationState(.object([("turns", .number(3))]), updatedAt: 2, room: "!r", user: user)
            var checkIn = CheckInRecord(userID: user, roomID: "!r", completedAt: 86_400 * 3, answers: CheckInAnswers(sleepHours: 7),
                                        readiness: .green, localDay: "1970-01-04")
            try session.saveCheckIn(checkIn)
            checkIn.completedAt += 60
            try session.saveCheckIn(checkIn)
            let id = try session.beginImport(user: user, source: "strong", fileName: "x.csv", at: 3, workouts: 1, sets: 1)
            try session.logImportedSet(set(user, "squat", load: 100, reps: 5, at: 4), importID: id)
            try session.logSet(set(user, "bench", load: nil, reps: 8, at: 5, rir: nil))
            try session.journal(eventID: "$e-\(user)", roomID: "!r", sender: user, type: "m.room.message", json: "{\"body\":\"hi\"}",
                                originTimestamp: 6, receivedAt: 6)
            try session.markJournal(try session.pendingJournal(limit: 100).first { $0.sender == user }!.seq, status: "handled")
            try session.enqueue(kind: .message, dedupeKey: "reply-\(user)", roomID: "!r", transactionID: "t", content: "{}",
                                recipient: user, at: 7)
            try session.markSent(try session.dueOutbox(now: 8, limit: 100).first { $0.recipient == user }!.id, at: 8)
            try session.saveWebhookResponse("hook-\(user)", user: user, response: "{\"reply\":\"hi\"}", at: 9)
            try session.setMembership(room: "!r", user: user, .joined, at: 10)
            try session.saveDirectRoom(user: user, room: "!dm-\(user)", createdByBot: true)
            try session.saveUnitPreference(.pounds, user: user, at: 11)
            try session.saveTimeZone("Europe/London", user: user, at: 12)
            try session.recordQuickRating(reactionEventID: "$q-\(user)", room: "!r", user: user, day: "1970-01-04", rating: 3, at: 13)
        }
    }

    @Test("the export of the same history is the same on SQLite and on PostgreSQL, row for row",
          .enabled(if: backends.count > 1, "needs PostgreSQL (scripts/test.sh starts one)"))
    func sameExport() throws {
        let exports = try Self.backends.map { backend -> String in
            let database = try backend.open(try backend.newLocation())
            try storeOneOfEverything(database, user: "@ana")
            let tables = try database.read { try $0.export(user: "@ana") }
            return JSONValue.array(tables.map { table in
                .object([("table", .string(table.table)), ("rows", .array(table.rows.map { .object($0) }))])
            }).serialized()
        }
        #expect(exports[0] == exports[1])
    }
}
