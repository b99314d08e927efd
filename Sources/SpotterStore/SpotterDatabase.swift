import Foundation
import GRDB
import SpotterCore

/// Why the database cannot be used. Every case names the file and says what to do; none
/// of them ever overwrites the file.
public enum StoreError: Error, Sendable, CustomStringConvertible {
    case corrupt(path: String, detail: String)
    case locked(path: String)
    /// A running `spotter serve` owns the database (see ``DatabaseOwnership``).
    case owned(path: String, pid: Int32?)
    case newerVersion(path: String, unknown: [String])
    case notSpotter(path: String)
    case cannotOpen(path: String, detail: String)
    case missing(path: String)
    case failed(detail: String)
    /// The file can be read but not written (permissions, a read-only or immutable file or file system).
    case readOnly(path: String, detail: String)

    /// A stable code for scripts.
    public var code: String {
        switch self {
        case .corrupt: "database_corrupt"
        case .locked, .owned: "database_locked"
        case .newerVersion: "database_too_new"
        case .notSpotter: "database_not_spotter"
        case .cannotOpen: "database_unavailable"
        case .missing: "database_missing"
        case .failed: "database_error"
        case .readOnly: "database_read_only"
        }
    }

    public var description: String {
        switch self {
        case let .corrupt(path, detail):
            "\(path): the database is damaged or not a database (\(detail)); it was left untouched. "
                + "Restore a backup, or pass --db with a new path."
        case let .locked(path):
            "\(path): the database is locked by another process; stop the other Spotter, or pass --db with another path."
        case let .owned(path, pid):
            "\(path): the database is owned by a running spotter serve\(pid.map { " (pid \($0))" } ?? ""); "
                + "one server per database. Stop the other server, or pass --db with another path."
        case let .newerVersion(path, unknown):
            "\(path): the database was written by a newer Spotter (schema \(unknown.joined(separator: ", "))); "
                + "it was left untouched. Upgrade Spotter, or pass --db with another path."
        case let .notSpotter(path):
            "\(path): this SQLite file holds other data, not Spotter's; it was left untouched. Pass --db with another path."
        case let .cannotOpen(path, detail):
            "\(path): cannot open the database (\(detail)); check the folder exists and is writable, or pass --db."
        case let .missing(path):
            "\(path): there is no database here; check the path (--db or storage.database). "
                + "Only `spotter chat` and `spotter serve` create one."
        case let .failed(detail):
            "database error: \(detail)"
        case let .readOnly(path, detail):
            "\(path): the database cannot be written (\(detail)); make the file and its folder writable by this user "
                + "(and not immutable, on a file system mounted read-write), or pass --db with another path."
        }
    }
}

/// Spotter's SQLite store: one file, WAL, versioned migrations. Every message is handled in one
/// write transaction that commits before the reply is shown, so what a reply confirms survives
/// a crash of the process (WAL with synchronous=NORMAL: durable against process death; a power
/// cut may lose the last transactions).
public final class SpotterDatabase: Sendable {
    public let path: String
    /// Whether opening this database created the file (so a command can say so once).
    public let created: Bool
    private let queue: DatabaseQueue
    /// Whether the last write reached the file: servers report it (log, /readyz).
    public let writeHealth = WriteHealth()

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
                           SUM(\(Self.hardSets)), SUM(\(Self.failureSets)) FROM sets GROUP BY 1, 2, 3;
                CREATE TRIGGER set_volume_insert AFTER INSERT ON sets BEGIN
                    INSERT INTO set_volume (user_id, muscle, hour, hard, failure)
                    VALUES (NEW.user_id, NEW.muscle, \(Self.hourSQL("NEW.logged_at")), \(Self.hardSetsSQL("NEW.")), \(Self.failureSetsSQL("NEW.")))
                    ON CONFLICT (user_id, muscle, hour) DO UPDATE SET hard = hard + excluded.hard, failure = failure + excluded.failure;
                END;
                CREATE TRIGGER set_volume_delete AFTER DELETE ON sets BEGIN
                    UPDATE set_volume SET hard = hard - \(Self.hardSetsSQL("OLD.")), failure = failure - \(Self.failureSetsSQL("OLD."))
                    WHERE user_id = OLD.user_id AND muscle = OLD.muscle AND hour = \(Self.hourSQL("OLD.logged_at"));
                END;
                CREATE TRIGGER set_volume_update AFTER UPDATE ON sets BEGIN
                    UPDATE set_volume SET hard = hard - \(Self.hardSetsSQL("OLD.")), failure = failure - \(Self.failureSetsSQL("OLD."))
                    WHERE user_id = OLD.user_id AND muscle = OLD.muscle AND hour = \(Self.hourSQL("OLD.logged_at"));
                    INSERT INTO set_volume (user_id, muscle, hour, hard, failure)
                    VALUES (NEW.user_id, NEW.muscle, \(Self.hourSQL("NEW.logged_at")), \(Self.hardSetsSQL("NEW.")), \(Self.failureSetsSQL("NEW.")))
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
        return migrator
    }

    /// How many of a row's sets are hard (within 3 reps of failure) and to failure, in SQL.
    static let hardSets = hardSetsSQL()
    static let failureSets = failureSetsSQL()
    static func hardSetsSQL(_ row: String = "") -> String { "CASE WHEN COALESCE(\(row)rir, 0) <= 3 THEN \(row)sets ELSE 0 END" }
    static func failureSetsSQL(_ row: String = "") -> String {
        "CASE WHEN \(row)to_failure = 1 OR \(row)rir = 0 THEN \(row)sets ELSE 0 END"
    }
    /// The hour a time column falls in, rounded down (as `hour(of:)`), in SQL.
    static func hourSQL(_ column: String) -> String {
        "(CAST(\(column) / 3600 AS INTEGER) - (\(column) < 0 AND \(column) / 3600 <> CAST(\(column) / 3600 AS INTEGER)))"
    }

    /// Opens the database at `path`, creating it when absent unless `create` is false (then an
    /// absent file is `missing`, so a mistyped path never becomes a new, empty database).
    /// Refuses a damaged file, a file of another application, and one from a newer Spotter,
    /// without changing them.
    public init(path: String, create: Bool = true) throws(StoreError) {
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
            try migrator.migrate(queue)
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

    /// Runs `work` in one write transaction: everything in it is stored, or nothing.
    public func write<T>(_ work: (StoreSession) throws -> T) throws(StoreError) -> T {
        do {
            let result = try queue.write { db in try work(StoreSession(db: db)) }
            writeHealth.recordSuccess()
            return result
        } catch {
            if let failure = WriteHealth.storageFailure(error) { writeHealth.recordFailure(failure) }
            throw Self.map(error, path: path)
        }
    }

    /// A small write that must allocate pages and commit (then leaves nothing behind): fails while
    /// the disk is full, the file is read-only or the database is locked by someone else.
    public func probeWrite() throws(StoreError) {
        try write { session in try session.db.execute(sql: """
            INSERT INTO webhook_deliveries (webhook_id, user_id, response, received_at)
                VALUES ('spotter:write-probe', '', printf('%.*c', 12000, 'x'), 0)
                ON CONFLICT (webhook_id) DO UPDATE SET response = excluded.response;
            DELETE FROM webhook_deliveries WHERE webhook_id = 'spotter:write-probe';
            """)
        }
    }

    /// Refuses a database this process cannot write (`database_read_only`), before a server takes
    /// requests it could not store. Other failures (a full disk) are left to readiness to report.
    public func requireWritable() throws(StoreError) {
        do {
            try probeWrite()
        } catch {
            // A write refused for permissions is reported as opening is (`cannotOpen`); here it means read-only.
            if case let .cannotOpen(path, detail) = error { throw .readOnly(path: path, detail: detail) }
            throw error
        }
    }

    /// Runs `work` with read access.
    public func read<T>(_ work: (StoreSession) throws -> T) throws(StoreError) -> T {
        do {
            return try queue.read { db in try work(StoreSession(db: db)) }
        } catch {
            throw Self.map(error, path: path)
        }
    }
}

/// The outcome of the latest write: nil while writes succeed, otherwise why the last one failed.
/// Only storage failures count (full, read-only, I/O, locked), not a refused constraint.
public final class WriteHealth: Sendable {
    public struct Failure: Sendable, Hashable {
        /// `database_full`, `database_read_only`, `database_io_error`, `database_locked`, `database_unavailable`.
        public var code: String
        public var reason: String
        /// Failed writes in a row.
        public var count: Int
    }

    private let failure = Locked<Failure?>(nil)

    public init() {}

    public var current: Failure? { failure.withLock { $0 } }

    func recordSuccess() {
        failure.withLock { if $0 != nil { $0 = nil } }
    }

    func recordFailure(_ new: Failure) {
        failure.withLock { failure in
            var updated = new
            if let failure, failure.code == new.code { updated.count = failure.count + 1 }
            failure = updated
        }
    }

    /// The failure to record for an error of a write, or nil when it is not about storage.
    static func storageFailure(_ error: any Error) -> Failure? {
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
        return Failure(code: code, reason: "\(reason) (\(error.resultCode))", count: 1)
    }
}

/// Access to the store inside one transaction. Valid only inside `write` or `read`.
public struct StoreSession {
    let db: Database

    // MARK: Conversations

    /// What the dialog keeps of a lifter's conversation in a room, as it wrote it: the store
    /// holds the state without reading it (the dialog owns its shape; SpotterApp converts).
    public func conversationState(room: String, user: String) throws -> JSONValue? {
        let statement = try db.cachedStatement(sql: "SELECT state FROM conversations WHERE room_id = ? AND user_id = ?")
        guard let text = try String.fetchOne(statement, arguments: [room, user]) else { return nil }
        return try? JSONValue.parse(text)
    }

    public func saveConversationState(_ state: JSONValue, updatedAt: Timestamp, room: String, user: String) throws {
        let statement = try db.cachedStatement(sql: """
            INSERT INTO conversations (room_id, user_id, state, updated_at) VALUES (?, ?, ?, ?)
            ON CONFLICT (room_id, user_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at
            """)
        try statement.execute(arguments: [room, user, state.serialized(), updatedAt])
    }

    // MARK: Profiles

    public func profile(user: String) throws -> LifterProfile? {
        let statement = try db.cachedStatement(sql: "SELECT experience, goal, spotter FROM profiles WHERE user_id = ?")
        guard let row = try Row.fetchOne(statement, arguments: [user]) else { return nil }
        return LifterProfile(
            experience: (row["experience"] as String?).flatMap(Experience.init(rawValue:)),
            goal: (row["goal"] as String?).flatMap(TrainingGoal.init(rawValue:)),
            spotter: (row["spotter"] as Int?).map { $0 != 0 })
    }

    public func saveProfile(_ profile: LifterProfile, user: String, at time: Timestamp) throws {
        let statement = try db.cachedStatement(sql: """
            INSERT INTO profiles (user_id, experience, goal, spotter, updated_at) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (user_id) DO UPDATE SET experience = excluded.experience, goal = excluded.goal,
                spotter = excluded.spotter, updated_at = excluded.updated_at
            """)
        try statement.execute(arguments: [user, profile.experience?.rawValue, profile.goal?.rawValue,
                                          profile.spotter.map { $0 ? 1 : 0 }, time])
    }

    // MARK: Check-ins

    /// Stores a check-in as the user's check-in of its day: a second one the same day updates
    /// it, and the one it replaces is kept in `checkins_replaced`.
    public func saveCheckIn(_ record: CheckInRecord) throws {
        let keep = try db.cachedStatement(sql: """
            INSERT INTO checkins_replaced (user_id, room_id, completed_at, sleep_hours, soreness, energy, stress,
                motivation, pain, readiness, day, replaced_at)
            SELECT user_id, room_id, completed_at, sleep_hours, soreness, energy, stress, motivation, pain, readiness, day, ?
            FROM checkins WHERE user_id = ? AND day = ?
            """)
        try keep.execute(arguments: [record.completedAt, record.userID, record.day])
        let statement = try db.cachedStatement(sql: """
            INSERT INTO checkins (user_id, room_id, completed_at, sleep_hours, soreness, energy, stress, motivation, pain,
                readiness, day)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (user_id, day) DO UPDATE SET room_id = excluded.room_id, completed_at = excluded.completed_at,
                sleep_hours = excluded.sleep_hours, soreness = excluded.soreness, energy = excluded.energy,
                stress = excluded.stress, motivation = excluded.motivation, pain = excluded.pain,
                readiness = excluded.readiness
            """)
        let answers = record.answers
        try statement.execute(arguments: [
            record.userID, record.roomID, record.completedAt, answers.sleepHours, answers.soreness, answers.energy,
            answers.stress, answers.motivation, answers.pain.map { $0 ? 1 : 0 }, record.readiness.rawValue, record.day,
        ])
    }

    /// Check-ins completed since `since`, newest first, at most `limit`.
    public func checkIns(user: String, since: Timestamp, limit: Int = 100) throws -> [CheckInRecord] {
        let statement = try db.cachedStatement(sql: """
            SELECT * FROM checkins WHERE user_id = ? AND completed_at >= ? ORDER BY completed_at DESC, id DESC LIMIT ?
            """)
        return try Row.fetchAll(statement, arguments: [user, since, limit]).map(checkInRecord)
    }

    func checkInRecord(_ row: Row) -> CheckInRecord {
        CheckInRecord(
            userID: row["user_id"], roomID: row["room_id"], completedAt: row["completed_at"],
            answers: CheckInAnswers(
                sleepHours: row["sleep_hours"], soreness: row["soreness"], energy: row["energy"], stress: row["stress"],
                motivation: row["motivation"], pain: (row["pain"] as Int?).map { $0 != 0 }),
            readiness: Readiness(rawValue: row["readiness"]) ?? .green, localDay: row["day"])
    }

    // MARK: Sets

    /// Stores a set; a record without an entry starts one of its own. Returns the row id.
    @discardableResult
    public func logSet(_ record: SetRecord) throws -> Int64 {
        let statement = try db.cachedStatement(sql: """
            INSERT INTO sets (user_id, room_id, logged_at, exercise_id, muscle, load_kg, unit, reps, sets, rir, to_failure, e1rm_kg,
                              entry, rpe, added_load_kg, unit_stated)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        try statement.execute(arguments: [
            record.userID, record.roomID, record.loggedAt, record.exerciseID, record.muscle, record.loadKilograms,
            record.unit?.rawValue, record.reps, record.sets, record.repsInReserve, record.toFailure ? 1 : 0,
            record.estimatedOneRepMaxKilograms, record.entry, record.rpe, record.addedLoadKilograms, record.unitStated ? 1 : 0,
        ])
        let id = db.lastInsertedRowID
        if record.entry == nil {
            try db.execute(sql: "UPDATE sets SET entry = ? WHERE id = ?", arguments: [id, id])
        }
        return id
    }

    /// Changes a stored set (an edit: "that was 105 not 100").
    public func updateSet(_ record: SetRecord) throws {
        guard let id = record.id else { return }
        try db.execute(sql: """
            UPDATE sets SET load_kg = ?, unit = ?, reps = ?, sets = ?, rir = ?, to_failure = ?, e1rm_kg = ?, rpe = ?,
                added_load_kg = ?, unit_stated = ? WHERE id = ? AND user_id = ?
            """, arguments: [record.loadKilograms, record.unit?.rawValue, record.reps, record.sets, record.repsInReserve,
                             record.toFailure ? 1 : 0, record.estimatedOneRepMaxKilograms, record.rpe, record.addedLoadKilograms,
                             record.unitStated ? 1 : 0, id, record.userID])
    }

    /// Deletes a user's sets by row id ("undo", "delete my squat from today").
    public func deleteSets(user: String, ids: [Int64]) throws {
        for id in ids { try db.execute(sql: "DELETE FROM sets WHERE user_id = ? AND id = ?", arguments: [user, id]) }
    }

    /// The rows of the user's last log entry, in the order performed.
    public func lastEntry(user: String) throws -> [SetRecord] {
        let newest = try db.cachedStatement(sql: "SELECT entry FROM sets WHERE user_id = ? ORDER BY logged_at DESC, id DESC LIMIT 1")
        guard let entry = try Int64.fetchOne(newest, arguments: [user]) else { return [] }
        let statement = try db.cachedStatement(sql: "SELECT * FROM sets WHERE user_id = ? AND entry = ? ORDER BY id")
        return try Row.fetchAll(statement, arguments: [user, entry]).map(Self.setRecord)
    }

    /// What a new set of these exercises is compared with, without reading their whole history:
    /// per exercise the newest set with a load (its unit), the heaviest set for each rep count and
    /// the set with the best e1RM. Newest first.
    public func bestSets(user: String, exercises: [String]) throws -> [SetRecord] {
        var result: [SetRecord] = []
        let newest = try db.cachedStatement(sql: """
            SELECT * FROM sets WHERE user_id = ? AND exercise_id = ? AND (load_kg IS NOT NULL OR added_load_kg IS NOT NULL)
            ORDER BY logged_at DESC, id DESC LIMIT 1
            """)
        // SQLite returns the other columns of the row that holds the MAX.
        let heaviest = try db.cachedStatement(sql: """
            SELECT *, MAX(load_kg) FROM sets WHERE user_id = ? AND exercise_id = ? AND load_kg IS NOT NULL GROUP BY reps
            """)
        let strongest = try db.cachedStatement(sql: """
            SELECT * FROM sets WHERE user_id = ? AND exercise_id = ? AND e1rm_kg IS NOT NULL ORDER BY e1rm_kg DESC LIMIT 1
            """)
        for exercise in exercises {
            result += try Row.fetchAll(newest, arguments: [user, exercise]).map(Self.setRecord)
            result += try Row.fetchAll(heaviest, arguments: [user, exercise]).map(Self.setRecord)
            result += try Row.fetchAll(strongest, arguments: [user, exercise]).map(Self.setRecord)
        }
        return result
    }

    /// Every set of these exercises the user logged, newest first (bests, plausibility).
    public func sets(user: String, exercises: [String]) throws -> [SetRecord] {
        guard !exercises.isEmpty else { return [] }
        let marks = Array(repeating: "?", count: exercises.count).joined(separator: ", ")
        var arguments: [any DatabaseValueConvertible] = [user]
        arguments += exercises.map { $0 as any DatabaseValueConvertible }
        return try Row.fetchAll(db, sql: """
            SELECT * FROM sets WHERE user_id = ? AND exercise_id IN (\(marks)) ORDER BY logged_at DESC, id DESC
            """, arguments: StatementArguments(arguments)).map(Self.setRecord)
    }

    /// The units the user has written with loads (for inferring their unit).
    public func statedUnits(user: String) throws -> Set<LoadUnit> {
        let statement = try db.cachedStatement(sql: """
            SELECT EXISTS (SELECT 1 FROM sets WHERE user_id = ? AND unit = ? AND unit_stated = 1
                AND (load_kg IS NOT NULL OR added_load_kg IS NOT NULL))
            """)
        var units = Set<LoadUnit>()
        for unit in [LoadUnit.kilograms, .pounds] where try Bool.fetchOne(statement, arguments: [user, unit.rawValue]) == true {
            units.insert(unit)
        }
        return units
    }

    /// The unit the user asked for ("use lbs"), if any.
    public func unitPreference(user: String) throws -> LoadUnit? {
        let statement = try db.cachedStatement(sql: "SELECT unit FROM unit_preferences WHERE user_id = ?")
        return try String.fetchOne(statement, arguments: [user]).flatMap(LoadUnit.init(rawValue:))
    }

    /// The time zone the lifter named, if any.
    public func timeZone(user: String) throws -> String? {
        try String.fetchOne(db.cachedStatement(sql: "SELECT zone FROM time_zones WHERE user_id = ?"), arguments: [user])
    }

    public func saveTimeZone(_ zone: String, user: String, at time: Timestamp) throws {
        try db.execute(sql: """
            INSERT INTO time_zones (user_id, zone, updated_at) VALUES (?, ?, ?)
            ON CONFLICT (user_id) DO UPDATE SET zone = excluded.zone, updated_at = excluded.updated_at
            """, arguments: [user, zone, time])
    }

    public func saveUnitPreference(_ unit: LoadUnit, user: String, at time: Timestamp) throws {
        try db.execute(sql: """
            INSERT INTO unit_preferences (user_id, unit, updated_at) VALUES (?, ?, ?)
            ON CONFLICT (user_id) DO UPDATE SET unit = excluded.unit, updated_at = excluded.updated_at
            """, arguments: [user, unit.rawValue, time])
    }

    // MARK: Imports

    /// One import being stored (inside the caller's transaction): the row the sets point at.
    public func beginImport(user: String, source: String, fileName: String, at time: Timestamp, workouts: Int, sets: Int) throws -> Int64 {
        try db.execute(sql: """
            INSERT INTO imports (user_id, source, file_name, imported_at, workouts, sets) VALUES (?, ?, ?, ?, ?, ?)
            """, arguments: [user, source, fileName, time, workouts, sets])
        return db.lastInsertedRowID
    }

    /// Stores one imported set, marked with its import.
    public func logImportedSet(_ record: SetRecord, importID: Int64) throws {
        try logSet(record)
        try db.execute(sql: "UPDATE sets SET import_id = ? WHERE id = ?", arguments: [importID, db.lastInsertedRowID])
    }

    /// An import: whose it is, where it came from and how many sets it stored; nil when there is none.
    public func importRecord(id: Int64) throws -> (user: String, source: String, fileName: String, sets: Int)? {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM imports WHERE id = ?", arguments: [id]) else { return nil }
        return (row["user_id"], row["source"], row["file_name"], try Int.fetchOne(
            db, sql: "SELECT COUNT(*) FROM sets WHERE import_id = ?", arguments: [id]) ?? 0)
    }

    /// Earlier imports of a user from the same app and file name (a second import would store the sets twice).
    public func earlierImports(user: String, source: String, fileName: String) throws -> [(id: Int64, sets: Int)] {
        try Row.fetchAll(db, sql: """
            SELECT imports.id AS id, (SELECT COUNT(*) FROM sets WHERE sets.import_id = imports.id) AS stored FROM imports
            WHERE user_id = ? AND source = ? AND file_name = ? ORDER BY id
            """, arguments: [user, source, fileName]).map { ($0["id"], $0["stored"]) }
    }

    /// Removes an import and every set it stored.
    public func undoImport(id: Int64) throws {
        try db.execute(sql: "DELETE FROM sets WHERE import_id = ?", arguments: [id])
        try db.execute(sql: "DELETE FROM imports WHERE id = ?", arguments: [id])
    }

    /// Every set of a user, oldest first, with the import that stored it (nil: logged in the chat).
    public func setLog(user: String) throws -> [(set: SetRecord, importID: Int64?, source: String?)] {
        let rows = try Row.fetchAll(db, sql: """
            SELECT sets.*, imports.source AS import_source FROM sets LEFT JOIN imports ON imports.id = sets.import_id
            WHERE sets.user_id = ? ORDER BY sets.logged_at, sets.id
            """, arguments: [user])
        return rows.map { (Self.setRecord($0), $0["import_id"], $0["import_source"]) }
    }

    /// The hour a time falls in, as `set_volume` counts it (rounded down, as the migration does).
    static func hour(of time: Timestamp) -> Int64 { Int64((time / 3600).rounded(.down)) }

    /// Sets logged since `since`, newest first.
    public func sets(user: String, since: Timestamp, limit: Int = 2000) throws -> [SetRecord] {
        let statement = try db.cachedStatement(sql: """
            SELECT * FROM sets WHERE user_id = ? AND logged_at >= ? ORDER BY logged_at DESC, id DESC LIMIT ?
            """)
        return try Row.fetchAll(statement, arguments: [user, since, limit]).map(Self.setRecord)
    }

    /// Hard and failure sets for one muscle since `since`: whole hours from `set_volume`, the
    /// hour `since` falls in from the sets themselves, so the work is bounded by the window's
    /// hours, not by how many sets were logged, and the answer is exact.
    public func muscleVolume(user: String, muscle: String, since: Timestamp) throws -> (hard: Int, failure: Int) {
        let first = Self.hour(of: since)
        let hours = try db.cachedStatement(sql: """
            SELECT COALESCE(SUM(hard), 0), COALESCE(SUM(failure), 0) FROM set_volume WHERE user_id = ? AND muscle = ? AND hour > ?
            """)
        let edge = try db.cachedStatement(sql: """
            SELECT COALESCE(SUM(\(SpotterDatabase.hardSets)), 0), COALESCE(SUM(\(SpotterDatabase.failureSets)), 0)
            FROM sets WHERE user_id = ? AND muscle = ? AND logged_at >= ? AND logged_at < ?
            """)
        let whole = try Row.fetchOne(hours, arguments: [user, muscle, first])
        let part = try Row.fetchOne(edge, arguments: [user, muscle, since, Double(first + 1) * 3600])
        return ((whole?[0] ?? 0) + (part?[0] ?? 0), (whole?[1] ?? 0) + (part?[1] ?? 0))
    }

    /// The same count from every set (the reference `muscleVolume` must equal; tests).
    public func muscleVolumeBySets(user: String, muscle: String, since: Timestamp) throws -> (hard: Int, failure: Int) {
        let row = try Row.fetchOne(db, sql: """
            SELECT COALESCE(SUM(\(SpotterDatabase.hardSets)), 0), COALESCE(SUM(\(SpotterDatabase.failureSets)), 0)
            FROM sets WHERE user_id = ? AND muscle = ? AND logged_at >= ?
            """, arguments: [user, muscle, since])
        return (row?[0] ?? 0, row?[1] ?? 0)
    }

    static func setRecord(_ row: Row) -> SetRecord {
        SetRecord(
            userID: row["user_id"], roomID: row["room_id"], loggedAt: row["logged_at"], exerciseID: row["exercise_id"],
            muscle: row["muscle"], loadKilograms: row["load_kg"], unit: (row["unit"] as String?).flatMap(LoadUnit.init(rawValue:)),
            reps: row["reps"], sets: row["sets"], repsInReserve: row["rir"], toFailure: (row["to_failure"] as Int) != 0,
            estimatedOneRepMaxKilograms: row["e1rm_kg"], id: row["id"], entry: (row["entry"] as Int64?) ?? row["id"],
            rpe: row["rpe"], addedLoadKilograms: row["added_load_kg"], unitStated: ((row["unit_stated"] as Int?) ?? 1) != 0)
    }

    // MARK: Data rights

    /// Deletes everything stored about a user, in every room.
    public func forget(user: String) throws {
        for table in Self.forgottenTables {
            try db.execute(sql: "DELETE FROM \(table) WHERE user_id = ?", arguments: [user])
        }
        // Messages received from the user (handled ones; pending ones are still owed an answer):
        // what they said and who said it is deleted, the event id stays as a tombstone, so a
        // homeserver resending an old event cannot store it again.
        try scrubJournal(sender: user)
        try db.execute(sql: "DELETE FROM outbox WHERE recipient = ? AND status != 'pending'", arguments: [user])
        // Stored webhook answers are deleted likewise; a replay of a webhook-id is answered with
        // the tombstone, never processed (and stored) again.
        let deliveries = try String.fetchAll(db, sql: "SELECT webhook_id FROM webhook_deliveries WHERE user_id = ?", arguments: [user])
        for id in deliveries {
            try db.execute(sql: "UPDATE webhook_deliveries SET user_id = '', response = ? WHERE webhook_id = ?",
                           arguments: [Self.forgottenWebhookResponse(id), id])
        }
    }

    /// What a replayed webhook-id of a forgotten user is answered with.
    public static func forgottenWebhookResponse(_ id: String) -> String {
        JSONValue.object([("status", "forgotten"), ("webhook_id", .string(id))]).serialized()
    }

    /// The tables `export` writes, with the column naming the user and the order of the rows.
    /// Every table that holds a user id is here or says why not (a test checks the schema).
    public static let exportedTables = [
        ("profiles", "user_id", "user_id"), ("conversations", "user_id", "room_id"),
        ("checkins", "user_id", "completed_at"), ("checkins_replaced", "user_id", "completed_at"),
        ("sets", "user_id", "logged_at"), ("imports", "user_id", "id"),
        ("journal", "sender", "seq"), ("outbox", "recipient", "id"),
        ("webhook_deliveries", "user_id", "received_at"), ("room_members", "user_id", "room_id"),
        ("direct_rooms", "user_id", "room_id"), ("unit_preferences", "user_id", "user_id"),
        ("time_zones", "user_id", "user_id"), ("quick_checkins", "user_id", "seq"),
    ]

    /// The tables `forget` deletes a user's rows from (the journal and stored webhook answers
    /// become tombstones instead; the outbox keeps what is still owed).
    public static let forgottenTables = [
        "profiles", "conversations", "checkins", "checkins_replaced", "sets", "set_volume", "imports", "room_members",
        "direct_rooms", "unit_preferences", "time_zones", "quick_checkins",
    ]

    /// Everything stored about a user, table by table, as rows of column → value.
    public func export(user: String) throws -> [(table: String, rows: [[(String, JSONValue)]])] {
        var result: [(table: String, rows: [[(String, JSONValue)]])] = []
        let tables = Self.exportedTables
        for (table, owner, order) in tables {
            let rows = try Row.fetchAll(db, sql: "SELECT * FROM \(table) WHERE \(owner) = ? ORDER BY \(order)", arguments: [user])
            result.append((table, rows.map { row in
                row.columnNames.map { name -> (String, JSONValue) in
                    let value: DatabaseValue = row[name]
                    switch value.storage {
                    case .null: return (name, .null)
                    case let .int64(number): return (name, .number(Double(number)))
                    case let .double(number): return (name, .number(number))
                    case let .string(text): return (name, .string(text))
                    case let .blob(data): return (name, .string(data.base64EncodedString()))
                    }
                }
            }))
        }
        return result
    }
}

// MARK: Test support

extension SpotterDatabase {
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
