import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresNIO
import SpotterCore
import SpotterStore

/// Where a PostgreSQL store is: `postgres://user[:password]@host[:port]/database`. The password
/// comes from the URL, else `PGPASSWORD`, else the file `password_file=PATH` names (its first
/// line); it is never logged or shown (``description`` leaves it out).
public struct PostgresLocation: Sendable, Hashable, CustomStringConvertible {
    public var user: String
    public var password: String?
    public var host: String
    public var port: Int
    public var database: String

    /// Whether `text` names a PostgreSQL store rather than a SQLite file.
    public static func isURL(_ text: String) -> Bool {
        text.hasPrefix("postgres://") || text.hasPrefix("postgresql://")
    }

    /// Parses a URL; the error says which part is wrong.
    public init(url text: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws(StoreError) {
        guard Self.isURL(text), let components = URLComponents(string: text), let host = components.host, !host.isEmpty else {
            throw StoreError.cannotOpen(path: Self.redacted(text), detail: "not a PostgreSQL URL; write postgres://user@host:port/database")
        }
        guard let user = components.user, !user.isEmpty else {
            throw StoreError.cannotOpen(path: Self.redacted(text), detail: "the URL names no user; write postgres://user@host:port/database")
        }
        let database = String(components.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty, !database.contains("/") else {
            throw StoreError.cannotOpen(path: Self.redacted(text), detail: "the URL names no database; write postgres://user@host:port/database")
        }
        self.user = user
        self.host = host
        self.port = components.port ?? 5432
        self.database = database
        var password = components.password.flatMap { $0.isEmpty ? nil : $0 }
        for item in components.queryItems ?? [] {
            switch item.name {
            case "password_file":
                guard let path = item.value, let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                    throw StoreError.cannotOpen(path: Self.redacted(text), detail: "cannot read the password file \(item.value ?? "")")
                }
                password = password ?? String(text.split(separator: "\n", omittingEmptySubsequences: false).first ?? "")
            case "sslmode" where item.value == "disable":
                break
            default:
                throw StoreError.cannotOpen(
                    path: Self.redacted(text),
                    detail: "unknown URL parameter \(item.name)\(item.value.map { "=\($0)" } ?? ""); known: password_file, sslmode=disable")
            }
        }
        self.password = password ?? environment["PGPASSWORD"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The URL without its password.
    public var description: String { "postgres://\(user)@\(host):\(port)/\(database)" }

    static func redacted(_ text: String) -> String {
        guard var components = URLComponents(string: text) else { return "postgres://…" }
        if components.password != nil { components.password = "***" }
        components.query = nil
        return components.string ?? "postgres://…"
    }

    var configuration: PostgresConnection.Configuration {
        var configuration = PostgresConnection.Configuration(
            host: host, port: port, username: user, password: password, database: database, tls: .disable)
        configuration.options.connectTimeout = .seconds(5)
        return configuration
    }
}

/// The store on PostgreSQL: one connection, used by one transaction at a time (as SQLite's
/// queue is), reconnected when the server drops it. Calls block their thread: the store is used
/// from the dedicated threads the server runs blocking work on, never from an event loop.
public final class PostgresBackend: StoreBackend, StoreFaultHooks {
    public let place: PostgresLocation
    public let created: Bool
    public var location: String { place.description }
    public var dialect: SQLDialect { .postgres }
    /// Held for a whole transaction, unlike Locked's other uses: it is the queue transactions
    /// wait in, as SQLite's DatabaseQueue is (callers are blocking-work threads, never event loops).
    private let connection = Locked<PostgresConnection?>(nil)
    private let statements = PostgresStatements()
    static let logger = Logger(label: "spotter.postgres")

    /// The table recording which migrations ran (GRDB's is `grdb_migrations` on SQLite).
    static let migrationsTable = "spotter_migrations"

    /// Opens the store at `location`: refuses another application's schema and one from a newer
    /// Spotter without changing them; creates and migrates Spotter's tables when `create`, else an
    /// empty database is `missing`.
    public init(_ location: PostgresLocation, create: Bool = true) throws(StoreError) {
        place = location
        created = try Self.open(location, create: create, into: connection, statements: statements)
    }

    public convenience init(url: String, create: Bool = true) throws(StoreError) {
        try self.init(PostgresLocation(url: url), create: create)
    }

    deinit {
        connection.withLock { connection in _ = try? connection?.close().wait() }
    }

    private static func open(
        _ location: PostgresLocation, create: Bool, into holder: Locked<PostgresConnection?>, statements: PostgresStatements
    ) throws(StoreError) -> Bool {
        do {
            return try holder.withLock { held throws -> Bool in
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
                if fresh && !create { throw StoreError.missing(path: location.description) }
                if !fresh {
                    let applied: [String] = try session.rows("SELECT identifier FROM \(migrationsTable)", []).map { $0[0] }
                    let unknown = Set(applied).subtracting(PostgresSchema.migrations.map(\.identifier))
                    if !unknown.isEmpty { throw StoreError.newerVersion(path: location.description, unknown: unknown.sorted()) }
                }
                try migrate(session)
                return fresh
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
    /// takes, so instances starting together cannot run one twice.
    static func migrate(_ session: PostgresSession) throws {
        try session.execute("BEGIN", [])
        do {
            try session.execute("SELECT pg_advisory_xact_lock(\(PostgresOwnership.migrationLockKey))", [])
            try session.execute("""
                CREATE TABLE IF NOT EXISTS \(migrationsTable) (identifier TEXT COLLATE "C" PRIMARY KEY NOT NULL)
                """, [])
            let applied = Set(try session.rows("SELECT identifier FROM \(migrationsTable)", []).map { $0[0] as String })
            for migration in PostgresSchema.migrations where !applied.contains(migration.identifier) {
                for statement in migration.statements { try session.execute(statement, []) }
                try session.execute("INSERT INTO \(migrationsTable) (identifier) VALUES (?)", [.text(migration.identifier)])
            }
            try session.execute("COMMIT", [])
        } catch {
            try? session.execute("ROLLBACK", [])
            throw error
        }
    }

    static func connect(_ location: PostgresLocation) throws -> PostgresConnection {
        try PostgresConnection.connect(
            on: MultiThreadedEventLoopGroup.singleton.next(), configuration: location.configuration, id: 1, logger: logger
        ).wait()
    }

    public func write<T>(_ work: (any SQLConnection) throws -> T) throws -> T {
        try transaction("BEGIN", work)
    }

    public func read<T>(_ work: (any SQLConnection) throws -> T) throws -> T {
        try transaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", work)
    }

    private func transaction<T>(_ begin: String, _ work: (any SQLConnection) throws -> T) throws -> T {
        try connection.withLock { held in
            if held == nil || held?.isClosed == true { held = try Self.connect(place) }
            guard let current = held else { throw StoreError.cannotOpen(path: location, detail: "no connection") }
            let session = PostgresSession(connection: current, statements: statements)
            do {
                try session.execute(begin, [])
                let result = try work(session)
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
