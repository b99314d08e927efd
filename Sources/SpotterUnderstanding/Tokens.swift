import SpotterCore

/// One piece of a message after normalisation.
struct Token: Hashable, Sendable {
    enum Kind: Hashable, Sendable { case word, number, symbol }
    var kind: Kind
    /// Lowercased text as typed (a word), the digits (a number), or the symbol itself.
    var text: String
    /// The word's stem, used for matching ("squats" → "squat"); equal to `text` for others.
    var stem: String
    var number: Double?
    /// Nothing separated this token from the one before ("100kg", "30s", "5e3"): the set log
    /// reads "30s" as a pair of 30s and "5e3" as a number in scientific notation.
    var joined = false
    /// A number as typed, separators included ("1,500", "6,5"); `text` has the comma as a point.
    var typed = ""
}

enum Tokenizer {
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
        // Whether a space or other separator came since the last token.
        var gap = true

        // Built in place with `joined` known: building the token and then changing a copy cost a
        // copy and a destroy of three strings per token.
        func append(_ kind: Token.Kind, _ text: String, stem: String, number: Double? = nil, typed: String = "") {
            tokens.append(Token(kind: kind, text: text, stem: stem, number: number, joined: !gap && !tokens.isEmpty, typed: typed))
            gap = false
        }
        func append(symbol: String) { append(.symbol, symbol, stem: symbol) }
        func flushWord() {
            guard !word.isEmpty else { return }
            let text = String(decoding: word, as: UTF8.self)
            // "x" between numbers is the sets/reps or load/reps separator.
            append(.word, text, stem: Stemmer.stem(text, letters: word))
            word.removeAll(keepingCapacity: true)
        }
        func flushNumber() {
            guard !digits.isEmpty else { return }
            // A trailing dot or comma is punctuation, not a decimal point; a comma still separates.
            var trailingComma = false
            while let last = digits.last, last == UInt8(ascii: ".") || last == UInt8(ascii: ",") {
                if last == UInt8(ascii: ",") { trailingComma = true }
                digits.removeLast()
            }
            let typed = String(decoding: digits, as: UTF8.self)
            let commas = digits.count { $0 == UInt8(ascii: ",") }
            if commas >= 2 {
                // "10,8,6": a list of numbers, each its own token with the commas between.
                for (index, part) in typed.split(separator: ",", omittingEmptySubsequences: false).enumerated() {
                    if index > 0 { append(symbol: ","); gap = false }
                    if let value = Double(part) {
                        append(.number, String(part), stem: String(part), number: value, typed: String(part))
                    }
                }
            } else {
                let text = String(decoding: digits.map { $0 == UInt8(ascii: ",") ? UInt8(ascii: ".") : $0 }, as: UTF8.self)
                if let value = Double(text) {
                    append(.number, text, stem: text, number: value, typed: typed)
                }
            }
            digits.removeAll(keepingCapacity: true)
            if trailingComma { append(symbol: ",") }
        }

        for scalar in message.unicodeScalars {
            // ASCII, most of every message, folds without the call.
            let value = scalar.value
            let folded = value < 0x80 ? (value >= 0x41 && value <= 0x5A ? value + 32 : value) : fold(scalar)
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
                digits.append(UInt8(folded))
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
                case 0x25: append(symbol: "%")
                case 0x40: append(symbol: "@")
                case 0x2F: append(symbol: "/")
                case 0x3F: append(symbol: "?")
                case 0x23: append(symbol: "#")
                // The set log reads these; the rest of understanding drops them with the other symbols.
                case 0x2C: append(symbol: ",")
                // Clause ends, for negation scope and contrast ("no spotter, but safeties").
                case 0x2E, 0x21, 0x3A, 0x0A: append(symbol: ",")
                case 0x3B: append(symbol: ";")
                case 0x2B: append(symbol: "+")
                case 0x2D, 0x2212, 0x2013: append(symbol: "-")  // hyphen, minus, en dash
                case 0xD7, 0x2A: append(.word, "x", stem: "x")  // × *
                default: gap = true
                }
            }
        }
        flushWord()
        flushNumber()
        return tokens
    }

    /// Lowercases ASCII, strips common accents, maps look-alike letters (Cyrillic and Greek
    /// homoglyphs, fullwidth and mathematical forms) to ASCII, and turns zero-width characters,
    /// combining marks and invisible formatting into nothing.
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
        // Combining marks, variation selectors, invisible bidi and math operators, tags: they
        // change how a letter looks (or nothing visible) and must not split the word.
        case 0x0300...0x036F, 0x1AB0...0x1AFF, 0x1DC0...0x1DFF, 0x20D0...0x20FF, 0xFE20...0xFE2F, 0xFE00...0xFE0F,
             0x202A...0x202E, 0x2061...0x2064, 0x2066...0x2069, 0x061C, 0x180E, 0xE0000...0xE007F, 0xE0100...0xE01EF:
            return 0xFFFF
        // Look-alike letters (Cyrillic, Greek, a few Latin) folded to the ASCII letter they pass for.
        case 0x0430, 0x0410, 0x0391, 0x03B1: return 0x61  // а А Α α
        case 0x0412, 0x0392: return 0x62  // В Β
        case 0x0441, 0x0421, 0x03F2, 0x03F9: return 0x63  // с С ϲ Ϲ
        case 0x0501: return 0x64  // ԁ
        case 0x0435, 0x0415, 0x0395: return 0x65  // е Е Ε
        case 0x0261: return 0x67  // ɡ
        case 0x04BB, 0x041D, 0x0397: return 0x68  // һ Н Η
        case 0x0456, 0x0406, 0x0399, 0x03B9, 0x0131: return 0x69  // і І Ι ι ı
        case 0x0458, 0x0408: return 0x6A  // ј Ј
        case 0x041A, 0x039A, 0x03BA: return 0x6B  // К Κ κ
        case 0x04CF: return 0x6C  // ӏ
        case 0x041C, 0x039C: return 0x6D  // М Μ
        case 0x039D: return 0x6E  // Ν
        case 0x043E, 0x041E, 0x039F, 0x03BF: return 0x6F  // о О Ο ο
        case 0x0440, 0x0420, 0x03A1, 0x03C1: return 0x70  // р Р Ρ ρ
        case 0x051B, 0x051A: return 0x71  // ԛ Ԛ
        case 0x0455, 0x0405, 0x017F: return 0x73  // ѕ Ѕ ſ
        case 0x0422, 0x03A4: return 0x74  // Т Τ
        case 0x03C5: return 0x75  // υ
        case 0x03BD: return 0x76  // ν
        case 0x051D, 0x051C: return 0x77  // ԝ Ԝ
        case 0x0445, 0x0425, 0x03A7, 0x03C7: return 0x78  // х Х Χ χ
        case 0x0443, 0x0423, 0x04AE, 0x03A5: return 0x79  // у У Ү Υ
        case 0x0396: return 0x7A  // Ζ
        // Mathematical bold, italic, script… letters: runs of A-Z a-z; digits: runs of 0-9.
        case 0x1D400...0x1D6A3:
            let offset = (value - 0x1D400) % 52
            return 0x61 + (offset < 26 ? offset : offset - 26)
        case 0x1D7CE...0x1D7FF: return 0x30 + (value - 0x1D7CE) % 10
        default: return value
        }
    }
}

/// A small suffix stripper for lifter English: plurals only, so "squats", "presses", "flyes"
/// and "curls" meet "squat", "press", "fly" and "curl".
enum Stemmer {
    static func stem(_ word: String) -> String {
        // Words whose last letter ends no irregular form skip the table (most words).
        if let last = word.utf8.last, irregularEndings[Int(last)], let special = irregular[word] { return special }
        guard word.utf8.count > 3 else { return word }
        // Tokens are ASCII: their suffixes are compared as bytes (String.hasSuffix compares
        // characters, and ran for every word of every message).
        if word.utf8.allSatisfy({ $0 < 0x80 }) { return stem(word, letters: Array(word.utf8)) }
        if word.hasSuffix("ies") { return String(word.dropLast(3)) + "y" }
        if word.hasSuffix("sses") || word.hasSuffix("ches") || word.hasSuffix("shes") || word.hasSuffix("xes") {
            return String(word.dropLast(2))
        }
        if word.hasSuffix("ss") || word.hasSuffix("us") || word.hasSuffix("is") { return word }
        if word.hasSuffix("s") { return String(word.dropLast()) }
        return word
    }

    /// ``stem(_:)`` for an ASCII word whose bytes are at hand (the tokenizer has them): the
    /// suffixes are read from the bytes, and a word without one is returned as it is.
    static func stem(_ word: String, letters: [UInt8]) -> String {
        guard let last = letters.last else { return word }
        if irregularEndings[Int(last)], let special = irregular[word] { return special }
        let n = letters.count
        guard n > 3, last == UInt8(ascii: "s") else { return word }
        func ends(_ suffix: StaticString) -> Bool {
            let count = suffix.utf8CodeUnitCount
            guard n >= count else { return false }
            for k in 0..<count where letters[n - count + k] != suffix.utf8Start[k] { return false }
            return true
        }
        if ends("ies") { return String(decoding: letters[..<(n - 3)], as: UTF8.self) + "y" }
        if ends("sses") || ends("ches") || ends("shes") || ends("xes") { return String(decoding: letters[..<(n - 2)], as: UTF8.self) }
        if ends("ss") || ends("us") || ends("is") { return word }
        return String(decoding: letters[..<(n - 1)], as: UTF8.self)
    }

    /// Whether some irregular form ends in this byte.
    private static let irregularEndings: [Bool] = {
        var endings = [Bool](repeating: false, count: 256)
        for word in irregularForms.keys { if let last = word.utf8.last { endings[Int(last)] = true } }
        return endings
    }()

    private static let irregular = WordTable<String>(irregularForms.map { ($0.key, $0.value) })
    private static let irregularForms: [String: String] = [
        "flyes": "fly", "flye": "fly", "flys": "fly", "calves": "calf", "halves": "half",
        "knees": "knee", "series": "series", "press": "press", "biceps": "bicep", "triceps": "tricep",
        "abs": "abs", "lats": "lat", "glutes": "glute", "quads": "quad", "hams": "ham", "delts": "delt",
        "dbs": "db", "kbs": "kb",
        // Lifters name the lift by its verb: "benching", "squatting heavy".
        "benching": "bench", "squatting": "squat", "deadlifting": "deadlift", "curling": "curl",
        "pressing": "press", "rowing": "row", "lunging": "lunge", "shrugging": "shrug", "pulling": "pull",
        // ...and in the past tense when they log it: "squatted 140kg for 5".
        "squatted": "squat", "benched": "bench", "deadlifted": "deadlift", "curled": "curl", "rowed": "row",
        "lunged": "lunge", "shrugged": "shrug",
    ]
}
