/// "my time zone is Europe/London", "timezone: New York", "set my time zone to Berlin": the
/// zone as written. Which zone it names is decided at the edge (the zone database is I/O).
public enum TimeZoneStatement {
    static let openings = [
        "my time zone is ", "my timezone is ", "my time zone's ", "my tz is ", "time zone is ", "timezone is ",
        "set my time zone to ", "set my timezone to ", "change my time zone to ", "change my timezone to ",
        "use the time zone ", "use time zone ", "time zone: ", "timezone: ", "time zone ", "timezone ",
        "my time zone: ", "my timezone: ",
    ]

    /// The zone's name when the whole message states the lifter's time zone, else nil.
    public static func read(_ text: String) -> String? {
        // Every opening has "zone" or "tz" in it: most messages are turned away by one byte scan
        // before any lowercasing or prefix test ("ti" of "time" was in too many of them).
        var bytes = text
        let mentionsZone = bytes.withUTF8 { bytes in
            var previous: UInt8 = 0
            for byte in bytes {
                let lower = byte | 0x20
                if previous == UInt8(ascii: "t") && lower == UInt8(ascii: "z") || previous == UInt8(ascii: "z") && lower == UInt8(ascii: "o") {
                    return true
                }
                previous = lower
            }
            return false
        }
        guard mentionsZone else { return nil }
        var trimmed = Substring(text)
        while let first = trimmed.first, first.isWhitespace { trimmed.removeFirst() }
        while let last = trimmed.last, last.isWhitespace || last == "." || last == "!" { trimmed.removeLast() }
        let lower = trimmed.lowercased()
        for opening in openings where lower.hasPrefix(opening) {
            let name = trimmed.dropFirst(opening.count).drop { $0.isWhitespace }
            // A zone is a name of a few words at most ("America/Argentina/Buenos_Aires", "New York").
            guard !name.isEmpty, name.count <= 64, name.split(separator: " ").count <= 4,
                  name.allSatisfy({ $0.isLetter || $0 == "/" || $0 == "_" || $0 == " " || $0 == "-" || $0 == "+" || $0.isNumber })
            else { return nil }
            return String(name)
        }
        return nil
    }
}
