import Foundation
import SpotterCore

/// The payload shape another chat system's incoming webhook expects.
public enum OutboundTemplate: String, Sendable, Hashable, CaseIterable {
    /// Slack incoming webhooks: `{"text": …}`.
    case slack
    /// Mattermost incoming webhooks: `{"text": …}`.
    case mattermost
    /// Discord webhooks: `{"content": …}`.
    case discord
    /// matrix-hookshot generic webhooks: `{"text": …, "html": …}`.
    case hookshot

    /// The JSON body for a message. `html` is used where the template has a place for it.
    ///
    /// Text that reaches a chat system must not act there: a lifter's words echoed in a reply
    /// could otherwise ping a whole channel (`<!channel>`, `@everyone`, `@room`) or dress up a
    /// link (`<http://evil.example|Click here>`). Each template is escaped as its platform reads it.
    public func payload(text: String, html: String?) -> String {
        switch self {
        case .slack:
            // Slack reads `&`, `<` and `>` as control characters: escaped, no link or mention survives.
            return JSONValue.object([("text", .string(Self.escapeSlack(text)))]).serialized()
        case .mattermost:
            // Mattermost reads Slack's escapes and its own @-mentions of everyone.
            return JSONValue.object([("text", .string(Self.quietMentions(Self.escapeSlack(text), ["channel", "all", "here"])))])
                .serialized()
        case .discord:
            // Discord refuses content over 2,000 characters; `allowed_mentions` with nothing to
            // parse means no @everyone, @here, role or user ping, whatever the text says.
            let content = text.count > 2000 ? String(text.prefix(1999)) + "…" : text
            return JSONValue.object([("content", .string(content)), ("allowed_mentions", .object([("parse", .array([]))]))])
                .serialized()
        case .hookshot:
            // Hookshot posts to a Matrix room, where "@room" in a body notifies everyone.
            let body = Self.quietMentions(text, ["room"])
            let formatted = Self.quietMentions(html ?? Self.escapeHTML(text), ["room"])
            return JSONValue.object([("text", .string(body)), ("html", .string(formatted))]).serialized()
        }
    }

    /// Slack's escaping: `&`, `<`, `>` as `&amp;`, `&lt;`, `&gt;`.
    public static func escapeSlack(_ text: String) -> String { slackEscapes(text) }

    static let slackEscapes = ByteEscapes(["&": "&amp;", "<": "&lt;", ">": "&gt;"])
    static let htmlEscapes = ByteEscapes(["&": "&amp;", "<": "&lt;", ">": "&gt;", "\n": "<br>"])

    /// "@channel" and the like with a word joiner after the "@": it reads the same, pings nobody.
    public static func quietMentions(_ text: String, _ words: [String]) -> String {
        var out = text
        for word in words {
            for form in ["@" + word, "@" + word.capitalized, "@" + word.uppercased()] {
                out = out.replacingOccurrences(of: form, with: "@\u{2060}" + form.dropFirst())
            }
        }
        return out
    }

    static func escapeHTML(_ text: String) -> String { htmlEscapes(text) }
}
