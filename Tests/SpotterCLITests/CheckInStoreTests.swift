import Foundation
import SpotterCore
import SpotterStore
import SpotterTesting
import Testing

@Suite("Check-ins in the store")
struct CheckInStoreTests {
    static let morning: Timestamp = 1_795_420_800  // 2026-11-23T08:00:00Z

    func record(_ user: String, at time: Timestamp, energy: Int, readiness: Readiness) -> CheckInRecord {
        CheckInRecord(userID: user, roomID: "direct", completedAt: time,
                      answers: CheckInAnswers(sleepHours: 7, soreness: 2, energy: energy, stress: 2, motivation: 4, pain: false),
                      readiness: readiness)
    }

    @Test("a second check-in the same day updates the day's; the one replaced is kept apart")
    func onePerDay() throws {
        let folder = try temporaryFolder("spotter-checkins")
        defer { try? FileManager.default.removeItem(at: folder) }
        let database = try SpotterDatabase(path: folder.appendingPathComponent("s.sqlite").path)
        try database.write { session in
            try session.saveCheckIn(record("ann", at: Self.morning, energy: 4, readiness: .green))
            try session.saveCheckIn(record("ann", at: Self.morning + 4 * 3600, energy: 1, readiness: .red))
            try session.saveCheckIn(record("ann", at: Self.morning + 86400, energy: 4, readiness: .green))
            try session.saveCheckIn(record("bob", at: Self.morning + 3600, energy: 4, readiness: .green))
        }
        let ann = try database.read { try $0.checkIns(user: "ann", since: 0) }
        #expect(ann.map(\.readiness) == [.green, .red])
        #expect(ann.last?.answers.energy == 1)
        #expect(try database.read { try $0.checkIns(user: "bob", since: 0) }.count == 1)
        let replaced = try database.read { try $0.export(user: "ann") }.first { $0.table == "checkins_replaced" }?.rows
        #expect(replaced?.count == 1)
        #expect(replaced?.first?.first { $0.0 == "energy" }?.1 == .number(4))
    }

    @Test("the migration keeps the newest check-in of each day and moves the others aside, losing none")
    func migration() throws {
        let folder = try temporaryFolder("spotter-checkins")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("old.sqlite").path
        let day = Self.morning
        try SpotterDatabase.createForTests(path: path, migratedUpTo: "v4-groups", sql: """
            INSERT INTO checkins (user_id, room_id, completed_at, sleep_hours, soreness, energy, stress, motivation, pain, readiness)
            VALUES ('ann', 'direct', \(day), 7, 2, 4, 2, 4, 0, 'green'),
                   ('ann', 'gym', \(day + 3600), 5, 4, 2, 4, 2, 0, 'red'),
                   ('ann', 'direct', \(day + 7200), 8, 1, 5, 1, 5, 0, 'green'),
                   ('ann', 'direct', \(day + 86400), 6, 3, 3, 3, 3, 0, 'amber'),
                   ('bob', 'direct', \(day), 7, 2, 4, 2, 4, 0, 'green');
            """)
        let database = try SpotterDatabase(path: path)
        let ann = try database.read { try $0.checkIns(user: "ann", since: 0) }
        #expect(ann.map(\.completedAt) == [day + 86400, day + 7200], "one per day, the day's newest")
        let tables = try database.read { try $0.export(user: "ann") }
        #expect(tables.first { $0.table == "checkins_replaced" }?.rows.count == 2)
        #expect(try database.read { try $0.checkIns(user: "bob", since: 0) }.count == 1)
        // From now on a same-day check-in updates the day's.
        try database.write { try $0.saveCheckIn(record("ann", at: day + 86400 + 60, energy: 2, readiness: .amber)) }
        #expect(try database.read { try $0.checkIns(user: "ann", since: 0) }.count == 2)
    }
}
