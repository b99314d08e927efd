import Foundation
import GRDB
import SpotterCore

/// The store on SQLite through GRDB: one file, WAL, versioned migrations (GRDB's migrator, in
/// `grdb_migrations`). WAL with synchronous=NORMAL is durable against process death; a power cut
/// may lose the last transactions.
public final class SQLiteBackend: StoreBackend {
    public let path: String
    public let created: Bool
    public let applied: [String]
    public var location: String { path }
    public var dialect: SQLDialect { .sqlite }
    let queue: DatabaseQueue

    static var migrationIdentifiers: [String] { migrator.migrations }

    /// The schema versions this build knows, in order.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE profiles (
                    user_id TEXT PRIMARY KEY NOT NULL,
                    experience TEXT, goal TEXT, spotter INTEGER,
                    updated_at REAL NOT NULL);
                CREATE TABLE conversations (
                    room_id TEXT NOT NULL, user_id TEXT NOT NULL,
                    state TEXT NOT NULL, updated_at REAL NOT NULL,
                    PRIMARY KEY (room_id, user_id)) WITHOUT ROWID;
                CREATE INDEX conversations_user ON conversations(user_id);
                CREATE TABLE checkins (
                    id INTEGER PRIMARY KEY,
                    user_id TEXT NOT NULL, room_id TEXT NOT NULL, completed_at REAL NOT NULL,
                    sleep_hours REAL, soreness INTEGER, energy INTEGER, stress INTEGER, motivation INTEGER,
                    pain INTEGER, readiness TEXT NOT NULL);
                CREATE INDEX checkins_user ON checkins(user_id, completed_at);
                CREATE TABLE sets (
                    id INTEGER PRIMARY KEY,
                    user_id TEXT NOT NULL, room_id TEXT NOT NULL, logged_at REAL NOT NULL,
                    exercise_id TEXT NOT NULL, muscle TEXT NOT NULL,
                    load_kg REAL, unit TEXT, reps INTEGER NOT NULL, sets INTEGER NOT NULL,
                    rir REAL, to_failure INTEGER NOT NULL, e1rm_kg REAL);
                CREATE INDEX sets_user ON sets(user_id, logged_at);
                CREATE INDEX sets_user_muscle ON sets(user_id, muscle, logged_at);
                """)
        }
        migrator.registerMigration("v2-matrix") { db in
            try db.execute(sql: """
                CREATE TABLE journal (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    event_id TEXT NOT NULL UNIQUE,
                    room_id TEXT NOT NULL, sender TEXT NOT NULL, event_type TEXT NOT NULL,
                    event_json TEXT NOT NULL, origin_ts REAL, received_at REAL NOT NULL,
                    status TEXT NOT NULL, note TEXT);
                CREATE INDEX journal_status ON journal(status, seq);
                CREATE INDEX journal_sender ON journal(sender);
                CREATE TABLE outbox (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    kind TEXT NOT NULL, dedupe_key TEXT NOT NULL UNIQUE,
                    room_id TEXT NOT NULL, txn_id TEXT, content_json TEXT, recipient TEXT,
                    status TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
                    next_attempt_at REAL NOT NULL, last_error TEXT,
                    created_at REAL NOT NULL, sent_at REAL);
                CREATE INDEX outbox_due ON outbox(status, next_attempt_at);
                CREATE TABLE rooms (
                    room_id TEXT PRIMARY KEY NOT NULL,
                    member_count INTEGER, encrypted INTEGER NOT NULL DEFAULT 0,
                    encrypted_notice_sent INTEGER NOT NULL DEFAULT 0, msgtype TEXT) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v3-webhook") { db in
            try db.execute(sql: """
                CREATE TABLE webhook_deliveries (
                    webhook_id TEXT PRIMARY KEY NOT NULL, user_id TEXT NOT NULL,
                    response TEXT NOT NULL, received_at REAL NOT NULL) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v4-groups") { db in
            // Group coaching: room schedules set by room commands (they override Config/),
            // who opted in, what the scheduler did each local day, lifters' direct rooms, and
            // where an outbound item goes when it is not the homeserver (a webhook URL).
            try db.execute(sql: """
                CREATE TABLE room_settings (
                    room_id TEXT PRIMARY KEY NOT NULL, checkin TEXT, zone TEXT, reminder TEXT, summary TEXT,
                    updated_by TEXT, updated_at REAL NOT NULL) WITHOUT ROWID;
                CREATE TABLE room_members (
                    room_id TEXT NOT NULL, user_id TEXT NOT NULL, status TEXT NOT NULL, updated_at REAL NOT NULL,
                    PRIMARY KEY (room_id, user_id)) WITHOUT ROWID;
                CREATE INDEX room_members_user ON room_members(user_id);
                CREATE TABLE schedule_log (
                    room_id TEXT NOT NULL, kind TEXT NOT NULL, day TEXT NOT NULL, status TEXT NOT NULL,
                    scheduled_at REAL NOT NULL, recorded_at REAL NOT NULL, event_id TEXT,
                    PRIMARY KEY (room_id, kind, day)) WITHOUT ROWID;
                CREATE TABLE direct_rooms (
                    user_id TEXT PRIMARY KEY NOT NULL, room_id TEXT NOT NULL, created_by_bot INTEGER NOT NULL) WITHOUT ROWID;
                ALTER TABLE outbox ADD COLUMN target TEXT;
                ALTER TABLE outbox ADD COLUMN purpose TEXT;
                CREATE INDEX checkins_time ON checkins(completed_at);
                """)
        }
        migrator.registerMigration("v5-checkin-per-day") { db in
            // One check-in per user per (UTC) day: a second one updates the day's. Check-ins it
            // replaces, and the extra ones of a day stored before this version, move to
            // checkins_replaced rather than being lost; the newest of each day stays.
            try db.execute(sql: """
                ALTER TABLE checkins ADD COLUMN day TEXT;
                UPDATE checkins SET day = date(completed_at, 'unixepoch');
                CREATE TABLE checkins_replaced (
                    id INTEGER PRIMARY KEY,
                    user_id TEXT NOT NULL, room_id TEXT NOT NULL, completed_at REAL NOT NULL,
                    sleep_hours REAL, soreness INTEGER, energy INTEGER, stress INTEGER, motivation INTEGER,
                    pain INTEGER, readiness TEXT NOT NULL, day TEXT NOT NULL, replaced_at REAL NOT NULL);
                CREATE INDEX checkins_replaced_user ON checkins_replaced(user_id, day);
                INSERT INTO checkins_replaced (user_id, room_id, completed_at, sleep_hours, soreness, energy, stress,
                        motivation, pain, readiness, day, replaced_at)
                    SELECT user_id, room_id, completed_at, sleep_hours, soreness, energy, stress, motivation, pain,
                        readiness, day, completed_at FROM checkins c
                    WHERE EXISTS (SELECT 1 FROM checkins n WHERE n.user_id = c.user_id AND n.day = c.day
                        AND (n.completed_at > c.completed_at OR (n.completed_at = c.completed_at AND n.id > c.id)));
                DELETE FROM checkins WHERE EXISTS (SELECT 1 FROM checkins n WHERE n.user_id = checkins.user_id
                    AND n.day = checkins.day
                    AND (n.completed_at > checkins.completed_at OR (n.completed_at = checkins.completed_at AND n.id > checkins.id)));
                CREATE UNIQUE INDEX checkins_user_day ON checkins(user_id, day);
                """)
        }
        migrator.registerMigration("v6-imports") { db in
            // `spotter import`: each import is one row; its sets point at it, so it can be undone.
            try db.execute(sql: """
                CREATE TABLE imports (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    user_id TEXT NOT NULL, source TEXT NOT NULL, file_name TEXT NOT NULL,
                    imported_at REAL NOT NULL, workouts INTEGER NOT NULL, sets INTEGER NOT NULL);
                CREATE INDEX imports_user ON imports(user_id);
                ALTER TABLE sets ADD COLUMN import_id INTEGER;
                CREATE INDEX sets_import ON sets(import_id) WHERE import_id IS NOT NULL;
                """)
        }
        migrator.registerMigration("v7-coach-digest") { db in
            // A room's coaches (set by command; Config/ may name them too) and each lifter's
            // agreement to be named in the coaches' digest (default: not shared).
            try db.execute(sql: """
                ALTER TABLE room_settings ADD COLUMN coaches TEXT;
                ALTER TABLE room_members ADD COLUMN shares_with_coach INTEGER NOT NULL DEFAULT 0;
                """)
        }
        migrator.registerMigration("v8-set-volume") { db in
            // Hard and failure sets per lifter, muscle and hour, kept with every logged set: the
            // 7-day volume asked on each message reads at most ~170 of these rows instead of
            // every set of the week (10,000 logged sets made each message ten times slower).
            // Triggers keep it in step with every writer of `sets` (logging, import and its
            // undo, edits, forget), so no code path can leave the two apart.
            try db.execute(sql: """
                CREATE TABLE set_volume (
                    user_id TEXT NOT NULL, muscle TEXT NOT NULL, hour INTEGER NOT NULL,
                    hard INTEGER NOT NULL, failure INTEGER NOT NULL,
                    PRIMARY KEY (user_id, muscle, hour)) WITHOUT ROWID;
                INSERT INTO set_volume (user_id, muscle, hour, hard, failure)
                    SELECT user_id, muscle,
                           CAST(logged_at / 3600 AS INTEGER) - (logged_at < 0 AND logged_at / 3600 <> CAST(logged_at / 3600 AS INTEGER)),
                           SUM(\(SpotterDatabase.hardSets)), SUM(\(SpotterDatabase.failureSets)) FROM sets GROUP BY 1, 2, 3;
                CREATE TRIGGER set_volume_insert AFTER INSERT ON sets BEGIN
                    INSERT INTO set_volume (user_id, muscle, hour, hard, failure)
                    VALUES (NEW.user_id, NEW.muscle, \(Self.hourSQL("NEW.logged_at")), \(SpotterDatabase.hardSetsSQL("NEW.")), \(SpotterDatabase.failureSetsSQL("NEW.")))
                    ON CONFLICT (user_id, muscle, hour) DO UPDATE SET hard = hard + excluded.hard, failure = failure + excluded.failure;
                END;
                CREATE TRIGGER set_volume_delete AFTER DELETE ON sets BEGIN
                    UPDATE set_volume SET hard = hard - \(SpotterDatabase.hardSetsSQL("OLD.")), failure = failure - \(SpotterDatabase.failureSetsSQL("OLD."))
                    WHERE user_id = OLD.user_id AND muscle = OLD.muscle AND hour = \(Self.hourSQL("OLD.logged_at"));
                END;
                CREATE TRIGGER set_volume_update AFTER UPDATE ON sets BEGIN
                    UPDATE set_volume SET hard = hard - \(SpotterDatabase.hardSetsSQL("OLD.")), failure = failure - \(SpotterDatabase.failureSetsSQL("OLD."))
                    WHERE user_id = OLD.user_id AND muscle = OLD.muscle AND hour = \(Self.hourSQL("OLD.logged_at"));
                    INSERT INTO set_volume (user_id, muscle, hour, hard, failure)
                    VALUES (NEW.user_id, NEW.muscle, \(Self.hourSQL("NEW.logged_at")), \(SpotterDatabase.hardSetsSQL("NEW.")), \(SpotterDatabase.failureSetsSQL("NEW.")))
                    ON CONFLICT (user_id, muscle, hour) DO UPDATE SET hard = hard + excluded.hard, failure = failure + excluded.failure;
                END;
                """)
        }
        migrator.registerMigration("v9-quick-checkins") { db in
            // One-tap check-ins: each lifter's rating reaction on a room's prompt, under the
            // reaction's event id (a redaction names it). The latest one per room, lifter and
            // prompt day is that day's quick check-in; a redacted one is deleted, so an earlier
            // rating still shown in the room counts again.
            try db.execute(sql: """
                CREATE TABLE quick_checkins (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    reaction_event_id TEXT NOT NULL UNIQUE,
                    room_id TEXT NOT NULL, user_id TEXT NOT NULL, day TEXT NOT NULL,
                    rating INTEGER NOT NULL, reacted_at REAL NOT NULL);
                CREATE INDEX quick_checkins_day ON quick_checkins(room_id, day, user_id);
                """)
        }
        migrator.registerMigration("v10-set-log") { db in
            // The set log (issue 12): rows one message logged share an entry (undo removes it
            // whole; older rows are each their own entry), RPE as said, load added to bodyweight,
            // whether the unit was written; and the lifter's unit ("use lbs").
            try db.execute(sql: """
                ALTER TABLE sets ADD COLUMN entry INTEGER;
                ALTER TABLE sets ADD COLUMN rpe REAL;
                ALTER TABLE sets ADD COLUMN added_load_kg REAL;
                ALTER TABLE sets ADD COLUMN unit_stated INTEGER NOT NULL DEFAULT 1;
                UPDATE sets SET entry = id WHERE entry IS NULL;
                CREATE INDEX sets_user_exercise ON sets(user_id, exercise_id, reps);
                CREATE INDEX sets_user_entry ON sets(user_id, entry);
                CREATE INDEX sets_user_unit ON sets(user_id, unit, unit_stated);
                CREATE TABLE unit_preferences (
                    user_id TEXT PRIMARY KEY NOT NULL, unit TEXT NOT NULL, updated_at REAL NOT NULL) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v11-lifter-time-zone") { db in
            // A lifter's own time zone ("my time zone is Europe/London"): their "today".
            try db.execute(sql: """
                CREATE TABLE time_zones (
                    user_id TEXT PRIMARY KEY NOT NULL, zone TEXT NOT NULL, updated_at REAL NOT NULL) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v12-leases") { db in
            // Which instance handles a room's events, delivers its outbox or runs the scheduler,
            // until when (see StoreSession.claimLease). One process on SQLite never contends.
            try db.execute(sql: """
                CREATE TABLE leases (
                    key TEXT PRIMARY KEY NOT NULL, holder TEXT NOT NULL, expires_at REAL NOT NULL) WITHOUT ROWID;
                """)
        }
        return migrator
    }

    /// The hour a time column falls in, rounded down (as `hour(of:)`), in SQL.
    static func hourSQL(_ column: String) -> String {
        "(CAST(\(column) / 3600 AS INTEGER) - (\(column) < 0 AND \(column) / 3600 <> CAST(\(column) / 3600 AS INTEGER)))"
    }

    /// Opens the database at `path`, creating it when absent unless `create` is false (then an
    /// absent file is `missing`, so a mistyped path never becomes a new, empty database).
    /// Refuses a damaged file, a file of another application, and one from a newer Spotter,
    /// without changing them.
    init(path: String, create: Bool = true) throws(StoreError) {
        self.path = path
        let exists = FileManager.default.fileExists(atPath: path)
        if !exists && !create { throw StoreError.missing(path: path) }
        created = !exists
        if !exists {
            let folder = (path as NSString).deletingLastPathComponent
            if !folder.isEmpty {
                try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            }
        }
        var configuration = Configuration()
        configuration.busyMode = .timeout(2)
        configuration.label = "spotter"
        do {
            queue = try DatabaseQueue(path: path, configuration: configuration)
        } catch {
            throw Self.map(error, path: path)
        }
        do {
            // Look before touching: nothing is written until the file is known to be ours.
            let migrator = Self.migrator
            try queue.read { db in
                let tables = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'")
                if !tables.isEmpty && !tables.contains("grdb_migrations") { throw StoreError.notSpotter(path: path) }
                if tables.contains("grdb_migrations") {
                    let known = Set(migrator.migrations)
                    let unknown = try migrator.appliedIdentifiers(db).subtracting(known)
                    if !unknown.isEmpty { throw StoreError.newerVersion(path: path, unknown: unknown.sorted()) }
                }
            }
            try queue.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA journal_mode = WAL")
                try db.execute(sql: "PRAGMA synchronous = NORMAL")
                // A larger page cache and fewer, larger checkpoints: most work is small writes to
                // hot pages (conversations, today's rows). Costs at most about 16 MB of memory.
                try db.execute(sql: "PRAGMA cache_size = -16000")
                try db.execute(sql: "PRAGMA wal_autocheckpoint = 4000")
            }
            let done = try queue.read { db in try migrator.appliedIdentifiers(db) }
            try migrator.migrate(queue)
            applied = migrator.migrations.filter { !done.contains($0) }
        } catch let error as StoreError {
            throw error
        } catch {
            throw Self.map(error, path: path)
        }
    }

    static func map(_ error: any Error, path: String) -> StoreError {
        if let error = error as? StoreError { return error }
        if let error = error as? DatabaseError {
            switch error.resultCode {
            case .SQLITE_NOTADB, .SQLITE_CORRUPT: return .corrupt(path: path, detail: error.message ?? "\(error)")
            case .SQLITE_BUSY, .SQLITE_LOCKED: return .locked(path: path)
            case .SQLITE_CANTOPEN, .SQLITE_PERM, .SQLITE_READONLY: return .cannotOpen(path: path, detail: error.message ?? "\(error)")
            default: return .failed(detail: "\(path): \(error.message ?? "\(error)")")
            }
        }
        return .failed(detail: "\(path): \(error)")
    }

    /// Moves WAL checkpoints off the writers: automatic checkpoints (which run inside a commit
    /// and stall it while they sync) are turned off, and a second connection checkpoints passively
    /// every `seconds` on its own thread. For servers, where a stalled commit is a slow request.
    public func startBackgroundCheckpoints(every seconds: Double = 1) throws(StoreError) {
        do {
            try queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_autocheckpoint = 0") }
            var configuration = Configuration()
            configuration.busyMode = .timeout(5)
            let checkpointer = try DatabaseQueue(path: path, configuration: configuration)
            let thread = Thread {
                while true {
                    Thread.sleep(forTimeInterval: seconds)
                    try? checkpointer.writeWithoutTransaction { db in _ = try db.checkpoint(.passive) }
                }
            }
            thread.name = "spotter-checkpoint"
            thread.start()
        } catch {
            throw Self.map(error, path: path)
        }
    }

    public func storeError(_ error: any Error) -> StoreError { Self.map(error, path: path) }

    public func storageFailure(_ error: any Error) -> WriteHealth.Failure? { Self.storageFailure(error) }

    /// The failure to record for an error of a write, or nil when it is not about storage.
    static func storageFailure(_ error: any Error) -> WriteHealth.Failure? {
        guard let error = error as? DatabaseError else { return nil }
        let reason = error.message ?? "\(error.resultCode)"
        let code: String
        switch error.resultCode {
        case .SQLITE_FULL: code = "database_full"
        case .SQLITE_READONLY, .SQLITE_PERM: code = "database_read_only"
        case .SQLITE_IOERR: code = "database_io_error"
        case .SQLITE_BUSY, .SQLITE_LOCKED: code = "database_locked"
        case .SQLITE_CANTOPEN, .SQLITE_CORRUPT, .SQLITE_NOTADB, .SQLITE_NOMEM: code = "database_unavailable"
        default: return nil
        }
        return WriteHealth.Failure(code: code, reason: "\(reason) (\(error.resultCode))", count: 1)
    }


    public func write<T>(_ work: (any SQLConnection) throws -> T) throws -> T {
        try queue.write { db in try work(SQLiteConnection(db: db)) }
    }

    public func read<T>(_ work: (any SQLConnection) throws -> T) throws -> T {
        try queue.read { db in try work(SQLiteConnection(db: db)) }
    }
}

/// A GRDB connection inside a transaction; statements are prepared once per connection and reused.
struct SQLiteConnection: SQLConnection {
    let db: Database
    var dialect: SQLDialect { .sqlite }

    func execute(_ sql: String, _ arguments: [SQLValue]) throws -> Int {
        try db.cachedStatement(sql: sql).execute(arguments: Self.arguments(arguments))
        return db.changesCount
    }

    func rows(_ sql: String, _ arguments: [SQLValue]) throws -> [SQLRow] {
        let statement = try db.cachedStatement(sql: sql)
        let columns = statement.columnNames
        var result: [SQLRow] = []
        let cursor = try Row.fetchCursor(statement, arguments: Self.arguments(arguments))
        while let row = try cursor.next() {
            var values: [SQLValue] = []
            values.reserveCapacity(columns.count)
            for index in 0..<columns.count {
                let value: DatabaseValue = row[index]
                switch value.storage {
                case .null: values.append(.null)
                case let .int64(number): values.append(.integer(number))
                case let .double(number): values.append(.real(number))
                case let .string(text): values.append(.text(text))
                case let .blob(data): values.append(.text(data.base64EncodedString()))
                }
            }
            result.append(SQLRow(columns: columns, values: values))
        }
        return result
    }

    func insert(_ sql: String, _ arguments: [SQLValue]) throws -> Int64 {
        try db.cachedStatement(sql: sql).execute(arguments: Self.arguments(arguments))
        return db.lastInsertedRowID
    }

    static func arguments(_ values: [SQLValue]) -> StatementArguments {
        StatementArguments(values.map { value -> DatabaseValue in
            switch value {
            case .null: .null
            case let .integer(number): number.databaseValue
            case let .real(number): number.databaseValue
            case let .text(text): text.databaseValue
            }
        })
    }
}

// MARK: Test support

extension SQLiteBackend {
    /// Marks the file as migrated by a schema this build does not know (tests of refusal).
    public static func recordMigrationForTests(_ identifier: String, path: String) throws {
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES (?)", arguments: [identifier]) }
    }

    /// Creates a database migrated only up to `version` and runs `sql` in it (tests of later migrations).
    public static func createForTests(path: String, migratedUpTo version: String, sql: String) throws {
        let queue = try DatabaseQueue(path: path)
        try migrator.migrate(queue, upTo: version)
        try queue.write { db in try db.execute(sql: sql) }
    }

    /// Creates an SQLite file that belongs to some other application.
    public static func createForeignDatabaseForTests(path: String) throws {
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in try db.execute(sql: "CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)") }
    }

    /// Makes the store fail when an import has stored `count` sets (tests of an import that fails
    /// half-way): the next insert of an imported set is aborted by SQLite.
    public func failImportsForTests(after count: Int) throws {
        try queue.write { db in
            try db.execute(sql: """
                CREATE TEMP TRIGGER fail_import AFTER UPDATE OF import_id ON sets
                WHEN (SELECT COUNT(*) FROM sets WHERE import_id = NEW.import_id) > \(count)
                BEGIN SELECT RAISE(ABORT, 'injected failure for tests'); END
                """)
        }
    }

    /// Simulates a full disk for this connection (`PRAGMA max_page_count` at the file's current
    /// size: any write that needs a new page fails with SQLITE_FULL); `false` frees it again.
    public func simulateFullDiskForTests(_ full: Bool) throws {
        try queue.inDatabase { db in
            if full {
                // Reuse of free pages would let writes through: leave none.
                try db.execute(sql: "VACUUM")
                let pages = try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 1
                try db.execute(sql: "PRAGMA max_page_count = \(pages)")
            } else {
                try db.execute(sql: "PRAGMA max_page_count = 4294967294")
            }
        }
    }

    /// Runs `body` while this connection holds an exclusive lock on the file.
    public func holdingExclusiveLockForTests<T>(_ body: () throws -> T) throws -> T {
        try queue.inDatabase { db in
            try db.execute(sql: "PRAGMA locking_mode = EXCLUSIVE")
            try db.execute(sql: "BEGIN EXCLUSIVE")
            try db.execute(sql: "INSERT INTO profiles (user_id, updated_at) VALUES ('lock-holder', 0)")
            defer { try? db.execute(sql: "ROLLBACK") }
            return try body()
        }
    }
}
