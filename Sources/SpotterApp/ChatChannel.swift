import Foundation
import SpotterCore
import SpotterStore

/// The stdin channel: reads lines, hands them to the runtime in batches (one transaction
/// per batch, committed before the batch's replies are written), and writes one answer per line.
public struct StdinChannel {
    public enum Mode: Sendable { case jsonLines, plain, interactive }

    /// Longest accepted input line, in bytes.
    public static let maxLineBytes = 64 * 1024
    /// Most lines handled in one transaction.
    public static let maxBatch = 256

    let runtime: ChatRuntime
    let mode: Mode
    let defaultUser: String

    public init(runtime: ChatRuntime, mode: Mode, defaultUser: String) {
        self.runtime = runtime
        self.mode = mode
        self.defaultUser = defaultUser
    }

    /// Runs until end of input.
    public func run() throws(StoreError) {
        if mode == .interactive { return try runInteractive() }
        var reader = LineReader(fd: 0, maxLineBytes: Self.maxLineBytes)
        while let lines = reader.nextBatch(max: Self.maxBatch) {
            try handle(lines)
        }
    }

    /// What one input line asks for: a message, or an error to report on its output line.
    enum Parsed {
        case message(IncomingMessage)
        case error(code: String, message: String)
    }

    func parse(_ line: InputLine) -> Parsed {
        switch line {
        case .tooLong:
            return .error(code: "line_too_long", message: "the line is longer than \(Self.maxLineBytes / 1024) KiB")
        case let .bytes(bytes):
            if mode == .plain {
                guard let text = String(validating: bytes, as: UTF8.self) else {
                    return .error(code: "invalid_utf8", message: "the line is not valid UTF-8")
                }
                return .message(IncomingMessage(user: defaultUser, text: text))
            }
            let value: JSONValue
            do {
                value = try JSONValue.parse(bytes)
            } catch {
                return .error(code: error.code, message: "the line is not valid JSON: \(error.description)")
            }
            guard case .object = value else {
                return .error(code: "invalid_json", message: "the line must be a JSON object like {\"user\": \"…\", \"text\": \"…\"}")
            }
            guard let user = value["user"] else { return .error(code: "missing_field", message: "missing \"user\"") }
            guard let text = value["text"] else { return .error(code: "missing_field", message: "missing \"text\"") }
            guard let userID = user.string, !userID.isEmpty else {
                return .error(code: "invalid_field", message: "\"user\" must be a non-empty string")
            }
            // Ids are stored exactly as given: one the store could not keep whole is refused.
            if let problem = Identifier.problem(userID, field: "\"user\"") { return .error(code: problem.code, message: problem.message) }
            guard let body = text.string else { return .error(code: "invalid_field", message: "\"text\" must be a string") }
            var room = "direct"
            if let given = value["room"], !given.isNull {
                guard let name = given.string, !name.isEmpty else {
                    return .error(code: "invalid_field", message: "\"room\" must be a non-empty string when given")
                }
                if let problem = Identifier.problem(name, field: "\"room\"") { return .error(code: problem.code, message: problem.message) }
                room = name
            }
            return .message(IncomingMessage(user: userID, room: room, text: body))
        }
    }

    func handle(_ lines: [InputLine]) throws(StoreError) {
        let parsed = lines.map(parse)
        var messages: [IncomingMessage] = []
        for case let .message(message) in parsed { messages.append(message) }
        // Commit first; only then show the answers.
        let replies = messages.isEmpty ? [] : try runtime.handle(messages)
        var output = ""
        var next = 0
        for item in parsed {
            switch item {
            case .message:
                let reply = replies[next]
                next += 1
                output += mode == .jsonLines ? reply.json.serialized() : reply.reply
            case let .error(code, message):
                output += mode == .jsonLines
                    ? JSONValue.object([("error", .object([("code", .string(code)), ("message", .string(message))]))]).serialized()
                    : "error (\(code)): \(message)"
            }
            output += "\n"
        }
        writeStdout(output)
    }

    func runInteractive() throws(StoreError) {
        writeStdout("Spotter: your evidence-based lifting coach. Ask me anything about failure, reps in reserve, rest or recovery; "
                    + "\"check in\" for today's readiness; \"help\" for more. Ctrl-D to leave.\n")
        // Line editing and history at a terminal; plain lines when the terminal cannot be set up.
        let terminal = TerminalPrompt()
        while true {
            let read: String?
            if let terminal {
                read = terminal.readLine(prompt: "you> ")
            } else {
                writeStdout("you> ")
                read = readLine(strippingNewline: true)
                if read == nil { writeStdout("\n") }
            }
            guard let line = read else { return }
            if line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            let reply = try runtime.handle(IncomingMessage(user: defaultUser, text: line))
            writeStdout("spotter> " + reply.reply.replacingOccurrences(of: "\n", with: "\n         ") + "\n")
        }
    }
}

func writeStdout(_ text: String) {
    var text = text
    text.withUTF8 { buffer in
        var offset = 0
        while offset < buffer.count {
            let written = Foundation.write(1, buffer.baseAddress! + offset, buffer.count - offset)
            if written <= 0 { return }
            offset += written
        }
    }
}

/// A line read from input: its bytes, or a marker that it was too long (and was skipped).
enum InputLine {
    case bytes([UInt8])
    case tooLong
}

/// Reads lines from a file descriptor in large chunks; returns every complete line already
/// read (up to a maximum) as one batch, so piped input is handled many lines per transaction
/// while interactive input is handled line by line.
struct LineReader {
    let fd: Int32
    let maxLineBytes: Int
    private var buffer: [UInt8] = []
    private var start = 0
    private var skippingLongLine = false
    private var finished = false
    private var pending: [InputLine] = []

    init(fd: Int32, maxLineBytes: Int) {
        self.fd = fd
        self.maxLineBytes = maxLineBytes
    }

    mutating func nextBatch(max: Int) -> [InputLine]? {
        while pending.isEmpty && !finished {
            fill()
        }
        if pending.isEmpty { return nil }
        let count = Swift.min(max, pending.count)
        let batch = Array(pending.prefix(count))
        pending.removeFirst(count)
        return batch
    }

    private mutating func fill() {
        var chunk = [UInt8](repeating: 0, count: 256 * 1024)
        let count = chunk.withUnsafeMutableBytes { Foundation.read(fd, $0.baseAddress, $0.count) }
        if count <= 0 {
            finished = true
            // A last line without a newline still counts.
            if buffer.count > start {
                pending.append(skippingLongLine ? .tooLong : line(buffer[start...]))
            } else if skippingLongLine {
                pending.append(.tooLong)
            }
            buffer = []
            start = 0
            return
        }
        buffer.append(contentsOf: chunk[0..<count])
        var index = start
        while let newline = buffer[index...].firstIndex(of: 0x0A) {
            if skippingLongLine {
                pending.append(.tooLong)
                skippingLongLine = false
            } else {
                pending.append(line(buffer[start..<newline]))
            }
            start = newline + 1
            index = start
        }
        if buffer.count - start > maxLineBytes {
            // Too long: drop what we have and skip to the next newline.
            skippingLongLine = true
            start = buffer.count
        }
        if start > 1 << 20 || start == buffer.count {
            buffer.removeFirst(start)
            start = 0
        }
    }

    private func line(_ bytes: ArraySlice<UInt8>) -> InputLine {
        var bytes = Array(bytes)
        if bytes.last == 0x0D { bytes.removeLast() }  // CRLF
        if bytes.count > maxLineBytes { return .tooLong }
        return .bytes(bytes)
    }
}
