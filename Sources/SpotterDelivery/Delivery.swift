import Foundation
import SpotterCore
import SpotterHTTP

/// The result of one attempt to deliver something: to the homeserver or to a room's webhook.
public enum Delivery: Sendable, Hashable {
    case delivered
    /// Try again after this many seconds (429, 5xx, network).
    case retry(after: Double, reason: String)
    /// Do not try again (other 4xx).
    case rejected(reason: String)

    /// 2xx delivered; 429 and 5xx retried (after what the server asked); other statuses refused.
    public init(_ result: HTTPResult) {
        switch result.status {
        case 200..<300:
            self = .delivered
        case 429, 500..<600:
            self = .retry(after: Self.retryAfter(result) ?? 0, reason: "HTTP \(result.status) \(Self.errcode(result))")
        default:
            self = .rejected(reason: "HTTP \(result.status) \(Self.errcode(result))")
        }
    }

    /// The wait a 429 or 5xx asks for: `Retry-After` (seconds or an HTTP date), else `retry_after_ms`.
    public static func retryAfter(_ result: HTTPResult) -> Double? {
        if let header = result.headers["retry-after"] {
            if let seconds = Double(header.trimmingCharacters(in: .whitespaces)) { return max(0, seconds) }
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "GMT")
            formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
            if let date = formatter.date(from: header) { return max(0, date.timeIntervalSinceNow) }
        }
        if let value = try? JSONValue.parse(result.body), let milliseconds = value["retry_after_ms"]?.number {
            return max(0, milliseconds / 1000)
        }
        return nil
    }

    /// The Matrix `errcode` of an error body, or "".
    public static func errcode(_ result: HTTPResult) -> String {
        (try? JSONValue.parse(result.body))?["errcode"]?.string ?? ""
    }
}

/// Capped exponential backoff: 1 s, 2 s, 4 s … up to 5 minutes, never less than the server asked.
public enum Backoff {
    public static let cap: Double = 300

    public static func delay(attempt: Int, serverAsked: Double) -> Double {
        let exponential = min(cap, pow(2, Double(min(attempt, 20))))
        return min(cap * 2, max(serverAsked, exponential))
    }
}
