import Foundation
import SpotterCore
import SpotterRules
import Yams

/// The application-service registration the homeserver loads.
public struct Registration: Sendable, Hashable {
    public var id: String
    public var url: String
    public var asToken: String
    public var hsToken: String
    public var senderLocalpart: String

    public init(id: String, url: String, asToken: String, hsToken: String, senderLocalpart: String) {
        self.id = id
        self.url = url
        self.asToken = asToken
        self.hsToken = hsToken
        self.senderLocalpart = senderLocalpart
    }

    /// A new registration with fresh random tokens.
    public static func generate(id: String, url: String, localpart: String) -> Registration {
        Registration(id: id, url: url, asToken: "as_" + randomToken(), hsToken: "hs_" + randomToken(), senderLocalpart: localpart)
    }

    static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }

    /// The YAML the homeserver loads (`app_service_config_files`).
    public var yaml: String {
        let escapedLocalpart = NSRegularExpression.escapedPattern(for: senderLocalpart)
        return """
            id: \(quoted(id))
            url: \(quoted(url))
            as_token: \(quoted(asToken))
            hs_token: \(quoted(hsToken))
            sender_localpart: \(quoted(senderLocalpart))
            rate_limited: false
            receive_ephemeral: false
            namespaces:
              users:
                - exclusive: true
                  regex: \(quoted("@" + escapedLocalpart + ":.*"))
              aliases: []
              rooms: []

            """
    }

    private func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// Reads a registration file; a missing field is an error that names it.
    public static func load(path: String) throws(SettingError) -> Registration {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SettingError(setting: "registration", message: "cannot read \(path)")
        }
        let node: Node?
        do {
            node = try composeYAML(String(decoding: data, as: UTF8.self))
        } catch {
            throw SettingError(setting: "registration", message: "\(path) is not valid YAML (\(error))")
        }
        func field(_ name: String) throws(SettingError) -> String {
            guard let value = node?[name]?.string, !value.isEmpty else {
                throw SettingError(setting: "registration.\(name)", message: "\(path) has no `\(name)`")
            }
            return value
        }
        return Registration(id: try field("id"), url: (try? field("url")) ?? "", asToken: try field("as_token"),
                            hsToken: try field("hs_token"), senderLocalpart: try field("sender_localpart"))
    }
}
