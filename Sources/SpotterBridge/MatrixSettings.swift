import Foundation
import SpotterCore
import SpotterMatrix
import SpotterRules
import SpotterWebhook
import Yams

/// Everything `spotter serve` needs to talk to a homeserver.
public struct MatrixSettings: Sendable {
    public var homeserver: String
    public var listenHost: String
    public var listenPort: Int
    public var registration: Registration
    /// The bot's full user id; learned from the homeserver (whoami) when not configured.
    public var botUserID: String?
    public var commandPrefix = "!coach"
    /// The msgtype of replies: `m.notice` unless a room is configured otherwise.
    public var defaultMsgtype = "m.notice"
    public var roomMsgtypes: [String: String] = [:]
    /// Largest transaction body accepted.
    public var maxBodyBytes = 8 * 1024 * 1024
    /// Connections served at once; past it new ones wait (in the listen backlog) until one closes.
    public var maxConnections = 512
    /// A connection that sends nothing for this long is closed: idle keep-alive connections, and
    /// request headers that never complete.
    public var idleTimeoutSeconds: Double = 60
    /// A request's body must have arrived this many seconds after its headers, or the connection is closed.
    public var readTimeoutSeconds: Double = 30
    /// Webhook bodies over 64 KiB being received at once, in bytes (their signature needs the whole
    /// body): past it a webhook gets 503 `busy`. Bounds what forged headers can make the server hold.
    public var webhookBufferBytes = 32 * 1024 * 1024
    /// Messages older than this when Spotter starts are not answered.
    public var startupCutoffSeconds: Double = 600
    /// Accept the hs_token from the legacy `access_token` query parameter too.
    public var allowQueryToken = false
    /// Warnings found while loading (such as a world-readable token file); printed at start.
    public var warnings: [String] = []
    /// The secret that signs requests to `POST /webhook`; the endpoint is off without one.
    public var webhookSecret: WebhookSecret?
    /// Scheduled check-ins, summaries and outbound webhooks per room.
    public var group = GroupSettings()

    public func msgtype(for room: String) -> String { roomMsgtypes[room] ?? defaultMsgtype }

    public init(homeserver: String, listenHost: String, listenPort: Int, registration: Registration, botUserID: String? = nil) {
        self.homeserver = homeserver
        self.listenHost = listenHost
        self.listenPort = listenPort
        self.registration = registration
        self.botUserID = botUserID
    }

    /// Builds the settings from the config file's `matrix:` section, the registration file,
    /// the environment (`SPOTTER_AS_TOKEN`, `SPOTTER_HS_TOKEN`, preferred) and the flags (which win).
    public static func load(
        configFile: String?, registrationFlag: String?, homeserverFlag: String?, listenFlag: String?,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(SettingError) -> MatrixSettings {
        var section: Node?
        var webhookSecretFromConfig: String?
        var group = GroupSettings()
        var configFolder = FileManager.default.currentDirectoryPath
        if let configFile {
            guard let data = FileManager.default.contents(atPath: configFile) else {
                throw SettingError(setting: "--config", message: "cannot read \(configFile)")
            }
            do {
                let root = try composeYAML(String(decoding: data, as: UTF8.self))
                section = root?["matrix"]
                webhookSecretFromConfig = root?["webhook"]?["secret"]?.string
                group = try GroupSettings.load(root)
            } catch let error as SettingError {
                throw error
            } catch {
                throw SettingError(setting: "--config", message: "\(configFile) is not valid YAML (\(error))")
            }
            configFolder = (configFile as NSString).deletingLastPathComponent
        }
        func configured(_ key: String) -> String? { section?[key]?.string.flatMap { $0.isEmpty ? nil : $0 } }
        func relative(_ path: String) -> String {
            path.hasPrefix("/") ? path : (configFolder as NSString).appendingPathComponent(path)
        }
        var warnings: [String] = []

        guard let registrationPath = registrationFlag ?? configured("registration").map(relative) else {
            throw SettingError(setting: "matrix.registration",
                                      message: "no registration file; pass --registration FILE (make one with `spotter matrix registration`)")
        }
        var registration = try Registration.load(path: registrationPath)
        if let attributes = try? FileManager.default.attributesOfItem(atPath: registrationPath),
           let mode = attributes[.posixPermissions] as? Int, mode & 0o077 != 0 {
            // Any group or world bit: readable leaks the tokens, writable lets others swap them.
            let who = [(0o070, "its group"), (0o007, "everyone")].filter { mode & $0.0 != 0 }.map(\.1).joined(separator: " and ")
            let kinds = [(0o044, "read"), (0o022, "written"), (0o011, "executed")].filter { mode & $0.0 != 0 }.map(\.1)
            if mode & 0o004 != 0 {
                // The wording scripts may look for stays.
                warnings.append("\(registrationPath) holds tokens and is world-readable; run `chmod 600 \(registrationPath)`")
            } else {
                warnings.append("\(registrationPath) holds tokens and can be \(kinds.joined(separator: " and ")) by \(who) "
                    + "(mode \(String(mode & 0o777, radix: 8))); run `chmod 600 \(registrationPath)`")
            }
        }
        if let token = environment["SPOTTER_AS_TOKEN"], !token.isEmpty { registration.asToken = token }
        if let token = environment["SPOTTER_HS_TOKEN"], !token.isEmpty { registration.hsToken = token }

        guard let homeserver = homeserverFlag ?? configured("homeserver") else {
            throw SettingError(setting: "matrix.homeserver", message: "no homeserver URL; pass --homeserver http://HOST:PORT")
        }
        guard let url = URL(string: homeserver), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil else {
            throw SettingError(setting: "matrix.homeserver", message: "'\(homeserver)' is not an http(s) URL")
        }
        let listen = listenFlag ?? configured("listen") ?? "127.0.0.1:29400"
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]), (1...65535).contains(port)
        else {
            throw SettingError(setting: "matrix.listen", message: "'\(listen)' is not HOST:PORT")
        }
        var settings = MatrixSettings(
            homeserver: homeserver.hasSuffix("/") ? String(homeserver.dropLast()) : homeserver,
            listenHost: String(listen[..<colon]), listenPort: port, registration: registration,
            botUserID: configured("bot_user_id"))
        if let prefix = configured("command_prefix") { settings.commandPrefix = prefix }
        if let msgtype = configured("msgtype") {
            guard ["m.notice", "m.text"].contains(msgtype) else {
                throw SettingError(setting: "matrix.msgtype", message: "must be m.notice or m.text, got '\(msgtype)'")
            }
            settings.defaultMsgtype = msgtype
        }
        if case let .mapping(rooms)? = section?["room_msgtypes"] {
            for (room, value) in rooms {
                guard let roomID = room.string, let msgtype = value.string, ["m.notice", "m.text"].contains(msgtype) else {
                    throw SettingError(setting: "matrix.room_msgtypes", message: "each room maps to m.notice or m.text")
                }
                settings.roomMsgtypes[roomID] = msgtype
            }
        }
        if let limit = configured("max_body_bytes") {
            guard let bytes = Int(limit), bytes >= 1024 else {
                throw SettingError(setting: "matrix.max_body_bytes", message: "must be a whole number of at least 1024")
            }
            settings.maxBodyBytes = bytes
        }
        if let limit = configured("webhook_buffer_bytes") {
            guard let bytes = Int(limit), bytes >= 65536 else {
                throw SettingError(setting: "matrix.webhook_buffer_bytes", message: "must be a whole number of at least 65536")
            }
            settings.webhookBufferBytes = bytes
        }
        if let limit = configured("max_connections") {
            guard let count = Int(limit), count >= 1 else {
                throw SettingError(setting: "matrix.max_connections", message: "must be a whole number of at least 1")
            }
            settings.maxConnections = count
        }
        for (key, apply) in [("idle_timeout_seconds", { (s: inout MatrixSettings, v: Double) in s.idleTimeoutSeconds = v }),
                             ("read_timeout_seconds", { (s: inout MatrixSettings, v: Double) in s.readTimeoutSeconds = v })] {
            guard let text = configured(key) else { continue }
            guard let seconds = Double(text), seconds > 0, seconds <= 86_400 else {
                throw SettingError(setting: "matrix.\(key)", message: "must be a number of seconds above 0 (at most 86400)")
            }
            apply(&settings, seconds)
        }
        if let minutes = configured("startup_cutoff_minutes") {
            guard let value = Double(minutes), value >= 0 else {
                throw SettingError(setting: "matrix.startup_cutoff_minutes", message: "must be a number of minutes")
            }
            settings.startupCutoffSeconds = value * 60
        }
        if let legacy = configured("allow_query_token") { settings.allowQueryToken = legacy == "true" }
        let webhookText = environment["SPOTTER_WEBHOOK_SECRET"].flatMap { $0.isEmpty ? nil : $0 } ?? webhookSecretFromConfig
        if let webhookText {
            do {
                settings.webhookSecret = try WebhookSecret(webhookText)
            } catch {
                throw SettingError(setting: "webhook.secret", message: error.message)
            }
        }
        settings.group = group
        for (room, config) in group.rooms where config.outbound != nil && config.outbound?.secret == nil && settings.webhookSecret == nil {
            throw SettingError(setting: "rooms.\(room).webhook.secret",
                                      message: "outbound posts are signed: set webhook.secret, SPOTTER_WEBHOOK_SECRET or this room's secret")
        }
        settings.warnings = warnings
        return settings
    }
}
