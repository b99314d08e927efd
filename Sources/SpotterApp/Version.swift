/// Spotter's version, printed by `spotter --version` and in `serve`'s start-up log line.
public enum SpotterVersion {
    public static let number = "0.9.0"
}
