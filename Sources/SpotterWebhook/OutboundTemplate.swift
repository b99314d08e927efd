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
    public func payload(text: String, html: String?) -> String {
        switch self {
        case .slack, .mattermost:
            return JSONValue.object([("text", .string(text))]).serialized()
        case .discord:
            // Discord refuses content over 2,000 characters.
            let content = text.count > 2000 ? String(text.prefix(1999)) + "…" : text
            return JSONValue.object([("content", .string(content))]).serialized()
        case .hookshot:
            return JSONValue.object([("text", .string(text)), ("html", .string(html ?? Self.escapeHTML(text)))]).serialized()
        }
    }

    static func escapeHTML(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\n", with: "<br>")
    }
}
