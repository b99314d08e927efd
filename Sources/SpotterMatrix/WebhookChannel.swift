import Foundation
import SpotterApp
import SpotterCore
import SpotterStore
import SpotterWebhook

extension MatrixBridge {
    /// `POST /webhook`: a message from another chat system, signed per Standard Webhooks. The
    /// reply comes back in the response body, with the fields of a `spotter chat --jsonl` line.
    /// A repeated `webhook-id` gets the first answer again without being processed twice.
    func webhook(_ request: APIRequest) async -> APIResponse {
        guard let secret = settings.webhookSecret else {
            return .error(404, "M_UNRECOGNIZED", "The webhook channel is not configured (webhook.secret or SPOTTER_WEBHOOK_SECRET)")
        }
        if request.body.count > settings.maxBodyBytes { return webhookError(413, "too_large", "the body is too large") }
        let id: String
        do {
            id = try StandardWebhooks.verify(headers: request.headers, body: request.body, secret: secret, now: clock())
        } catch {
            return webhookError(401, error.code, error.message)
        }
        let value: JSONValue
        do {
            value = try JSONValue.parse(request.body)
        } catch {
            return webhookError(400, error.code, "the body is not valid JSON: \(error.description)")
        }
        guard let user = value["user"]?.string, !user.isEmpty, let text = value["text"]?.string else {
            return webhookError(400, "missing_field", "the body needs \"user\" and \"text\" strings")
        }
        let room = value["room"]?.string.flatMap { $0.isEmpty ? nil : $0 } ?? "direct"
        return webhookLock.withLock {
            do {
                if let earlier = try runtime.database.read({ try $0.webhookResponse(id) }) {
                    metrics.increment("spotter_webhook_replays_total")
                    return APIResponse(status: 200, contentType: "application/json", body: earlier)
                }
                var answer = ""
                _ = try runtime.handle([IncomingMessage(user: user, room: room, text: text)]) { session, replies in
                    answer = replies[0].json.serialized()
                    try session.saveWebhookResponse(id, user: user, response: answer, at: self.clock())
                }
                metrics.increment("spotter_webhook_requests_total")
                return APIResponse(status: 200, contentType: "application/json", body: answer)
            } catch {
                return webhookError(500, "storage", "could not store the message; send it again")
            }
        }
    }

    func webhookError(_ status: Int, _ code: String, _ message: String) -> APIResponse {
        .json(status, .object([("error", .object([("code", .string(code)), ("message", .string(message))]))]))
    }
}
