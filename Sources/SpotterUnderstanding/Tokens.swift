/// One piece of a message after normalisation.
struct Token: Hashable, Sendable {
    enum Kind: Hashable, Sendable { case word, number, symbol }
    var kind: Kind
    /// Lowercased text as typed (a word), the digits (a number), or the symbol itself.
    var text: String
    /// The word's stem, used for matching ("squats" → "squat"); equal to `text` for others.
    var stem: String
    var number: Double?
}

enum Tokenizer {
    /// The largest number read as one; loads, reps, hours and percentages stay far below it.
    static let largestNumber: Double = 100_000

    /// Splits a message into words, numbers and the symbols that carry meaning (`%`, `@`, `/`, `?`, `#`).
    ///
    /// Letters are lowercased and stripped of accents; hyphens, apostrophes and other
    /// punctuation separate words; "100kg" and "5x5" split into their parts; zero-width and
    /// control characters are dropped, and look-alike letters are folded to ASCII where obvious.
    static func tokenize(_ message: String) -> [Token] {
        var tokens: [Token] = []
        tokens.reserveCapacity(16)
        var word: [UInt8] = []
        var digits: [UInt8] = []

        func flushWord() {
            guard !word.isEmpty else { return }
            let text = String(decoding: word, as: UTF8.self)
            // "x" between numbers is the sets/reps or load/reps separator.
            tokens.append(Token(kind: .word, text: text, stem: Stemmer.stem(text), number: nil))
            word.removeAll(keepingCapacity: true)
        }
        func flushNumber() {
            guard !digits.isEmpty else { return }
            // A trailing dot is punctuation, not a decimal point.
            while digits.last == UInt8(ascii: ".") { digits.removeLast() }
            let text = String(decoding: digits, as: UTF8.self)
            if let value = Double(text) {
                // Digits past any amount a lifter writes stay a number without a value: as an Int
                // they would trap, and as a load or a count they would mean nothing.
                tokens.append(Token(kind: .number, text: text, stem: text, number: value <= largestNumber ? value : nil))
            }
            digits.removeAll(keepingCapacity: true)
        }

        for scalar in message.unicodeScalars {
            let folded = fold(scalar)
            if folded >= 0x61 && folded <= 0x7A {  // a-z
                if !digits.isEmpty {
                    // "5x5": the x splits numbers; "100kg": the unit follows the number.
                    flushNumber()
                }
                word.append(UInt8(folded))
            } else if folded >= 0x30 && folded <= 0x39 {  // 0-9
                flushWord()
                digits.append(UInt8(folded))
            } else if (folded == 0x2E || folded == 0x2C) && !digits.isEmpty {  // decimal point or comma
                digits.append(UInt8(ascii: "."))
            } else if folded == 0xFFFF {
                // Zero-width and soft-hyphen characters vanish without splitting the word.
                continue
            } else if folded == 0x27 || folded == 0x2019 || folded == 0x60 {
                // Apostrophes join: "can't" → "cant", "I'm" → "im".
                continue
            } else {
                flushWord()
                flushNumber()
                switch folded {
                case 0x25: tokens.append(symbol("%"))
                case 0x40: tokens.append(symbol("@"))
                case 0x2F: tokens.append(symbol("/"))
                case 0x3F: tokens.append(symbol("?"))
                case 0x23: tokens.append(symbol("#"))
                case 0xD7: tokens.append(Token(kind: .word, text: "x", stem: "x", number: nil))  // ×
                default: break
                }
            }
        }
        flushWord()
        flushNumber()
        return tokens
    }

    private static func symbol(_ text: String) -> Token {
        Token(kind: .symbol, text: text, stem: text, number: nil)
    }

    /// Lowercases ASCII, strips common accents, maps look-alike letters (Cyrillic а, е, о, р, с, х,
    /// fullwidth forms) to ASCII, and turns zero-width and control characters into nothing.
    static func fold(_ scalar: Unicode.Scalar) -> UInt32 {
        let value = scalar.value
        switch value {
        case 0x41...0x5A: return value + 32
        case 0x61...0x7A, 0x30...0x39: return value
        case 0x200B...0x200F, 0x2060, 0xFEFF, 0x00AD: return 0xFFFF  // zero-width, soft hyphen: ignored
        case 0xFF01...0xFF5E: return fold(Unicode.Scalar(value - 0xFEE0)!)  // fullwidth ASCII
        case 0xC0...0xC5, 0xE0...0xE5: return 0x61
        case 0xC7, 0xE7: return 0x63
        case 0xC8...0xCB, 0xE8...0xEB: return 0x65
        case 0xCC...0xCF, 0xEC...0xEF: return 0x69
        case 0xD1, 0xF1: return 0x6E
        case 0xD2...0xD6, 0xF2...0xF6, 0xD8, 0xF8: return 0x6F
        case 0xD9...0xDC, 0xF9...0xFC: return 0x75
        case 0xDD, 0xFD, 0xFF: return 0x79
        case 0xDF: return 0x73
        case 0x0430, 0x0410: return 0x61  // Cyrillic а
        case 0x0435, 0x0415: return 0x65  // е
        case 0x043E, 0x041E: return 0x6F  // о
        case 0x0440, 0x0420: return 0x70  // р
        case 0x0441, 0x0421: return 0x63  // с
        case 0x0445, 0x0425: return 0x78  // х
        case 0x0443: return 0x79  // у
        case 0x0456, 0x0406: return 0x69  // і
        default: return value
        }
    }
}

/// A small suffix stripper for lifter English: plurals only, so "squats", "presses", "flyes"
/// and "curls" meet "squat", "press", "fly" and "curl".
enum Stemmer {
    static func stem(_ word: String) -> String {
        if let special = irregular[word] { return special }
        guard word.utf8.count > 3 else { return word }
        if word.hasSuffix("ies") { return String(word.dropLast(3)) + "y" }
        if word.hasSuffix("sses") || word.hasSuffix("ches") || word.hasSuffix("shes") || word.hasSuffix("xes") {
            return String(word.dropLast(2))
        }
        if word.hasSuffix("ss") || word.hasSuffix("us") || word.hasSuffix("is") { return word }
        if word.hasSuffix("s") { return String(word.dropLast()) }
        return word
    }

    private static let irregular: [String: String] = [
        "flyes": "fly", "flye": "fly", "flys": "fly", "calves": "calf", "halves": "half",
        "knees": "knee", "series": "series", "press": "press", "biceps": "bicep", "triceps": "tricep",
        "abs": "abs", "lats": "lat", "glutes": "glute", "quads": "quad", "hams": "ham", "delts": "delt",
        "dbs": "db", "kbs": "kb",
        // Lifters name the lift by its verb: "benching", "squatting heavy".
        "benching": "bench", "squatting": "squat", "deadlifting": "deadlift", "curling": "curl",
        "pressing": "press", "rowing": "row", "lunging": "lunge", "shrugging": "shrug", "pulling": "pull",
    ]
}
