import Foundation
import SpotterCore
import SpotterPostgres
import SpotterStore
import SpotterTesting
import Testing

/// What lets several instances share one store: leases, first-wins marks, explicit migration,
/// and moving a deployment from one store to another.
extension StoreBackendTests {
    @Test("a lease is one holder's until it lapses or is given back; its holder renews it", arguments: backends)
    func leases(_ backend: TestBackend) throws {
        let database = try backend.open(try backend.newLocation())
        let claim = { (holder: String, now: Timestamp) in
            try database.write { try $0.claimLease("!room:test", holder: holder, expiresAt: now + 10, now: now) }
        }
        #expect(try claim("a", 100))
        #expect(try !claim("b", 105))
        #expect(try claim("a", 108))  // renewed until 118
        #expect(try !claim("b", 115))
        #expect(try claim("b", 119))  // a stopped renewing: it lapsed
        #expect(try database.read { try $0.lease("!room:test") }?.holder == "b")
        #expect(try !claim("a", 120))
        try database.write { try $0.releaseLease("!room:test", holder: "a") }  // not a's to give back
        #expect(try !claim("a", 120))
        try database.write { try $0.releaseLease("!room:test", holder: "b") }
        #expect(try claim("a", 120))
    }

    @Test("an event handled twice stores nothing the second time: the whole transaction rolls back", arguments: backends)
    func handledOnce(_ backend: TestBackend) throws {
        let database = try backend.open(try backend.newLocation())
        let entry = try database.write { session in
            try session.journal(eventID: "$1", roomID: "!r", sender: "@ana", type: "m.room.message", json: "{}", originTimestamp: 1,
                                receivedAt: 1)
            return try session.pendingJournal(limit: 10)[0]
        }
        // Two instances answered the same event: the first to commit wins.
        try database.write { session in
            try session.enqueue(kind: .message, dedupeKey: "first", roomID: "!r", transactionID: "t1", content: "{}", recipient: nil, at: 2)
            try session.markJournal(entry.seq, status: "handled")
        }
        #expect(throws: StoreError.self) {
            try database.write { session in
                try session.enqueue(kind: .message, dedupeKey: "second", roomID: "!r", transactionID: "t2", content: "{}", recipient: nil, at: 2)
                try session.markJournal(entry.seq, status: "handled")
            }
        }
        #expect(try database.read { try $0.dueOutbox(now: 10, limit: 10) }.map(\.transactionID) == ["t1"])
        #expect(try database.read { try $0.pendingJournal(limit: 10) }.isEmpty)
    }

    @Test("pending events come by room when asked, the room of the oldest first", arguments: backends)
    func pendingByRoom(_ backend: TestBackend) throws {
        let database = try backend.open(try backend.newLocation())
        try database.write { session in
            for (index, room) in ["!b", "!a", "!b", "!c"].enumerated() {
                try session.journal(eventID: "$\(index)", roomID: room, sender: "@ana", type: "m.room.message", json: "{}",
                                    originTimestamp: nil, receivedAt: Double(index))
            }
        }
        try database.read { session throws in
            #expect(try session.roomsWithPendingEvents(limit: 10) == ["!b", "!a", "!c"])
            #expect(try session.roomsWithPendingEvents(limit: 2) == ["!b", "!a"])
            #expect(try session.pendingJournal(limit: 10, rooms: ["!b", "!c"]).map(\.eventID) == ["$0", "$2", "$3"])
            #expect(try session.pendingJournal(limit: 10, rooms: []).isEmpty)
        }
    }

    @Test("a day's scheduled post is recorded once; the second recording says so", arguments: backends)
    func scheduleOnce(_ backend: TestBackend) throws {
        let database = try backend.open(try backend.newLocation())
        let record = { try database.write { try $0.recordSchedule(room: "!r", kind: "prompt", day: "2026-12-02", status: "posted",
                                                                   scheduledAt: 1, at: 2) } }
        #expect(try record())
        #expect(try !record())
    }

    @Test("PostgreSQL: servers refuse a schema behind theirs until `spotter migrate` (database_unmigrated)",
          .enabled(if: backends.contains(.postgres), "needs PostgreSQL (scripts/test.sh starts one)"))
    func explicitMigration() throws {
        let location = try TestBackend.postgres.newLocation()
        #expect {
            _ = try PostgresBackend(url: location, migrations: .require)
        } throws: { error in
            guard let error = error as? StoreError, case let .unmigrated(_, pending) = error else { return false }
            return error.code == "database_unmigrated" && pending == SpotterDatabase.migrationIdentifiers
        }
        let migrated = try PostgresBackend(url: location, migrations: .apply)
        #expect(migrated.applied == SpotterDatabase.migrationIdentifiers)
        #expect(try PostgresBackend(url: location, migrations: .require).applied.isEmpty)
        #expect(try PostgresBackend(url: location, migrations: .apply).applied.isEmpty)
    }

    @Test("PostgreSQL: sslmode=require is TLS or nothing: a server without TLS is refused, never used in the clear",
          .enabled(if: backends.contains(.postgres), "needs PostgreSQL (scripts/test.sh starts one)"))
    func tlsRequired() throws {
        let location = try TestBackend.postgres.newLocation()
        // The test server speaks no TLS: the default (prefer) connects in the clear, require refuses.
        _ = try PostgresBackend(url: location)
        #expect {
            _ = try PostgresBackend(url: location + "?sslmode=require", migrations: .require)
        } throws: { error in
            (error as? StoreError)?.code == "database_unavailable"
        }
    }

    @Test("copy-store moves every row into an empty store, ids and all; a store with data is refused untouched",
          arguments: backends)
    func copyStore(_ target: TestBackend) throws {
        let source = try TestBackend.sqlite.open(try TestBackend.sqlite.newLocation())
        try storeOneOfEverything(source, user: "@ana")
        try storeOneOfEverything(source, user: "@bo")
        try source.write { session in
            try session.logSet(set("@ana", "squat", load: 120, reps: 3, at: 86_400 * 9))
            try session.claimLease("!r", holder: "old", expiresAt: 1, now: 0)
        }
        let copy = try target.open(try target.newLocation())
        let report = try StoreCopy.copy(from: source, to: copy)
        #expect(report.tables.first { $0.name == "sets" }?.rows == 5)
        let exported = { (database: SpotterDatabase) in
            try ["@ana", "@bo"].map { user in
                try database.read { try $0.export(user: user) }.map { table in
                    JSONValue.object([("table", .string(table.table)), ("rows", .array(table.rows.map { .object($0) }))]).serialized()
                }
            }
        }
        #expect(try exported(copy) == exported(source))
        // Ids continue after the copied ones: a new set is not given an old set's id.
        let ids = try copy.write { session in
            try session.logSet(set("@ana", "bench", load: 80, reps: 5, at: 86_400 * 10))
            return try session.sets(user: "@ana", since: -1e12).map(\.id)
        }
        #expect(Set(ids).count == ids.count)
        // Copying again into the same store would mix two histories: refused, nothing added.
        #expect {
            _ = try StoreCopy.copy(from: source, to: copy)
        } throws: { error in
            (error as? StoreCopy.Failure)?.code == "copy_target_not_empty"
        }
        #expect(try copy.read { try $0.sets(user: "@ana", since: -1e12) }.count == ids.count)
    }
}

/// The PostgreSQL URL: what each part and parameter means, and errors that name the bad one.
@Suite("PostgreSQL locations")
struct PostgresLocationTests {
    @Test("parameters: TLS mode, pool size, connect timeout; the password never shows")
    func parameters() throws {
        let location = try PostgresLocation(url: "postgres://coach:s3cret@db.example:6432/spotter?sslmode=require&pool_size=8&connect_timeout=2",
                                            environment: [:])
        #expect(location.host == "db.example" && location.port == 6432 && location.database == "spotter")
        #expect(location.tls == .require && location.poolSize == 8 && location.connectTimeout == 2)
        #expect(location.password == "s3cret")
        #expect(!location.description.contains("s3cret"))
        let defaults = try PostgresLocation(url: "postgres://coach@localhost/spotter", environment: ["PGPASSWORD": "fromenv"])
        #expect(defaults.tls == .prefer && defaults.poolSize == 4 && defaults.port == 5432 && defaults.password == "fromenv")
    }

    @Test("a bad URL is refused with what to write instead, without the password",
          arguments: [
            ("postgres://coach:s3cret@localhost/spotter?sslmode=sometimes", "sslmode=sometimes is not one of disable, prefer"),
            ("postgres://coach:s3cret@localhost/spotter?pool_size=0", "pool_size=0 is not 1 to 100"),
            ("postgres://coach:s3cret@localhost/spotter?connect_timeout=soon", "connect_timeout=soon"),
            ("postgres://coach:s3cret@localhost/spotter?colour=blue", "unknown URL parameter colour=blue"),
            ("postgres://coach:s3cret@localhost/spotter?sslrootcert=/nonexistent/ca.pem", "cannot read the CA certificates"),
            ("postgres://localhost/spotter", "names no user"),
            ("postgres://coach:s3cret@localhost/", "names no database"),
          ])
    func refused(_ example: (url: String, message: String)) {
        #expect {
            _ = try PostgresLocation(url: example.url, environment: [:])
        } throws: { error in
            let text = "\(error)"
            return text.contains(example.message) && !text.contains("s3cret") && (error as? StoreError)?.code == "database_unavailable"
        }
    }
}
