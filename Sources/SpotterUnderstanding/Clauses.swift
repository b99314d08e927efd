import SpotterCore

/// The clause-aware layer: reads a message the way a person does, clause by clause.
///
/// A clause ends at punctuation and at a contrast word ("but", "just", "instead"); a negator
/// ("not", "no", "nothing", "don't") negates what follows it up to the end of its clause. So
/// "I don't have a spotter but my rack has safety arms" has a negated "spotter" in the first
/// clause and a plain "safety" in the second, and "nothing sharp, just stiff" negates "sharp".
struct Clauses: Sendable {
    /// The clause each word is in, counted from 0.
    var clause: [Int]
    /// Whether each word is inside a negation scope (after a negator in its clause).
    var negated: [Bool]
    /// The clause of the question: the one ending in "?", else the last one starting with a question word.
    var questionClause: Int?

    private static let isBreak: UInt8 = 1, isQuestion: UInt8 = 2, isNegator: UInt8 = 4
    /// The three word lists in one table, so each word is looked up once instead of three times.
    private static let roles: WordTable<UInt8> = {
        var roles: [String: UInt8] = [:]
        for word in Lexicon.clauseBreaks { roles[word, default: 0] |= isBreak }
        for word in Lexicon.questionWords { roles[word, default: 0] |= isQuestion }
        for word in Lexicon.negators { roles[word, default: 0] |= isNegator }
        return WordTable(roles.map { ($0.key, $0.value) })
    }()

    /// Reads the clauses of a message; question words are ``Lexicon/questionWords``.
    init(tokens: [Token]) {
        clause = []
        negated = []
        clause.reserveCapacity(tokens.count)
        negated.reserveCapacity(tokens.count)
        var current = 0
        var inNegation = false
        var wordsInClause = 0
        var questionMarkClause: Int?
        var startsWithQuestion: Int?
        for token in tokens {
            if token.kind == .symbol {
                // "%" and "/" stay in the message's words (the caller keeps them); the rest are dropped.
                if token.text == "%" || token.text == "/" {
                    clause.append(current)
                    negated.append(inNegation)
                    continue
                }
                if token.text == "," || token.text == ";" || token.text == "?" {
                    if token.text == "?", wordsInClause > 0, questionMarkClause == nil { questionMarkClause = current }
                    if wordsInClause > 0 { current += 1 }
                    inNegation = false
                    wordsInClause = 0
                }
                continue
            }
            let role = token.kind == .word ? Self.roles[token.stem] ?? 0 : 0
            if role & Self.isBreak != 0, wordsInClause > 0 {
                current += 1
                inNegation = false
                wordsInClause = 0
            }
            if wordsInClause == 0, role & Self.isQuestion != 0 { startsWithQuestion = current }
            clause.append(current)
            negated.append(inNegation)
            wordsInClause += 1
            if role & Self.isNegator != 0 { inNegation = true }
        }
        questionClause = questionMarkClause ?? startsWithQuestion
    }
}
