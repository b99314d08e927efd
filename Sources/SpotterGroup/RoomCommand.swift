import Foundation
import SpotterSchedule

/// A group-coaching command addressed to the bot in a room (`!coach checkin at 07:30 Europe/Berlin`).
public enum RoomCommand: Sendable, Hashable {
    /// Post the daily check-in prompt at this local time in this zone (nil: keep the room's zone).
    case checkInAt(time: String, zone: String?)
    case checkInOff
    /// Remind opted-in lifters who have not checked in by this local time.
    case reminderAt(time: String)
    case reminderOff
    /// Post the room summary daily at this local time.
    case summaryAt(time: String)
    case summaryOff
    /// Post the summary now.
    case summaryNow
    /// Opt in to (or out of) the room's check-ins, reminders and summary counts.
    case join
    case leave
    /// Show the room's schedule.
    case schedule

    /// Reads a command from the text that followed the bot's name or prefix. Returns nil for
    /// anything else (a plain "check in" starts the lifter's own check-in, it is no command).
    public static func parse(_ text: String) -> RoomCommand? {
        let words = text.lowercased()
            .replacingOccurrences(of: "check-in", with: "checkin")
            .replacingOccurrences(of: "check in", with: "checkin")
            .split(whereSeparator: { $0.isWhitespace || $0 == "," })
            .map(String.init)
            .filter { !["please", "the", "daily"].contains($0) }
        // Zones keep their case ("Europe/Berlin"): take them from the original text.
        let original = text.split(whereSeparator: { $0.isWhitespace || $0 == "," }).map(String.init)
        func zone(after time: String) -> String? {
            guard let index = original.firstIndex(where: { $0.lowercased() == time }), index + 1 < original.count else { return nil }
            return original[index + 1]
        }
        switch words.first {
        case "join": return words.count == 1 ? .join : nil
        case "leave": return words.count == 1 ? .leave : nil
        case "schedule": return words.count == 1 ? .schedule : nil
        case "checkin", "checkins", "reminder", "reminders", "summary":
            let head = words[0]
            let rest = Array(words.dropFirst())
            if head == "summary" && rest.isEmpty { return .summaryNow }
            if rest == ["off"] || rest == ["stop"] {
                return head.hasPrefix("checkin") ? .checkInOff : head.hasPrefix("reminder") ? .reminderOff : .summaryOff
            }
            guard rest.count >= 2, rest[0] == "at" || rest[0] == "time" else { return nil }
            let time = rest[1]
            guard time.contains(":") else { return nil }
            if head.hasPrefix("checkin") {
                guard rest.count <= 3 else { return nil }
                return .checkInAt(time: time, zone: rest.count == 3 ? zone(after: time) : nil)
            }
            guard rest.count == 2 else { return nil }
            return head.hasPrefix("reminder") ? .reminderAt(time: time) : .summaryAt(time: time)
        default:
            return nil
        }
    }

    /// The commands, for help text.
    public static func help(prefix: String) -> String {
        """
        Room commands:
        • \(prefix) checkin at 07:30 Europe/Berlin: post a check-in prompt every day at that local time (\(prefix) checkin off)
        • \(prefix) reminder at 10:00: remind those who have not checked in (\(prefix) reminder off)
        • \(prefix) summary at 20:00: post the group summary every evening (\(prefix) summary off); \(prefix) summary: now
        • \(prefix) join / \(prefix) leave: take part in this room's check-ins, or stop
        • \(prefix) schedule: show this room's schedule
        """
    }
}
