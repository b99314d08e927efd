import Foundation
import Logging
import SpotterBridge
import SpotterCore
import SpotterMatrix
import SpotterServer
import SpotterTesting
import SpotterWebhook
import Synchronization
import Testing

@Suite("What an operator sees in the log")
struct OperatorLogTests {
    @Test("each transaction, handled event and reply is logged at info with ids, never the text or a token")
    func trail() async throws {
        let homeserver = FakeHomeserver()
        try await homeserver.start()
        defer { Task { await homeserver.stop() } }
        let log = RecordedLog()
        let fixture = try BridgeFixture(homeserver: homeserver.url, logger: log.logger())
        let secret = "should I go to failure on my squats today"
        let event = BridgeFixture.event("$q1", body: secret)
        #expect(await fixture.put("txn-7", [event]).status == 200)
        #expect(await fixture.put("txn-7", [event]).status == 200)
        try await fixture.drain()

        let records = log.all
        let transactions = records.filter { $0.message == "transaction" }
        #expect(transactions.contains { $0.metadata["txn_id"] == "txn-7" && $0.metadata["events"] == "1" && $0.metadata["duplicates"] == "0" })
        #expect(transactions.contains { $0.metadata["txn_id"] == "txn-7" && $0.metadata["outcome"]?.contains("repeated") == true })
        let handled = try #require(records.first { $0.message == "handled event" })
        #expect(handled.level == .info)
        #expect(handled.metadata["room"] == "!dm:test" && handled.metadata["event_id"] == "$q1")
        #expect(handled.metadata["intent"] == "ask_failure" && handled.metadata["outcome"] == "answered")
        #expect(handled.metadata["handling_ms"] == nil, "timings only at debug")
        #expect(records.contains { $0.message == "reply" && $0.metadata["room"] == "!dm:test" && $0.metadata["status"] == "delivered"
                && $0.metadata["attempts"] == "1" })
        for record in records {
            #expect(!record.all.contains("failure on my squats"), "message text in the log: \(record.all)")
            #expect(!record.all.contains(BridgeFixture.hsToken) && !record.all.contains("as_test"), "a token in the log")
        }
    }

    @Test("the debug level adds the handling time")
    func debugTimings() async throws {
        let homeserver = FakeHomeserver()
        try await homeserver.start()
        defer { Task { await homeserver.stop() } }
        let log = RecordedLog()
        let fixture = try BridgeFixture(homeserver: homeserver.url, logger: log.logger(level: .debug))
        #expect(await fixture.put("txn-1", [BridgeFixture.event("$q1", body: "curls to failure?")]).status == 200)
        try await fixture.drain()
        #expect(log.all.contains { $0.message == "handled event" && $0.metadata["handling_ms"] != nil })
    }

    @Test("reply records carry room, event_id, txn_id, kind and status; no record of a transaction or a webhook holds a body or a token")
    func replyMetadataWithoutSecrets() async throws {
        let homeserver = FakeHomeserver()
        try await homeserver.start()
        defer { Task { await homeserver.stop() } }
        let log = RecordedLog()
        let (secret, secretText) = WebhookSecret.generate()
        let fixture = try BridgeFixture(homeserver: homeserver.url, settingsChange: { $0.webhookSecret = try? WebhookSecret(secretText) },
                                        logger: log.logger(level: .trace))
        let matrixBody = "my left knee clicks on deep squats, should I stop"
        #expect(await fixture.put("txn-42", [BridgeFixture.event("$knee", body: matrixBody)]).status == 200)
        try await fixture.drain()
        let webhookText = "bench 82.5kg x 5 felt heavy after the night shift"
        let body = Array(JSONValue.object([("user", "ola"), ("room", "team"), ("text", .string(webhookText))]).serialized().utf8)
        let headers = StandardWebhooks.headers(id: "hook-9", timestamp: Int(fixture.clock.now), body: body, secret: secret)
        #expect(await fixture.api.handle(APIRequest(method: "POST", path: "/webhook", headers: headers, body: body)).status == 200)

        let records = log.all
        let replies = records.filter { $0.message == "reply" }
        #expect(!replies.isEmpty, "the reply is logged")
        for reply in replies {
            #expect(reply.metadata["room"] == "!dm:test", "\(reply.all)")
            #expect(reply.metadata["event_id"] == "$knee", "a reply names the event it answers: \(reply.all)")
            #expect(reply.metadata["txn_id"]?.isEmpty == false, "\(reply.all)")
            #expect(reply.metadata["kind"] == "message" && reply.metadata["status"] == "delivered", "\(reply.all)")
        }
        let handled = try #require(records.first { $0.message == "handled event" })
        #expect(handled.metadata["room"] == "!dm:test" && handled.metadata["event_id"] == "$knee")
        #expect(records.contains { $0.message == "transaction" && $0.metadata["txn_id"] == "txn-42" })
        for record in records {
            for text in ["left knee clicks", "night shift", BridgeFixture.hsToken, "as_test", secretText,
                         String(secretText.dropFirst("whsec_".count))] {
                #expect(!record.all.contains(text), "\(text.debugDescription) in the log: \(record.all)")
            }
        }
    }

    @Test("a queued item's send transaction id gives back the event it answers, and nothing for posts that answer none")
    func answeredEventFromTransactionID() {
        for eventID in ["$knee", "$a", "$ab", "$abc", "$Yj3r-_9:matrix.example.org", "$ünïcode"] {
            #expect(ReplyContent.answeredEventID(transactionID: ReplyContent.transactionID(replyingTo: eventID)) == eventID)
            for prefix in ["checkin:", "personal:"] {
                #expect(ReplyContent.answeredEventID(transactionID: ReplyContent.transactionID(replyingTo: prefix + eventID)) == eventID)
            }
        }
        for other in ["encrypted-!gym:test", "reaction:$prompt:1", "prompt:!gym:test:2026-03-29", "webhook-reply:hook-9"] {
            #expect(ReplyContent.answeredEventID(transactionID: ReplyContent.transactionID(replyingTo: other)) == nil, "\(other)")
        }
        for garbage in ["spotter-", "spotter-A", "spotter-!!", "bench-7", ""] {
            #expect(ReplyContent.answeredEventID(transactionID: garbage) == nil, "\(garbage)")
        }
    }

    @Test("the crash hook comes from SPOTTER_CRASH_AFTER_JOURNAL=1 only, read once into the settings the bridge is given")
    func crashHookFromEnvironment() {
        #expect(TestHooks(environment: ["SPOTTER_CRASH_AFTER_JOURNAL": "1"]).exitBeforeHandlingMessages)
        #expect(!TestHooks(environment: ["SPOTTER_CRASH_AFTER_JOURNAL": "0"]).exitBeforeHandlingMessages)
        #expect(!TestHooks(environment: [:]).exitBeforeHandlingMessages)
        #expect(TestHooks.none == TestHooks(environment: [:]))
    }
}
