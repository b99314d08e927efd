import SpotterCore

/// Reads the numbers of a message: a logged set ("bench 100kg x 8 @ RIR 1", "squat 140 5x5
/// rpe 8", "3x10 lat pulldown 60kg") and what a question says about the planned set
/// ("heavy triples", "at 90%", "RPE 9", "sets of 3").
enum SetParser {
    struct Numbers: Sendable, Hashable {
        var load: Double?
        var unit: LoadUnit?
        var reps: Int?
        var sets: Int?
        var rir: Double?
        var rpe: Double?
        var loadPercent: Double?
        var toFailure = false
    }

    static func units(_ stem: String) -> LoadUnit? { unitWords[stem] }

    private static let unitWords = WordTable<LoadUnit>([
        ("kg", .kilograms), ("kilo", .kilograms), ("kilogram", .kilograms), ("kgs", .kilograms),
        ("lb", .pounds), ("pound", .pounds), ("lbs", .pounds), ("#", .pounds),
    ])

    static let repWords = WordTable<Int>([("single", 1), ("double", 2), ("triple", 3)])

    /// A count (reps, sets) from a number token. Any number of digits can be typed, so it is
    /// capped before conversion (a billion is as implausible as infinity, and converts safely);
    /// ``LoggedSet/implausibility`` then refuses it with a reason.
    static func whole(_ value: Double) -> Int {
        Int(min(value, 1_000_000_000))
    }

    /// Extracts every number pattern it recognises; `skip` is the exercise's words.
    static func numbers(_ tokens: [Token], skip: Range<Int>?) -> Numbers {
        var result = Numbers()
        let count = tokens.count
        // Indexed by token: a `Set<Int>` hashed every probe, and this runs for every message.
        var used = UsedTokens(count: count)
        func stem(_ i: Int) -> String? { i >= 0 && i < count ? tokens[i].stem : nil }
        func number(_ i: Int) -> Double? { i >= 0 && i < count ? tokens[i].number : nil }

        for i in 0..<count {
            if let skip, skip.contains(i) { continue }
            // Read in place: a copy of the token (three strings) per position cost more than the tests.
            switch tokens[i].kind {
            case .word:
                let word = tokens[i].stem
                if word == "rir", let value = number(i + 1), value <= 10 {
                    result.rir = value; used.insert(i + 1)
                } else if word == "rir", let value = number(i - 1), value <= 10, !used.contains(i - 1) {
                    result.rir = value; used.insert(i - 1)
                } else if word == "rpe", let value = number(i + 1), value <= 10 {
                    result.rpe = value; used.insert(i + 1)
                } else if word == "rpe", let value = number(i - 1), value <= 10, !used.contains(i - 1) {
                    result.rpe = value; used.insert(i - 1)
                } else if let reps = repWords[word], result.reps == nil {
                    result.reps = reps
                } else if word == "failure" || word == "amrap" || (word == "fail" && stem(i - 1) == "to") {
                    result.toFailure = true
                }
            case .symbol:
                if tokens[i].text == "@", let value = number(i + 1), value <= 10, stem(i + 2) != "rir" {
                    result.rpe = value; used.insert(i + 1)
                }
            case .number:
                break
            }
        }
        // Percentages: "at 90%", "85 percent".
        for i in 0..<count where tokens[i].kind == .number && !used.contains(i) {
            if stem(i + 1) == "%" || stem(i + 1) == "percent" {
                result.loadPercent = tokens[i].number
                used.insert(i)
            }
        }
        // Loads with units: "100kg", "225 lbs".
        for i in 0..<count where tokens[i].kind == .number && !used.contains(i) {
            if let unit = stem(i + 1).flatMap(units) {
                result.load = tokens[i].number
                result.unit = unit
                used.insert(i)
                break
            }
        }
        // "5x5", "3 x 10", "100kg x 8", "sets of 3", "8 reps", "for 3", "3 sets of 10".
        var i = 0
        while i < count {
            defer { i += 1 }
            guard tokens[i].kind == .number, !used.contains(i), let value = tokens[i].number else { continue }
            if stem(i + 1) == "x", let right = number(i + 2) {
                if value > 12 || result.load == nil && value > 20 {
                    if result.load == nil { result.load = value }
                    if result.reps == nil { result.reps = whole(right) }
                } else if result.sets == nil && result.reps == nil {
                    result.sets = whole(value)
                    result.reps = whole(right)
                }
                used.insert(i); used.insert(i + 2)
                continue
            }
            if stem(i - 1) == "x", i >= 2, used.contains(i - 2) || tokens[i - 2].kind != .number {
                // "100kg x 8": the load took the number before the unit.
                if result.reps == nil { result.reps = whole(value) }
                used.insert(i)
                continue
            }
            if stem(i + 1) == "set" {
                if stem(i + 2) == "of", let reps = number(i + 3) {
                    result.sets = whole(value); result.reps = whole(reps); used.insert(i + 3)
                } else if result.sets == nil {
                    result.sets = whole(value)
                }
                used.insert(i)
                continue
            }
            if stem(i + 1) == "rep" || stem(i + 1) == "repetition" {
                if result.reps == nil { result.reps = whole(value) }
                used.insert(i)
                continue
            }
            if stem(i - 1) == "of" && stem(i - 2) == "set" {
                if result.reps == nil { result.reps = whole(value) }
                used.insert(i)
                continue
            }
            if stem(i - 1) == "for" && value <= 50 && stem(i + 1).map({ !Self.spans.contains($0) }) ?? true {
                if result.reps == nil { result.reps = whole(value) }
                used.insert(i)
                continue
            }
        }
        // A bare number: a load when larger than any rep count, otherwise reps after a load.
        for i in 0..<count where tokens[i].kind == .number && !used.contains(i) {
            if let skip, skip.contains(i) { continue }
            guard let value = tokens[i].number else { continue }
            if stem(i + 1).map({ Self.spans.contains($0) || Self.timeWords.contains($0) }) ?? false || stem(i - 1) == "/" {
                continue
            }
            if result.load == nil && value > 12 {
                result.load = value
                used.insert(i)
            } else if result.load != nil && result.reps == nil && value <= 50 {
                result.reps = whole(value)
                used.insert(i)
            }
        }
        return result
    }

    /// Words after a number that make it a stretch of time, not reps ("for 3 weeks").
    private static let spans: WordSet = ["year", "month", "week", "day"]
    private static let timeWords: WordSet = ["hour", "minute", "time", "/"]
}

/// Which tokens a reading has used, by position.
struct UsedTokens {
    private var flags: [Bool]
    init(count: Int) { flags = [Bool](repeating: false, count: count) }
    func contains(_ i: Int) -> Bool { i >= 0 && i < flags.count && flags[i] }
    mutating func insert(_ i: Int) { if i >= 0 && i < flags.count { flags[i] = true } }
}
