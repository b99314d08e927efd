import ArgumentParser
import Foundation
import SpotterApp
import SpotterStore

// Start-up for both executables: each step prints why it failed and exits with its status.

/// The exit codes, the same for every subcommand (README "Exit codes").
public let exitCodesHelp = """
    Exit codes:
      0   done
      1   a check found problems (`rules check`), or the command failed while running
      2   a setting, the rules or the server set-up is wrong (the message names it)
      3   the database cannot be used: database_missing, database_locked,
          database_corrupt, database_too_new, database_not_spotter, database_unavailable,
          database_unmigrated (PostgreSQL: run `spotter migrate`), copy_target_not_empty
      64  the command line is wrong (an unknown flag, a missing argument)
    """


/// Runs a start-up step, or prints why it failed and exits with its status.
public func starting<T>(_ step: () throws(StartupFailure) -> T) throws -> T {
    do {
        return try step()
    } catch {
        FileHandle.standardError.write(Data((error.message + "\n").utf8))
        throw ExitCode(error.status)
    }
}

/// The validated rules and the coach over them (settings from Config when not given).
public func loadCoach(_ rules: String?, settings: CoachingSettings? = nil) throws -> Coach {
    let settings = try settings ?? starting { () throws(StartupFailure) in try Startup.settings() }
    return try starting { () throws(StartupFailure) in try Startup.coach(rules: rules, settings: settings) }
}

/// `Config/spotter.yml`, or the file given.
public func loadSettings(_ path: String? = nil) throws -> CoachingSettings {
    try starting { () throws(StartupFailure) in try Startup.settings(path) }
}

/// The database at `--db`, Config, or the per-user default. With `create` (chat and serve) a
/// new one is made where none exists, and said once on standard error; without it an absent
/// file is refused with `database_missing` (exit 3).
public func openDatabase(_ flag: String?, settings: CoachingSettings, create: Bool = false) throws -> SpotterDatabase {
    let database = try starting { () throws(StartupFailure) in try Startup.database(flag, settings: settings, create: create) }
    if database.created {
        FileHandle.standardError.write(Data("spotter: created a new database at \(database.path)\n".utf8))
    }
    return database
}

/// The database for `spotter serve`, owned by this process while the ownership lives.
public func openOwnedDatabase(_ flag: String?, settings: CoachingSettings) throws -> (SpotterDatabase, any StoreOwnership) {
    let owned = try starting { () throws(StartupFailure) in try Startup.ownedDatabase(flag, settings: settings) }
    if owned.0.created {
        FileHandle.standardError.write(Data("spotter: created a new database at \(owned.0.path)\n".utf8))
    }
    return owned
}

/// The database, refused while a server owns it (`instead` says what to do then).
public func openDatabaseWithoutServer(
    _ flag: String?, settings: CoachingSettings, instead: String
) throws -> (SpotterDatabase, any StoreOwnership) {
    try starting { () throws(StartupFailure) in try Startup.databaseWithoutServer(flag, settings: settings, instead: instead) }
}
