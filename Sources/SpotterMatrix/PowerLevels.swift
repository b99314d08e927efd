import Foundation
import SpotterCore

/// Who may do what in a room: the users' levels from its `m.room.power_levels` state.
/// A command that changes the room's schedule needs `group.command_power_level` (default 50,
/// the level clients call moderator).
public struct RoomPowerLevels: Sendable, Hashable {
    public var users: [String: Int]
    public var usersDefault: Int
    /// From room version 12 the room's creators outrank everyone and are not listed in `users`.
    public var creators: Set<String> = []

    public init(users: [String: Int] = [:], usersDefault: Int = 0, creators: Set<String> = []) {
        self.users = users
        self.usersDefault = usersDefault
        self.creators = creators
    }

    /// From a room's full state (`GET /rooms/{roomId}/state`): its power levels and, where the
    /// room version makes them privileged, its creators. No power-levels event: nobody above 0.
    public init(state: JSONValue) {
        let events = state.array ?? []
        func stateEvent(_ type: String) -> JSONValue? {
            events.first { $0["type"]?.string == type && $0["state_key"]?.string == "" }
        }
        self.init(content: stateEvent("m.room.power_levels")?["content"] ?? .object([]))
        if let create = stateEvent("m.room.create"), Self.creatorsArePrivileged(create["content"]?["room_version"]?.string ?? "1") {
            var creators = Set((create["content"]?["additional_creators"]?.array ?? []).compactMap(\.string))
            if let sender = create["sender"]?.string { creators.insert(sender) }
            self.creators = creators
        }
    }

    /// Room versions 1-11 list the creator in `users` like anyone; later ones (and the
    /// experimental ones that led to 12) give creators a level above every other.
    static func creatorsArePrivileged(_ version: String) -> Bool {
        if let number = Int(version) { return number >= 12 }
        return version.contains("hydra")
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

    public func level(of user: String) -> Int { creators.contains(user) ? Int.max : users[user] ?? usersDefault }

    /// After a power-levels event: the new levels, the creators as they were.
    public func updated(with content: JSONValue) -> RoomPowerLevels {
        var next = RoomPowerLevels(content: content)
        next.creators = creators
        return next
    }
}
