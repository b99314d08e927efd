/// A bad or missing setting, from any of Spotter's settings (Config/spotter.yml, the server's
/// config, the registration file, flags): names the setting, and the file when there is one, and
/// says what to fix. Never contains a token or a secret.
public struct SettingError: Error, Sendable, CustomStringConvertible {
    /// Stable for every bad setting.
    public let code = "config_invalid"
    /// The file the setting was read from, when it came from one.
    public var file: String?
    /// The setting's path, as written (`matrix.listen`, `rooms.!gym:x.checkin`, `--config`).
    public var setting: String
    public var message: String

    public init(file: String? = nil, setting: String, message: String) {
        self.file = file
        self.setting = setting
        self.message = message
    }

    public var description: String {
        if let file { return "\(file): \(setting): \(message)" }
        return "setting `\(setting)`: \(message)"
    }
}
