import SpotterCore

/// Every word Spotter knows, as small integers, so matching compares numbers instead of strings.
struct Vocabulary: Sendable {
    private(set) var ids: [String: Int32] = [:]
    private(set) var words: [String] = []

    /// A word's id, adding it when new.
    mutating func intern(_ word: String) -> Int32 {
        if let id = ids[word] { return id }
        let id = Int32(words.count)
        ids[word] = id
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
    /// Phrases by the id of their first word: an array indexed by id, so matching a word is an
    /// index instead of a hash (ids interned after the cues have no phrases).
    private var byFirstWord: [[(list: CueList, parts: [Int32])]] = []

    init(vocabulary: inout Vocabulary) {
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
    }

    /// The phrases starting with this word id, nil for none.
    @inline(__always)
    private func candidates(_ id: Int32) -> [(list: CueList, parts: [Int32])]? {
        guard id >= 0, Int(id) < byFirstWord.count, !byFirstWord[Int(id)].isEmpty else { return nil }
        return byFirstWord[Int(id)]
    }

    func match(_ ids: [Int32]) -> CueSet {
        var found = CueSet()
        for start in ids.indices where ids[start] >= 0 {
            guard let candidates = candidates(ids[start]) else { continue }
            for candidate in candidates where !found.contains(candidate.list) {
                if Self.matches(candidate.parts, ids, from: start, part: 0) { found.insert(candidate.list) }
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
            guard let candidates = candidates(ids[start]) else { continue }
            let isNegated = start < negated.count && negated[start]
            // A list already found needs no more matching, except the spotter pair whose last
            // position decides a contrast.
            for candidate in candidates
            where (!reading.found.contains(candidate.list) || candidate.list == .noSpotter || candidate.list == .withSpotter)
                && Self.matches(candidate.parts, ids, from: start, part: 0) {
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
            guard let candidates = candidates(ids[start]) else { continue }
            for candidate in candidates where lists.contains(candidate.list) && candidate.parts.count > best[candidate.list.rawValue] {
                if Self.matches(candidate.parts, ids, from: start, part: 0) { best[candidate.list.rawValue] = candidate.parts.count }
            }
        }
        return best
    }

    /// The length of the longest phrase of `list` found in `ids`, if any.
    func longestMatch(_ list: CueList, in ids: [Int32]) -> Int? {
        var best: Int?
        for start in ids.indices where ids[start] >= 0 {
            for candidate in candidates(ids[start]) ?? [] where candidate.list == list {
                if Self.matches(candidate.parts, ids, from: start, part: 0) {
                    best = max(best ?? 0, candidate.parts.count)
                }
            }
        }
        return best
    }

    private static func matches(_ parts: [Int32], _ ids: [Int32], from index: Int, part: Int) -> Bool {
        if part == parts.count { return true }
        if parts[part] == wildcard {
            for skip in 0...4 where index + skip <= ids.count {
                if matches(parts, ids, from: index + skip, part: part + 1) { return true }
            }
            return false
        }
        guard index < ids.count, ids[index] == parts[part] else { return false }
        return matches(parts, ids, from: index + 1, part: part + 1)
    }
}

// MARK: Start-up snapshot

extension Vocabulary {
    func write(to writer: inout SnapshotWriter) { writer.strings(words) }

    init(reading reader: inout SnapshotReader) throws(SnapshotError) {
        let words = try reader.strings()
        var ids: [String: Int32] = [:]
        ids.reserveCapacity(words.count)
        for (id, word) in words.enumerated() {
            guard ids.updateValue(Int32(id), forKey: word) == nil else { throw SnapshotError("the word '\(word)' is listed twice") }
        }
        self.init()
        self.ids = ids
        self.words = words
    }
}

extension CueMatcher {
    func write(to writer: inout SnapshotWriter) {
        writer.int(byFirstWord.count)
        for phrases in byFirstWord {
            writer.int(phrases.count)
            for phrase in phrases { writer.int(phrase.list.rawValue); writer.int32s(phrase.parts) }
        }
    }

    init(reading reader: inout SnapshotReader) throws(SnapshotError) {
        var byFirstWord: [[(list: CueList, parts: [Int32])]] = []
        let count = try reader.count(elementSize: 8)
        byFirstWord.reserveCapacity(count)
        for _ in 0..<count {
            var phrases: [(list: CueList, parts: [Int32])] = []
            for _ in 0..<(try reader.count(elementSize: 16)) {
                guard let list = CueList(rawValue: try reader.int()) else { throw SnapshotError("unknown cue list") }
                let parts = try reader.int32s()
                guard !parts.isEmpty else { throw SnapshotError("an empty cue phrase") }
                phrases.append((list, parts))
            }
            byFirstWord.append(phrases)
        }
        self.byFirstWord = byFirstWord
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

extension Set<Int32> {
    func write(to writer: inout SnapshotWriter) { writer.int32s(Array(self)) }

    init(reading reader: inout SnapshotReader) throws(SnapshotError) { self.init(try reader.int32s()) }
}
