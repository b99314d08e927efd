/// A parsed JSON value. The parser is strict (RFC 8259), rejects invalid UTF-8, and limits
/// nesting depth, so untrusted input gets a clear error instead of a crash.
public indirect enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    /// Keys in document order; a repeated key keeps its last value on lookup.
    case object([(key: String, value: JSONValue)])

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case let (.bool(a), .bool(b)): a == b
        case let (.number(a), .number(b)): a == b
        case let (.string(a), .string(b)): a == b
        case let (.array(a), .array(b)): a == b
        case let (.object(a), .object(b)): a.map(\.key) == b.map(\.key) && a.map(\.value) == b.map(\.value)
        default: false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null: hasher.combine(0)
        case let .bool(value): hasher.combine(value)
        case let .number(value): hasher.combine(value)
        case let .string(value): hasher.combine(value)
        case let .array(values): hasher.combine(values)
        case let .object(pairs): for pair in pairs { hasher.combine(pair.key); hasher.combine(pair.value) }
        }
    }

    public subscript(key: String) -> JSONValue? {
        guard case let .object(pairs) = self else { return nil }
        return pairs.last { $0.key == key }?.value
    }

    public var string: String? { if case let .string(value) = self { value } else { nil } }
    public var number: Double? { if case let .number(value) = self { value } else { nil } }
    public var array: [JSONValue]? { if case let .array(values) = self { values } else { nil } }
    public var isNull: Bool { if case .null = self { true } else { false } }
    public var bool: Bool? { if case let .bool(value) = self { value } else { nil } }

    /// A string, or null for nil.
    public static func optional(_ text: String?) -> JSONValue { text.map(JSONValue.string) ?? .null }

    /// Compact, one-line JSON with keys in the order given.
    public func serialized() -> String {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        write(into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    private func write(into out: inout [UInt8]) {
        switch self {
        case .null: out.append(contentsOf: "null".utf8)
        case let .bool(value): out.append(contentsOf: (value ? "true" : "false").utf8)
        case let .number(value):
            let text = value.rounded() == value && abs(value) < 1e15 ? String(Int64(value)) : "\(value)"
            out.append(contentsOf: text.utf8)
        case let .string(value): Self.escape(value, into: &out)
        case let .array(values):
            out.append(UInt8(ascii: "["))
            for (index, value) in values.enumerated() {
                if index > 0 { out.append(contentsOf: ", ".utf8) }
                value.write(into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case let .object(pairs):
            out.append(UInt8(ascii: "{"))
            for (index, pair) in pairs.enumerated() {
                if index > 0 { out.append(contentsOf: ", ".utf8) }
                Self.escape(pair.key, into: &out)
                out.append(contentsOf: ": ".utf8)
                pair.value.write(into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// Escapes on UTF-8 bytes, copying runs of plain bytes at once. U+2028 and U+2029 are
    /// escaped too, so the output is safe inside JavaScript as well.
    private static func escape(_ text: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { bytes in
            var runStart = 0
            var index = 0
            func flush() {
                if runStart < index { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index])) }
            }
            while index < bytes.count {
                let byte = bytes[index]
                var replacement: [UInt8]?
                var width = 1
                switch byte {
                case UInt8(ascii: "\""): replacement = Array("\\\"".utf8)
                case UInt8(ascii: "\\"): replacement = Array("\\\\".utf8)
                case 0x0A: replacement = Array("\\n".utf8)
                case 0x0D: replacement = Array("\\r".utf8)
                case 0x09: replacement = Array("\\t".utf8)
                case 0..<0x20:
                    replacement = Array("\\u00".utf8) + [hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0xF)]]
                case 0xE2 where index + 2 < bytes.count && bytes[index + 1] == 0x80 && (bytes[index + 2] == 0xA8 || bytes[index + 2] == 0xA9):
                    replacement = Array((bytes[index + 2] == 0xA8 ? "\\u2028" : "\\u2029").utf8)
                    width = 3
                default:
                    break
                }
                if let replacement {
                    flush()
                    out.append(contentsOf: replacement)
                    index += width
                    runStart = index
                } else {
                    index += 1
                }
            }
            flush()
        }
        out.append(UInt8(ascii: "\""))
    }

    /// What the parser does with a container nested deeper than its `maxDepth`.
    public enum DepthLimit: Sendable {
        /// The whole document is refused (`too_deep`).
        case refuse
        /// The container is still checked (without recursion, so any depth is safe) and reads as
        /// null: for documents that must not be refused because one part of them is odd, such
        /// as a Matrix transaction carrying one user's absurdly nested event.
        case readAsNull
    }

    /// Parses one JSON document from UTF-8 bytes.
    public static func parse<Bytes: Collection<UInt8>>(
        _ bytes: Bytes, maxDepth: Int = 64, beyondMaxDepth: DepthLimit = .refuse
    ) throws(JSONParseError) -> JSONValue {
        var parser = JSONParser(bytes: Array(bytes), maxDepth: maxDepth, deepAsNull: beyondMaxDepth == .readAsNull)
        return try parser.document()
    }

    public static func parse(_ text: String, maxDepth: Int = 64, beyondMaxDepth: DepthLimit = .refuse) throws(JSONParseError) -> JSONValue {
        try parse(Array(text.utf8), maxDepth: maxDepth, beyondMaxDepth: beyondMaxDepth)
    }
}

/// Why a JSON text could not be parsed, and where.
public struct JSONParseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Stable codes: `invalid_json`, `invalid_utf8`, `too_deep`.
    public var code: String
    public var message: String
    /// Byte offset of the problem.
    public var offset: Int

    public var description: String { "\(message) at byte \(offset)" }
}

private struct JSONParser {
    let bytes: [UInt8]
    let maxDepth: Int
    let deepAsNull: Bool
    var position = 0
    var depth = 0

    init(bytes: [UInt8], maxDepth: Int, deepAsNull: Bool) {
        self.bytes = bytes
        self.maxDepth = maxDepth
        self.deepAsNull = deepAsNull
    }

    func fail(_ message: String, code: String = "invalid_json") -> JSONParseError {
        JSONParseError(code: code, message: message, offset: position)
    }

    mutating func document() throws(JSONParseError) -> JSONValue {
        skipSpace()
        let value = try self.value()
        skipSpace()
        guard position == bytes.count else { throw fail("unexpected text after the JSON value") }
        return value
    }

    mutating func skipSpace() {
        while position < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[position]) { position += 1 }
    }

    mutating func value() throws(JSONParseError) -> JSONValue {
        guard position < bytes.count else { throw fail("unexpected end of input") }
        switch bytes[position] {
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            if deepAsNull && depth >= maxDepth {
                try skipContainer()
                return .null
            }
            return bytes[position] == UInt8(ascii: "{") ? try object() : try array()
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
        default: throw fail("unexpected character")
        }
    }

    mutating func literal(_ word: StaticString) throws(JSONParseError) {
        let count = word.utf8CodeUnitCount
        guard position + count <= bytes.count else { throw fail("unexpected end of input") }
        for i in 0..<count where bytes[position + i] != word.utf8Start[i] { throw fail("invalid literal") }
        position += count
    }

    mutating func enter() throws(JSONParseError) {
        depth += 1
        if depth > maxDepth { throw fail("nested deeper than \(maxDepth) levels", code: "too_deep") }
    }

    mutating func object() throws(JSONParseError) -> JSONValue {
        try enter()
        position += 1
        var pairs: [(key: String, value: JSONValue)] = []
        skipSpace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "}") {
            position += 1
            depth -= 1
            return .object(pairs)
        }
        while true {
            skipSpace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { throw fail("expected a key") }
            let key = try string()
            skipSpace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else { throw fail("expected ':'") }
            position += 1
            skipSpace()
            pairs.append((key, try value()))
            skipSpace()
            guard position < bytes.count else { throw fail("unexpected end of input") }
            if bytes[position] == UInt8(ascii: ",") { position += 1; continue }
            if bytes[position] == UInt8(ascii: "}") { position += 1; break }
            throw fail("expected ',' or '}'")
        }
        depth -= 1
        return .object(pairs)
    }

    mutating func array() throws(JSONParseError) -> JSONValue {
        try enter()
        position += 1
        var values: [JSONValue] = []
        skipSpace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "]") {
            position += 1
            depth -= 1
            return .array(values)
        }
        while true {
            skipSpace()
            values.append(try value())
            skipSpace()
            guard position < bytes.count else { throw fail("unexpected end of input") }
            if bytes[position] == UInt8(ascii: ",") { position += 1; continue }
            if bytes[position] == UInt8(ascii: "]") { position += 1; break }
            throw fail("expected ',' or ']'")
        }
        depth -= 1
        return .array(values)
    }

    /// Checks the object or array at `position` with the same rules as `value()`, keeping an
    /// explicit stack instead of recursing, and moves past it.
    mutating func skipContainer() throws(JSONParseError) {
        enum Expect { case value, valueOrEnd, key, keyOrEnd, commaOrEnd }
        var closers: [UInt8] = []
        var expect = Expect.value
        while true {
            skipSpace()
            guard position < bytes.count else { throw fail("unexpected end of input") }
            let byte = bytes[position]
            switch expect {
            case .value, .valueOrEnd:
                if expect == .valueOrEnd && byte == UInt8(ascii: "]") {
                    position += 1
                    closers.removeLast()
                    if closers.isEmpty { return }
                    expect = .commaOrEnd
                } else if byte == UInt8(ascii: "{") {
                    position += 1
                    closers.append(UInt8(ascii: "}"))
                    expect = .keyOrEnd
                } else if byte == UInt8(ascii: "[") {
                    position += 1
                    closers.append(UInt8(ascii: "]"))
                    expect = .valueOrEnd
                } else {
                    _ = try value()  // a string, number or literal
                    expect = .commaOrEnd
                }
            case .key, .keyOrEnd:
                if expect == .keyOrEnd && byte == UInt8(ascii: "}") {
                    position += 1
                    closers.removeLast()
                    if closers.isEmpty { return }
                    expect = .commaOrEnd
                    continue
                }
                guard byte == UInt8(ascii: "\"") else { throw fail("expected a key") }
                _ = try string()
                skipSpace()
                guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else { throw fail("expected ':'") }
                position += 1
                expect = .value
            case .commaOrEnd:
                let inObject = closers.last == UInt8(ascii: "}")
                if byte == UInt8(ascii: ",") {
                    position += 1
                    expect = inObject ? .key : .value
                } else if byte == closers.last {
                    position += 1
                    closers.removeLast()
                    if closers.isEmpty { return }
                } else {
                    throw fail(inObject ? "expected ',' or '}'" : "expected ',' or ']'")
                }
            }
        }
    }

    mutating func number() throws(JSONParseError) -> Double {
        let start = position
        if bytes[position] == UInt8(ascii: "-") { position += 1 }
        func digits() -> Int {
            let begin = position
            while position < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position]) { position += 1 }
            return position - begin
        }
        let integerStart = position
        let integerDigits = digits()
        guard integerDigits > 0 else { throw fail("invalid number") }
        if integerDigits > 1, bytes[integerStart] == UInt8(ascii: "0") { throw fail("invalid number (leading zero)") }
        if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
            position += 1
            guard digits() > 0 else { throw fail("invalid number") }
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E") {
            position += 1
            if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") { position += 1 }
            guard digits() > 0 else { throw fail("invalid number") }
        }
        let text = String(decoding: bytes[start..<position], as: UTF8.self)
        guard let value = Double(text), value.isFinite else { throw fail("number out of range") }
        return value
    }

    mutating func string() throws(JSONParseError) -> String {
        position += 1
        var out: [UInt8] = []
        var plainStart = position
        while true {
            guard position < bytes.count else { throw fail("unterminated string") }
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                out.append(contentsOf: bytes[plainStart..<position])
                position += 1
                break
            }
            if byte < 0x20 { throw fail("control character in a string") }
            if byte == UInt8(ascii: "\\") {
                out.append(contentsOf: bytes[plainStart..<position])
                position += 1
                guard position < bytes.count else { throw fail("unterminated string") }
                let escape = bytes[position]
                position += 1
                switch escape {
                case UInt8(ascii: "\""): out.append(0x22)
                case UInt8(ascii: "\\"): out.append(0x5C)
                case UInt8(ascii: "/"): out.append(0x2F)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xD800...0xDBFF).contains(scalar) {
                        guard position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"),
                              bytes[position + 1] == UInt8(ascii: "u") else { throw fail("unpaired surrogate") }
                        position += 2
                        let low = try hex4()
                        guard (0xDC00...0xDFFF).contains(low) else { throw fail("unpaired surrogate") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00...0xDFFF).contains(scalar) {
                        throw fail("unpaired surrogate")
                    }
                    guard let unicode = Unicode.Scalar(scalar) else { throw fail("invalid escape") }
                    out.append(contentsOf: Array(String(Character(unicode)).utf8))
                default: throw fail("invalid escape")
                }
                plainStart = position
                continue
            }
            if byte >= 0x80 {
                let length = try validateUTF8(at: position)
                position += length
                continue
            }
            position += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    mutating func hex4() throws(JSONParseError) -> UInt32 {
        guard position + 4 <= bytes.count else { throw fail("invalid \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[position]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw fail("invalid \\u escape")
            }
            value = value << 4 | digit
            position += 1
        }
        return value
    }

    /// The length of the valid UTF-8 sequence at `index`, or an `invalid_utf8` error.
    func validateUTF8(at index: Int) throws(JSONParseError) -> Int {
        let lead = bytes[index]
        let length: Int
        let minimum: UInt32
        switch lead {
        case 0xC2...0xDF: length = 2; minimum = 0x80
        case 0xE0...0xEF: length = 3; minimum = 0x800
        case 0xF0...0xF4: length = 4; minimum = 0x10000
        default: throw JSONParseError(code: "invalid_utf8", message: "invalid UTF-8", offset: index)
        }
        guard index + length <= bytes.count else {
            throw JSONParseError(code: "invalid_utf8", message: "truncated UTF-8", offset: index)
        }
        var scalar = UInt32(lead) & (length == 2 ? 0x1F : length == 3 ? 0x0F : 0x07)
        for i in 1..<length {
            let byte = bytes[index + i]
            guard byte & 0xC0 == 0x80 else {
                throw JSONParseError(code: "invalid_utf8", message: "invalid UTF-8", offset: index)
            }
            scalar = scalar << 6 | UInt32(byte & 0x3F)
        }
        guard scalar >= minimum, scalar <= 0x10FFFF, !(0xD800...0xDFFF).contains(scalar) else {
            throw JSONParseError(code: "invalid_utf8", message: "invalid UTF-8", offset: index)
        }
        return length
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByBooleanLiteral, ExpressibleByNilLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(nilLiteral: ()) { self = .null }
}
