import SpotterCore

/// Every word Spotter knows, as small integers, so matching compares numbers instead of strings.
struct Vocabulary: Sendable {
    private(set) var ids = WordTable<Int32>()
    private(set) var words: [String] = []

    /// A word's id, adding it when new.
    mutating func intern(_ word: String) -> Int32 {
        if let id = ids[word] { return id }
        let id = Int32(words.count)
        ids.updateValue(id, forKey: word)
        words.append(word)
        return id
    }

    func id(_ word: String) -> Int32? { ids[word] }

    /// Ids of tokens that are not words (numbers, symbols) or not known.
    static let unknown: Int32 = -1
    /// Ids of words masked out of cue matching (the exercise's own words).
    static let masked: Int32 = -3
}

/// The cue lists of ``Lexicon``, by name.
enum CueList: Int, CaseIterable, Sendable {
    case deload, rir, recovery, rest, failure, help, why
    case beginner, advanced, intermediate, strength, hypertrophy, endurance, general
    case noSpotter, withSpotter, noPain, pain, persistentFatigue, lastSet, heavy, afterFailure
    case checkIn, cancel, stats, forgetMe, showProfile, profileStart, skip
    case frequency, volume, consecutive, load, urgent, acuteInjury, injury, illness, medication, diet, supplement

    /// The chat's own commands, matched only in short messages and only as typed.
    var isCommand: Bool {
        switch self {
        case .checkIn, .cancel, .stats, .forgetMe, .showProfile, .profileStart, .skip: true
        default: false
        }
    }

    var cues: Cues {
        switch self {
        case .deload: Lexicon.deload
        case .rir: Lexicon.rir
        case .recovery: Lexicon.recovery
        case .rest: Lexicon.rest
        case .failure: Lexicon.failure
        case .help: Lexicon.help
        case .why: Lexicon.why
        case .beginner: Lexicon.beginner
        case .advanced: Lexicon.advanced
        case .intermediate: Lexicon.intermediate
        case .strength: Lexicon.strength
        case .hypertrophy: Lexicon.hypertrophy
        case .endurance: Lexicon.endurance
        case .general: Lexicon.general
        case .noSpotter: Lexicon.noSpotter
        case .withSpotter: Lexicon.withSpotter
        case .noPain: Lexicon.noPain
        case .pain: Lexicon.pain
        case .persistentFatigue: Lexicon.persistentFatigue
        case .lastSet: Lexicon.lastSet
        case .heavy: Lexicon.heavy
        case .afterFailure: Lexicon.afterFailure
        case .checkIn: Lexicon.checkIn
        case .cancel: Lexicon.cancel
        case .stats: Lexicon.stats
        case .forgetMe: Lexicon.forgetMe
        case .showProfile: Lexicon.showProfile
        case .profileStart: Lexicon.profileStart
        case .skip: Lexicon.skip
        case .frequency: Lexicon.frequency
        case .volume: Lexicon.volume
        case .consecutive: Lexicon.consecutive
        case .load: Lexicon.load
        case .urgent: Lexicon.urgent
        case .acuteInjury: Lexicon.acuteInjury
        case .injury: Lexicon.injury
        case .illness: Lexicon.illness
        case .medication: Lexicon.medication
        case .diet: Lexicon.diet
        case .supplement: Lexicon.supplement
        }
    }
}

/// Which cue lists a message matched.
struct CueSet: Sendable, Hashable {
    var bits: UInt64 = 0
    func contains(_ list: CueList) -> Bool { bits & (1 << UInt64(list.rawValue)) != 0 }
    mutating func insert(_ list: CueList) { bits |= 1 << UInt64(list.rawValue) }
}

/// Finds every cue list whose phrases occur in a message, in one pass over its words.
struct CueMatcher: Sendable {
    private static let wildcard: Int32 = -2
    /// One phrase: its list and where its word ids lie in `parts`. Plain values, so walking the
    /// candidates of a word copies no references (retaining each phrase's array was most of a
    /// message's cue matching).
    private struct Phrase: Sendable {
        var list: CueList
        var start: Int32
        var count: Int32
    }
    /// Phrases grouped by the id of their first word: those of id `i` are
    /// `phrases[firstWord[i]..<firstWord[i + 1]]`, so matching a word is an index, not a hash.
    private var phrases: [Phrase] = []
    private var firstWord: [Int32] = [0]
    private var parts: [Int32] = []

    init(vocabulary: inout Vocabulary) {
        var byFirstWord: [[(list: CueList, parts: [Int32])]] = []
        for list in CueList.allCases {
            for phrase in list.cues.phrases {
                let parts = phrase.parts.map { $0 == "*" ? Self.wildcard : vocabulary.intern($0) }
                guard let first = parts.first, first != Self.wildcard else { continue }
                if Int(first) >= byFirstWord.count {
                    byFirstWord += Array(repeating: [], count: Int(first) + 1 - byFirstWord.count)
                }
                byFirstWord[Int(first)].append((list, parts))
            }
        }
        for candidates in byFirstWord {
            for candidate in candidates {
                phrases.append(Phrase(list: candidate.list, start: Int32(parts.count), count: Int32(candidate.parts.count)))
                parts += candidate.parts
            }
            firstWord.append(Int32(phrases.count))
        }
    }

    /// The positions in `phrases` of the phrases starting with this word id (empty for none).
    @inline(__always)
    private func candidates(_ id: Int32) -> Range<Int> {
        guard id >= 0, Int(id) + 1 < firstWord.count else { return 0..<0 }
        return Int(firstWord[Int(id)])..<Int(firstWord[Int(id) + 1])
    }

    func match(_ ids: [Int32]) -> CueSet {
        var found = CueSet()
        for start in ids.indices where ids[start] >= 0 {
            for position in candidates(ids[start]) where !found.contains(phrases[position].list) {
                if matches(phrases[position], ids, from: start, part: 0) { found.insert(phrases[position].list) }
            }
        }
        return found
    }

    /// Which lists a message matched outside negation scope, which only inside one ("not a
    /// beginner"), and where each list last matched (a later clause wins a contrast).
    struct Reading: Sendable {
        var found = CueSet()
        var negatedOnly = CueSet()
        var last: [Int]

        init() { last = [Int](repeating: -1, count: CueList.allCases.count) }
    }

    /// Lists whose meaning a negation reverses; intent cues are not among them ("not to failure?"
    /// still asks about failure).
    static let negatable: CueSet = {
        var set = CueSet()
        for list: CueList in [.beginner, .advanced, .intermediate, .strength, .hypertrophy, .endurance, .general, .withSpotter,
                              .noSpotter, .pain, .heavy, .persistentFatigue, .urgent, .acuteInjury] {
            set.insert(list)
        }
        return set
    }()

    func read(_ ids: [Int32], negated: [Bool]) -> Reading {
        var reading = Reading()
        for start in ids.indices where ids[start] >= 0 {
            let candidates = candidates(ids[start])
            guard !candidates.isEmpty else { continue }
            let isNegated = start < negated.count && negated[start]
            // A list already found needs no more matching, except the spotter pair whose last
            // position decides a contrast.
            for position in candidates {
                let candidate = phrases[position]
                guard !reading.found.contains(candidate.list) || candidate.list == .noSpotter || candidate.list == .withSpotter,
                      matches(candidate, ids, from: start, part: 0) else { continue }
                if isNegated && Self.negatable.contains(candidate.list) {
                    reading.negatedOnly.insert(candidate.list)
                } else {
                    reading.found.insert(candidate.list)
                    reading.last[candidate.list.rawValue] = start
                }
            }
        }
        reading.negatedOnly.bits &= ~reading.found.bits
        return reading
    }

    /// The length of the longest phrase found in `ids` for each of `lists` (0 for none), by
    /// list number: one pass over the message for all of them.
    func longestMatches(_ lists: CueSet, in ids: [Int32]) -> [Int] {
        var best = [Int](repeating: 0, count: CueList.allCases.count)
        for start in ids.indices where ids[start] >= 0 {
            for position in candidates(ids[start]) {
                let candidate = phrases[position]
                guard lists.contains(candidate.list), Int(candidate.count) > best[candidate.list.rawValue] else { continue }
                if matches(candidate, ids, from: start, part: 0) { best[candidate.list.rawValue] = Int(candidate.count) }
            }
        }
        return best
    }

    /// The length of the longest phrase of `list` found in `ids`, if any.
    func longestMatch(_ list: CueList, in ids: [Int32]) -> Int? {
        var best: Int?
        for start in ids.indices where ids[start] >= 0 {
            for position in candidates(ids[start]) where phrases[position].list == list {
                if matches(phrases[position], ids, from: start, part: 0) {
                    best = max(best ?? 0, Int(phrases[position].count))
                }
            }
        }
        return best
    }

    private func matches(_ phrase: Phrase, _ ids: [Int32], from index: Int, part: Int) -> Bool {
        if part == Int(phrase.count) { return true }
        let word = parts[Int(phrase.start) + part]
        if word == Self.wildcard {
            for skip in 0...4 where index + skip <= ids.count {
                if matches(phrase, ids, from: index + skip, part: part + 1) { return true }
            }
            return false
        }
        guard index < ids.count, ids[index] == word else { return false }
        return matches(phrase, ids, from: index + 1, part: part + 1)
    }
}

// MARK: Start-up snapshot

extension Vocabulary {
    func write(to writer: inout SnapshotWriter) {
        writer.strings(words)
        ids.writeLayout(to: &writer)
    }

    init(reading reader: inout SnapshotReader) throws(SnapshotError) {
        let words = try reader.strings()
        // A word's id is its position: the table's values are 0, 1, 2...
        let ids = try WordTable<Int32>(readingLayout: &reader, keys: words, values: (0..<Int32(words.count)).map { $0 })
        self.init()
        self.ids = ids
        self.words = words
    }
}

extension CueMatcher {
    func write(to writer: inout SnapshotWriter) {
        writer.int(phrases.count)
        for phrase in phrases { writer.int(phrase.list.rawValue); writer.int32(phrase.start); writer.int32(phrase.count) }
        writer.int32s(firstWord)
        writer.int32s(parts)
    }

    init(reading reader: inout SnapshotReader) throws(SnapshotError) {
        let count = try reader.count(elementSize: 16)
        phrases = []
        phrases.reserveCapacity(count)
        for _ in 0..<count {
            guard let list = CueList(rawValue: try reader.int()) else { throw SnapshotError("unknown cue list") }
            phrases.append(Phrase(list: list, start: try reader.int32(), count: try reader.int32()))
        }
        firstWord = try reader.int32s()
        parts = try reader.int32s()
        // Every range the matcher walks must lie inside what it indexes.
        guard firstWord.first == 0, firstWord.last == Int32(phrases.count), zip(firstWord, firstWord.dropFirst()).allSatisfy({ $0 <= $1 }),
              phrases.allSatisfy({ $0.start >= 0 && $0.count >= 1 && Int($0.start) + Int($0.count) <= parts.count }) else {
            throw SnapshotError("a cue phrase is out of range")
        }
    }
}

extension Set<String> {
    func write(to writer: inout SnapshotWriter) {
        writer.int(count)
        for word in self { writer.string(word) }
    }

    init(reading reader: inout SnapshotReader) throws(SnapshotError) {
        let count = try reader.count(elementSize: 4)
        self.init(minimumCapacity: count)
        for _ in 0..<count { insert(try reader.string()) }
    }
}

extension WordSet {
    func write(to writer: inout SnapshotWriter) {
        writer.strings(table.keys)
        table.writeLayout(to: &writer)
    }

    init(reading reader: inout SnapshotReader) throws(SnapshotError) {
        let words = try reader.strings()
        self.init(table: try WordTable(readingLayout: &reader, keys: words, values: Array(repeating: true, count: words.count)))
    }
}

extension Set<Int32> {
    func write(to writer: inout SnapshotWriter) { writer.int32s(Array(self)) }

    init(reading reader: inout SnapshotReader) throws(SnapshotError) { self.init(try reader.int32s()) }
}
