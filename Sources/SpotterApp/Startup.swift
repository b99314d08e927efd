import Foundation
import SpotterStore

/// Why a command could not start: the message to print and the exit status.
public struct StartupFailure: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var status: Int32
    public var description: String { message }

    public init(message: String, status: Int32) {
        self.message = message
        self.status = status
    }
}

/// What every command that answers lifters needs at start: settings, rules, database.
/// Shared by `spotter` and `spotter-server`; failures carry a message that names the problem.
public enum Startup {
    /// Config/spotter.yml (or `path`).
    public static func settings(_ path: String? = nil) throws(StartupFailure) -> CoachingSettings {
        do {
            return try CoachingSettings.load(path)
        } catch {
            throw StartupFailure(message: "spotter: bad setting: \(error)", status: 2)
        }
    }

    /// The rules (validated) and the coach over them; read from the folder's start-up snapshot
    /// when one matches its bytes (see ``StartupSnapshot``).
    public static func coach(rules: String?, settings: CoachingSettings) throws(StartupFailure) -> Coach {
        do {
            return try StartupSnapshot.coach(folder: RulesFolder.locate(rules), settings: settings).0
        } catch {
            throw StartupFailure(message: "spotter: refusing to start, the rules are invalid:\n\(error.description)", status: 2)
        }
    }
}
