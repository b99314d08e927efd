/// ASCII characters replaced by strings, byte for byte over UTF-8: every other byte is kept.
/// Bytes, not characters, so a combining mark after `<` cannot hide it inside another character.
public struct ByteEscapes: Sendable {
    private let replacements: [[UInt8]?]

    /// Each key must be an ASCII character.
    public init(_ table: [Character: String]) {
        var replacements = [[UInt8]?](repeating: nil, count: 128)
        for (character, replacement) in table {
            guard let byte = character.asciiValue else { preconditionFailure("ByteEscapes escapes ASCII characters only") }
            replacements[Int(byte)] = Array(replacement.utf8)
        }
        self.replacements = replacements
    }

    public func append(_ bytes: some Sequence<UInt8>, to out: inout [UInt8]) {
        for byte in bytes {
            if byte < 0x80, let replacement = replacements[Int(byte)] { out += replacement } else { out.append(byte) }
        }
    }

    public func callAsFunction(_ text: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count + 16)
        append(text.utf8, to: &out)
        return String(decoding: out, as: UTF8.self)
    }
}
