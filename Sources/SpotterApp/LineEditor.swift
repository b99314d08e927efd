import Foundation

/// A key at the interactive prompt, as ``KeyDecoder`` reads it from the terminal's bytes.
public enum Key: Sendable, Hashable {
    case character(Character)
    case left, right, home, end, up, down
    case backspace, delete
    /// Ctrl-K: delete from the cursor to the end; Ctrl-U: from the start to the cursor.
    case killToEnd, killToStart
    /// Ctrl-W: delete the word before the cursor.
    case deleteWordBack
    case enter
    /// Ctrl-D: end of input on an empty line, else delete under the cursor.
    case endOfInput
    /// Ctrl-C: drop the line being typed.
    case interrupt
}

/// The prompt's editing state: one line with a cursor, and the lines entered before (history).
/// Pure: keys in, line and cursor out; the terminal is drawn from it.
public struct LineEditor: Sendable {
    public enum Outcome: Sendable, Hashable {
        case editing
        /// Enter: the line to send (it joins the history when not blank).
        case submit(String)
        /// Ctrl-D on an empty line.
        case endOfInput
    }

    public private(set) var characters: [Character] = []
    /// Where the next character goes, 0...characters.count.
    public private(set) var cursor = 0
    public private(set) var history: [String]
    /// The history entry shown (nil: the line being typed).
    private var browsing: Int?
    /// The line being typed, kept while browsing the history.
    private var draft: [Character] = []
    public let historyLimit: Int

    public init(history: [String] = [], historyLimit: Int = 500) {
        self.history = Array(history.suffix(historyLimit))
        self.historyLimit = historyLimit
    }

    public var line: String { String(characters) }

    public mutating func apply(_ key: Key) -> Outcome {
        switch key {
        case let .character(character):
            characters.insert(character, at: cursor)
            cursor += 1
        case .left: cursor = max(0, cursor - 1)
        case .right: cursor = min(characters.count, cursor + 1)
        case .home: cursor = 0
        case .end: cursor = characters.count
        case .backspace:
            if cursor > 0 {
                characters.remove(at: cursor - 1)
                cursor -= 1
            }
        case .delete:
            if cursor < characters.count { characters.remove(at: cursor) }
        case .killToEnd: characters.removeSubrange(cursor...)
        case .killToStart:
            characters.removeSubrange(..<cursor)
            cursor = 0
        case .deleteWordBack:
            var start = cursor
            while start > 0, characters[start - 1] == " " { start -= 1 }
            while start > 0, characters[start - 1] != " " { start -= 1 }
            characters.removeSubrange(start..<cursor)
            cursor = start
        case .up:
            guard !history.isEmpty else { break }
            if browsing == nil { draft = characters }
            let index = max(0, (browsing ?? history.count) - 1)
            show(index)
        case .down:
            guard let current = browsing else { break }
            if current + 1 < history.count {
                show(current + 1)
            } else {
                browsing = nil
                characters = draft
                cursor = characters.count
            }
        case .interrupt:
            reset()
        case .endOfInput:
            if characters.isEmpty { return .endOfInput }
            if cursor < characters.count { characters.remove(at: cursor) }
        case .enter:
            let text = line
            if !text.trimmingCharacters(in: .whitespaces).isEmpty, history.last != text {
                history.append(text)
                if history.count > historyLimit { history.removeFirst(history.count - historyLimit) }
            }
            reset()
            return .submit(text)
        }
        return .editing
    }

    private mutating func show(_ index: Int) {
        browsing = index
        characters = Array(history[index])
        cursor = characters.count
    }

    private mutating func reset() {
        characters = []
        cursor = 0
        browsing = nil
        draft = []
    }

    /// What to write to redraw the prompt line: back to its start, the prompt and the line, the
    /// rest of the old line cleared, then the cursor moved back to its place. Columns are counted
    /// one per character (wide characters will misplace the cursor, never the text).
    public func render(prompt: String) -> String {
        var output = "\r" + prompt + line + "\u{1B}[K"
        let back = characters.count - cursor
        if back > 0 { output += "\u{1B}[\(back)D" }
        return output
    }
}

/// Turns the bytes a terminal sends into keys: UTF-8 characters, control keys, and the escape
/// sequences of the arrow, Home, End and Delete keys (xterm and VT forms). Bytes of a sequence
/// split across reads are kept until the rest arrives.
public struct KeyDecoder: Sendable {
    private var pending: [UInt8] = []

    public init() {}

    public mutating func feed(_ bytes: [UInt8]) -> [Key] {
        pending += bytes
        var keys: [Key] = []
        var index = 0
        decoding: while index < pending.count {
            let byte = pending[index]
            switch byte {
            case 0x1B:
                guard index + 1 < pending.count else { break decoding }
                let kind = pending[index + 1]
                guard kind == UInt8(ascii: "[") || kind == UInt8(ascii: "O") else {
                    index += 1  // a lone Escape: ignored
                    continue
                }
                // Parameters, then one final byte in 0x40...0x7E.
                var end = index + 2
                while end < pending.count, !(0x40...0x7E).contains(pending[end]) { end += 1 }
                guard end < pending.count else { break decoding }
                let parameters = String(decoding: pending[(index + 2)..<end], as: UTF8.self)
                switch (pending[end], parameters) {
                case (UInt8(ascii: "A"), _): keys.append(.up)
                case (UInt8(ascii: "B"), _): keys.append(.down)
                case (UInt8(ascii: "C"), _): keys.append(.right)
                case (UInt8(ascii: "D"), _): keys.append(.left)
                case (UInt8(ascii: "H"), _): keys.append(.home)
                case (UInt8(ascii: "F"), _): keys.append(.end)
                case (UInt8(ascii: "~"), "1"), (UInt8(ascii: "~"), "7"): keys.append(.home)
                case (UInt8(ascii: "~"), "4"), (UInt8(ascii: "~"), "8"): keys.append(.end)
                case (UInt8(ascii: "~"), "3"): keys.append(.delete)
                default: break  // other function keys do nothing
                }
                index = end + 1
            case 0x0D, 0x0A: keys.append(.enter); index += 1
            case 0x7F, 0x08: keys.append(.backspace); index += 1
            case 0x01: keys.append(.home); index += 1
            case 0x05: keys.append(.end); index += 1
            case 0x02: keys.append(.left); index += 1
            case 0x06: keys.append(.right); index += 1
            case 0x10: keys.append(.up); index += 1
            case 0x0E: keys.append(.down); index += 1
            case 0x0B: keys.append(.killToEnd); index += 1
            case 0x15: keys.append(.killToStart); index += 1
            case 0x17: keys.append(.deleteWordBack); index += 1
            case 0x04: keys.append(.endOfInput); index += 1
            case 0x03: keys.append(.interrupt); index += 1
            case 0x09: keys.append(.character(" ")); index += 1
            case 0x00..<0x20: index += 1  // other control bytes are ignored
            default:
                let length = byte < 0x80 ? 1 : byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC0 ? 2 : 1
                guard index + length <= pending.count else { break decoding }
                if let text = String(validating: pending[index..<(index + length)], as: UTF8.self), let character = text.first {
                    // A combining mark joins the character before it.
                    keys.append(.character(character))
                }
                index += length
            }
        }
        pending.removeFirst(index)
        return keys
    }
}

/// The interactive prompt on a terminal: raw mode (termios) while a line is edited, restored
/// afterwards; nil when stdin is not a terminal, so the caller falls back to `readLine`.
final class TerminalPrompt {
    private let fd: Int32 = 0
    private var original = termios()
    private var editor = LineEditor()
    private var decoder = KeyDecoder()
    private var queued: [Key] = []

    init?() {
        guard isatty(fd) != 0, tcgetattr(fd, &original) == 0 else { return nil }
    }

    /// Reads one edited line; nil at end of input (Ctrl-D on an empty line, or stdin closed).
    func readLine(prompt: String) -> String? {
        var raw = original
        // No line buffering, no echo (the editor draws), no Ctrl-C/Ctrl-Z signals (read as keys),
        // no CR→NL translation; output processing stays on so "\n" still starts a new line.
        raw.c_lflag &= ~tcflag_t(ICANON | ECHO | ISIG | IEXTEN)
        raw.c_iflag &= ~tcflag_t(IXON | ICRNL)
        withUnsafeMutableBytes(of: &raw.c_cc) { cc in
            cc[Int(VMIN)] = 1
            cc[Int(VTIME)] = 0
        }
        guard tcsetattr(fd, TCSAFLUSH, &raw) == 0 else { return Swift.readLine(strippingNewline: true) }
        defer { tcsetattr(fd, TCSAFLUSH, &original) }
        writeStdout(editor.render(prompt: prompt))
        var buffer = [UInt8](repeating: 0, count: 256)
        while true {
            // Keys after an Enter (a pasted block of lines) wait here for the next prompt.
            while !queued.isEmpty {
                let key = queued.removeFirst()
                switch editor.apply(key) {
                case .editing:
                    writeStdout(editor.render(prompt: prompt))
                case let .submit(line):
                    writeStdout("\r" + prompt + line + "\u{1B}[K\n")
                    return line
                case .endOfInput:
                    writeStdout("\n")
                    return nil
                }
            }
            let count = read(fd, &buffer, buffer.count)
            if count <= 0 {
                writeStdout("\n")
                return nil
            }
            queued += decoder.feed(Array(buffer[0..<count]))
        }
    }
}
