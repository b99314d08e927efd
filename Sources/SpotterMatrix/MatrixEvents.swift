import Foundation
import SpotterCore
import SpotterGroup

/// What to do with one event from a transaction. Decided without I/O from the event and what
/// is known of the room.
public enum EventAction: Sendable, Hashable {
    /// Not for Spotter (own event, notice, edit, too old, unaddressed in a group…); the reason is logged.
    case ignore(String)
    /// Spotter was invited: join the room.
    case join
    /// Someone's membership changed (join, leave, kick, ban, invite, rejected invite; `joined`:
    /// whether they are joined now): the room's size must be asked of the homeserver again.
    case membership(joined: Bool)
    /// The room's power levels changed (the new content): who may change the room's schedule.
    case powerLevels(JSONValue)
    /// An encrypted message: say once that Spotter cannot read it.
    case encrypted
    /// A message for Spotter, with the addressing and reply fallback stripped.
    case message(text: String, threadRoot: String?)
    /// A message in the thread of a scheduled check-in prompt: a lifter's check-in, addressed or not.
    case promptAnswer(text: String, threadRoot: String)
    /// A lifter's rating reaction (1-5) on a check-in prompt: a quick check-in for the prompt's day.
    case quickRating(prompt: String, rating: Int)
    /// A redaction of an event (it may be a recorded rating reaction).
    case redaction(redacts: String)
}

/// The facts about the bot that triage needs.
public struct BotIdentity: Sendable, Hashable {
    public var userID: String
    /// The names that address it in a body: its localpart ("coach"), its user id.
    public var names: [String]
    /// The command prefix, such as `!coach`.
    public var commandPrefix: String

    public init(userID: String, commandPrefix: String = "!coach") {
        self.userID = userID
        self.commandPrefix = commandPrefix
        let localpart = userID.hasPrefix("@") ? String(userID.dropFirst().prefix { $0 != ":" }) : userID
        var names = [userID]
        let bare = localpart.hasPrefix("_") ? String(localpart.dropFirst()) : localpart
        names.append(localpart)
        if bare != localpart { names.append(bare) }
        self.names = names
    }
}

/// Decides what each event means for Spotter.
public enum EventTriage {
    /// - Parameters:
    ///   - event: the client event from a transaction.
    ///   - memberCount: joined members of the room, when known (nil: treat as a group).
    ///   - startupCutoff: messages older than this (origin_server_ts, seconds) are ignored.
    ///   - isCheckInPrompt: whether an event id is a check-in prompt Spotter posted.
    public static func triage(
        _ event: JSONValue, bot: BotIdentity, memberCount: Int?, startupCutoff: Timestamp,
        isCheckInPrompt: (String) -> Bool = { _ in false }
    ) -> EventAction {
        let type = event["type"]?.string ?? ""
        let sender = event["sender"]?.string ?? ""
        let content = event["content"] ?? .object([])
        if type == "m.room.power_levels", event["state_key"]?.string == "" {
            return .powerLevels(content)
        }
        if type == "m.room.member" {
            let membership = content["membership"]?.string ?? ""
            if event["state_key"]?.string == bot.userID {
                return membership == "invite" ? .join : .ignore("own membership \(membership)")
            }
            // Only a change of membership itself changes who is in the room: a display-name or
            // avatar change (join to join) does not, and neither counts +1 or -1 by itself.
            switch RoomAudience.change(of: event) {
            case let .membership(_, _, to): return .membership(joined: to == "join")
            case .profile: return .ignore("profile change (membership \(membership) unchanged)")
            case .none: return .ignore("membership \(membership)")
            }
        }
        if sender == bot.userID { return .ignore("own event") }
        if type == "m.room.encrypted" { return .encrypted }
        if type == "m.reaction" {
            let relation = content["m.relates_to"]
            guard relation?["rel_type"]?.string == "m.annotation", let target = relation?["event_id"]?.string,
                  let key = relation?["key"]?.string else { return .ignore("reaction without an annotation") }
            guard isCheckInPrompt(target) else { return .ignore("reaction not on a check-in prompt") }
            guard let rating = QuickRating(key: key) else { return .ignore("reaction that is not a rating") }
            return .quickRating(prompt: target, rating: rating.value)
        }
        if type == "m.room.redaction" {
            // Room versions up to 10 carry `redacts` at the top level, 11 and later in the content.
            guard let redacts = event["redacts"]?.string ?? content["redacts"]?.string else { return .ignore("redaction without redacts") }
            return .redaction(redacts: redacts)
        }
        guard type == "m.room.message" else { return .ignore("event type \(type)") }
        if let timestamp = event["origin_server_ts"]?.number, timestamp / 1000 < startupCutoff {
            return .ignore("older than the start-up cutoff")
        }
        let msgtype = content["msgtype"]?.string ?? ""
        guard msgtype == "m.text" else { return .ignore("msgtype \(msgtype)") }
        let relation = content["m.relates_to"]
        if relation?["rel_type"]?.string == "m.replace" { return .ignore("edit") }
        let threadRoot = relation?["rel_type"]?.string == "m.thread" ? relation?["event_id"]?.string : nil
        let body = stripReplyFallback(content["body"]?.string ?? "")
        let mentioned = content["m.mentions"]?["user_ids"]?.array?.contains { $0.string == bot.userID } ?? false
        let (addressed, text) = addressing(body, bot: bot)
        if let threadRoot, isCheckInPrompt(threadRoot) {
            let cleaned = text.trimmingCharacters(in: .whitespacesAndNewlines)
            return cleaned.isEmpty ? .ignore("empty after addressing") : .promptAnswer(text: cleaned, threadRoot: threadRoot)
        }
        // In a room of two (the lifter and Spotter) every message is for Spotter.
        if RoomAudience(verifiedMembers: memberCount).everyMessageIsForSpotter || addressed || mentioned {
            let cleaned = text.trimmingCharacters(in: .whitespacesAndNewlines)
            return cleaned.isEmpty ? .ignore("empty after addressing") : .message(text: cleaned, threadRoot: threadRoot)
        }
        return .ignore("not addressed in a group room")
    }

    /// Removes a reply fallback: the leading "> " quoted lines and the blank line after them.
    public static func stripReplyFallback(_ body: String) -> String {
        var lines = body.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.first?.hasPrefix(">") == true else { return body }
        while let first = lines.first, first.hasPrefix(">") { lines.removeFirst() }
        if lines.first?.trimmingCharacters(in: .whitespaces).isEmpty == true { lines.removeFirst() }
        return lines.joined(separator: "\n")
    }

    /// Whether the body addresses the bot (prefix, user id or name), and the body without it.
    public static func addressing(_ body: String, bot: BotIdentity) -> (Bool, String) {
        let trimmed = body.trimmingCharacters(in: .whitespaces)
        if trimmed.lowercased().hasPrefix(bot.commandPrefix.lowercased()) {
            return (true, String(trimmed.dropFirst(bot.commandPrefix.count)))
        }
        let lower = trimmed.lowercased()
        for name in bot.names.sorted(by: { $0.count > $1.count }) {
            for form in ["@" + name.trimmingCharacters(in: CharacterSet(charactersIn: "@")), name] {
                let key = form.lowercased()
                guard let range = lower.firstRange(of: key) else { continue }
                // A whole word: "coach" in "coaching" does not address the bot.
                let before = range.lowerBound == lower.startIndex ? " " : lower[lower.index(before: range.lowerBound)]
                let after = range.upperBound == lower.endIndex ? " " : lower[range.upperBound]
                guard !before.isLetter && !before.isNumber, !after.isLetter && !after.isNumber else { continue }
                let offset = lower.distance(from: lower.startIndex, to: range.lowerBound)
                let start = trimmed.index(trimmed.startIndex, offsetBy: offset)
                let end = trimmed.index(start, offsetBy: key.count)
                var rest = String(trimmed[..<start]) + String(trimmed[end...])
                rest = rest.trimmingCharacters(in: CharacterSet(charactersIn: " ,:;-"))
                return (true, rest)
            }
        }
        return (false, trimmed)
    }
}

/// The content of Spotter's reply to a message.
public enum ReplyContent {
    public static func make(reply: String, to eventID: String, sender: String, threadRoot: String?, msgtype: String) -> JSONValue {
        var relation: [(key: String, value: JSONValue)] = []
        if let threadRoot {
            relation = [("rel_type", "m.thread"), ("event_id", .string(threadRoot)), ("is_falling_back", false),
                        ("m.in_reply_to", .object([("event_id", .string(eventID))]))]
        } else {
            relation = [("m.in_reply_to", .object([("event_id", .string(eventID))]))]
        }
        return .object([
            ("msgtype", .string(msgtype)),
            ("body", .string(reply)),
            ("format", "org.matrix.custom.html"),
            ("formatted_body", .string(html(reply))),
            ("m.relates_to", .object(relation)),
            ("m.mentions", .object([("user_ids", .array([.string(sender)]))])),
        ])
    }

    /// A scheduled post (prompt, reminder, summary): in a thread when `threadRoot` is set,
    /// mentioning `mentions` (a reminder names who has not checked in).
    public static func post(_ text: String, msgtype: String, threadRoot: String?, mentions: [String]) -> JSONValue {
        var fields: [(key: String, value: JSONValue)] = [
            ("msgtype", .string(msgtype)), ("body", .string(text)), ("format", "org.matrix.custom.html"),
            ("formatted_body", .string(html(text))),
            ("m.mentions", mentions.isEmpty ? .object([]) : .object([("user_ids", .array(mentions.map { .string($0) }))])),
        ]
        if let threadRoot {
            fields.append(("m.relates_to", .object([("rel_type", "m.thread"), ("event_id", .string(threadRoot))])))
        }
        return .object(fields)
    }

    /// A notice without a reply relation (encrypted-room notice, scheduled prompts).
    public static func notice(_ text: String, msgtype: String) -> JSONValue {
        .object([("msgtype", .string(msgtype)), ("body", .string(text)), ("format", "org.matrix.custom.html"),
                 ("formatted_body", .string(html(text))), ("m.mentions", .object([]))])
    }

    /// Plain text to safe HTML: escaped, bullet lines as a list, other lines as breaks.
    public static func html(_ text: String) -> String {
        // Bytes, not characters: every byte that matters here is ASCII, and a character walk
        // was most of a reply's formatting cost.
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count + 64)
        var inList = false
        let bullet = Array("• ".utf8)
        let listEnd = Array("</ul>".utf8)
        for line in text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            if line.starts(with: bullet) {
                if !inList { out += "<ul>".utf8; inList = true }
                out += "<li>".utf8
                htmlEscapes.append(line.dropFirst(bullet.count), to: &out)
                out += "</li>".utf8
            } else {
                if inList { out += listEnd; inList = false }
                if !out.isEmpty && !out.suffix(listEnd.count).elementsEqual(listEnd) { out += "<br/>".utf8 }
                htmlEscapes.append(line, to: &out)
            }
        }
        if inList { out += listEnd }
        return String(decoding: out, as: UTF8.self)
    }

    /// `&`, `<`, `>` and `"` as entities.
    static let htmlEscapes = ByteEscapes(["&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;"])

    /// The send transaction id for a reply: derived from the event answered, so a resend is idempotent.
    public static func transactionID(replyingTo eventID: String) -> String {
        "spotter-" + base64URL(Array(eventID.utf8))
    }

    /// The event a queued item answers, read back from its send transaction id (made by
    /// `transactionID(replyingTo:)` from the event id, or from `checkin:`/`personal:` and the event id
    /// for what goes to the lifter directly); nil for posts that answer no event (prompts,
    /// reminders, notices, reactions).
    public static func answeredEventID(transactionID: String) -> String? {
        guard transactionID.hasPrefix("spotter-"), let bytes = unBase64URL(transactionID.dropFirst("spotter-".count)),
              let key = String(validating: bytes, as: UTF8.self) else { return nil }
        for prefix in ["", "checkin:", "personal:"] where key.hasPrefix(prefix + "$") {
            return String(key.dropFirst(prefix.count))
        }
        return nil
    }

    /// The inverse of `base64URL`; nil for text it cannot have made.
    static func unBase64URL(_ text: Substring) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count * 3 / 4)
        var value = 0
        var bits = 0
        for byte in text.utf8 {
            let digit: Int
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): digit = Int(byte - UInt8(ascii: "A"))
            case UInt8(ascii: "a")...UInt8(ascii: "z"): digit = Int(byte - UInt8(ascii: "a")) + 26
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = Int(byte - UInt8(ascii: "0")) + 52
            case UInt8(ascii: "-"): digit = 62
            case UInt8(ascii: "_"): digit = 63
            default: return nil
            }
            value = (value << 6 | digit) & 0xFFFFFF
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8((value >> bits) & 0xFF))
            }
        }
        return bits >= 6 ? nil : out
    }

    static func base64URL(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
        var out: [UInt8] = []
        var index = 0
        while index < bytes.count {
            let chunk = bytes[index..<min(index + 3, bytes.count)]
            var value = 0
            for (offset, byte) in chunk.enumerated() { value |= Int(byte) << (16 - 8 * offset) }
            for position in 0..<(chunk.count + 1) { out.append(alphabet[(value >> (18 - 6 * position)) & 63]) }
            index += 3
        }
        return String(decoding: out, as: UTF8.self)
    }
}
