/// Tells a message not written in English ("soll ich beim Bankdrücken bis zum Versagen gehen?")
/// from an English one, so it gets "I only understand English for now" instead of being
/// fuzzy-matched into English words ("soll" → "solo") and read as facts.
///
/// Two signals, both cheap: letters of another script (after look-alike letters are folded,
/// so "ѕquat" written with a Cyrillic ѕ still counts as Latin), and common function words of
/// the languages lifters most often write in that are not English words.
enum Language {
    /// Function words and a few gym words of German, French, Spanish, Italian, Portuguese,
    /// Dutch and the Scandinavian languages, accents folded as the tokenizer folds them. Only
    /// words that are not also English (no "die", "per", "con", "non", "el").
    static let foreignWords = WordSet("""
    ich du soll sollte sollen beim zum zur bis nicht und oder wie viel viele wieviel mein meine meinen mit bei \
    gehen machen ist habe hab kann muss wann warum welche welcher der das dem des ein eine einen auf nach \
    auch noch schon sehr aber wenn dass fur vom sich wir ihr sie heute satz satze wiederholungen versagen \
    kniebeugen kreuzheben bankdrucken schlaf geschlafen mude trainieren \
    je tu il nous vous est suis les des une avec dois doit faire quoi pourquoi comment combien quand jusqu \
    jusqua echec repos mes mon dans sur pas aux ce cette qui quel quelle seance musculation developpe couche \
    yo los las una para debo deberia hasta cuando cuanto cuantas cuantos como por porque entre descanso fallo \
    sentadilla sentadillas banca peso muy tengo hacer hago puedo esta estoy entrenamiento entreno hola \
    io devo dovrei fino alla cedimento panca piana riposo quanto perche sono della allenamento gli che \
    eu falha treino voce nao minha meu fazer supino agachamento \
    ik moet het een niet veel mijn tot falen bankdrukken \
    jag och inte ska jeg ikke skal hvor mange
    """.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init))

    /// English words that outweigh foreign ones in a mixed message.
    static let englishWords = WordSet(Lexicon.commonWords.union(Lexicon.questionWords))

    /// Whether `text` (tokenized as `tokens`) is written in a language other than English.
    static func isNotEnglish(_ text: String, tokens: [Token]) -> Bool {
        let (latin, otherScript, accented) = letters(text)
        if otherScript > latin { return true }
        var foreign = 0
        for token in tokens where token.kind == .word && foreignWords.contains(token.text) { foreign += 1 }
        // Both verdicts below need a foreign word: English messages stop here, before the English count.
        guard foreign > 0 else { return false }
        var english = 0
        for token in tokens where token.kind == .word && !foreignWords.contains(token.text) && englishWords.contains(token.stem) {
            english += 1
        }
        if foreign >= 2 && foreign > english { return true }
        // "Übungen?", "séance": an accented letter and a foreign word, and little English.
        return accented > 0 && foreign >= 1 && english <= foreign
    }

    /// Counts the message's Latin letters, letters of other scripts, and accented Latin letters.
    private static func letters(_ text: String) -> (latin: Int, otherScript: Int, accented: Int) {
        // Most messages are ASCII: their letters are counted on the bytes, with no scalar decoding.
        var copy = text
        let ascii = copy.withUTF8 { bytes -> Int? in
            var letters = 0
            for byte in bytes {
                if byte >= 0x80 { return nil }
                if (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A { letters += 1 }
            }
            return letters
        }
        if let ascii { return (ascii, 0, 0) }
        var latin = 0
        var otherScript = 0
        var accented = 0
        for scalar in text.unicodeScalars {
            // ASCII needs no Unicode property look-up (the slow part): only its letters are alphabetic.
            if scalar.value < 0x80 {
                if (scalar.value | 0x20) >= 0x61 && (scalar.value | 0x20) <= 0x7A { latin += 1 }
                continue
            }
            guard scalar.properties.isAlphabetic else { continue }
            let folded = Tokenizer.fold(scalar)
            if folded >= 0x61 && folded <= 0x7A {
                latin += 1
                if scalar.value >= 0xC0 && scalar.value <= 0x24F { accented += 1 }
            } else if folded != 0xFFFF {
                otherScript += 1
            }
        }
        return (latin, otherScript, accented)
    }
}
