import Foundation
import SpotterApp
import SpotterPostgres
import SpotterStore

/// Opening the store for the executables: a path is SQLite, a `postgres://` URL PostgreSQL. Here,
/// not in SpotterApp, so what only opens a store (the fuzz targets, the pure runtime) does not
/// build the PostgreSQL driver.
extension Startup {
    /// Opens the store at `location`: a `postgres://` URL is PostgreSQL, anything else a SQLite
    /// file. A SQLite file is migrated as it opens (one process); a PostgreSQL database, which
    /// instances share, only by `spotter migrate` (`migrate`), and is refused while behind.
    public static func open(_ location: String, create: Bool, migrate: Bool = false) throws(StoreError) -> SpotterDatabase {
        if PostgresLocation.isURL(location) {
            return SpotterDatabase(backend: try PostgresBackend(url: location, create: create, migrations: migrate ? .apply : .require))
        }
        return try SpotterDatabase(path: location, create: create)
    }

    /// Takes the store for this process (see ``StoreOwnership``): a SQLite file is one server's;
    /// a PostgreSQL database is shared by any number.
    static func claim(_ location: String, waitingUpTo seconds: Double) throws(StoreError) -> any StoreOwnership {
        if PostgresLocation.isURL(location) { return SharedStoreOwnership() }
        return try DatabaseOwnership.claim(database: location, waitingUpTo: seconds)
    }

    /// The database for `spotter serve`: owned by this process for as long as the returned
    /// ownership lives; a second server on the same store is refused with `database_locked`.
    public static func ownedDatabase(
        _ flag: String?, settings: CoachingSettings
    ) throws(StartupFailure) -> (SpotterDatabase, any StoreOwnership) {
        let path = DatabaseLocation.resolve(flag: flag, settings: settings)
        do {
            let ownership = try claim(path, waitingUpTo: 3)
            return (try open(path, create: true), ownership)
        } catch {
            throw StartupFailure(message: "spotter: \(error.code): \(error)", status: 3)
        }
    }

    /// For commands that change what a server caches (`spotter forget`): the database, held for
    /// this process, refused while a server owns it with a message saying what to do instead.
    public static func databaseWithoutServer(
        _ flag: String?, settings: CoachingSettings, instead: String
    ) throws(StartupFailure) -> (SpotterDatabase, any StoreOwnership) {
        let path = DatabaseLocation.resolve(flag: flag, settings: settings)
        // A mistyped path is refused before anything (the owner lock file) is made beside it.
        guard PostgresLocation.isURL(path) || FileManager.default.fileExists(atPath: path) else {
            let missing = StoreError.missing(path: path)
            throw StartupFailure(message: "spotter: \(missing.code): \(missing)", status: 3)
        }
        do {
            let ownership = try claim(path, waitingUpTo: 0)
            return (try open(path, create: false), ownership)
        } catch {
            if case .owned = error {
                throw StartupFailure(message: "spotter: \(error.code): \(error) \(instead)", status: 3)
            }
            throw StartupFailure(message: "spotter: \(error.code): \(error)", status: 3)
        }
    }

    /// The store at `location`, migrated when `migrate` (`spotter migrate`); see ``open(_:create:migrate:)``.
    public static func database(_ location: String, create: Bool, migrate: Bool) throws(StartupFailure) -> SpotterDatabase {
        do {
            return try open(location, create: create, migrate: migrate)
        } catch {
            throw StartupFailure(message: "spotter: \(error.code): \(error)", status: 3)
        }
    }

    /// The database at `--db`, Config, or the per-user default. Only commands that keep a
    /// conversation (`chat`, `serve`) pass `create`; the others refuse a path with no database.
    public static func database(_ flag: String?, settings: CoachingSettings, create: Bool) throws(StartupFailure) -> SpotterDatabase {
        do {
            return try open(DatabaseLocation.resolve(flag: flag, settings: settings), create: create)
        } catch {
            throw StartupFailure(message: "spotter: \(error.code): \(error)", status: 3)
        }
    }
}
