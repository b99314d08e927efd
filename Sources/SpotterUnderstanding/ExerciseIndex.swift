import SpotterCore

/// Finds the exercise a message names: by alias or catalogue name, tolerant of case, plurals,
/// punctuation, spacing ("pull ups", "pull-ups", "pullups") and word order ("press bench").
struct ExerciseIndex: Sendable {
    /// Match keys → catalogue position. Aliases win over names; a name key that two
    /// exercises share is dropped as ambiguous rather than guessed.
    private var exact: [String: Int] = [:]
    private var unordered: [String: Int] = [:]
    /// The stems of every word in every name and alias, for typo correction.
    private(set) var vocabulary: Set<String> = []
    /// Alias words carry more weight than catalogue-name words when a typo is ambiguous.
    private(set) var aliasWords: Set<String> = []
    private(set) var longest = 1

    init(catalogue: ExerciseCatalogue) {
        var exactPriority: [String: Int] = [:]
        var unorderedPriority: [String: Int] = [:]
        let ambiguous = -1

        func add(_ key: String, _ position: Int, _ priority: Int, into map: inout [String: Int], _ priorities: inout [String: Int]) {
            if let existing = priorities[key] {
                if priority > existing {
                    map[key] = position
                    priorities[key] = priority
                } else if priority == existing && map[key] != position {
                    map[key] = ambiguous
                }
            } else {
                map[key] = position
                priorities[key] = priority
            }
        }

        for (position, exercise) in catalogue.exercises.enumerated() {
            var names: [(String, Int)] = exercise.aliases.map { ($0, 3) }
            names.append((exercise.name, 2))
            // "Barbell Bench Press - Medium Grip" is also known as "Barbell Bench Press".
            let parts = exercise.name.split(separator: " - ", maxSplits: 1)
            if parts.count == 2 { names.append((String(parts[0]), 1)) }
            for (name, priority) in names {
                let tokens = Tokenizer.tokenize(name).filter { $0.kind == .word || $0.kind == .number }
                let stems = tokens.map(\.stem)
                for token in tokens where token.kind == .word && token.text.count > 3 {
                    vocabulary.insert(token.text)
                    if priority == 3 { aliasWords.insert(token.text) }
                }
                guard !stems.isEmpty else { continue }
                longest = max(longest, stems.count)
                for stem in stems where stem.count > 1 {
                    vocabulary.insert(stem)
                    if priority == 3 { aliasWords.insert(stem) }
                }
                add(stems.joined(separator: " "), position, priority, into: &exact, &exactPriority)
                add(stems.joined(), position, priority, into: &exact, &exactPriority)
                if stems.count > 1 {
                    vocabulary.insert(stems.joined())
                    if priority == 3 { aliasWords.insert(stems.joined()) }
                    add(stems.sorted().joined(separator: " "), position, priority, into: &unordered, &unorderedPriority)
                }
            }
        }
        exact = exact.filter { $0.value != ambiguous }
        unordered = unordered.filter { $0.value != ambiguous }
    }

    /// The longest run of words naming an exercise, with where it lies in `stems`.
    func match(_ stems: [String]) -> (position: Int, range: Range<Int>)? {
        guard !stems.isEmpty else { return nil }
        for length in stride(from: min(longest, stems.count), through: 1, by: -1) {
            for start in 0...(stems.count - length) {
                let window = stems[start..<(start + length)]
                // Numbers and symbols arrive as empty strings: a name never spans them.
                if window.contains("") { continue }
                if let found = exact[window.joined(separator: " ")] ?? exact[window.joined()] {
                    return (found, start..<(start + length))
                }
                if length > 1, let found = unordered[window.sorted().joined(separator: " ")] {
                    return (found, start..<(start + length))
                }
            }
        }
        return nil
    }
}
