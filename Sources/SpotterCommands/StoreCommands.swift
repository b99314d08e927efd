import ArgumentParser
import Foundation
import SpotterApp
import SpotterStore

/// `spotter migrate`: brings a store's schema up to this build, explicitly. Servers on a
/// PostgreSQL database (which several may share) refuse to start on a schema behind theirs, so
/// upgrading is one step, run once, rather than a race between instances starting together.
public struct Migrate: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Create or upgrade a database's tables to this Spotter's schema (PostgreSQL: before starting servers).",
        usage: "spotter migrate --db postgres://user@host:port/database\n       spotter migrate --db FILE.sqlite",
        discussion: exitCodesHelp)

    @Option(help: "The database: a SQLite file, or postgres://user@host:port/database (default: storage.database).")
    var db: String?

    public init() {}

    public func run() throws {
        let settings = try loadSettings()
        let path = DatabaseLocation.resolve(flag: db, settings: settings)
        let database = try starting { () throws(StartupFailure) in try Startup.database(path, create: true, migrate: true) }
        let versions = SpotterDatabase.migrationIdentifiers, applied = database.backend.applied
        if applied.isEmpty {
            print("\(database.path): already at schema \(versions.last ?? "-"); nothing to do.")
        } else {
            print("\(database.path): applied \(applied.count) migration\(applied.count == 1 ? "" : "s") "
                + "(\(applied.joined(separator: ", "))); now at schema \(versions.last ?? "-").")
        }
    }
}

/// `spotter copy-store`: moves a deployment to another store (a SQLite file to PostgreSQL),
/// every row with its ids, into an empty, migrated database, all or nothing.
public struct CopyStore: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "copy-store",
        abstract: "Copy every row of one database into a new, empty one (a SQLite file to PostgreSQL).",
        usage: "spotter copy-store --from FILE.sqlite --to postgres://user@host:port/database",
        discussion: "Stop the server on the source first (the copy refuses a source a server owns). "
            + "Run `spotter migrate --db URL` on the target first. Nothing is written to the target unless all of it is copied.\n\n"
            + exitCodesHelp)

    @Option(help: "The database to copy (a SQLite file or a postgres:// URL).")
    var from: String

    @Option(help: "The empty, migrated database to copy into (a postgres:// URL or a SQLite file).")
    var to: String

    public init() {}

    public func run() throws {
        let settings = try loadSettings()
        // A running server would go on writing to the source after the copy: it is refused.
        let (source, ownership) = try starting { () throws(StartupFailure) in
            try Startup.databaseWithoutServer(from, settings: settings, instead: "Stop it before copying its database.")
        }
        defer { withExtendedLifetime(ownership) {} }
        // A new SQLite target is created and migrated here; a PostgreSQL one must be migrated already.
        let target = try starting { () throws(StartupFailure) in try Startup.database(to, create: true, migrate: false) }
        do {
            let report = try StoreCopy.copy(from: source, to: target)
            let tables = report.tables.filter { $0.rows > 0 }.map { "\($0.name) \($0.rows)" }.joined(separator: ", ")
            print("copied \(report.totalRows) rows from \(source.path) to \(target.path)\(tables.isEmpty ? "" : ": \(tables)")")
        } catch {
            FileHandle.standardError.write(Data("spotter: \(error.code): \(error)\n".utf8))
            throw ExitCode(3)
        }
    }
}
