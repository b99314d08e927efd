import SpotterCore

/// Reads daily check-in answers from a message: "slept 6h, legs 4/5 sore, stress high",
/// "barely slept", "exhausted", "no pain", or a bare "4" for the item just asked.
enum CheckInParser {
    /// Words that name each scored item.
    static let keywords: [CheckInItem: Set<String>] = [
        .sleep: ["sleep", "slept", "sleeping"],
        .soreness: ["sore", "soreness", "doms", "achy"],
        .energy: ["energy", "energetic"],
        .stress: ["stress", "stressed", "stressful"],
        .motivation: ["motivation", "motivated", "motivate"],
    ]

    /// Every item keyword, for telling a message that names an item.
    static let allKeywords: Set<String> = keywords.values.reduce(into: Set<String>()) { $0.formUnion($1) }

    /// Phrases that answer an item on their own, with the value they mean.
    static let phrases: [(Phrase, CheckInItem, Double)] = {
        let table: [(String, CheckInItem, Double)] = [
            ("barely slept", .sleep, 4), ("hardly slept", .sleep, 4), ("didnt sleep", .sleep, 2), ("no sleep", .sleep, 2),
            ("couldnt sleep", .sleep, 3), ("slept badly", .sleep, 5), ("slept poorly", .sleep, 5), ("bad sleep", .sleep, 5),
            ("poor sleep", .sleep, 5), ("terrible sleep", .sleep, 4), ("slept terribly", .sleep, 4), ("slept well", .sleep, 8),
            ("good sleep", .sleep, 8), ("great sleep", .sleep, 8.5), ("slept great", .sleep, 8.5), ("slept ok", .sleep, 7),
            ("slept okay", .sleep, 7), ("slept fine", .sleep, 7), ("slept like a baby", .sleep, 9),
            ("not sore", .soreness, 1), ("no soreness", .soreness, 1), ("no doms", .soreness, 1), ("fresh", .soreness, 1),
            ("a bit sore", .soreness, 2), ("slightly sore", .soreness, 2), ("little sore", .soreness, 2),
            ("very sore", .soreness, 4), ("really sore", .soreness, 4), ("super sore", .soreness, 5), ("wrecked", .soreness, 5),
            ("destroyed", .soreness, 5), ("trashed", .soreness, 5), ("smashed", .soreness, 5), ("killing me", .soreness, 5),
            ("sore", .soreness, 3), ("doms", .soreness, 3),
            ("exhausted", .energy, 1), ("drained", .energy, 1), ("knackered", .energy, 1), ("dead tired", .energy, 1),
            ("no energy", .energy, 1), ("tired", .energy, 2), ("low energy", .energy, 2), ("sluggish", .energy, 2),
            ("fatigued", .energy, 2), ("good energy", .energy, 4), ("energetic", .energy, 4), ("fresh", .energy, 4),
            ("great energy", .energy, 5), ("full of energy", .energy, 5), ("buzzing", .energy, 5),
            ("stressed out", .stress, 5), ("very stressed", .stress, 5), ("super stressed", .stress, 5),
            ("stressed", .stress, 4), ("high stress", .stress, 4), ("some stress", .stress, 3), ("moderate stress", .stress, 3),
            ("low stress", .stress, 2), ("not stressed", .stress, 2), ("no stress", .stress, 1), ("relaxed", .stress, 1),
            ("chilled", .stress, 1), ("calm", .stress, 1), ("zen", .stress, 1),
            ("no motivation", .motivation, 1), ("unmotivated", .motivation, 1), ("cant be bothered", .motivation, 1),
            ("low motivation", .motivation, 2), ("not motivated", .motivation, 2), ("motivated", .motivation, 4),
            ("keen", .motivation, 4), ("very motivated", .motivation, 5), ("super motivated", .motivation, 5),
            ("pumped", .motivation, 5), ("fired up", .motivation, 5), ("raring", .motivation, 5),
        ]
        // Longer phrases first, so "not stressed" wins over "stressed".
        return table.map { (Phrase($0.0), $0.1, $0.2) }.sorted { $0.0.parts.count > $1.0.parts.count }
    }()

    /// Level words after an item's keyword ("stress high", "energy low").
    static let levels: [String: Double] = [
        "low": 2, "high": 4, "ok": 3, "okay": 3, "fine": 3, "moderate": 3, "medium": 3, "normal": 3, "average": 3,
        "good": 4, "great": 5, "bad": 2, "terrible": 1, "none": 1,
    ]

    static let noPain = Cues(["no pain", "pain free", "painfree", "nothing hurt", "no joint pain", "no sharp pain",
                              "pain no", "pain none", "no injury", "no injuries", "all good", "without pain"])

    /// Reads what `tokens` say toward a check-in; `expecting` is the item just asked, which a
    /// bare number, level word or yes/no answers.
    /// The value phrases as word ids, longest first, compiled once against the vocabulary.
    struct CompiledPhrases: Sendable {
        var entries: [(parts: [Int32], item: CheckInItem, value: Double, text: String)] = []
        var firstWords: Set<Int32> = []
        var noPain: [[Int32]] = []

        init(vocabulary: inout Vocabulary) {
            for (phrase, item, value) in CheckInParser.phrases {
                let parts = phrase.parts.map { vocabulary.intern($0) }
                entries.append((parts, item, value, phrase.parts.joined(separator: " ")))
                firstWords.insert(parts[0])
            }
            noPain = CheckInParser.noPain.phrases.map { $0.parts.map { vocabulary.intern($0) } }
        }

        static func occurs(_ parts: [Int32], in ids: [Int32]) -> Bool {
            guard parts.count <= ids.count else { return false }
            for start in 0...(ids.count - parts.count) where ids[start] == parts[0] {
                var matched = true
                for offset in 1..<parts.count where ids[start + offset] != parts[offset] {
                    matched = false
                    break
                }
                if matched { return true }
            }
            return false
        }
    }

    /// Words that may stand between an item and its score without changing it: "energy is more
    /// like a 3", "stress is probably about 2", "sleep was around 7".
    static let fillers: Set<String> = [
        "is", "was", "more", "like", "a", "an", "about", "around", "maybe", "probably", "prob", "closer", "to", "at",
        "of", "really", "honestly", "now", "actually", "say", "id", "i", "would", "it", "its", "be", "just", "only",
        "roughly", "approximately", "approx", "nearer", "level", "im", "feel", "feeling", "got", "get", "the", "my", "me",
        "been", "think", "guess", "call", "put", "mark", "make", "that", "rather",
    ]

    static func read(
        _ tokens: [Token], ids: [Int32], compiled: CompiledPhrases, expecting: CheckInItem?, painHint: Bool?
    ) -> CheckInReading {
        // "six and a half", "7ish": numbers in words become number tokens first.
        let (tokens, ids) = NumberWords.fold(tokens, ids: ids)
        var reading = CheckInReading()
        var answers = CheckInAnswers()
        var consumed = Set<Int>()
        let stems = tokens.map { $0.kind == .word ? $0.stem : ($0.kind == .number ? "#" : $0.text) }

        func assign(_ item: CheckInItem, _ value: Double, written: String) {
            guard !answers.has(item), reading.outOfRange[item] == nil else { return }
            guard item.range.contains(value), item == .sleep || value.rounded() == value else {
                reading.outOfRange[item] = written
                return
            }
            switch item {
            case .sleep: answers.sleepHours = value
            case .soreness: answers.soreness = Int(value)
            case .energy: answers.energy = Int(value)
            case .stress: answers.stress = Int(value)
            case .motivation: answers.motivation = Int(value)
            case .pain: answers.pain = value > 0
            }
        }

        /// The score at number token `index`: "4", "4/5", or "7/10" scaled to 1-5.
        func score(at index: Int) -> (value: Double, written: String)? {
            guard index >= 0, index < tokens.count, tokens[index].kind == .number, !consumed.contains(index),
                  let value = tokens[index].number else { return nil }
            consumed.insert(index)
            if index + 2 < tokens.count, tokens[index + 1].text == "/", let scale = tokens[index + 2].number {
                consumed.insert(index + 2)
                if scale == 10 { return ((value / 2).rounded(.up), "\(tokens[index].text)/10") }
                return (value, "\(tokens[index].text)/\(tokens[index + 2].text)")
            }
            return (value, tokens[index].text)
        }

        // 1. Sleep hours: "6h", "6 hours", "slept 6", "7.5 hrs of sleep".
        for i in tokens.indices where tokens[i].kind == .number && !consumed.contains(i) {
            let next = i + 1 < tokens.count ? tokens[i + 1].stem : ""
            if ["h", "hr", "hour", "hrs"].contains(next) {
                consumed.insert(i)
                // A number too large to read is out of range, not zero hours.
                assign(.sleep, tokens[i].number ?? .infinity, written: tokens[i].text + " h")
            }
        }
        // 2. Keywords with a number or a level word nearby: "legs 4/5 sore", "energy 2", "stress high".
        for (item, words) in keywords.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            for i in tokens.indices where words.contains(stems[i]) && !answers.has(item) && reading.outOfRange[item] == nil {
                if let (value, written) = nearbyScore(i) {
                    assign(item, value, written: written)
                } else if i + 1 < tokens.count, let level = levels[stems[i + 1]] {
                    assign(item, level, written: tokens[i + 1].text)
                } else if i > 0, item != .sleep, let level = levels[stems[i - 1]] {
                    assign(item, level, written: tokens[i - 1].text)
                }
            }
        }

        /// The first free number after the keyword at `i` (within two words, not counting
        /// fillers like "is more like a"), else before it (within four), never crossing another
        /// item's keyword.
        func nearbyScore(_ i: Int) -> (Double, String)? {
            var j = i + 1
            var words = 0
            while j < min(tokens.count, i + 9), words < 2 {
                if allKeywords.contains(stems[j]) || levels[stems[j]] != nil { break }
                if tokens[j].kind == .number, !consumed.contains(j) { return score(at: j) }
                if !fillers.contains(stems[j]) { words += 1 }
                j += 1
            }
            j = i - 1
            while j >= max(0, i - 4) {
                if allKeywords.contains(stems[j]) { break }
                if tokens[j].kind == .number, !consumed.contains(j) {
                    // "4/5": the 5 is the scale; the score is the number before the slash.
                    if j >= 2, tokens[j - 1].text == "/", tokens[j - 2].kind == .number { return score(at: j - 2) }
                    return score(at: j)
                }
                j -= 1
            }
            return nil
        }
        // 3. Phrases that carry their own value ("barely slept", "exhausted", "stressed out").
        if ids.contains(where: compiled.firstWords.contains) {
            for entry in compiled.entries where !answers.has(entry.item) && CompiledPhrases.occurs(entry.parts, in: ids) {
                assign(entry.item, entry.value, written: entry.text)
            }
        }
        // 4. Pain: "no pain" first, then pain words.
        if compiled.noPain.contains(where: { CompiledPhrases.occurs($0, in: ids) }) {
            answers.pain = false
        } else if painHint == true {
            answers.pain = true
        }
        // 5. A bare answer to the item just asked: "7", "4/5", "high", "yes", "no".
        if let expecting, !answers.has(expecting), reading.outOfRange[expecting] == nil {
            let words = stems.filter { $0 != "?" && $0 != "." }
            if expecting == .pain {
                if words.count <= 3, let first = words.first {
                    if ["no", "nope", "nah", "none", "n", "nothing", "all", "fine", "good"].contains(first) { answers.pain = false }
                    if ["yes", "yeah", "yep", "y", "sharp"].contains(first) { answers.pain = true }
                }
            } else if let index = tokens.indices.first(where: { tokens[$0].kind == .number && !consumed.contains($0) }),
                      words.count <= 4, let (value, written) = score(at: index) {
                assign(expecting, value, written: written)
            } else if words.count <= 3, let level = words.compactMap({ levels[$0] }).first, expecting != .sleep {
                assign(expecting, level, written: words.joined(separator: " "))
            }
        }
        reading.answers = answers
        return reading
    }
}

// MARK: Start-up snapshot

extension CheckInParser.CompiledPhrases {
    func write(to writer: inout SnapshotWriter) {
        writer.int(entries.count)
        for entry in entries {
            writer.int32s(entry.parts)
            writer.string(entry.item.rawValue)
            writer.double(entry.value)
            writer.string(entry.text)
        }
        firstWords.write(to: &writer)
        writer.int(noPain.count)
        for phrase in noPain { writer.int32s(phrase) }
    }

    init(reading reader: inout SnapshotReader) throws(SnapshotError) {
        entries = []
        for _ in 0..<(try reader.count(elementSize: 24)) {
            let parts = try reader.int32s()
            guard !parts.isEmpty else { throw SnapshotError("an empty check-in phrase") }
            entries.append((parts, try reader.raw(CheckInItem.self), try reader.double(), try reader.string()))
        }
        firstWords = try Set<Int32>(reading: &reader)
        noPain = []
        for _ in 0..<(try reader.count(elementSize: 8)) {
            let parts = try reader.int32s()
            guard !parts.isEmpty else { throw SnapshotError("an empty check-in phrase") }
            noPain.append(parts)
        }
    }
}
