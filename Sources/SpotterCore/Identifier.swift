/// The rules for user and room ids at every edge (chat, webhook, Matrix, the command line).
///
/// An id is stored and compared exactly as given, so it must be one the store keeps whole:
/// SQLite's text binding ends a string at its first NUL, which made `"victim\u{0}attacker"` the
/// victim. Ids with control characters are refused (a NUL, a newline, an escape sequence for a
/// terminal reading the logs), and so are very long ones: Matrix allows 255 bytes for a user id.
public enum Identifier {
    /// The most UTF-8 bytes an id may have (the Matrix limit for user ids).
    public static let maxBytes = 255

    /// Why an id cannot be used, or nil when it can. `field` names it in the message
    /// (`"user"`, `"room"`, `--user`).
    public static func problem(_ id: String, field: String) -> IdentifierProblem? {
        if id.isEmpty { return IdentifierProblem(field: field, message: "\(field) must not be empty") }
        if let bad = id.unicodeScalars.first(where: isControl) {
            let code = String(bad.value, radix: 16, uppercase: true)
            return IdentifierProblem(
                field: field,
                message: "\(field) must not contain control characters (found U+\(String(repeating: "0", count: max(0, 4 - code.count)))\(code)); "
                    + "send the id without them")
        }
        let bytes = id.utf8.count
        if bytes > maxBytes {
            return IdentifierProblem(field: field, message: "\(field) is \(bytes) bytes long; at most \(maxBytes) are allowed")
        }
        return nil
    }

    /// C0 and C1 controls, DEL, and the line and paragraph separators.
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar.value == 0x2028 || scalar.value == 0x2029
    }
}

/// An id that cannot be used: the field, and a message saying what to fix. Its code is the
/// `invalid_field` of the chat and webhook error contracts.
public struct IdentifierProblem: Error, Sendable, Hashable, CustomStringConvertible {
    public var field: String
    public var message: String
    public var code: String { "invalid_field" }
    public var description: String { message }
}
