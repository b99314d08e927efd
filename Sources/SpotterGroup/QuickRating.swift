import SpotterCore

/// The one-tap check-in: a single 1-5 rating of perceived recovery, given by reacting to the
/// morning prompt (the perceived recovery status idea, laurent2011), 1 "not recovered at all",
/// 5 "fully recovered".
///
/// Mapped to readiness so it counts beside full check-ins: 1-2 red, 3 amber, 4-5 green. The
/// low end is red on purpose: a lifter who taps 1 or 2 says they feel poorly recovered, and
/// gets the full check-in offered by direct message rather than a guess from one number.
public struct QuickRating: Sendable, Hashable {
    public let value: Int

    /// The reactions Spotter offers on its prompt, 1 to 5 (keycap emoji).
    public static let keys = ["1\u{FE0F}\u{20E3}", "2\u{FE0F}\u{20E3}", "3\u{FE0F}\u{20E3}", "4\u{FE0F}\u{20E3}", "5\u{FE0F}\u{20E3}"]

    public init?(value: Int) {
        guard (1...5).contains(value) else { return nil }
        self.value = value
    }

    /// The rating a reaction key stands for; nil for any other key. Clients differ on the
    /// emoji presentation selector (U+FE0F), so "1⃣" counts as "1️⃣".
    public init?(key: String) {
        let bare = String(String.UnicodeScalarView(key.unicodeScalars.filter { $0 != "\u{FE0F}" }))
        guard let index = Self.keys.firstIndex(where: {
            String(String.UnicodeScalarView($0.unicodeScalars.filter { $0 != "\u{FE0F}" })) == bare
        }) else { return nil }
        value = index + 1
    }

    public var key: String { Self.keys[value - 1] }

    public var readiness: Readiness {
        switch value {
        case ...2: .red
        case 3: .amber
        default: .green
        }
    }

    /// Whether the lifter is offered the full check-in by direct message.
    public var leansRed: Bool { readiness == .red }
}

/// A lifter's quick check-in on one of the room's local days (the day of the prompt reacted to).
public struct QuickCheckIn: Sendable, Hashable {
    public var userID: String
    public var day: String
    public var rating: QuickRating

    public init(userID: String, day: String, rating: QuickRating) {
        self.userID = userID
        self.day = day
        self.rating = rating
    }
}
