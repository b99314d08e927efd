import SpotterCore

/// Finds the exercise a message names: by alias or catalogue name, tolerant of case, plurals,
/// punctuation, spacing ("pull ups", "pull-ups", "pullups") and word order ("press bench").
struct ExerciseIndex: Sendable {
    /// Word-id sequences → catalogue position. Aliases win over names; a name key that two
    /// exercises share is dropped as ambiguous rather than guessed.
    private var exact = SequenceTable(capacity: 0)
    private var unordered = SequenceTable(capacity: 0)
    /// Word ids that occur in some name, indexed by id, so only runs of them are tried.
    private var isNameWord: [Bool] = []
    private(set) var longest = 1

    /// - Parameter typoTargets: receives every word of every name and alias (as typed and
    ///   stemmed) that a typo may be corrected to: weight 2 for alias words, 1 for name words.
    init(catalogue: ExerciseCatalogue, vocabulary words: inout Vocabulary, typoTargets: inout [String: Int]) {
        func target(_ word: String, _ priority: Int) {
            let weight = priority == 3 ? 2 : 1
            if weight > typoTargets[word] ?? 0 { typoTargets[word] = weight }
        }
        // Each key's catalogue position and priority in one table, updated in place: one hash of
        // the key per name instead of three (this index is most of the understanding's start-up).
        var exactEntries: [[Int32]: (position: Int, priority: Int)] = [:]
        var unorderedEntries: [[Int32]: (position: Int, priority: Int)] = [:]
        exactEntries.reserveCapacity(catalogue.exercises.count * 6)
        unorderedEntries.reserveCapacity(catalogue.exercises.count * 3)
        let ambiguous = -1
        var nameWords = Set<Int32>()

        func add(_ key: [Int32], _ position: Int, _ priority: Int, into entries: inout [[Int32]: (position: Int, priority: Int)]) {
            if let existing = entries[key] {
                if priority > existing.priority {
                    entries[key] = (position, priority)
                } else if priority == existing.priority && existing.position != position {
                    entries[key] = (ambiguous, priority)
                }
            } else {
                entries[key] = (position, priority)
            }
        }

        for (position, exercise) in catalogue.exercises.enumerated() {
            var names: [(String, Int)] = exercise.aliases.map { ($0, 3) }
            names.append((exercise.name, 2))
            // "Barbell Bench Press - Medium Grip" is also known as "Barbell Bench Press".
            if let base = Self.beforeDash(exercise.name) { names.append((base, 1)) }
            for (name, priority) in names {
                let tokens = Tokenizer.tokenize(name).filter { $0.kind == .word || $0.kind == .number }
                guard !tokens.isEmpty else { continue }
                let stems = tokens.map(\.stem)
                longest = max(longest, stems.count)
                for token in tokens where token.kind == .word && token.text.utf8.count > 3 {
                    target(token.text, priority)
                }
                for stem in stems where stem.utf8.count > 1 {
                    target(stem, priority)
                }
                let ids = stems.map { words.intern($0) }
                nameWords.formUnion(ids)
                add(ids, position, priority, into: &exactEntries)
                if stems.count > 1 {
                    // "benchpress", "pullup": the name run together is one word.
                    let joined = stems.joined()
                    target(joined, priority)
                    let joinedID = words.intern(joined)
                    nameWords.insert(joinedID)
                    add([joinedID], position, priority, into: &exactEntries)
                    add(ids.sorted(), position, priority, into: &unorderedEntries)
                }
            }
        }
        exact = SequenceTable(exactEntries.lazy.filter { $0.value.position != ambiguous }.map { ($0.key, $0.value.position) })
        unordered = SequenceTable(unorderedEntries.lazy.filter { $0.value.position != ambiguous }.map { ($0.key, $0.value.position) })
        isNameWord = [Bool](repeating: false, count: words.words.count)
        for id in nameWords { isNameWord[Int(id)] = true }
    }

    /// The part of a name before " - " ("Barbell Bench Press - Medium Grip"), found on bytes:
    /// `split(separator:)` with a string separator is slow enough to matter at start-up.
    static func beforeDash(_ name: String) -> String? {
        let bytes = Array(name.utf8)
        guard bytes.count > 3 else { return nil }
        for index in 0..<(bytes.count - 2) where bytes[index] == 0x20 && bytes[index + 1] == 0x2D && bytes[index + 2] == 0x20 {
            return String(decoding: bytes[..<index], as: UTF8.self)
        }
        return nil
    }

    /// The longest run of words naming an exercise, with where it lies in `ids`.
    func match(_ ids: [Int32]) -> (position: Int, range: Range<Int>)? {
        var best: (position: Int, range: Range<Int>)?
        var start = 0
        // Only runs of words that occur in names can name an exercise.
        while start < ids.count {
            guard isName(ids[start]) else { start += 1; continue }
            var end = start
            while end < ids.count && isName(ids[end]) { end += 1 }
            if let found = longestMatch(ids, in: start..<end), found.range.count > (best?.range.count ?? 0) {
                best = found
            }
            start = end
        }
        return best
    }

    /// Every exercise a message names, left to right, none overlapping: "squat 140kg 3x5, then
    /// leg press 200 3x10" names two. At each word the longest name starting there wins; linear
    /// in the message (times the longest name), so a 64 KiB message of names stays cheap.
    func matches(_ ids: [Int32]) -> [(position: Int, range: Range<Int>)] {
        var found: [(position: Int, range: Range<Int>)] = []
        // Windows are looked up as slices of `ids`; the one sorted copy reuses a buffer.
        var sortedWindow: [Int32] = []
        sortedWindow.reserveCapacity(longest)
        var start = 0
        while start < ids.count {
            guard isName(ids[start]) else { start += 1; continue }
            var end = start
            while end < ids.count && isName(ids[end]) { end += 1 }
            var i = start
            while i < end {
                var hit: (position: Int, range: Range<Int>)?
                for length in stride(from: min(longest, end - i), through: 1, by: -1) {
                    var position = exact[ids[i..<(i + length)]]
                    if position == nil, length > 1 {
                        sortedWindow.removeAll(keepingCapacity: true)
                        sortedWindow.append(contentsOf: ids[i..<(i + length)])
                        sortedWindow.sort()
                        position = unordered[sortedWindow]
                    }
                    if let position {
                        hit = (position, i..<(i + length))
                        break
                    }
                }
                if let hit {
                    found.append(hit)
                    i = hit.range.upperBound
                } else {
                    i += 1
                }
            }
            start = end
        }
        return found
    }

    private func isName(_ id: Int32) -> Bool { id >= 0 && Int(id) < isNameWord.count && isNameWord[Int(id)] }

    private func longestMatch(_ ids: [Int32], in run: Range<Int>) -> (position: Int, range: Range<Int>)? {
        for length in stride(from: min(longest, run.count), through: 1, by: -1) {
            for start in run.lowerBound...(run.upperBound - length) {
                let window = ids[start..<(start + length)]
                if let found = exact[window] { return (found, start..<(start + length)) }
                if length > 1, let found = unordered[window.sorted()] { return (found, start..<(start + length)) }
            }
        }
        return nil
    }
}

// MARK: Start-up snapshot

extension ExerciseIndex {
    func write(to writer: inout SnapshotWriter) {
        exact.write(to: &writer)
        unordered.write(to: &writer)
        writer.int(isNameWord.count)
        for flag in isNameWord { writer.bool(flag) }
        writer.int(longest)
    }

    /// - Parameter exercises: how many exercises the catalogue has; every position must be one.
    init(reading reader: inout SnapshotReader, exercises: Int) throws(SnapshotError) {
        exact = try SequenceTable(reading: &reader, values: exercises)
        unordered = try SequenceTable(reading: &reader, values: exercises)
        let words = try reader.count(elementSize: 1)
        isNameWord = []
        isNameWord.reserveCapacity(words)
        for _ in 0..<words { isNameWord.append(try reader.bool()) }
        longest = try reader.int()
        guard longest >= 1, longest <= 64 else { throw SnapshotError("the longest exercise name is out of range") }
    }
}
