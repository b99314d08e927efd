import Foundation
import SpotterApp
import SpotterCore
import SpotterDelivery
import SpotterGroup
import SpotterMatrix
import SpotterStore
import SpotterWebhook

extension MatrixBridge {
    /// `POST /webhook`: a message from another chat system, signed per Standard Webhooks. The
    /// reply comes back in the response body, with the fields of a `spotter chat --jsonl` line.
    /// A repeated `webhook-id` gets the first answer again without being processed twice.
    /// Requests arriving together are answered together: one transaction per batch.
    package func webhook(_ request: APIRequest) async -> APIResponse {
        // A chat-sized message is checked and understood where it arrived: that is CPU work of
        // microseconds and never waits for the store (only cached conversations are consulted).
        // A large body goes to the blocking threads, so it cannot hold up the others.
        let prepared = request.body.count <= Self.inlineWebhookBytes
            ? prepareWebhook(request, readingStore: false) : await Blocking.run { self.prepareWebhook(request, readingStore: true) }
        switch prepared {
        case let .answered(response): return response
        case let .job(job): return await webhookCommit.submit(job)
        }
    }

    static let inlineWebhookBytes = 2048

    private enum PreparedWebhook: Sendable {
        case answered(APIResponse)
        case job(WebhookJob)
    }

    /// Checks, parses and understands a request, blocking: run off the cooperative pool, many at
    /// once. What is stored is decided in the batch (``answerWebhooks(_:)``).
    private func prepareWebhook(_ request: APIRequest, readingStore: Bool) -> PreparedWebhook {
        guard let secret = settings.webhookSecret else {
            return .answered(.error(404, "M_UNRECOGNIZED", "The webhook channel is not configured (webhook.secret or SPOTTER_WEBHOOK_SECRET)"))
        }
        if request.body.count > settings.maxBodyBytes { return .answered(webhookError(413, "too_large", "the body is too large")) }
        let id: String
        do {
            id = try StandardWebhooks.verify(headers: request.headers, body: request.body, secret: secret, now: clock())
        } catch {
            return .answered(webhookError(401, error.code, error.message))
        }
        let value: JSONValue
        do {
            value = try JSONValue.parse(request.body)
        } catch {
            return .answered(webhookError(400, error.code, "the body is not valid JSON: \(error.description)"))
        }
        guard let user = value["user"]?.string, !user.isEmpty, let text = value["text"]?.string else {
            return .answered(webhookError(400, "missing_field", "the body needs \"user\" and \"text\" strings"))
        }
        let room = value["room"]?.string.flatMap { $0.isEmpty ? nil : $0 } ?? "direct"
        // Ids are stored exactly as given: one the store could not keep whole is refused.
        for (id, field) in [(user, "\"user\""), (room, "\"room\"")] {
            if let problem = Identifier.problem(id, field: field) { return .answered(webhookError(400, problem.code, problem.message)) }
        }
        // A Matrix room's settings, conversations and check-ins belong to Matrix: a webhook caller
        // naming its id speaks for nobody there.
        if group.channel(of: room) == .matrix {
            return .answered(webhookError(403, "wrong_channel", "\(room.debugDescription) is a Matrix room; it is reached through Matrix, not the "
                + "webhook. Name a webhook room (one with a webhook in Config/, or any name that is not a Matrix room id)"))
        }
        // A room command may come with or without the prefix: every webhook message is addressed.
        var commandText = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if commandText.lowercased().hasPrefix(bot.commandPrefix.lowercased()) { commandText = String(commandText.dropFirst(bot.commandPrefix.count)) }
        let command = RoomCommand.parse(commandText)
        // Understood here, many at once, outside the batch's transaction; the batch decides what
        // is answered (a replay, rare, is understood for nothing rather than every request paying
        // a read to find out).
        let understood = command == nil ? runtime.understandAhead([IncomingMessage(user: user, room: room, text: text)], readingStore: readingStore)[0] : nil
        return .job(WebhookJob(id: id, user: user, room: room, text: text, command: command,
                               postsToRoom: settings.group.rooms[room]?.outbound != nil, understood: understood))
    }

    /// Answers a batch of webhook requests in order: a webhook-id seen before (stored, or earlier
    /// in the batch) gets its first answer again; room commands are applied one at a time, in
    /// order; the messages between them are handled in one transaction with their stored answers.
    func answerWebhooks(_ jobs: [WebhookJob]) -> [APIResponse] {
        webhookLock.withLock {
            var answers = [APIResponse?](repeating: nil, count: jobs.count)
            var first: [String: Int] = [:]
            var repeats: [(index: Int, of: Int)] = []
            var run: [Int] = []
            let storageFailure = webhookError(500, "storage", "could not store the message; send it again")
            func flush() {
                guard !run.isEmpty else { return }
                defer { run.removeAll() }
                let indices = run
                let now = clock()
                let accepted = { (id: String) in JSONValue.object([("status", "accepted"), ("webhook_id", .string(id))]).serialized() }
                var bodies: [String] = []
                do {
                    _ = try runtime.handle(indices.map { IncomingMessage(user: jobs[$0].user, room: jobs[$0].room, text: jobs[$0].text) },
                                           understood: indices.map { jobs[$0].understood }) { session, replies in
                        bodies.removeAll()
                        for (index, reply) in zip(indices, replies) {
                            let job = jobs[index]
                            let answer: String
                            if job.postsToRoom {
                                try self.group.enqueueRoomPost(session, room: job.room, text: reply.reply, dedupeKey: "webhook-reply:\(job.id)", now: now)
                                answer = accepted(job.id)
                            } else {
                                answer = reply.json.serialized()
                            }
                            // After "forget me" + "yes" nothing of the user is kept, this answer included:
                            // its webhook-id stays as a tombstone so a replay is not processed again.
                            try session.saveWebhookResponse(job.id, user: reply.forgotten ? "" : job.user,
                                                            response: reply.forgotten ? StoreSession.forgottenWebhookResponse(job.id) : answer,
                                                            at: now)
                            bodies.append(answer)
                        }
                    }
                    for (index, body) in zip(indices, bodies) {
                        answers[index] = APIResponse(status: jobs[index].postsToRoom ? 202 : 200, contentType: "application/json", body: body)
                    }
                    metrics.increment("spotter_webhook_requests_total", by: Double(indices.count))
                    if indices.contains(where: { jobs[$0].postsToRoom }) { webhookOutboxWake.signal() }
                } catch {
                    guard case .conflict = error else {
                        reportStorage()
                        for index in indices { answers[index] = storageFailure }
                        return
                    }
                    // Another instance answered one of these webhook-ids meanwhile (nothing of this
                    // batch was stored): its answer is given again, and the others go one at a time.
                    for index in indices {
                        if let stored = try? runtime.database.read({ try $0.webhookResponse(jobs[index].id) }) {
                            answers[index] = replay(stored)
                        } else {
                            run = [index]
                            flush()
                        }
                    }
                }
            }
            // The answers stored for these ids, in one read: only this thread stores them.
            let storedAnswers: [String?]
            do {
                storedAnswers = try runtime.database.read { session in try jobs.map { try session.webhookResponse($0.id) } }
            } catch {
                reportStorage()
                return jobs.map { _ in storageFailure }
            }
            for (index, job) in jobs.enumerated() {
                if let earlier = first[job.id] {
                    repeats.append((index, earlier))
                    continue
                }
                first[job.id] = index
                if let stored = storedAnswers[index] {
                    answers[index] = replay(stored)
                } else if let command = job.command {
                    // Room commands change what later messages see: in order, on their own.
                    flush()
                    answers[index] = applyWebhookCommand(command, job)
                } else {
                    run.append(index)
                }
            }
            flush()
            for (index, earlier) in repeats {
                // The same webhook-id twice in one batch: the second is a replay of the first.
                if let answer = answers[earlier], answer.status < 300 {
                    answers[index] = replay(answer.body)
                } else {
                    answers[index] = answers[earlier]
                }
            }
            return answers.map { $0 ?? storageFailure }
        }
    }

    /// A stored answer given again for a repeated webhook-id.
    private func replay(_ stored: String) -> APIResponse {
        metrics.increment("spotter_webhook_replays_total")
        let accepted = (try? JSONValue.parse(Array(stored.utf8)))?["status"]?.string == "accepted"
        return APIResponse(status: accepted ? 202 : 200, contentType: "application/json", body: stored)
    }

    /// A room command from the webhook, applied and answered in its own transaction.
    private func applyWebhookCommand(_ command: RoomCommand, _ job: WebhookJob) -> APIResponse {
        let now = clock()
        do {
            var answer = ""
            try runtime.database.write { session in
                let reply = try self.group.apply(command, room: job.room, user: job.user, from: .webhook, session: session, now: now)
                if job.postsToRoom {
                    try self.group.enqueueRoomPost(session, room: job.room, text: reply, dedupeKey: "webhook-reply:\(job.id)", now: now)
                    answer = JSONValue.object([("status", "accepted"), ("webhook_id", .string(job.id))]).serialized()
                } else {
                    answer = JSONValue.object([
                        ("user", .string(job.user)), ("room", .string(job.room)), ("reply", .string(reply)), ("intent", "room_command"),
                        ("dialog", .null), ("readiness", .null), ("advice", .null),
                    ]).serialized()
                }
                try session.saveWebhookResponse(job.id, user: job.user, response: answer, at: now)
            }
            metrics.increment("spotter_webhook_requests_total")
            if job.postsToRoom { webhookOutboxWake.signal() }
            return APIResponse(status: job.postsToRoom ? 202 : 200, contentType: "application/json", body: answer)
        } catch {
            // Another instance applied this very request first: its answer is the answer.
            if case .conflict = error, let stored = try? runtime.database.read({ try $0.webhookResponse(job.id) }) { return replay(stored) }
            reportStorage()
            return webhookError(500, "storage", "could not store the message; send it again")
        }
    }

    package func webhookError(_ status: Int, _ code: String, _ message: String) -> APIResponse {
        .json(status, .object([("error", .object([("code", .string(code)), ("message", .string(message))]))]))
    }
}

/// A checked, parsed webhook request waiting for its batch.
struct WebhookJob: Sendable {
    var id: String
    var user: String
    var room: String
    var text: String
    var command: RoomCommand?
    /// The room has an outbound webhook: the answer is posted there, the caller gets 202.
    var postsToRoom: Bool
    var understood: ChatRuntime.Understood?
}
