import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresNIO
import SpotterCore
import SpotterStore

/// The store on PostgreSQL: a pool of connections (`pool_size`), each used by one transaction
/// at a time, reconnected when the server drops it. Calls block their thread: the store is used
/// from the dedicated threads the server runs blocking work on, never from an event loop.
public final class PostgresBackend: StoreBackend, StoreFaultHooks {
    public let place: PostgresLocation
    public let created: Bool
    /// The migrations this opening applied, in order (none when the schema was current).
    public let applied: [String]
    public var location: String { place.description }
    public var dialect: SQLDialect { .postgres }
    /// The pool's connections. Each lock is held for a whole transaction, unlike Locked's other
    /// uses: callers are blocking-work threads, never event loops.
    private let connections: [Locked<PostgresConnection?>]
    /// Which connections no transaction uses, and how many (a transaction waits for one).
    private let idle: Locked<[Int]>
    private let available: DispatchSemaphore
    private let statements = PostgresStatements()
    static let logger = Logger(label: "spotter.postgres")

    /// The advisory lock key (arbitrary, fixed) taken while migrations are applied.
    static let migrationLockKey: Int64 = 0x5370_6F74_7465_7202

    /// The table recording which migrations ran (GRDB's is `grdb_migrations` on SQLite).
    static let migrationsTable = "spotter_migrations"

    /// Whether opening may change the schema.
    public enum Migrations: Sendable {
        /// Apply what is missing (`spotter migrate`, tests).
        case apply
        /// Refuse a schema that is behind (`database_unmigrated`): instances sharing a database
        /// never race to migrate it; `spotter migrate` is run once, explicitly.
        case require
    }

    /// Opens the store at `location`: refuses another application's schema and one from a newer
    /// Spotter without changing them; with `.apply`, creates and migrates Spotter's tables
    /// (an empty database is `missing` unless `create`), with `.require` refuses a schema behind
    /// this build.
    public init(_ location: PostgresLocation, create: Bool = true, migrations: Migrations = .apply) throws(StoreError) {
        place = location
        connections = (0..<location.poolSize).map { _ in Locked(nil) }
        idle = Locked(Array(0..<location.poolSize))
        available = DispatchSemaphore(value: location.poolSize)
        (created, applied) = try Self.open(location, create: create, migrations: migrations, into: connections[0], statements: statements)
    }

    public convenience init(url: String, create: Bool = true, migrations: Migrations = .apply) throws(StoreError) {
        try self.init(PostgresLocation(url: url), create: create, migrations: migrations)
    }

    deinit {
        for connection in connections { connection.withLock { connection in _ = try? connection?.close().wait() } }
    }

    private static func open(
        _ location: PostgresLocation, create: Bool, migrations: Migrations, into holder: Locked<PostgresConnection?>,
        statements: PostgresStatements
    ) throws(StoreError) -> (created: Bool, applied: [String]) {
        do {
            return try holder.withLock { held throws -> (Bool, [String]) in
                let connection = try connect(location)
                held = connection
                let session = PostgresSession(connection: connection, statements: statements)
                let tables: [String] = try session.rows(
                    "SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema()", []
                ).map { $0[0] }
                if !tables.isEmpty && !tables.contains(migrationsTable) {
                    throw StoreError.notSpotter(path: location.description)
                }
                let fresh = tables.isEmpty
                if fresh && !create && migrations == .apply { throw StoreError.missing(path: location.description) }
                let done: [String] = fresh ? [] : try session.rows("SELECT identifier FROM \(migrationsTable)", []).map { $0[0] }
                let unknown = Set(done).subtracting(PostgresSchema.migrations.map(\.identifier))
                if !unknown.isEmpty { throw StoreError.newerVersion(path: location.description, unknown: unknown.sorted()) }
                let pending = PostgresSchema.migrations.map(\.identifier).filter { !done.contains($0) }
                if migrations == .require {
                    if !pending.isEmpty { throw StoreError.unmigrated(path: location.description, pending: pending) }
                    return (false, [])
                }
                return (fresh, try migrate(session))
            }
        } catch {
            // A refused store is not opened: its connection closes here (never dropped unclosed).
            holder.withLock { held in
                _ = try? held?.close().wait()
                held = nil
            }
            throw Self.map(error, location: location.description)
        }
    }

    /// Applies the migrations not yet applied, in one transaction under a lock every instance
    /// takes, so two `spotter migrate` at once cannot run one twice. Returns those it applied.
    static func migrate(_ session: PostgresSession) throws -> [String] {
        try session.execute("BEGIN", [])
        do {
            try session.execute("SELECT pg_advisory_xact_lock(\(migrationLockKey))", [])
            try session.execute("""
                CREATE TABLE IF NOT EXISTS \(migrationsTable) (identifier TEXT COLLATE "C" PRIMARY KEY NOT NULL)
                """, [])
            let done = Set(try session.rows("SELECT identifier FROM \(migrationsTable)", []).map { $0[0] as String })
            var applied: [String] = []
            for migration in PostgresSchema.migrations where !done.contains(migration.identifier) {
                for statement in migration.statements { try session.execute(statement, []) }
                try session.execute("INSERT INTO \(migrationsTable) (identifier) VALUES (?)", [.text(migration.identifier)])
                applied.append(migration.identifier)
            }
            try session.execute("COMMIT", [])
            return applied
        } catch {
            try? session.execute("ROLLBACK", [])
            throw error
        }
    }

    static func connect(_ location: PostgresLocation) throws -> PostgresConnection {
        try PostgresConnection.connect(
            on: MultiThreadedEventLoopGroup.singleton.next(), configuration: location.configuration(), id: 1, logger: logger
        ).wait()
    }

    public func write<T>(_ work: (any SQLConnection) throws -> T) throws -> T {
        try transaction("BEGIN", work)
    }

    public func read<T>(_ work: (any SQLConnection) throws -> T) throws -> T {
        try transaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", work)
    }

    private func transaction<T>(_ begin: String, _ work: (any SQLConnection) throws -> T) throws -> T {
        // Waits for an idle connection of the pool, and gives it back however the transaction ends.
        available.wait()
        let index = idle.withLock { $0.removeLast() }
        defer {
            idle.withLock { $0.append(index) }
            available.signal()
        }
        return try connections[index].withLock { held in
            if held == nil || held?.isClosed == true { held = try Self.connect(place) }
            guard let current = held else { throw StoreError.cannotOpen(path: location, detail: "no connection") }
            let session = PostgresSession(connection: current, statements: statements)
            // BEGIN is not waited for: the connection runs its queries in order, so the first
            // statement of the work follows it, and this thread wakes once instead of twice.
            let begun = current.query(PostgresQuery(unsafeSQL: begin), logger: Self.logger)
            do {
                let result: T
                do {
                    result = try work(session)
                } catch {
                    _ = try begun.wait()  // a failed BEGIN is the error to report
                    throw error
                }
                _ = try begun.wait()
                try session.execute("COMMIT", [])
                return result
            } catch {
                if current.isClosed {
                    held = nil
                } else if (try? session.execute("ROLLBACK", [])) == nil {
                    // A connection that cannot roll back is not reused.
                    _ = try? current.close().wait()
                    held = nil
                }
                throw error
            }
        }
    }

    public func storeError(_ error: any Error) -> StoreError { Self.map(error, location: location) }

    public func storageFailure(_ error: any Error) -> WriteHealth.Failure? {
        if error is StoreError { return nil }
        let reason = Self.detail(error)
        guard let psql = error as? PSQLError else {
            // Refused or dropped connections surface as NIO's errors.
            return error is IOError || error is ChannelError
                ? WriteHealth.Failure(code: "database_unavailable", reason: reason) : nil
        }
        switch psql.serverInfo?[.sqlState] {
        case "53100": return WriteHealth.Failure(code: "database_full", reason: reason)
        case "25006": return WriteHealth.Failure(code: "database_read_only", reason: reason)
        case "55P03", "40P01": return WriteHealth.Failure(code: "database_locked", reason: reason)
        case let state? where state.hasPrefix("58"): return WriteHealth.Failure(code: "database_io_error", reason: reason)
        case let state? where state.hasPrefix("08") || state.hasPrefix("57P"):
            return WriteHealth.Failure(code: "database_unavailable", reason: reason)
        case nil where psql.serverInfo == nil:
            return WriteHealth.Failure(code: "database_unavailable", reason: reason)
        default: return nil
        }
    }

    static func map(_ error: any Error, location: String) -> StoreError {
        if let error = error as? StoreError { return error }
        let detail = detail(error)
        guard let psql = error as? PSQLError, let state = psql.serverInfo?[.sqlState] else {
            return .cannotOpen(path: location, detail: detail)
        }
        switch state {
        case "25006": return .readOnly(path: location, detail: detail)
        case "55P03", "40P01": return .locked(path: location)
        case "3D000", "28000", "28P01", "42501": return .cannotOpen(path: location, detail: detail)
        default:
            if state.hasPrefix("08") || state.hasPrefix("57P") { return .cannotOpen(path: location, detail: detail) }
            return .failed(detail: "\(location): \(detail)")
        }
    }

    /// What went wrong, in the server's words when it said (PSQLError's own description hides them).
    static func detail(_ error: any Error) -> String {
        if let psql = error as? PSQLError {
            if let message = psql.serverInfo?[.message] {
                return message + (psql.serverInfo?[.sqlState].map { " (SQLSTATE \($0))" } ?? "")
            }
            if let underlying = psql.underlying { return "\(psql.code): \(underlying)" }
            return "\(psql.code)"
        }
        return "\(error)"
    }

    // MARK: Test support

    /// As SQLite's hook: the next imported set past `count` of one import is refused by the server.
    public func failImportsForTests(after count: Int) throws {
        try write { sql in
            try sql.execute("""
                CREATE OR REPLACE FUNCTION spotter_fail_import() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF (SELECT COUNT(*) FROM sets WHERE import_id = NEW.import_id) > \(count) THEN
                        RAISE EXCEPTION 'injected failure for tests';
                    END IF;
                    RETURN NULL;
                END $$
                """, [])
            try sql.execute("DROP TRIGGER IF EXISTS fail_import ON sets", [])
            try sql.execute("""
                CREATE TRIGGER fail_import AFTER UPDATE OF import_id ON sets FOR EACH ROW EXECUTE FUNCTION spotter_fail_import()
                """, [])
        }
    }
}

/// `?` placeholders turned into PostgreSQL's `$1, $2, …` once per distinct statement.
final class PostgresStatements: Sendable {
    private let translated = Locked<[String: String]>([:])

    func translate(_ sql: String) -> String {
        if let known = translated.withLock({ $0[sql] }) { return known }
        var result = ""
        result.reserveCapacity(sql.utf8.count + 16)
        var number = 0
        var quoted = false
        var dollarQuoted = false
        var previous: Character = " "
        for character in sql {
            if character == "'" && !dollarQuoted { quoted.toggle() }
            if character == "$" && previous == "$" && !quoted { dollarQuoted.toggle() }
            if character == "?" && !quoted && !dollarQuoted {
                number += 1
                result += "$\(number)"
            } else {
                result.append(character)
            }
            previous = character
        }
        translated.withLock { cache in
            if cache.count > 1024 { cache.removeAll() }
            cache[sql] = result
        }
        return result
    }
}

/// One PostgreSQL connection inside a transaction, as the store's sessions use it.
struct PostgresSession: SQLConnection {
    let connection: PostgresConnection
    let statements: PostgresStatements
    var dialect: SQLDialect { .postgres }

    func execute(_ sql: String, _ arguments: [SQLValue]) throws -> Int {
        try run(sql, arguments).metadata.rows ?? 0
    }

    func rows(_ sql: String, _ arguments: [SQLValue]) throws -> [SQLRow] {
        let result = try run(sql, arguments)
        guard let first = result.rows.first else { return [] }
        let columns = first.map(\.columnName)
        return try result.rows.map { row in SQLRow(columns: columns, values: try row.map(Self.value)) }
    }

    func insert(_ sql: String, _ arguments: [SQLValue]) throws -> Int64 {
        let result = try run(sql + " RETURNING id", arguments)
        guard let cell = result.rows.first?.first, case let .integer(id) = try Self.value(cell) else {
            throw StoreError.failed(detail: "an insert returned no id")
        }
        return id
    }

    private func run(_ sql: String, _ arguments: [SQLValue]) throws -> PostgresQueryResult {
        var binds = PostgresBindings(capacity: arguments.count)
        for argument in arguments {
            switch argument {
            case .null: binds.appendNull()
            case let .integer(number): binds.append(number)
            case let .real(number): binds.append(number)
            case let .text(text): binds.append(text)
            }
        }
        let query = PostgresQuery(unsafeSQL: arguments.isEmpty ? sql : statements.translate(sql), binds: binds)
        return try connection.query(query, logger: PostgresBackend.logger).wait()
    }

    static func value(_ cell: PostgresCell) throws -> SQLValue {
        guard cell.bytes != nil else { return .null }
        switch cell.dataType {
        case .int8: return .integer(try cell.decode(Int64.self))
        case .int4: return .integer(Int64(try cell.decode(Int32.self)))
        case .int2: return .integer(Int64(try cell.decode(Int16.self)))
        case .float8: return .real(try cell.decode(Double.self))
        case .float4: return .real(Double(try cell.decode(Float.self)))
        case .bool: return .integer(try cell.decode(Bool.self) ? 1 : 0)
        case .numeric: return .real(Double(try cell.decode(String.self)) ?? .nan)
        default: return .text(try cell.decode(String.self))
        }
    }
}

extension PostgresBackend {
    /// The schema versions this build applies, in order (the same identifiers as SQLite's).
    public static var migrationIdentifiers: [String] { PostgresSchema.migrations.map(\.identifier) }

    /// Creates a new, empty database on the server `server` (a URL naming any database there)
    /// and returns its URL: each test gets a store of its own.
    public static func createDatabaseForTests(server: String) throws -> String {
        let location = try PostgresLocation(url: server)
        let name = "spotter_test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        let connection = try connect(location)
        defer { _ = try? connection.close().wait() }
        _ = try connection.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: logger).wait()
        var created = location
        created.database = name
        return "postgres://\(created.user)\(created.password.map { ":\($0)" } ?? "")@\(created.host):\(created.port)/\(name)"
    }

    /// Runs `sql` outside Spotter's sessions (tests that make another application's tables or a
    /// newer schema's marks).
    public static func executeForTests(url: String, _ sql: String) throws {
        let connection = try connect(PostgresLocation(url: url))
        defer { _ = try? connection.close().wait() }
        _ = try connection.query(PostgresQuery(unsafeSQL: sql), logger: logger).wait()
    }
}
