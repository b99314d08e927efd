import Foundation
import SpotterCore

/// Who may do what in a room: the users' levels from its `m.room.power_levels` state.
/// A command that changes the room's schedule needs `group.command_power_level` (default 50,
/// the level clients call moderator).
public struct RoomPowerLevels: Sendable, Hashable {
    public var users: [String: Int]
    public var usersDefault: Int

    public init(users: [String: Int] = [:], usersDefault: Int = 0) {
        self.users = users
        self.usersDefault = usersDefault
    }

    /// From the event's content. Old rooms may hold levels as strings ("50"); both are read.
    public init(content: JSONValue) {
        func level(_ value: JSONValue?) -> Int? {
            if let number = value?.number, number.isFinite, abs(number) < 1e15 { return Int(number) }
            return value?.string.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        }
        var users: [String: Int] = [:]
        if case let .object(entries)? = content["users"] {
            for (user, value) in entries { if let level = level(value) { users[user] = level } }
        }
        self.init(users: users, usersDefault: level(content["users_default"]) ?? 0)
    }

    public func level(of user: String) -> Int { users[user] ?? usersDefault }
}
