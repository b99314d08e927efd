import Foundation

/// A time zone as people name it: an IANA name in any case ("europe/berlin"), a city in one
/// ("Berlin", "new york"), or UTC/GMT. For room commands and a lifter's own zone alike.
public enum ZoneName {
    public static func resolve(_ text: String) -> String? {
        let wanted = text.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: " ", with: "_").lowercased()
        guard !wanted.isEmpty else { return nil }
        if wanted == "utc" || wanted == "gmt" { return "UTC" }
        let known = TimeZone.knownTimeZoneIdentifiers
        if let exact = known.first(where: { $0.lowercased() == wanted }) { return exact }
        return known.first { $0.lowercased().hasSuffix("/" + wanted) }
    }

    /// Seconds east of UTC in `zone` at `time` (0 for an unknown zone).
    public static func utcOffset(_ zone: String, at time: Double) -> Int {
        TimeZone(identifier: zone)?.secondsFromGMT(for: Date(timeIntervalSince1970: time)) ?? 0
    }
}
