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
    /// Name the room's coaches (Matrix user ids), who get the private digest at summary time.
    case coaches([String])
    /// Agree (or stop agreeing) to be named in the coaches' digest.
    case share
    case unshare

    /// A command-shaped message that does not fit its form: the reply says the form expected,
    /// and the message is never read as something else (a personal check-in, a question).
    case malformed(problem: String, expected: String)

    /// Reads a command from the text that followed the bot's name or prefix. Returns nil for
    /// anything else (a plain "check in" starts the lifter's own check-in, it is no command).
    public static func parse(_ text: String) -> RoomCommand? {
        // Every message is asked: most are questions, turned away by their first word.
        guard mayBeCommand(text) else { return nil }
        // Zones keep their case ("Europe/Berlin"): tokens come from the original text.
        let original = text.replacingOccurrences(of: "check-in", with: "checkin", options: .caseInsensitive)
            .replacingOccurrences(of: "check in", with: "checkin", options: .caseInsensitive)
            .split(whereSeparator: { $0.isWhitespace || $0 == "," })
            .map(String.init)
            .filter { !["please", "the", "daily"].contains($0.lowercased()) }
        let words = original.map { $0.lowercased() }
        switch words.first {
        case "join": return words.count == 1 ? .join : nil
        case "leave": return words.count == 1 ? .leave : nil
        case "schedule": return words.count == 1 ? .schedule : nil
        case "share": return words.count == 1 ? .share : nil
        case "unshare": return words.count == 1 ? .unshare : nil
        case "coaches":
            let ids = original.dropFirst()
            guard !ids.isEmpty, ids.allSatisfy({ $0.hasPrefix("@") && $0.contains(":") }) else {
                return .malformed(problem: "coaches are named by Matrix user id, like @anna:example.org", expected: Self.form("coaches"))
            }
            return .coaches(Array(ids))
        case "checkin", "checkins", "reminder", "reminders", "summary":
            let head = words[0]
            let kind = head.hasPrefix("checkin") ? "checkin" : head.hasPrefix("reminder") ? "reminder" : "summary"
            let rest = Array(words.dropFirst())
            if kind == "summary" && rest.isEmpty { return .summaryNow }
            // Only a setting word makes it a command: "checkin" alone is the lifter's own check-in,
            // "summary of my week" a question.
            guard let first = rest.first, ["at", "time", "off", "stop", "on"].contains(first) else { return nil }
            let expected = Self.form(kind)
            if rest == ["off"] || rest == ["stop"] {
                return kind == "checkin" ? .checkInOff : kind == "reminder" ? .reminderOff : .summaryOff
            }
            guard ["at", "time"].contains(first), rest.count >= 2 else {
                return .malformed(problem: "that needs a time", expected: expected)
            }
            let (time, used) = Self.time(Array(rest.dropFirst()))
            guard let time else {
                return .malformed(problem: "'\(rest[1])' is not a time of day like 07:30, 7.30am or 9pm", expected: expected)
            }
            let zoneWords = Array(original.dropFirst(2 + used))
            if kind != "checkin" {
                guard zoneWords.isEmpty else {
                    return .malformed(problem: "the \(kind) uses the room's time zone (set it with the check-in)", expected: expected)
                }
                return kind == "reminder" ? .reminderAt(time: time) : .summaryAt(time: time)
            }
            if zoneWords.isEmpty { return .checkInAt(time: time, zone: nil) }
            guard let zone = ZoneName.resolve(zoneWords.joined(separator: " ")) else {
                return .malformed(problem: "'\(zoneWords.joined(separator: " "))' is not a time zone I know (an IANA name such as "
                                      + "Europe/Berlin, or a city such as Berlin or New York)", expected: expected)
            }
            return .checkInAt(time: time, zone: zone)
        default:
            return nil
        }
    }

    /// The words a command begins with (after "please", "the", "daily"); "check…" covers
    /// "check-in" and "check in".
    static let heads: Set<String> = ["join", "leave", "schedule", "share", "unshare", "coaches", "checkin", "checkins", "reminder",
                                     "reminders", "summary"]

    static func mayBeCommand(_ text: String) -> Bool {
        for word in text.split(whereSeparator: { $0.isWhitespace || $0 == "," }) {
            let lower = word.lowercased()
            if ["please", "the", "daily"].contains(lower) { continue }
            return heads.contains(lower) || lower.hasPrefix("check")
        }
        return false
    }

    /// The form a command takes, for a reply to a malformed one.
    static func form(_ kind: String) -> String {
        switch kind {
        case "checkin": "checkin at 07:30 Europe/Berlin (or a city: checkin at 7.30am London), or checkin off"
        case "reminder": "reminder at 10:00, or reminder off"
        case "coaches": "coaches @anna:example.org @ben:example.org"
        default: "summary at 20:00 (or 8pm), or summary off; summary alone posts it now"
        }
    }

    /// A time of day from the first one or two words ("07:30", "7:30", "7.30am", "9pm", "9 pm",
    /// "21:00", "noon"), as "HH:MM", and how many words it took.
    public static func time(_ words: [String]) -> (String?, Int) {
        guard let first = words.first?.lowercased() else { return (nil, 0) }
        if first == "noon" || first == "midday" { return ("12:00", 1) }
        if first == "midnight" { return ("00:00", 1) }
        var text = first, used = 1
        if words.count > 1, ["am", "pm", "a.m.", "p.m."].contains(words[1].lowercased()) {
            text += words[1].lowercased().replacingOccurrences(of: ".", with: "")
            used = 2
        }
        var meridiem: String?
        for suffix in ["am", "pm", "a.m.", "p.m."] where text.hasSuffix(suffix) {
            meridiem = suffix.hasPrefix("a") ? "am" : "pm"
            text = String(text.dropLast(suffix.count))
            break
        }
        let parts = text.split(separator: text.contains(":") ? ":" : ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), parts.allSatisfy({ !$0.isEmpty && $0.count <= 2 && $0.allSatisfy(\.isNumber) }),
              var hour = Int(parts[0]) else { return (nil, used) }
        let minute = parts.count == 2 ? Int(parts[1]) ?? -1 : 0
        // A bare number is only a time with am/pm ("9pm"); "at 9" could be anything.
        if parts.count == 1 && meridiem == nil { return (nil, used) }
        if let meridiem {
            guard (1...12).contains(hour) else { return (nil, used) }
            hour = hour % 12 + (meridiem == "pm" ? 12 : 0)
        }
        guard (0..<24).contains(hour), (0..<60).contains(minute) else { return (nil, used) }
        return (String(format: "%02d:%02d", hour, minute), used)
    }


    /// The commands, for help text; those that change the room are marked for moderators.
    public static func help(prefix: String) -> String {
        """
        Room commands: (★ needs moderator rights in this room)
        • ★ \(prefix) checkin at 07:30 Europe/Berlin: post a check-in prompt every day at that local time (7.30am, 9pm and a city such as London work too; \(prefix) checkin off)
        • ★ \(prefix) reminder at 10:00: remind those who have not checked in (\(prefix) reminder off)
        • ★ \(prefix) summary at 20:00: post the group summary every evening (\(prefix) summary off)
        • \(prefix) summary: the group summary now
        • ★ \(prefix) coaches @anna:example.org: who gets the private coach digest at summary time
        • \(prefix) join / \(prefix) leave: take part in this room's check-ins, or stop
        • \(prefix) share / \(prefix) unshare: let the room's coaches see your red days, pain and missed days by name, or stop
        • \(prefix) schedule: show this room's schedule
        """
    }
}

extension RoomCommand {
    /// Whether the command changes the room (its schedule), so that it needs moderator rights
    /// in a Matrix room. Showing the schedule, a summary now, help, joining and leaving do not.
    public var changesRoom: Bool {
        switch self {
        case .checkInAt, .checkInOff, .reminderAt, .reminderOff, .summaryAt, .summaryOff, .coaches: true
        case .summaryNow, .join, .leave, .schedule, .malformed, .share, .unshare: false
        }
    }
}
