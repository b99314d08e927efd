import Crypto
import Foundation
import SpotterCore

/// A Standard Webhooks secret: `whsec_` followed by base64 key bytes.
public struct WebhookSecret: Sendable, Hashable {
    public let key: [UInt8]

    /// Reads `whsec_…`; a secret without the prefix is taken as base64 too.
    public init(_ text: String) throws(WebhookError) {
        let encoded = text.hasPrefix("whsec_") ? String(text.dropFirst(6)) : text
        guard let data = Data(base64Encoded: encoded), data.count >= 16 else {
            throw WebhookError(code: "bad_secret", message: "the webhook secret must be whsec_ followed by base64 of at least 16 bytes")
        }
        key = Array(data)
    }

    public init(key: [UInt8]) { self.key = key }

    /// A new random secret, written as Standard Webhooks writes it.
    public static func generate() -> (secret: WebhookSecret, text: String) {
        var generator = SystemRandomNumberGenerator()
        let key = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return (WebhookSecret(key: key), "whsec_" + Data(key).base64EncodedString())
    }
}

/// Why a webhook request was refused.
public struct WebhookError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Stable codes: `missing_headers`, `stale_timestamp`, `bad_signature`, `bad_secret`.
    public var code: String
    public var message: String

    public var description: String { "\(code): \(message)" }
}

/// Signing and verifying per the Standard Webhooks scheme: `webhook-id`, `webhook-timestamp`
/// and `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`.
public enum StandardWebhooks {
    /// Requests more than this far from now (seconds) are refused.
    public static let tolerance: Double = 300

    /// The `webhook-signature` value for a body.
    public static func signature(id: String, timestamp: Int, body: [UInt8], secret: WebhookSecret) -> String {
        var message = Array("\(id).\(timestamp).".utf8)
        message.append(contentsOf: body)
        let mac = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: secret.key))
        return "v1," + Data(mac).base64EncodedString()
    }

    /// The headers a sender adds.
    public static func headers(id: String, timestamp: Int, body: [UInt8], secret: WebhookSecret) -> [String: String] {
        ["webhook-id": id, "webhook-timestamp": String(timestamp),
         "webhook-signature": signature(id: id, timestamp: timestamp, body: body, secret: secret)]
    }

    /// Checks a request; returns its `webhook-id`. Header names must be lowercased.
    public static func verify(
        headers: [String: String], body: [UInt8], secret: WebhookSecret, now: Timestamp
    ) throws(WebhookError) -> String {
        let (id, timestamp, signatures) = try checkHeaders(headers, now: now)
        let expected = Array(signature(id: id, timestamp: timestamp, body: body, secret: secret).utf8)
        // A space-separated list allows key rotation; any v1 match passes.
        for candidate in signatures where candidate.hasPrefix("v1,") {
            if constantTimeEqual(Array(candidate.utf8), expected) { return id }
        }
        throw WebhookError(code: "bad_signature", message: "no webhook-signature matches")
    }

    /// What can be checked before the body is read: the headers are there, the timestamp is
    /// within the window, and some signature has the shape of a v1 HMAC. A request failing here
    /// is refused without buffering its body; the same codes as ``verify``.
    public static func checkHeaders(
        _ headers: [String: String], now: Timestamp
    ) throws(WebhookError) -> (id: String, timestamp: Int, signatures: [Substring]) {
        guard let id = headers["webhook-id"], !id.isEmpty, let timestampText = headers["webhook-timestamp"],
              let signatureText = headers["webhook-signature"] else {
            throw WebhookError(code: "missing_headers", message: "webhook-id, webhook-timestamp and webhook-signature are required")
        }
        guard let timestamp = Int(timestampText.trimmingCharacters(in: .whitespaces)) else {
            throw WebhookError(code: "stale_timestamp", message: "webhook-timestamp must be Unix seconds")
        }
        guard abs(Double(timestamp) - now) <= tolerance else {
            throw WebhookError(code: "stale_timestamp", message: "webhook-timestamp is more than 5 minutes from now")
        }
        let signatures = signatureText.split(separator: " ")
        // base64 of a 32-byte HMAC is 44 characters.
        guard signatures.contains(where: { $0.hasPrefix("v1,") && $0.utf8.count == 47 }) else {
            throw WebhookError(code: "bad_signature", message: "no webhook-signature matches")
        }
        return (id, timestamp, signatures)
    }

    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}
