import Foundation
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
    /// A shared store whose schema is behind this build (`spotter migrate` applies `pending`).
    case unmigrated(path: String, pending: [String])
    /// Another instance handled the same thing first; the transaction stored nothing.
    case conflict(detail: String)

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
        case .unmigrated: "database_unmigrated"
        case .conflict: "database_conflict"
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
        case let .unmigrated(path, pending):
            "\(path): the database's schema is behind this Spotter (\(pending.count) migration\(pending.count == 1 ? "" : "s") "
                + "to apply: \(pending.joined(separator: ", "))); run `spotter migrate --db URL` once, then start the instances."
        case let .conflict(detail):
            "another instance got there first: \(detail); nothing was stored."
        }
    }
}

/// Spotter's store: conversations, the set log, check-ins, the journal and the outbox, on SQLite
/// (one file, the default) or PostgreSQL (shared by several instances), with the same versioned
/// migrations, sessions and refusals on both. Every message is handled in one write transaction
/// that commits before the reply is shown, so what a reply confirms survives a crash of the process.
public final class SpotterDatabase: Sendable {
    /// Where the data is, as said to people (a file path, or a PostgreSQL URL without its password).
    public var path: String { backend.location }
    /// Whether opening this database created it (so a command can say so once).
    public var created: Bool { backend.created }
    public let backend: any StoreBackend
    /// Whether the last write reached the store: servers report it (log, /readyz).
    public let writeHealth = WriteHealth()

    /// Opens the SQLite database at `path`, creating it when absent unless `create` is false (then
    /// an absent file is `missing`, so a mistyped path never becomes a new, empty database).
    /// Refuses a damaged file, a file of another application, and one from a newer Spotter,
    /// without changing them.
    public convenience init(path: String, create: Bool = true) throws(StoreError) {
        self.init(backend: try SQLiteBackend(path: path, create: create))
    }

    /// A store on an opened backend (`SpotterPostgres` makes the PostgreSQL one).
    public init(backend: any StoreBackend) {
        self.backend = backend
    }

    /// Whether other processes may write this store at once (PostgreSQL): then what a process
    /// keeps in memory of it can be stale, and rooms, the outbox and the scheduler are taken
    /// under leases. A SQLite store has one server (``DatabaseOwnership``).
    public var isShared: Bool { backend.dialect == .postgres }

    /// The schema versions this build knows, in order; both backends apply these identifiers.
    public static var migrationIdentifiers: [String] { SQLiteBackend.migrationIdentifiers }

    /// How many of a row's sets are hard (within 3 reps of failure) and to failure, in SQL.
    static let hardSets = hardSetsSQL()
    static let failureSets = failureSetsSQL()
    public static func hardSetsSQL(_ row: String = "") -> String { "CASE WHEN COALESCE(\(row)rir, 0) <= 3 THEN \(row)sets ELSE 0 END" }
    public static func failureSetsSQL(_ row: String = "") -> String {
        "CASE WHEN \(row)to_failure = 1 OR \(row)rir = 0 THEN \(row)sets ELSE 0 END"
    }

    /// Moves SQLite's WAL checkpoints off the writers (servers); nothing to do on PostgreSQL.
    public func startBackgroundCheckpoints(every seconds: Double = 1) throws(StoreError) {
        if let sqlite = backend as? SQLiteBackend { try sqlite.startBackgroundCheckpoints(every: seconds) }
    }

    /// Runs `work` in one write transaction: everything in it is stored, or nothing.
    public func write<T>(_ work: (StoreSession) throws -> T) throws(StoreError) -> T {
        do {
            let result = try backend.write { connection in try work(StoreSession(sql: connection)) }
            writeHealth.recordSuccess()
            return result
        } catch {
            if let failure = backend.storageFailure(error) { writeHealth.recordFailure(failure) }
            throw backend.storeError(error)
        }
    }

    /// A small write that must allocate pages and commit (then leaves nothing behind): fails while
    /// the disk is full, the store is read-only, unreachable or locked by someone else.
    public func probeWrite() throws(StoreError) {
        try write { session in
            let filler = switch session.sql.dialect {
            case .sqlite: "printf('%.*c', 12000, 'x')"
            case .postgres: "repeat('x', 12000)"
            }
            try session.sql.execute("""
                INSERT INTO webhook_deliveries (webhook_id, user_id, response, received_at)
                    VALUES ('spotter:write-probe', '', \(filler), 0)
                    ON CONFLICT (webhook_id) DO UPDATE SET response = excluded.response
                """, [])
            try session.sql.execute("DELETE FROM webhook_deliveries WHERE webhook_id = 'spotter:write-probe'", [])
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
            return try backend.read { connection in try work(StoreSession(sql: connection)) }
        } catch {
            throw backend.storeError(error)
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

        public init(code: String, reason: String, count: Int = 1) {
            self.code = code
            self.reason = reason
            self.count = count
        }
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
}

/// Access to the store inside one transaction. Valid only inside `write` or `read`.
public struct StoreSession {
    /// The connection, for the store's own queries (and tests that look at tables).
    public let sql: any SQLConnection

    // MARK: Conversations

    /// What the dialog keeps of a lifter's conversation in a room, as it wrote it: the store
    /// holds the state without reading it (the dialog owns its shape; SpotterApp converts).
    public func conversationState(room: String, user: String) throws -> JSONValue? {
        guard let text: String = try sql.value("SELECT state FROM conversations WHERE room_id = ? AND user_id = ?", room, user)
        else { return nil }
        return try? JSONValue.parse(text)
    }

    public func saveConversationState(_ state: JSONValue, updatedAt: Timestamp, room: String, user: String) throws {
        try sql.execute("""
            INSERT INTO conversations (room_id, user_id, state, updated_at) VALUES (?, ?, ?, ?)
            ON CONFLICT (room_id, user_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at
            """, room, user, state.serialized(), updatedAt)
    }

    // MARK: Profiles

    public func profile(user: String) throws -> LifterProfile? {
        guard let row = try sql.row("SELECT experience, goal, spotter FROM profiles WHERE user_id = ?", user) else { return nil }
        return LifterProfile(
            experience: (row["experience"] as String?).flatMap(Experience.init(rawValue:)),
            goal: (row["goal"] as String?).flatMap(TrainingGoal.init(rawValue:)),
            spotter: (row["spotter"] as Int?).map { $0 != 0 })
    }

    public func saveProfile(_ profile: LifterProfile, user: String, at time: Timestamp) throws {
        try sql.execute("""
            INSERT INTO profiles (user_id, experience, goal, spotter, updated_at) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (user_id) DO UPDATE SET experience = excluded.experience, goal = excluded.goal,
                spotter = excluded.spotter, updated_at = excluded.updated_at
            """, user, profile.experience?.rawValue, profile.goal?.rawValue, profile.spotter.map { $0 ? 1 : 0 }, time)
    }

    // MARK: Check-ins

    /// Stores a check-in as the user's check-in of its day: a second one the same day updates
    /// it, and the one it replaces is kept in `checkins_replaced`.
    public func saveCheckIn(_ record: CheckInRecord) throws {
        try sql.execute("""
            INSERT INTO checkins_replaced (user_id, room_id, completed_at, sleep_hours, soreness, energy, stress,
                motivation, pain, readiness, day, replaced_at)
            SELECT user_id, room_id, completed_at, sleep_hours, soreness, energy, stress, motivation, pain, readiness, day, ?
            FROM checkins WHERE user_id = ? AND day = ?
            """, record.completedAt, record.userID, record.day)
        let answers = record.answers
        try sql.execute("""
            INSERT INTO checkins (user_id, room_id, completed_at, sleep_hours, soreness, energy, stress, motivation, pain,
                readiness, day)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (user_id, day) DO UPDATE SET room_id = excluded.room_id, completed_at = excluded.completed_at,
                sleep_hours = excluded.sleep_hours, soreness = excluded.soreness, energy = excluded.energy,
                stress = excluded.stress, motivation = excluded.motivation, pain = excluded.pain,
                readiness = excluded.readiness
            """, record.userID, record.roomID, record.completedAt, answers.sleepHours, answers.soreness, answers.energy,
            answers.stress, answers.motivation, answers.pain.map { $0 ? 1 : 0 }, record.readiness.rawValue, record.day)
    }

    /// Check-ins completed since `since`, newest first, at most `limit`.
    public func checkIns(user: String, since: Timestamp, limit: Int = 100) throws -> [CheckInRecord] {
        try sql.rows("""
            SELECT * FROM checkins WHERE user_id = ? AND completed_at >= ? ORDER BY completed_at DESC, id DESC LIMIT ?
            """, user, since, limit).map(checkInRecord)
    }

    func checkInRecord(_ row: SQLRow) -> CheckInRecord {
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
        let id = try sql.insert("""
            INSERT INTO sets (user_id, room_id, logged_at, exercise_id, muscle, load_kg, unit, reps, sets, rir, to_failure, e1rm_kg,
                              entry, rpe, added_load_kg, unit_stated)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            record.userID, record.roomID, record.loggedAt, record.exerciseID, record.muscle, record.loadKilograms,
            record.unit?.rawValue, record.reps, record.sets, record.repsInReserve, record.toFailure ? 1 : 0,
            record.estimatedOneRepMaxKilograms, record.entry, record.rpe, record.addedLoadKilograms, record.unitStated ? 1 : 0)
        if record.entry == nil {
            try sql.execute("UPDATE sets SET entry = ? WHERE id = ?", id, id)
        }
        return id
    }

    /// Changes a stored set (an edit: "that was 105 not 100").
    public func updateSet(_ record: SetRecord) throws {
        guard let id = record.id else { return }
        try sql.execute("""
            UPDATE sets SET load_kg = ?, unit = ?, reps = ?, sets = ?, rir = ?, to_failure = ?, e1rm_kg = ?, rpe = ?,
                added_load_kg = ?, unit_stated = ? WHERE id = ? AND user_id = ?
            """, record.loadKilograms, record.unit?.rawValue, record.reps, record.sets, record.repsInReserve,
            record.toFailure ? 1 : 0, record.estimatedOneRepMaxKilograms, record.rpe, record.addedLoadKilograms,
            record.unitStated ? 1 : 0, id, record.userID)
    }

    /// Deletes a user's sets by row id ("undo", "delete my squat from today").
    public func deleteSets(user: String, ids: [Int64]) throws {
        for id in ids { try sql.execute("DELETE FROM sets WHERE user_id = ? AND id = ?", user, id) }
    }

    /// The rows of the user's last log entry, in the order performed.
    public func lastEntry(user: String) throws -> [SetRecord] {
        guard let entry: Int64 = try sql.value("SELECT entry FROM sets WHERE user_id = ? ORDER BY logged_at DESC, id DESC LIMIT 1", user)
        else { return [] }
        return try sql.rows("SELECT * FROM sets WHERE user_id = ? AND entry = ? ORDER BY id", user, entry).map(Self.setRecord)
    }

    /// What a new set of these exercises is compared with, without reading their whole history:
    /// per exercise the newest set with a load (its unit), the heaviest set for each rep count and
    /// the set with the best e1RM. Newest first.
    public func bestSets(user: String, exercises: [String]) throws -> [SetRecord] {
        var result: [SetRecord] = []
        let newest = """
            SELECT * FROM sets WHERE user_id = ? AND exercise_id = ? AND (load_kg IS NOT NULL OR added_load_kg IS NOT NULL)
            ORDER BY logged_at DESC, id DESC LIMIT 1
            """
        // The heaviest set of each rep count (the earliest of equals). SQLite returns the other
        // columns of the row that holds the MAX; PostgreSQL says the same with DISTINCT ON.
        let heaviest = switch sql.dialect {
        case .sqlite: "SELECT *, MAX(load_kg) FROM sets WHERE user_id = ? AND exercise_id = ? AND load_kg IS NOT NULL GROUP BY reps"
        case .postgres: """
            SELECT DISTINCT ON (reps) * FROM sets WHERE user_id = ? AND exercise_id = ? AND load_kg IS NOT NULL
            ORDER BY reps, load_kg DESC, id
            """
        }
        let strongest = """
            SELECT * FROM sets WHERE user_id = ? AND exercise_id = ? AND e1rm_kg IS NOT NULL ORDER BY e1rm_kg DESC, id LIMIT 1
            """
        for exercise in exercises {
            result += try sql.rows(newest, user, exercise).map(Self.setRecord)
            result += try sql.rows(heaviest, user, exercise).map(Self.setRecord)
            result += try sql.rows(strongest, user, exercise).map(Self.setRecord)
        }
        return result
    }

    /// Every set of these exercises the user logged, newest first (bests, plausibility).
    public func sets(user: String, exercises: [String]) throws -> [SetRecord] {
        guard !exercises.isEmpty else { return [] }
        let marks = Array(repeating: "?", count: exercises.count).joined(separator: ", ")
        return try sql.rows("""
            SELECT * FROM sets WHERE user_id = ? AND exercise_id IN (\(marks)) ORDER BY logged_at DESC, id DESC
            """, [.text(user)] + exercises.map { .text($0) }).map(Self.setRecord)
    }

    /// The units the user has written with loads (for inferring their unit).
    public func statedUnits(user: String) throws -> Set<LoadUnit> {
        var units = Set<LoadUnit>()
        for unit in [LoadUnit.kilograms, .pounds] {
            let stated: Bool? = try sql.value("""
                SELECT EXISTS (SELECT 1 FROM sets WHERE user_id = ? AND unit = ? AND unit_stated = 1
                    AND (load_kg IS NOT NULL OR added_load_kg IS NOT NULL))
                """, user, unit.rawValue)
            if stated == true { units.insert(unit) }
        }
        return units
    }

    /// The unit the user asked for ("use lbs"), if any.
    public func unitPreference(user: String) throws -> LoadUnit? {
        let unit: String? = try sql.value("SELECT unit FROM unit_preferences WHERE user_id = ?", user)
        return unit.flatMap(LoadUnit.init(rawValue:))
    }

    /// The time zone the lifter named, if any.
    public func timeZone(user: String) throws -> String? {
        try sql.value("SELECT zone FROM time_zones WHERE user_id = ?", user)
    }

    public func saveTimeZone(_ zone: String, user: String, at time: Timestamp) throws {
        try sql.execute("""
            INSERT INTO time_zones (user_id, zone, updated_at) VALUES (?, ?, ?)
            ON CONFLICT (user_id) DO UPDATE SET zone = excluded.zone, updated_at = excluded.updated_at
            """, user, zone, time)
    }

    public func saveUnitPreference(_ unit: LoadUnit, user: String, at time: Timestamp) throws {
        try sql.execute("""
            INSERT INTO unit_preferences (user_id, unit, updated_at) VALUES (?, ?, ?)
            ON CONFLICT (user_id) DO UPDATE SET unit = excluded.unit, updated_at = excluded.updated_at
            """, user, unit.rawValue, time)
    }

    // MARK: Imports

    /// One import being stored (inside the caller's transaction): the row the sets point at.
    public func beginImport(user: String, source: String, fileName: String, at time: Timestamp, workouts: Int, sets: Int) throws -> Int64 {
        try sql.insert("""
            INSERT INTO imports (user_id, source, file_name, imported_at, workouts, sets) VALUES (?, ?, ?, ?, ?, ?)
            """, user, source, fileName, time, workouts, sets)
    }

    /// Stores one imported set, marked with its import.
    public func logImportedSet(_ record: SetRecord, importID: Int64) throws {
        let id = try logSet(record)
        try sql.execute("UPDATE sets SET import_id = ? WHERE id = ?", importID, id)
    }

    /// An import: whose it is, where it came from and how many sets it stored; nil when there is none.
    public func importRecord(id: Int64) throws -> (user: String, source: String, fileName: String, sets: Int)? {
        guard let row = try sql.row("SELECT * FROM imports WHERE id = ?", id) else { return nil }
        let stored: Int = try sql.value("SELECT COUNT(*) FROM sets WHERE import_id = ?", id) ?? 0
        return (row["user_id"], row["source"], row["file_name"], stored)
    }

    /// Earlier imports of a user from the same app and file name (a second import would store the sets twice).
    public func earlierImports(user: String, source: String, fileName: String) throws -> [(id: Int64, sets: Int)] {
        try sql.rows("""
            SELECT imports.id AS id, (SELECT COUNT(*) FROM sets WHERE sets.import_id = imports.id) AS stored FROM imports
            WHERE user_id = ? AND source = ? AND file_name = ? ORDER BY id
            """, user, source, fileName).map { ($0["id"], $0["stored"]) }
    }

    /// Removes an import and every set it stored.
    public func undoImport(id: Int64) throws {
        try sql.execute("DELETE FROM sets WHERE import_id = ?", id)
        try sql.execute("DELETE FROM imports WHERE id = ?", id)
    }

    /// Every set of a user, oldest first, with the import that stored it (nil: logged in the chat).
    public func setLog(user: String) throws -> [(set: SetRecord, importID: Int64?, source: String?)] {
        let rows = try sql.rows("""
            SELECT sets.*, imports.source AS import_source FROM sets LEFT JOIN imports ON imports.id = sets.import_id
            WHERE sets.user_id = ? ORDER BY sets.logged_at, sets.id
            """, user)
        return rows.map { (Self.setRecord($0), $0["import_id"], $0["import_source"]) }
    }

    /// The hour a time falls in, as `set_volume` counts it (rounded down, as the migration does).
    static func hour(of time: Timestamp) -> Int64 { Int64((time / 3600).rounded(.down)) }

    /// Sets logged since `since`, newest first.
    public func sets(user: String, since: Timestamp, limit: Int = 2000) throws -> [SetRecord] {
        try sql.rows("""
            SELECT * FROM sets WHERE user_id = ? AND logged_at >= ? ORDER BY logged_at DESC, id DESC LIMIT ?
            """, user, since, limit).map(Self.setRecord)
    }

    /// Hard and failure sets for one muscle since `since`: whole hours from `set_volume`, the
    /// hour `since` falls in from the sets themselves, so the work is bounded by the window's
    /// hours, not by how many sets were logged, and the answer is exact.
    public func muscleVolume(user: String, muscle: String, since: Timestamp) throws -> (hard: Int, failure: Int) {
        let first = Self.hour(of: since)
        // Sums are cast: PostgreSQL sums integers as numeric.
        let whole = try sql.row("""
            SELECT CAST(COALESCE(SUM(hard), 0) AS BIGINT), CAST(COALESCE(SUM(failure), 0) AS BIGINT)
            FROM set_volume WHERE user_id = ? AND muscle = ? AND hour > ?
            """, user, muscle, first)
        let part = try sql.row("""
            SELECT CAST(COALESCE(SUM(\(SpotterDatabase.hardSets)), 0) AS BIGINT),
                   CAST(COALESCE(SUM(\(SpotterDatabase.failureSets)), 0) AS BIGINT)
            FROM sets WHERE user_id = ? AND muscle = ? AND logged_at >= ? AND logged_at < ?
            """, user, muscle, since, Double(first + 1) * 3600)
        let wholeHard: Int = whole?[0] ?? 0, wholeFailure: Int = whole?[1] ?? 0
        let partHard: Int = part?[0] ?? 0, partFailure: Int = part?[1] ?? 0
        return (wholeHard + partHard, wholeFailure + partFailure)
    }

    /// The same count from every set (the reference `muscleVolume` must equal; tests).
    public func muscleVolumeBySets(user: String, muscle: String, since: Timestamp) throws -> (hard: Int, failure: Int) {
        let row = try sql.row("""
            SELECT CAST(COALESCE(SUM(\(SpotterDatabase.hardSets)), 0) AS BIGINT),
                   CAST(COALESCE(SUM(\(SpotterDatabase.failureSets)), 0) AS BIGINT)
            FROM sets WHERE user_id = ? AND muscle = ? AND logged_at >= ?
            """, user, muscle, since)
        return (row?[0] ?? 0, row?[1] ?? 0)
    }

    static func setRecord(_ row: SQLRow) -> SetRecord {
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
            try sql.execute("DELETE FROM \(table) WHERE user_id = ?", user)
        }
        // Messages received from the user (handled ones; pending ones are still owed an answer):
        // what they said and who said it is deleted, the event id stays as a tombstone, so a
        // homeserver resending an old event cannot store it again.
        try scrubJournal(sender: user)
        try sql.execute("DELETE FROM outbox WHERE recipient = ? AND status != 'pending'", user)
        // Stored webhook answers are deleted likewise; a replay of a webhook-id is answered with
        // the tombstone, never processed (and stored) again.
        let deliveries: [String] = try sql.column("SELECT webhook_id FROM webhook_deliveries WHERE user_id = ?", user)
        for id in deliveries {
            try sql.execute("UPDATE webhook_deliveries SET user_id = '', response = ? WHERE webhook_id = ?",
                            Self.forgottenWebhookResponse(id), id)
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
        for (table, owner, order) in Self.exportedTables {
            let rows = try sql.rows("SELECT * FROM \(table) WHERE \(owner) = ? ORDER BY \(order)", user)
            result.append((table, rows.map { row in
                zip(row.columns, row.values).map { name, value -> (String, JSONValue) in
                    switch value {
                    case .null: (name, .null)
                    case let .integer(number): (name, .number(Double(number)))
                    case let .real(number): (name, .number(number))
                    case let .text(text): (name, .string(text))
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
        try SQLiteBackend.recordMigrationForTests(identifier, path: path)
    }

    /// Creates a database migrated only up to `version` and runs `sql` in it (tests of later migrations).
    public static func createForTests(path: String, migratedUpTo version: String, sql: String) throws {
        try SQLiteBackend.createForTests(path: path, migratedUpTo: version, sql: sql)
    }

    /// Creates an SQLite file that belongs to some other application.
    public static func createForeignDatabaseForTests(path: String) throws {
        try SQLiteBackend.createForeignDatabaseForTests(path: path)
    }

    /// The SQLite backend, for the fault hooks only SQLite has (a full disk, a held file lock).
    func sqliteForTests() throws -> SQLiteBackend {
        guard let sqlite = backend as? SQLiteBackend else { throw StoreError.failed(detail: "this test hook needs SQLite") }
        return sqlite
    }

    /// Makes the store fail when an import has stored `count` sets (tests of an import that fails half-way).
    public func failImportsForTests(after count: Int) throws {
        guard let hooks = backend as? any StoreFaultHooks else { throw StoreError.failed(detail: "this backend has no fault hooks") }
        try hooks.failImportsForTests(after: count)
    }

    /// Simulates a full disk (SQLite only).
    public func simulateFullDiskForTests(_ full: Bool) throws {
        try sqliteForTests().simulateFullDiskForTests(full)
    }

    /// Runs `body` while another holder has the store locked (SQLite only).
    public func holdingExclusiveLockForTests<T>(_ body: () throws -> T) throws -> T {
        try sqliteForTests().holdingExclusiveLockForTests(body)
    }
}

/// Fault injection every backend offers to the same tests.
public protocol StoreFaultHooks {
    func failImportsForTests(after count: Int) throws
}

extension SQLiteBackend: StoreFaultHooks {}
