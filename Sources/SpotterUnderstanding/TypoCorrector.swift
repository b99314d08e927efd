import SpotterCore

/// Corrects misspelt words ("faliure", "squast", "pulldwon") to the nearest word Spotter knows,
/// within one edit for short words and two for long ones (a swap of neighbours is one edit).
struct TypoCorrector: Sendable {
    /// Known words by first letter and length, for a quick candidate scan. Typos rarely change
    /// the first letter; requiring it keeps corrections honest and the scan short.
    private var buckets: [Int: [(word: [UInt8], text: String, weight: Int, letters: UInt32)]] = [:]
    private let known: WordSet

    /// - Parameters:
    ///   - targets: words a typo may be corrected to, with a weight that breaks ties.
    ///   - alsoKnown: words that are never corrected (common English), but are not targets.
    init(targets: [String: Int], alsoKnown: Set<String>) {
        var known = alsoKnown
        for (word, weight) in targets {
            known.insert(word)
            let bytes = Array(word.utf8)
            guard let first = bytes.first else { continue }
            buckets[Self.bucket(first, bytes.count), default: []].append((bytes, word, weight, Self.letters(bytes)))
        }
        for key in buckets.keys { buckets[key]?.sort { ($0.weight, $1.text) > ($1.weight, $0.text) } }
        self.known = WordSet(known)
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
            for candidate in buckets[Self.bucket(bytes[0], length)] ?? [] {
                // Each edit brings in or removes at most one letter the other word lacks, so more
                // such letters than edits allowed rules the candidate out without measuring it.
                let missing = (letters & ~candidate.letters).nonzeroBitCount, extra = (candidate.letters & ~letters).nonzeroBitCount
                guard max(missing, extra) <= allowed else { continue }
                let distance = Self.distance(bytes, candidate.word, limit: allowed)
                guard distance <= allowed else { continue }
                if best == nil || distance < best!.distance || (distance == best!.distance && candidate.weight > best!.weight) {
                    best = (candidate.text, distance, candidate.weight)
                }
            }
        }
        return best?.text
    }

    /// Which letters a-z a word has, one bit each (other bytes share bit 26).
    private static func letters(_ bytes: [UInt8]) -> UInt32 {
        var mask: UInt32 = 0
        for byte in bytes { mask |= 1 << UInt32(byte >= 0x61 && byte <= 0x7A ? byte - 0x61 : 26) }
        return mask
    }

    private static func bucket(_ first: UInt8, _ length: Int) -> Int { Int(first) << 8 | min(length, 255) }

    /// Optimal string alignment distance (Levenshtein plus adjacent swaps), stopping early past `limit`.
    static func distance(_ a: [UInt8], _ b: [UInt8], limit: Int) -> Int {
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
        for (key, candidates) in buckets {
            writer.int(key)
            writer.int(candidates.count)
            for candidate in candidates { writer.string(candidate.text); writer.int(candidate.weight) }
        }
        known.write(to: &writer)
    }

    init(reading reader: inout SnapshotReader) throws(SnapshotError) {
        var buckets: [Int: [(word: [UInt8], text: String, weight: Int, letters: UInt32)]] = [:]
        let count = try reader.count(elementSize: 16)
        buckets.reserveCapacity(count)
        for _ in 0..<count {
            let key = try reader.int()
            var candidates: [(word: [UInt8], text: String, weight: Int, letters: UInt32)] = []
            let size = try reader.count(elementSize: 12)
            candidates.reserveCapacity(size)
            for _ in 0..<size {
                let text = try reader.string(), weight = try reader.int()
                let bytes = Array(text.utf8)
                // The bucket is the word's first letter and length: a word in the wrong one is never found.
                guard let first = bytes.first, Self.bucket(first, bytes.count) == key else { throw SnapshotError("a typo target is in the wrong bucket") }
                candidates.append((bytes, text, weight, Self.letters(bytes)))
            }
            buckets[key] = candidates
        }
        self.buckets = buckets
        self.known = try WordSet(reading: &reader)
    }
}
