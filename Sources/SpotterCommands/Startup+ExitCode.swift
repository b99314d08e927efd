import ArgumentParser
import Foundation
import SpotterApp
import SpotterStore

// Start-up for both executables: each step prints why it failed and exits with its status.

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

/// The database at `--db`, Config, or the per-user default.
public func openDatabase(_ flag: String?, settings: CoachingSettings) throws -> SpotterDatabase {
    try starting { () throws(StartupFailure) in try Startup.database(flag, settings: settings) }
}

/// The database for `spotter serve`, owned by this process while the ownership lives.
public func openOwnedDatabase(_ flag: String?, settings: CoachingSettings) throws -> (SpotterDatabase, DatabaseOwnership) {
    try starting { () throws(StartupFailure) in try Startup.ownedDatabase(flag, settings: settings) }
}

/// The database, refused while a server owns it (`instead` says what to do then).
public func openDatabaseWithoutServer(
    _ flag: String?, settings: CoachingSettings, instead: String
) throws -> (SpotterDatabase, DatabaseOwnership) {
    try starting { () throws(StartupFailure) in try Startup.databaseWithoutServer(flag, settings: settings, instead: instead) }
}
