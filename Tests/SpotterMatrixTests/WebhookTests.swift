import Foundation
@testable import SpotterBridge
import SpotterCore
@testable import SpotterMatrix
@testable import SpotterServer
import SpotterStore
import SpotterTesting
import SpotterWebhook
import Testing

@Suite("Standard Webhooks channel (no sockets)")
struct WebhookTests {
    let fixture: BridgeFixture
    let secret: WebhookSecret

    init() throws {
        let (secret, text) = WebhookSecret.generate()
        self.secret = secret
        fixture = try BridgeFixture(homeserver: "http://127.0.0.1:9") { $0.webhookSecret = try? WebhookSecret(text) }
    }

    func post(_ body: String, id: String = UUID().uuidString, timestamp: Int? = nil, secret: WebhookSecret? = nil) async -> APIResponse {
        let bytes = Array(body.utf8)
        let time = timestamp ?? Int(fixture.clock.now)
        let headers = StandardWebhooks.headers(id: id, timestamp: time, body: bytes, secret: secret ?? self.secret)
        return await fixture.api.handle(APIRequest(method: "POST", path: "/webhook", headers: headers, body: bytes))
    }

    func code(_ response: APIResponse) -> String? {
        (try? JSONValue.parse(response.body))?["error"]?["code"]?.string
    }

    @Test("a signed message gets its reply in the response, with the chat's fields")
    func valid() async throws {
        let response = await post(#"{"user": "ola", "room": "team", "text": "should I go to failure on squats?", "id": "m1"}"#)
        #expect(response.status == 200)
        let value = try JSONValue.parse(response.body)
        #expect(value["user"]?.string == "ola")
        #expect(value["room"]?.string == "team")
        #expect(value["intent"]?.string == "ask_failure")
        #expect(value["advice"]?["failure"]?.string == "avoid")
        #expect(value["reply"]?.string?.contains("avoid failure") == true)
        for key in ["dialog", "readiness"] { #expect(value[key] != nil) }
    }

    @Test("a wrong signature, another secret or a stale timestamp is 401")
    func refused() async throws {
        let other = WebhookSecret.generate().secret
        let wrong = await post(#"{"user": "ola", "text": "hi"}"#, secret: other)
        #expect(wrong.status == 401 && code(wrong) == "bad_signature")
        let stale = await post(#"{"user": "ola", "text": "hi"}"#, timestamp: Int(fixture.clock.now) - 301)
        #expect(stale.status == 401 && code(stale) == "stale_timestamp")
        let future = await post(#"{"user": "ola", "text": "hi"}"#, timestamp: Int(fixture.clock.now) + 301)
        #expect(future.status == 401 && code(future) == "stale_timestamp")
        // A body changed after signing no longer matches.
        let body = Array(#"{"user": "ola", "text": "hi"}"#.utf8)
        var headers = StandardWebhooks.headers(id: "x", timestamp: Int(fixture.clock.now), body: body, secret: secret)
        headers["webhook-signature"] = "v1,AAAA " + (headers["webhook-signature"] ?? "")
        #expect(await fixture.api.handle(APIRequest(method: "POST", path: "/webhook", headers: headers, body: body)).status == 200,
                "any matching signature in the list passes (key rotation)")
        let tampered = await fixture.api.handle(APIRequest(method: "POST", path: "/webhook", headers: headers,
                                                           body: Array(#"{"user": "ola", "text": "ho"}"#.utf8)))
        #expect(tampered.status == 401)
        let missing = await fixture.api.handle(APIRequest(method: "POST", path: "/webhook", body: body))
        #expect(missing.status == 401 && code(missing) == "missing_headers")
    }

    @Test("a repeated webhook-id is answered again without being processed twice")
    func replay() async throws {
        let body = #"{"user": "pia", "text": "bench 100kg x 5 @ rir 2"}"#
        let first = await post(body, id: "delivery-7")
        let second = await post(body, id: "delivery-7")
        #expect(first.status == 200 && second.status == 200)
        #expect(first.body == second.body)
        let sets = try fixture.database.read { try $0.sets(user: "pia", since: 0) }
        #expect(sets.count == 1)
        #expect(fixture.bridge.metrics.value("spotter_webhook_replays_total") == 1)
    }

    @Test("the same webhook-id arriving many times at once is processed once; every copy gets the first answer")
    func concurrentReplays() async throws {
        // While the batch is held up, the copies pile up and are answered together.
        let bridge = fixture.bridge
        let held = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            bridge.webhookLock.lock()
            held.signal()
            _ = release.wait(timeout: .now() + 10)
            bridge.webhookLock.unlock()
        }
        _ = try await offPool { held.wait() }
        let body = #"{"user": "pia", "text": "bench 100kg x 5 @ rir 2"}"#
        var copies: [Task<APIResponse, Never>] = []
        for _ in 0..<12 { copies.append(Task { await self.post(body, id: "burst-1") }) }
        try await Task.sleep(for: .milliseconds(200))
        release.signal()
        var answers: [APIResponse] = []
        for copy in copies { answers.append(await copy.value) }
        #expect(answers.allSatisfy { $0.status == 200 })
        #expect(Set(answers.map(\.body)).count == 1, "every copy gets the same answer")
        let sets = try fixture.database.read { try $0.sets(user: "pia", since: 0) }
        #expect(sets.count == 1, "the set is logged once")
        #expect(fixture.bridge.metrics.value("spotter_webhook_replays_total") == 11)
        #expect(fixture.bridge.metrics.value("spotter_webhook_requests_total") == 1)
    }

    @Test("bad JSON is 400, an oversize body 413, a missing field 400")
    func badBodies() async throws {
        let notJSON = await post("{user")
        #expect(notJSON.status == 400 && code(notJSON) == "invalid_json")
        let missing = await post(#"{"text": "hi"}"#)
        #expect(missing.status == 400 && code(missing) == "missing_field")
        let small = try BridgeFixture(homeserver: "http://127.0.0.1:9") { $0.webhookSecret = self.secret; $0.maxBodyBytes = 1024 }
        let bytes = Array(("{\"user\": \"a\", \"text\": \"" + String(repeating: "x", count: 2000) + "\"}").utf8)
        let headers = StandardWebhooks.headers(id: "big", timestamp: Int(small.clock.now), body: bytes, secret: secret)
        let big = await small.api.handle(APIRequest(method: "POST", path: "/webhook", headers: headers, body: bytes))
        #expect(big.status == 413)
    }

    @Test("without a secret the endpoint is off")
    func off() async throws {
        let plain = try BridgeFixture(homeserver: "http://127.0.0.1:9")
        #expect(await plain.api.handle(APIRequest(method: "POST", path: "/webhook", body: Array("{}".utf8))).status == 404)
    }

    @Test("signatures match the Standard Webhooks reference vector")
    func referenceVector() throws {
        // From the Standard Webhooks specification's examples.
        let secret = try WebhookSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
        let body = Array(#"{"test": 2432232314}"#.utf8)
        #expect(StandardWebhooks.signature(id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1614265330, body: body, secret: secret)
            == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
    }
}
