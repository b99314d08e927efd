import Foundation
import SpotterApp
import SpotterCore
import SpotterGroup
import SpotterStore
import SpotterWebhook

extension MatrixBridge {
    /// `POST /webhook`: a message from another chat system, signed per Standard Webhooks. The
    /// reply comes back in the response body, with the fields of a `spotter chat --jsonl` line.
    /// A repeated `webhook-id` gets the first answer again without being processed twice.
    func webhook(_ request: APIRequest) async -> APIResponse {
        await Blocking.run { self.webhookNow(request) }
    }

    /// The webhook's work, blocking: run off the cooperative pool.
    private func webhookNow(_ request: APIRequest) -> APIResponse {
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
        // Ids are stored exactly as given: one the store could not keep whole is refused.
        for (id, field) in [(user, "\"user\""), (room, "\"room\"")] {
            if let problem = Identifier.problem(id, field: field) { return webhookError(400, problem.code, problem.message) }
        }
        // A Matrix room's settings, conversations and check-ins belong to Matrix: a webhook caller
        // naming its id speaks for nobody there.
        if channel(of: room) == .matrix {
            return webhookError(403, "wrong_channel", "\(room.debugDescription) is a Matrix room; it is reached through Matrix, not the "
                + "webhook. Name a webhook room (one with a webhook in Config/, or any name that is not a Matrix room id)")
        }
        let hook = settings.group.rooms[room]?.outbound
        // A room command may come with or without the prefix: every webhook message is addressed.
        var commandText = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if commandText.lowercased().hasPrefix(bot.commandPrefix.lowercased()) { commandText = String(commandText.dropFirst(bot.commandPrefix.count)) }
        let command = RoomCommand.parse(commandText)
        let incoming = [IncomingMessage(user: user, room: room, text: text)]
        // Understood before taking the lock: a long message does not hold up other webhooks (a
        // replay needs no understanding; the lock below decides what is answered).
        let seen = ((try? runtime.database.read { try $0.webhookResponse(id) }) ?? nil) != nil
        let understood = command == nil && !seen ? runtime.understandAhead(incoming) : [nil]
        return webhookLock.withLock {
            do {
                if let earlier = try runtime.database.read({ try $0.webhookResponse(id) }) {
                    metrics.increment("spotter_webhook_replays_total")
                    let accepted = (try? JSONValue.parse(Array(earlier.utf8)))?["status"]?.string == "accepted"
                    return APIResponse(status: accepted ? 202 : 200, contentType: "application/json", body: earlier)
                }
                let now = clock()
                let accepted = JSONValue.object([("status", "accepted"), ("webhook_id", .string(id))]).serialized()
                var answer = ""
                if let command {
                    try runtime.database.write { session in
                        let reply = try self.apply(command, room: room, user: user, from: .webhook, session: session, now: now)
                        let line = JSONValue.object([
                            ("user", .string(user)), ("room", .string(room)), ("reply", .string(reply)), ("intent", "room_command"),
                            ("dialog", .null), ("readiness", .null), ("advice", .null),
                        ])
                        if hook != nil {
                            try self.enqueueRoomPost(session, room: room, text: reply, dedupeKey: "webhook-reply:\(id)", now: now)
                            answer = accepted
                        } else {
                            answer = line.serialized()
                        }
                        try session.saveWebhookResponse(id, user: user, response: answer, at: now)
                    }
                } else {
                    _ = try runtime.handle(incoming, understood: understood) { session, replies in
                        if hook != nil {
                            try self.enqueueRoomPost(session, room: room, text: replies[0].reply, dedupeKey: "webhook-reply:\(id)", now: now)
                            answer = accepted
                        } else {
                            answer = replies[0].json.serialized()
                        }
                        // After "forget me" + "yes" nothing of the user is kept, this answer included:
                        // its webhook-id stays as a tombstone so a replay is not processed again.
                        let forgotten = replies[0].forgotten
                        try session.saveWebhookResponse(id, user: forgotten ? "" : user,
                                                        response: forgotten ? StoreSession.forgottenWebhookResponse(id) : answer, at: now)
                    }
                }
                metrics.increment("spotter_webhook_requests_total")
                if hook != nil { wake.signal() }
                return APIResponse(status: hook == nil ? 200 : 202, contentType: "application/json", body: answer)
            } catch {
                reportStorage()
                return webhookError(500, "storage", "could not store the message; send it again")
            }
        }
    }

    func webhookError(_ status: Int, _ code: String, _ message: String) -> APIResponse {
        .json(status, .object([("error", .object([("code", .string(code)), ("message", .string(message))]))]))
    }
}
