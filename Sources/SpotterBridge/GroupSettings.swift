import Foundation
import SpotterCore
import SpotterMatrix
import SpotterSchedule
import SpotterWebhook
import Yams

/// Where a room's posts go when it is not a Matrix room: another chat system's incoming webhook.
public struct OutboundHook: Sendable, Hashable {
    public var url: String
    public var template: OutboundTemplate
    /// Signs the posts; the webhook secret when not set per room.
    public var secret: WebhookSecret?

    public init(url: String, template: OutboundTemplate, secret: WebhookSecret? = nil) {
        self.url = url
        self.template = template
        self.secret = secret
    }
}

/// A room's group coaching as configured in `rooms:` of Config/spotter.yml. Room commands
/// change the times later; what they set wins over this.
public struct RoomConfig: Sendable, Hashable {
    /// "07:30 Europe/Berlin": the daily check-in prompt.
    public var checkIn: CheckInSchedule?
    /// Local times in the check-in's zone.
    public var reminder: String?
    public var summary: String?
    /// Weekly report by direct message to each opted-in lifter: weekday (1 = Sunday) and time.
    public var weeklyReport: (weekday: Int, time: String)?
    public var outbound: OutboundHook?
    /// Matrix user ids who get the private coach digest at summary time.
    public var coaches: [String] = []

    public init(checkIn: CheckInSchedule? = nil, reminder: String? = nil, summary: String? = nil,
                weeklyReport: (weekday: Int, time: String)? = nil, outbound: OutboundHook? = nil) {
        self.checkIn = checkIn
        self.reminder = reminder
        self.summary = summary
        self.weeklyReport = weeklyReport
        self.outbound = outbound
    }

    public static func == (a: RoomConfig, b: RoomConfig) -> Bool {
        a.checkIn == b.checkIn && a.reminder == b.reminder && a.summary == b.summary && a.outbound == b.outbound
            && a.weeklyReport?.weekday == b.weeklyReport?.weekday && a.weeklyReport?.time == b.weeklyReport?.time
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(checkIn)
        hasher.combine(outbound)
    }
}

/// Group coaching settings: rooms and the scheduler's late window.
public struct GroupSettings: Sendable {
    public var rooms: [String: RoomConfig] = [:]
    /// A prompt, reminder or summary missed by less than this (seconds) is posted late; older
    /// ones are skipped and logged.
    public var lateWindowSeconds: Double = 2 * 3600
    /// The power level a Matrix room member needs to change the room's schedule by command
    /// (`group.command_power_level`; 50 is what clients call moderator).
    public var commandPowerLevel = 50

    public init(rooms: [String: RoomConfig] = [:], lateWindowSeconds: Double = 2 * 3600) {
        self.rooms = rooms
        self.lateWindowSeconds = lateWindowSeconds
    }

    static let weekdays = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"]

    /// Reads `rooms:` and `schedule:` from the config's root; errors name the setting.
    static func load(_ root: Node?) throws(SettingError) -> GroupSettings {
        var settings = GroupSettings()
        if let text = root?["group"]?["command_power_level"]?.string {
            guard let level = Int(text), (0...1_000_000).contains(level) else {
                throw SettingError(setting: "group.command_power_level", message: "must be a whole number of at least 0, got '\(text)'")
            }
            settings.commandPowerLevel = level
        }
        if let minutes = root?["schedule"]?["late_window_minutes"]?.string {
            guard let value = Double(minutes), value >= 0 else {
                throw SettingError(setting: "schedule.late_window_minutes", message: "must be a number of minutes, got '\(minutes)'")
            }
            settings.lateWindowSeconds = value * 60
        }
        guard let rooms = root?["rooms"] else { return settings }
        guard case let .mapping(mapping) = rooms else {
            throw SettingError(setting: "rooms", message: "must map room ids to their settings")
        }
        for (key, value) in mapping {
            guard let room = key.string, !room.isEmpty else {
                throw SettingError(setting: "rooms", message: "a room id must be a string")
            }
            settings.rooms[room] = try roomConfig(value, setting: "rooms.\(room)")
        }
        return settings
    }

    static func roomConfig(_ node: Node, setting: String) throws(SettingError) -> RoomConfig {
        var config = RoomConfig()
        func time(_ key: String) throws(SettingError) -> String? {
            guard let text = node[key]?.string, !text.isEmpty else { return nil }
            if text == "off" { return text }
            do {
                _ = try CheckInSchedule(time: text, zone: "UTC")
            } catch {
                throw SettingError(setting: "\(setting).\(key)", message: error.message)
            }
            return text
        }
        if let text = node["checkin"]?.string {
            let parts = text.split(separator: " ").map(String.init)
            guard parts.count == 2 else {
                throw SettingError(setting: "\(setting).checkin", message: "write a time and a zone, like \"07:30 Europe/Berlin\"")
            }
            do {
                config.checkIn = try CheckInSchedule(time: parts[0], zone: parts[1])
            } catch {
                throw SettingError(setting: "\(setting).checkin", message: error.message)
            }
        }
        if let coaches = node["coaches"] {
            let ids = coaches.sequence?.compactMap(\.string) ?? coaches.string.map { [$0] } ?? []
            guard !ids.isEmpty, ids.allSatisfy({ $0.hasPrefix("@") && $0.contains(":") }) else {
                throw SettingError(setting: "\(setting).coaches", message: "list Matrix user ids, like [\"@anna:example.org\"]")
            }
            config.coaches = ids
        }
        config.reminder = try time("reminder")
        config.summary = try time("summary")
        if let text = node["weekly_report"]?.string {
            let parts = text.lowercased().split(separator: " ").map(String.init)
            guard parts.count == 2, let day = weekdays.firstIndex(of: parts[0]), (try? CheckInSchedule(time: parts[1], zone: "UTC")) != nil
            else {
                throw SettingError(setting: "\(setting).weekly_report", message: "write a weekday and a time, like \"sunday 18:00\"")
            }
            config.weeklyReport = (day + 1, parts[1])
        }
        if let hook = node["webhook"] {
            guard let url = hook["url"]?.string, let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme ?? ""),
                  parsed.host != nil else {
                throw SettingError(setting: "\(setting).webhook.url", message: "needs an http(s) URL")
            }
            let name = hook["template"]?.string ?? "slack"
            guard let template = OutboundTemplate(rawValue: name) else {
                throw SettingError(setting: "\(setting).webhook.template",
                                          message: "'\(name)' is not one of \(OutboundTemplate.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            var secret: WebhookSecret?
            if let text = hook["secret"]?.string {
                do {
                    secret = try WebhookSecret(text)
                } catch {
                    throw SettingError(setting: "\(setting).webhook.secret", message: error.message)
                }
            }
            config.outbound = OutboundHook(url: url, template: template, secret: secret)
        }
        return config
    }
}
