import Foundation
import GRDB
import SpotterCore
import SpotterDialog

/// Why the database cannot be used. Every case names the file and says what to do; none
/// of them ever overwrites the file.
public enum StoreError: Error, Sendable, CustomStringConvertible {
    case corrupt(path: String, detail: String)
    case locked(path: String)
    case newerVersion(path: String, unknown: [String])
    case notSpotter(path: String)
    case cannotOpen(path: String, detail: String)
    case failed(detail: String)

    /// A stable code for scripts.
    public var code: String {
        switch self {
        case .corrupt: "database_corrupt"
        case .locked: "database_locked"
        case .newerVersion: "database_too_new"
        case .notSpotter: "database_not_spotter"
        case .cannotOpen: "database_unavailable"
        case .failed: "database_error"
        }
    }

    public var description: String {
        switch self {
        case let .corrupt(path, detail):
            "\(path): the database is damaged or not a database (\(detail)); it was left untouched. "
                + "Restore a backup, or pass --db with a new path."
        case let .locked(path):
            "\(path): the database is locked by another process; stop the other Spotter, or pass --db with another path."
        case let .newerVersion(path, unknown):
            "\(path): the database was written by a newer Spotter (schema \(unknown.joined(separator: ", "))); "
                + "it was left untouched. Upgrade Spotter, or pass --db with another path."
        case let .notSpotter(path):
            "\(path): this SQLite file holds other data, not Spotter's; it was left untouched. Pass --db with another path."
        case let .cannotOpen(path, detail):
            "\(path): cannot open the database (\(detail)); check the folder exists and is writable, or pass --db."
        case let .failed(detail):
            "database error: \(detail)"
        }
    }
}

/// Spotter's SQLite store: one file, WAL, versioned migrations. Every message is handled in one
/// write transaction that commits before the reply is shown, so what a reply confirms survives
/// a crash of the process (WAL with synchronous=NORMAL: durable against process death; a power
/// cut may lose the last transactions).
public final class SpotterDatabase: Sendable {
    public let path: String
    private let queue: DatabaseQueue

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
        migrator.registerMigration("v5-set-log") { db in
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
        return migrator
    }

    /// Opens (creating when absent) the database at `path`. Refuses a damaged file, a file of
    /// another application, and one from a newer Spotter, without changing them.
    public init(path: String) throws(StoreError) {
        self.path = path
        let exists = FileManager.default.fileExists(atPath: path)
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
            return try queue.write { db in try work(StoreSession(db: db)) }
        } catch {
            throw Self.map(error, path: path)
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

/// Access to the store inside one transaction. Valid only inside `write` or `read`.
public struct StoreSession {
    let db: Database

    // MARK: Conversations

    public func conversation(room: String, user: String) throws -> Conversation? {
        let statement = try db.cachedStatement(sql: "SELECT state FROM conversations WHERE room_id = ? AND user_id = ?")
        guard let text = try String.fetchOne(statement, arguments: [room, user]) else { return nil }
        guard let json = try? JSONValue.parse(text) else { return nil }
        return Conversation(json: json)
    }

    public func saveConversation(_ conversation: Conversation, room: String, user: String) throws {
        let statement = try db.cachedStatement(sql: """
            INSERT INTO conversations (room_id, user_id, state, updated_at) VALUES (?, ?, ?, ?)
            ON CONFLICT (room_id, user_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at
            """)
        try statement.execute(arguments: [room, user, conversation.json.serialized(), conversation.updatedAt])
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

    public func saveCheckIn(_ record: CheckInRecord) throws {
        let statement = try db.cachedStatement(sql: """
            INSERT INTO checkins (user_id, room_id, completed_at, sleep_hours, soreness, energy, stress, motivation, pain, readiness)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        let answers = record.answers
        try statement.execute(arguments: [
            record.userID, record.roomID, record.completedAt, answers.sleepHours, answers.soreness, answers.energy,
            answers.stress, answers.motivation, answers.pain.map { $0 ? 1 : 0 }, record.readiness.rawValue,
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
            readiness: Readiness(rawValue: row["readiness"]) ?? .green)
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

    public func saveUnitPreference(_ unit: LoadUnit, user: String, at time: Timestamp) throws {
        try db.execute(sql: """
            INSERT INTO unit_preferences (user_id, unit, updated_at) VALUES (?, ?, ?)
            ON CONFLICT (user_id) DO UPDATE SET unit = excluded.unit, updated_at = excluded.updated_at
            """, arguments: [user, unit.rawValue, time])
    }

    /// Sets logged since `since`, newest first.
    public func sets(user: String, since: Timestamp, limit: Int = 2000) throws -> [SetRecord] {
        let statement = try db.cachedStatement(sql: """
            SELECT * FROM sets WHERE user_id = ? AND logged_at >= ? ORDER BY logged_at DESC, id DESC LIMIT ?
            """)
        return try Row.fetchAll(statement, arguments: [user, since, limit]).map(Self.setRecord)
    }

    /// Hard and failure sets for one muscle since `since`.
    public func muscleVolume(user: String, muscle: String, since: Timestamp) throws -> (hard: Int, failure: Int) {
        let statement = try db.cachedStatement(sql: """
            SELECT COALESCE(SUM(CASE WHEN COALESCE(rir, 0) <= 3 THEN sets ELSE 0 END), 0),
                   COALESCE(SUM(CASE WHEN to_failure = 1 OR rir = 0 THEN sets ELSE 0 END), 0)
            FROM sets WHERE user_id = ? AND muscle = ? AND logged_at >= ?
            """)
        guard let row = try Row.fetchOne(statement, arguments: [user, muscle, since]) else { return (0, 0) }
        return (row[0], row[1])
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
        for table in ["profiles", "conversations", "checkins", "sets", "room_members", "direct_rooms", "unit_preferences"] {
            try db.execute(sql: "DELETE FROM \(table) WHERE user_id = ?", arguments: [user])
        }
        // Messages received from the user (handled ones; pending ones are still owed an answer).
        try db.execute(sql: "DELETE FROM journal WHERE sender = ? AND status != 'pending'", arguments: [user])
        try db.execute(sql: "DELETE FROM outbox WHERE recipient = ? AND status != 'pending'", arguments: [user])
        try db.execute(sql: "DELETE FROM webhook_deliveries WHERE user_id = ?", arguments: [user])
    }

    /// Everything stored about a user, table by table, as rows of column → value.
    public func export(user: String) throws -> [(table: String, rows: [[(String, JSONValue)]])] {
        var result: [(table: String, rows: [[(String, JSONValue)]])] = []
        let tables = [("profiles", "user_id", "user_id"), ("conversations", "user_id", "room_id"),
                      ("checkins", "user_id", "completed_at"), ("sets", "user_id", "logged_at"),
                      ("journal", "sender", "seq"), ("outbox", "recipient", "id"),
                      ("webhook_deliveries", "user_id", "received_at"), ("room_members", "user_id", "room_id"),
                      ("direct_rooms", "user_id", "room_id"), ("unit_preferences", "user_id", "user_id")]
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

    /// Creates a Spotter database migrated only up to `version`, then runs `sql` on it: a file
    /// as an older Spotter left it (tests of migrations).
    public static func createOlderForTests(path: String, upTo version: String, sql: String) throws {
        let queue = try DatabaseQueue(path: path)
        try migrator.migrate(queue, upTo: version)
        try queue.write { db in try db.execute(sql: sql) }
    }

    /// Creates an SQLite file that belongs to some other application.
    public static func createForeignDatabaseForTests(path: String) throws {
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in try db.execute(sql: "CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)") }
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
