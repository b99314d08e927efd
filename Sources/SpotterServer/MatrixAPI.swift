import Foundation
import SpotterBridge
import SpotterCore
import SpotterDelivery
import SpotterMatrix
import SpotterStore
import SpotterWebhook

/// What each route of the Application Service API, health and metrics answers. The router
/// (``MatrixServer/router(bridge:)``) matches paths and methods, checks the hs_token and reads
/// bodies; these functions only answer.
public struct MatrixAPI: Sendable {
    public let bridge: MatrixBridge

    public init(bridge: MatrixBridge) { self.bridge = bridge }

    var settings: MatrixSettings { bridge.settings }

    static let unrecognized = APIResponse.error(404, "M_UNRECOGNIZED", "Unrecognized request")
    static let methodNotAllowed = APIResponse.error(405, "M_UNRECOGNIZED", "Unrecognized request method")

    func health() -> APIResponse { .json(200, .object([("status", "ok")])) }

    /// 200 while writes succeed; 503 with the store's reason otherwise. Who the bot is only for
    /// the homeserver (`identified`: the hs_token came with it): an anonymous probe learns nothing.
    func readiness(identified: Bool) async -> APIResponse {
        guard let problem = await bridge.readinessProblem() else {
            return .json(200, .object([("status", "ready")] + (identified ? [("bot", .string(bridge.bot.userID))] : [])))
        }
        return .json(503, .object([("status", "database unavailable"), ("reason", .string(problem.code)),
                                   ("detail", .string(problem.reason))]))
    }

    func metrics() -> APIResponse {
        APIResponse(status: 200, contentType: "text/plain; version=0.0.4", body: bridge.metrics.exposition())
    }

    func ping() -> APIResponse { .json(200, .object([])) }

    /// A user query: only the bot exists. `encodedID` is the path segment as sent.
    func user(_ encodedID: String) -> APIResponse {
        encodedID.removingPercentEncoding == bridge.bot.userID ? .json(200, .object([])) : .error(404, "M_NOT_FOUND", "No such user")
    }

    func roomAlias() -> APIResponse { .error(404, "M_NOT_FOUND", "Spotter manages no room aliases") }

    func transaction(_ id: String, _ body: [UInt8]) async -> APIResponse {
        guard !id.isEmpty else { return .error(400, "M_UNRECOGNIZED", "Missing transaction id") }
        if body.count > settings.maxBodyBytes { return bodyRefused(.tooLarge) }
        do {
            switch try await bridge.receive(transactionID: id, body: body) {
            case .accepted, .duplicate: return .json(200, .object([]))
            case let .notJSON(reason): return .error(400, "M_NOT_JSON", "The body is not JSON: \(reason)")
            case let .badJSON(reason): return .error(400, "M_BAD_JSON", reason)
            }
        } catch {
            // Not journaled: the homeserver will retry, which is what we want.
            await Blocking.run { bridge.reportStorage() }
            return .error(500, "M_UNKNOWN", "Could not store the transaction: \(error.code)")
        }
    }

    /// A Matrix request's body the server could not take: too large (413), or cut off before its end (400).
    func bodyRefused(_ refusal: BodyRefusal) -> APIResponse {
        switch refusal {
        case .tooLarge: .error(413, "M_TOO_LARGE", "The body is larger than \(settings.maxBodyBytes) bytes")
        case .incomplete: .error(400, "M_NOT_JSON", "The body ended before it was complete; send it again")
        }
    }

    /// `POST /webhook` with its whole body.
    func webhook(_ request: APIRequest) async -> APIResponse { await bridge.webhook(request) }

    /// The answer to a webhook decided from its headers alone, or nil when its body is needed: only
    /// a webhook whose signature headers are well formed and fresh has its body read.
    func webhookFromHeaders(_ request: APIRequest) async -> APIResponse? {
        var headersOnly = request
        headersOnly.body = []
        guard settings.webhookSecret != nil else { return await bridge.webhook(headersOnly) }
        do {
            _ = try StandardWebhooks.checkHeaders(request.headers, now: bridge.clock())
            return nil
        } catch {
            return bridge.webhookError(401, error.code, error.message)
        }
    }

    /// A webhook's body the server could not take, in the webhook's error format.
    func webhookBodyRefused(_ refusal: BodyRefusal) -> APIResponse {
        switch refusal {
        case .tooLarge: bridge.webhookError(413, "too_large", "the body is larger than \(settings.maxBodyBytes) bytes")
        case .incomplete: bridge.webhookError(400, "incomplete_body", "the body ended before it was complete; send it again")
        }
    }

    func webhookBusy() -> APIResponse {
        bridge.webhookError(503, "busy", "too many large webhook bodies are being received at once "
            + "(matrix.webhook_buffer_bytes); send it again shortly")
    }

    /// nil when the request carries the hs_token (the `Authorization` bearer, or the legacy
    /// `access_token` query parameter when allowed); otherwise the error to answer.
    func authorize(authorization: String?, queryToken: String?) -> APIResponse? {
        var token: String?
        if let header = authorization {
            let value = header.trimmingCharacters(in: .whitespaces)
            if value.lowercased().hasPrefix("bearer ") {
                let bearer = value.dropFirst(7).trimmingCharacters(in: .whitespaces)
                if !bearer.isEmpty { token = bearer }  // an empty bearer counts as absent
            }
        }
        if settings.allowQueryToken, let query = queryToken, !query.isEmpty {
            if let token, !Self.constantTimeEqual(token, query) {
                return .error(403, "M_FORBIDDEN", "The header and query tokens differ")
            }
            token = token ?? query
        }
        guard let token else { return .error(401, "M_UNAUTHORIZED", "Missing the homeserver token") }
        guard Self.constantTimeEqual(token, settings.registration.hsToken) else {
            return .error(403, "M_FORBIDDEN", "Bad homeserver token")
        }
        return nil
    }

    /// Compares two secrets in time that does not depend on where they differ.
    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        var difference = UInt8(x.count == y.count ? 0 : 1)
        for index in 0..<max(x.count, y.count) {
            difference |= (index < x.count ? x[index] : 0) ^ (index < y.count ? y[index] : 0)
        }
        return difference == 0
    }
}
