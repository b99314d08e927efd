import SpotterCore

/// Corrects misspelt words ("faliure", "squast", "pulldwon") to the nearest word Spotter knows,
/// within one edit for short words and two for long ones (a swap of neighbours is one edit).
struct TypoCorrector: Sendable {
    /// Known words by first letter and length, for a quick candidate scan. Typos rarely change
    /// the first letter; requiring it keeps corrections honest and the scan short.
    private var buckets: [Int: Range<Int>] = [:]
    /// Every bucket's candidates, one bucket after another, best weight first within each.
    private var candidates: [Candidate] = []
    /// The candidates' letters, one after another: one array instead of one per word (two
    /// thousand of them to build at every start).
    private var letterBytes: [UInt8] = []
    private var known = WordSet([String]())

    private struct Candidate: Sendable {
        var text: String
        var weight: Int
        var letters: UInt32
        var bytes: Range<Int>
    }

    /// - Parameters:
    ///   - targets: words a typo may be corrected to, with a weight that breaks ties.
    ///   - alsoKnown: words that are never corrected (common English), but are not targets.
    init(targets: [String: Int], alsoKnown: Set<String>) {
        var known = alsoKnown
        var grouped: [Int: [(text: String, weight: Int)]] = [:]
        for (word, weight) in targets {
            known.insert(word)
            guard let first = word.utf8.first else { continue }
            grouped[Self.bucket(first, word.utf8.count), default: []].append((word, weight))
        }
        for (key, words) in grouped {
            add(key, words.sorted { ($0.weight, $1.text) > ($1.weight, $0.text) })
        }
        self.known = WordSet(known)
    }

    private mutating func add(_ key: Int, _ words: [(text: String, weight: Int)]) {
        let start = candidates.count
        for (text, weight) in words {
            let first = letterBytes.count
            var text = text
            let letters = text.withUTF8 { utf8 in
                letterBytes.append(contentsOf: utf8)
                return Self.letters(utf8)
            }
            candidates.append(Candidate(text: text, weight: weight, letters: letters, bytes: first..<letterBytes.count))
        }
        buckets[key] = start..<candidates.count
    }

    func isKnown(_ word: String) -> Bool { known.contains(word) }

    /// Unknown words tried per message, at most: each try scans a bucket of candidates, and a
    /// 64 KiB wall of unknown words would otherwise cost over half a second (and hold up others).
    /// Exercise names and question words come early in real messages.
    static let attemptsPerMessage = 64

    /// The corrected word, or nil when the word is known, too short, or nothing is close enough.
    func correct(_ word: String) -> String? {
        let bytes = Array(word.utf8)
        guard bytes.count >= 4, !known.contains(word), bytes.allSatisfy({ $0 >= 0x61 && $0 <= 0x7A }) else { return nil }
        let allowed = bytes.count >= 7 ? 2 : 1
        let letters = Self.letters(bytes)
        var best: (text: String, distance: Int, weight: Int)?
        for length in (bytes.count - allowed)...(bytes.count + allowed) {
            for candidate in candidates[buckets[Self.bucket(bytes[0], length)] ?? 0..<0] {
                // Each edit brings in or removes at most one letter the other word lacks, so more
                // such letters than edits allowed rules the candidate out without measuring it.
                let missing = (letters & ~candidate.letters).nonzeroBitCount, extra = (candidate.letters & ~letters).nonzeroBitCount
                guard max(missing, extra) <= allowed else { continue }
                let distance = Self.distance(bytes, letterBytes[candidate.bytes], limit: allowed)
                guard distance <= allowed else { continue }
                if best == nil || distance < best!.distance || (distance == best!.distance && candidate.weight > best!.weight) {
                    best = (candidate.text, distance, candidate.weight)
                }
            }
        }
        return best?.text
    }

    /// Which letters a-z a word has, one bit each (other bytes share bit 26).
    private static func letters<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> UInt32 {
        var mask: UInt32 = 0
        for byte in bytes { mask |= 1 << UInt32(byte >= 0x61 && byte <= 0x7A ? byte - 0x61 : 26) }
        return mask
    }

    private static func bucket(_ first: UInt8, _ length: Int) -> Int { Int(first) << 8 | min(length, 255) }

    /// Optimal string alignment distance (Levenshtein plus adjacent swaps), stopping early past `limit`.
    static func distance(_ a: [UInt8], _ word: ArraySlice<UInt8>, limit: Int) -> Int {
        word.withUnsafeBufferPointer { distance(a, $0, limit: limit) }
    }

    private static func distance(_ a: [UInt8], _ b: UnsafeBufferPointer<UInt8>, limit: Int) -> Int {
        let n = a.count, m = b.count
        if abs(n - m) > limit { return limit + 1 }
        // Three rows in one stack buffer: this runs for every candidate of every unknown word,
        // and three heap arrays per call were most of its cost.
        return withUnsafeTemporaryAllocation(of: Int.self, capacity: 3 * (m + 1)) { buffer in
            var previous2 = buffer.baseAddress!
            var previous = previous2 + (m + 1)
            var current = previous + (m + 1)
            for j in 0...m { previous2[j] = 0; previous[j] = j; current[j] = 0 }
            for i in 1...n {
                current[0] = i
                var rowMin = current[0]
                for j in 1...m {
                    let cost = a[i - 1] == b[j - 1] ? 0 : 1
                    var value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                    if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                        value = min(value, previous2[j - 2] + 1)
                    }
                    current[j] = value
                    rowMin = min(rowMin, value)
                }
                if rowMin > limit { return limit + 1 }
                (previous2, previous, current) = (previous, current, previous2)
            }
            return previous[m]
        }
    }
}

// MARK: Start-up snapshot

extension TypoCorrector {
    func write(to writer: inout SnapshotWriter) {
        writer.int(buckets.count)
        for (key, range) in buckets {
            writer.int(key)
            writer.int(range.count)
            for candidate in candidates[range] { writer.string(candidate.text); writer.int(candidate.weight) }
        }
        known.write(to: &writer)
    }

    init(reading reader: inout SnapshotReader) throws(SnapshotError) {
        let count = try reader.count(elementSize: 16)
        for _ in 0..<count {
            let key = try reader.int()
            let size = try reader.count(elementSize: 12)
            var words: [(text: String, weight: Int)] = []
            words.reserveCapacity(size)
            for _ in 0..<size {
                let text = try reader.string(), weight = try reader.int()
                // The bucket is the word's first letter and length: a word in the wrong one is never found.
                guard let first = text.utf8.first, Self.bucket(first, text.utf8.count) == key else {
                    throw SnapshotError("a typo target is in the wrong bucket")
                }
                words.append((text, weight))
            }
            guard buckets[key] == nil else { throw SnapshotError("a typo bucket is listed twice") }
            add(key, words)
        }
        self.known = try WordSet(reading: &reader)
    }
}
