/// Numbers as people write them in a check-in: "six", "six and a half", "6 and a half",
/// "sevenish", "7ish", "6 1/2". Folded into number tokens before the check-in is read, so the
/// rest of the parser sees "6.5" whichever way it was written.
enum NumberWords {
    static let words: [String: Double] = [
        "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
        "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
        "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
    ]
    /// "and a half", "and a quarter", "and three quarters" after a number.
    static let fractions: [String: Double] = ["half": 0.5, "quarter": 0.25]

    /// The value of one word: "six" → 6, "sevenish" → 7; nil for anything else.
    static func value(_ word: String) -> Double? {
        if let value = words[word] { return value }
        if word.hasSuffix("ish"), let value = words[String(word.dropLast(3))] { return value }
        return nil
    }

    /// `tokens` (and their word ids, kept aligned) with number words and fractions folded into
    /// number tokens; "ish" after a number is dropped ("7ish" is 7).
    static func fold(_ tokens: [Token], ids: [Int32]) -> (tokens: [Token], ids: [Int32]) {
        var outTokens: [Token] = []
        var outIDs: [Int32] = []
        outTokens.reserveCapacity(tokens.count)
        var i = 0
        while i < tokens.count {
            var token = tokens[i]
            var consumed = 1
            if token.kind == .word, let value = value(token.text) {
                token = Token(kind: .number, text: ReplyNumber.text(value), stem: ReplyNumber.text(value), number: value)
            }
            if token.kind == .number, let base = token.number {
                // "6 and a half", "six and three quarters", "6 1/2".
                if let extra = fraction(after: i + consumed, in: tokens) {
                    let value = base + extra.value
                    token = Token(kind: .number, text: ReplyNumber.text(value), stem: ReplyNumber.text(value), number: value)
                    consumed += extra.length
                }
                // "7ish", "7-ish": the number stands.
                if i + consumed < tokens.count, tokens[i + consumed].kind == .word, tokens[i + consumed].text == "ish" {
                    consumed += 1
                }
            }
            outTokens.append(token)
            outIDs.append(token.kind == .word ? ids[i] : Vocabulary.unknown)
            i += consumed
        }
        return (outTokens, outIDs)
    }

    /// A fraction written after a number, starting at `start`: its value and how many tokens it takes.
    private static func fraction(after start: Int, in tokens: [Token]) -> (value: Double, length: Int)? {
        func text(_ index: Int) -> String? { index < tokens.count ? tokens[index].text : nil }
        // "1/2", "1 / 2" (the tokenizer keeps "/").
        if start + 2 < tokens.count, tokens[start].kind == .number, tokens[start + 1].text == "/",
           let top = tokens[start].number, let bottom = tokens[start + 2].number, top >= 1, bottom > top, bottom <= 4 {
            return (top / bottom, 3)
        }
        guard text(start) == "and" else { return nil }
        var index = start + 1
        var count: Double = 1
        if text(index) == "a" || text(index) == "an" {
            index += 1
        } else if let word = text(index), let value = words[word], value >= 1, value <= 3 {
            count = value
            index += 1
        }
        guard let word = text(index) else { return nil }
        let fraction = fractions[word] ?? (word.hasSuffix("s") ? fractions[String(word.dropLast())] : nil)
        guard let fraction, count * fraction < 1 else { return nil }
        return (count * fraction, index + 1 - start)
    }
}

/// Numbers as a reply writes them: "6.5", "7" (never "7.0").
enum ReplyNumber {
    static func text(_ value: Double) -> String {
        guard value.isFinite, abs(value) < 1e15 else { return "\(value)" }
        let hundredths = (value * 100).rounded() / 100
        return hundredths.rounded() == hundredths ? String(Int(hundredths)) : String(hundredths)
    }
}
