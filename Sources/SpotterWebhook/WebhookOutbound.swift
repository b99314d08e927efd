import Foundation
import SpotterCore
import SpotterDelivery
import SpotterHTTP
import SpotterStore

/// Posts to other chat systems' incoming webhooks, signed per Standard Webhooks, over libcurl.
public final class WebhookSender: Sendable {
    let client: CurlClient

    public init(client: CurlClient) {
        self.client = client
    }

    /// POSTs a payload; `id` is stable across retries, so the receiver can drop repeats.
    public func post(url: String, payload: String, id: String, secret: WebhookSecret, now: Timestamp) -> Delivery {
        let body = Array(payload.utf8)
        var headers = StandardWebhooks.headers(id: id, timestamp: Int(now), body: body, secret: secret)
        headers["Content-Type"] = "application/json"
        headers["User-Agent"] = "Spotter"
        do {
            return Delivery(try client.send("POST", url, headers: headers, body: body))
        } catch {
            return .retry(after: 0, reason: error.code)
        }
    }
}

/// Posts to rooms' outbound webhooks (Slack, Mattermost, Discord, hookshot), signed per
/// Standard Webhooks, over a connection apart from the homeserver's.
package struct WebhookOutbound: OutboundChannel {
    let sender: WebhookSender?
    /// The secret a room's posts are signed with: its own, else the server's.
    let secret: @Sendable (_ room: String) -> WebhookSecret?
    let clock: @Sendable () -> Timestamp

    package init(sender: WebhookSender?, secret: @escaping @Sendable (_ room: String) -> WebhookSecret?,
                 clock: @escaping @Sendable () -> Timestamp) {
        self.sender = sender
        self.secret = secret
        self.clock = clock
    }

    package func carries(_ item: OutboxItem) -> Bool { item.kind == .webhook }

    package func deliver(_ items: [OutboxItem]) -> [Attempt] {
        items.map { (post($0, id: $0.transactionID ?? "spotter-\($0.id)"), nil) }
    }

    /// The webhook-id stays the same across retries, so the receiver can drop repeats.
    func post(_ item: OutboxItem, id: String) -> Delivery {
        guard let url = item.target else { return .rejected(reason: "a webhook post without a URL") }
        guard let secret = secret(item.roomID) else {
            return .rejected(reason: "no secret to sign the webhook post with")
        }
        guard let sender else { return .retry(after: 0, reason: "no HTTP client") }
        return sender.post(url: url, payload: item.contentJSON ?? "{}", id: id, secret: secret, now: clock())
    }
}
