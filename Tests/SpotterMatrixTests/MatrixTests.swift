import Foundation
import Logging
import SpotterApp
import SpotterBridge
import SpotterCore
import SpotterDelivery
import SpotterHTTP
import SpotterMatrix
import SpotterServer
import SpotterStore
import SpotterTesting
import Testing

/// A bridge over a temporary database, pointed at a fake homeserver, with a hand-moved clock.
struct BridgeFixture {
    let folder: URL
    let bridge: MatrixBridge
    let api: RouterClient
    let clock: MockClock
    let database: SpotterDatabase

    static let hsToken = "hs_test_token_0123456789"

    /// `folder` and `clock` from an earlier fixture make a restart on the same database.
    init(
        homeserver: String, requestTimeoutMilliseconds: Int = 10_000, folder: URL? = nil, clock: MockClock? = nil,
        settingsChange: (inout MatrixSettings) -> Void = { _ in }, logger given: Logger? = nil, database shared: SpotterDatabase? = nil
    ) throws {
        self.folder = try folder ?? temporaryFolder("spotter-matrix")
        self.clock = clock ?? MockClock(1_795_420_800)
        // `shared`: another instance's store (PostgreSQL), else a SQLite file of this fixture's own.
        database = try shared ?? SpotterDatabase(path: self.folder.appendingPathComponent("s.sqlite").path)
        let clock: MockClock = self.clock
        let runtime = ChatRuntime(coach: ProjectFixtures.coach, database: database, settings: CoachingSettings().dialog,
                                  clock: { clock.now })
        var settings = MatrixSettings(
            homeserver: homeserver, listenHost: "127.0.0.1", listenPort: 0,
            registration: Registration(id: "spotter", url: "", asToken: "as_test", hsToken: Self.hsToken, senderLocalpart: "coach"),
            botUserID: "@coach:test")
        settingsChange(&settings)
        let client = try CurlClient()
        client.requestTimeout = requestTimeoutMilliseconds
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        if let given { logger = given }
        bridge = MatrixBridge(settings: settings, runtime: runtime,
                              homeserver: HomeserverClient(base: homeserver, asToken: "as_test", client: client),
                              botUserID: "@coach:test", metrics: MatrixMetrics(), logger: logger, clock: { clock.now })
        api = RouterClient(bridge: bridge)
    }

    static func event(_ id: String, room: String = "!dm:test", sender: String = "@alice:test", body: String,
                      ts: Double = 1_795_420_800_000, extra: [(key: String, value: JSONValue)] = [],
                      msgtype: String = "m.text") -> JSONValue {
        .object([
            ("event_id", .string(id)), ("room_id", .string(room)), ("sender", .string(sender)), ("type", "m.room.message"),
            ("origin_server_ts", .number(ts)),
            ("content", .object([("msgtype", .string(msgtype)), ("body", .string(body))] + extra)),
        ])
    }

    static func transaction(_ events: [JSONValue]) -> [UInt8] {
        Array(JSONValue.object([("events", .array(events))]).serialized().utf8)
    }

    func put(_ id: String, _ events: [JSONValue], token: String? = hsToken) async -> APIResponse {
        var headers: [String: String] = [:]
        if let token { headers["authorization"] = "Bearer \(token)" }
        return await api.handle(APIRequest(method: "PUT", path: "/_matrix/app/v1/transactions/\(id)", headers: headers,
                                     body: Self.transaction(events)))
    }

    /// Runs the worker until nothing is left to do now, off the cooperative pool.
    func drain() async throws {
        let bridge = self.bridge
        try await offPool { for _ in 0..<20 where try bridge.step() {} }
    }
}

@Suite("Application service API (no sockets)")
struct MatrixAPITests {
    let fixture: BridgeFixture

    init() throws { fixture = try BridgeFixture(homeserver: "http://127.0.0.1:9") }

    @Test("the hs_token is required; a wrong or empty bearer is refused")
    func authentication() async {
        let event = BridgeFixture.event("$a", body: "hi")
        #expect(await fixture.put("1", [event], token: nil).status == 401)
        let wrong = await fixture.put("1", [event], token: "nope")
        #expect(wrong.status == 403)
        #expect(wrong.errcode == "M_FORBIDDEN")
        let empty = await fixture.api.handle(APIRequest(method: "PUT", path: "/_matrix/app/v1/transactions/1",
                                                  headers: ["authorization": "Bearer "], body: BridgeFixture.transaction([event])))
        #expect(empty.status == 401)
        // The legacy query parameter counts only when configured.
        let query = await fixture.api.handle(APIRequest(method: "PUT", path: "/_matrix/app/v1/transactions/1",
                                                  query: ["access_token": BridgeFixture.hsToken], body: BridgeFixture.transaction([event])))
        #expect(query.status == 401)
        #expect(await fixture.put("1", [event]).status == 200)
    }

    @Test("the legacy access_token parameter works when allowed, and must match the header")
    func legacyQuery() async throws {
        let fixture = try BridgeFixture(homeserver: "http://127.0.0.1:9") { $0.allowQueryToken = true }
        let body = BridgeFixture.transaction([BridgeFixture.event("$q", body: "hi")])
        #expect(await fixture.api.handle(APIRequest(method: "PUT", path: "/transactions/7", query: ["access_token": BridgeFixture.hsToken],
                                              body: body)).status == 200)
        #expect(await fixture.api.handle(APIRequest(method: "PUT", path: "/transactions/8", query: ["access_token": "other"],
                                              headers: ["authorization": "Bearer \(BridgeFixture.hsToken)"], body: body)).status == 403)
    }

    @Test("bad bodies get Matrix errors: M_NOT_JSON, M_BAD_JSON, M_TOO_LARGE")
    func badBodies() async throws {
        let auth = ["authorization": "Bearer \(BridgeFixture.hsToken)"]
        let notJSON = await fixture.api.handle(APIRequest(method: "PUT", path: "/_matrix/app/v1/transactions/2", headers: auth,
                                                    body: Array("{events".utf8)))
        #expect(notJSON.status == 400 && notJSON.errcode == "M_NOT_JSON")
        let bad = await fixture.api.handle(APIRequest(method: "PUT", path: "/_matrix/app/v1/transactions/3", headers: auth,
                                                body: Array("[1]".utf8)))
        #expect(bad.status == 400 && bad.errcode == "M_BAD_JSON")
        let small = try BridgeFixture(homeserver: "http://127.0.0.1:9") { $0.maxBodyBytes = 2048 }
        let big = await small.api.handle(APIRequest(method: "PUT", path: "/_matrix/app/v1/transactions/4", headers: auth,
                                              body: [UInt8](repeating: 0x20, count: 4096)))
        #expect(big.status == 413 && big.errcode == "M_TOO_LARGE")
    }

    @Test("unknown routes are 404 and wrong methods 405, both M_UNRECOGNIZED; the legacy routes work")
    func routes() async {
        let auth = ["authorization": "Bearer \(BridgeFixture.hsToken)"]
        let unknown = await fixture.api.handle(APIRequest(method: "GET", path: "/_matrix/app/v1/nothing/here", headers: auth))
        #expect(unknown.status == 404 && unknown.errcode == "M_UNRECOGNIZED")
        let wrongMethod = await fixture.api.handle(APIRequest(method: "GET", path: "/_matrix/app/v1/transactions/5", headers: auth))
        #expect(wrongMethod.status == 405 && wrongMethod.errcode == "M_UNRECOGNIZED")
        #expect(await fixture.api.handle(APIRequest(method: "GET", path: "/_matrix/app/v1/users/@coach:test", headers: auth)).status == 200)
        #expect(await fixture.api.handle(APIRequest(method: "GET", path: "/users/@someone:test", headers: auth)).status == 404)
        #expect(await fixture.api.handle(APIRequest(method: "GET", path: "/_matrix/app/v1/rooms/%23gym:test", headers: auth)).status == 404)
        #expect(await fixture.api.handle(APIRequest(method: "POST", path: "/_matrix/app/v1/ping", headers: auth)).status == 200)
        let legacy = await fixture.api.handle(APIRequest(method: "PUT", path: "/transactions/9", headers: auth,
                                                   body: BridgeFixture.transaction([])))
        #expect(legacy.status == 200)
        #expect(await fixture.api.handle(APIRequest(method: "GET", path: "/healthz")).status == 200)
        #expect(await fixture.api.handle(APIRequest(method: "GET", path: "/readyz")).status == 200)
        let metrics = await fixture.api.handle(APIRequest(method: "GET", path: "/metrics"))
        #expect(metrics.body.contains("spotter_transactions_total"))
        #expect(metrics.body.contains("spotter_handling_seconds_bucket"))
    }
}

@Suite("Event triage")
struct EventTriageTests {
    let bot = BotIdentity(userID: "@coach:test")
    let cutoff: Timestamp = 1_795_420_000

    func triage(_ event: JSONValue, members: Int? = 3) -> EventAction {
        EventTriage.triage(event, bot: bot, memberCount: members, startupCutoff: cutoff)
    }

    @Test("in a group only addressed messages are answered: mention, name, user id or prefix")
    func addressing() {
        #expect(triage(BridgeFixture.event("$1", body: "should I go to failure on squats?")) == .ignore("not addressed in a group room"))
        #expect(triage(BridgeFixture.event("$2", body: "coach, should I go to failure on squats?"))
            == .message(text: "should I go to failure on squats?", threadRoot: nil))
        #expect(triage(BridgeFixture.event("$3", body: "!coach how long to rest on bench"))
            == .message(text: "how long to rest on bench", threadRoot: nil))
        #expect(triage(BridgeFixture.event("$4", body: "@coach:test failure on curls?")) == .message(text: "failure on curls?", threadRoot: nil))
        let mention = BridgeFixture.event("$5", body: "Coach: failure on curls?",
                                          extra: [("m.mentions", .object([("user_ids", .array(["@coach:test"]))]))])
        #expect(triage(mention) == .message(text: "failure on curls?", threadRoot: nil))
        #expect(triage(BridgeFixture.event("$6", body: "my coaching plan")) == .ignore("not addressed in a group room"))
        // In a room of two everything is for Spotter.
        #expect(triage(BridgeFixture.event("$7", body: "failure on curls?"), members: 2) == .message(text: "failure on curls?", threadRoot: nil))
    }

    @Test("own events, notices, edits, old messages and other types are ignored")
    func ignored() {
        #expect(triage(BridgeFixture.event("$1", sender: "@coach:test", body: "!coach hi")) == .ignore("own event"))
        #expect(triage(BridgeFixture.event("$2", body: "!coach hi", msgtype: "m.notice")) == .ignore("msgtype m.notice"))
        let edit = BridgeFixture.event("$3", body: "!coach hi", extra: [("m.relates_to", .object([("rel_type", "m.replace"), ("event_id", "$x")]))])
        #expect(triage(edit) == .ignore("edit"))
        #expect(triage(BridgeFixture.event("$4", body: "!coach hi", ts: 1_795_000_000_000)) == .ignore("older than the start-up cutoff"))
        let encrypted: JSONValue = .object([("event_id", "$5"), ("room_id", "!r:test"), ("sender", "@a:test"), ("type", "m.room.encrypted"),
                                            ("content", .object([]))])
        #expect(triage(encrypted) == .encrypted)
    }

    @Test("an invite for the bot means join; other members change the count")
    func membership() {
        func member(_ key: String, _ membership: String) -> JSONValue {
            .object([("event_id", "$m"), ("room_id", "!r:test"), ("sender", "@alice:test"), ("type", "m.room.member"),
                     ("state_key", .string(key)), ("content", .object([("membership", .string(membership))]))])
        }
        #expect(triage(member("@coach:test", "invite")) == .join)
        #expect(triage(member("@bob:test", "join")) == .membership(joined: true))
        #expect(triage(member("@bob:test", "leave")) == .membership(joined: false))
    }

    @Test("reply fallbacks are stripped; threads are kept")
    func fallbackAndThreads() {
        #expect(EventTriage.stripReplyFallback("> <@bob:test> earlier\n> more\n\ncurls to failure?") == "curls to failure?")
        let threaded = BridgeFixture.event("$t", body: "!coach curls to failure?",
                                           extra: [("m.relates_to", .object([("rel_type", "m.thread"), ("event_id", "$root")]))])
        #expect(triage(threaded) == .message(text: "curls to failure?", threadRoot: "$root"))
        let content = ReplyContent.make(reply: "Yes\n• a <b>", to: "$q", sender: "@alice:test", threadRoot: "$root", msgtype: "m.notice")
        #expect(content["m.relates_to"]?["rel_type"]?.string == "m.thread")
        #expect(content["m.relates_to"]?["event_id"]?.string == "$root")
        #expect(content["m.relates_to"]?["m.in_reply_to"]?["event_id"]?.string == "$q")
        #expect(content["m.mentions"]?["user_ids"]?.array?.first?.string == "@alice:test")
        #expect(content["formatted_body"]?.string == "Yes<ul><li>a &lt;b&gt;</li></ul>")
    }

    @Test("formatted_body: lines, lists and paragraphs keep their shape; markup is escaped even with a combining mark after it")
    func htmlShapes() {
        #expect(ReplyContent.html("a\n\nb") == "a<br/><br/>b")
        #expect(ReplyContent.html("\nb") == "b")
        #expect(ReplyContent.html("Why:\n• one & two\n• \"three\"\nThen") == "Why:<ul><li>one &amp; two</li><li>&quot;three&quot;</li></ul>Then")
        #expect(ReplyContent.html("• é ok\n") == "<ul><li>é ok</li></ul>")
        // Escaped byte for byte: no raw "<" reaches the HTML, whatever follows it (a combining accent
        // made "<" part of another character, which a character walk left as it was).
        let hostile = "<\u{301}img src=x onerror=alert(1)>"
        #expect(!ReplyContent.html(hostile).utf8.contains(UInt8(ascii: "<")), "\(ReplyContent.html(hostile))")
    }
}

@Suite("Delivery to a homeserver", .serialized)
struct DeliveryTests {
    @Test("the same transaction three times, and one of its events in a new transaction, give one reply")
    func exactlyOnce() async throws {
        let homeserver = FakeHomeserver()
        try await homeserver.start()
        defer { Task { await homeserver.stop() } }
        let fixture = try BridgeFixture(homeserver: homeserver.url)
        let question = BridgeFixture.event("$question", body: "should I go to failure on squats?")
        for _ in 0..<3 { #expect(await fixture.put("41", [question]).status == 200) }
        #expect(await fixture.put("42", [question]).status == 200)
        try await fixture.drain()
        let sends = homeserver.sends
        #expect(sends.count == 1)
        let reply = try #require(sends.first)
        #expect(reply.path.hasSuffix("/send/m.room.message/" + ReplyContent.transactionID(replyingTo: "$question")))
        #expect(reply.authorization == "Bearer as_test")
        let content = try JSONValue.parse(reply.body)
        #expect(content["msgtype"]?.string == "m.notice")
        #expect(content["body"]?.string?.contains("avoid failure") == true)
        #expect(content["m.relates_to"]?["m.in_reply_to"]?["event_id"]?.string == "$question")
        #expect(fixture.bridge.metrics.value("spotter_transactions_duplicate_total") == 2)
        #expect(fixture.bridge.metrics.value("spotter_events_duplicate_total") == 1)
    }

    @Test("429 with Retry-After waits at least that long; 500 is retried; other 4xx are not")
    func retries() async throws {
        let homeserver = FakeHomeserver()
        try await homeserver.start()
        defer { Task { await homeserver.stop() } }
        let fixture = try BridgeFixture(homeserver: homeserver.url)
        homeserver.script([.status(429, body: "{\"errcode\": \"M_LIMIT_EXCEEDED\", \"retry_after_ms\": 1000}", retryAfter: "30"),
                           .status(500, body: "{}", retryAfter: nil)])
        #expect(await fixture.put("1", [BridgeFixture.event("$a", body: "curls to failure?")]).status == 200)
        try await fixture.drain()
        #expect(homeserver.sends.count == 1)
        fixture.clock.advance(29)
        try await fixture.drain()
        #expect(homeserver.sends.count == 1, "Retry-After: 30 is honoured")
        fixture.clock.advance(2)
        try await fixture.drain()
        #expect(homeserver.sends.count == 2)  // the 500
        fixture.clock.advance(10)
        try await fixture.drain()
        #expect(homeserver.sends.count == 3)  // delivered
        #expect(fixture.bridge.metrics.value("spotter_send_retries_total") == 2)
        #expect(fixture.bridge.metrics.value("spotter_replies_total") == 1)
        // All three attempts used the same transaction id: a resend is idempotent at the homeserver.
        #expect(Set(homeserver.sends.map(\.path)).count == 1)

        homeserver.script([.status(403, body: "{\"errcode\": \"M_FORBIDDEN\"}", retryAfter: nil)])
        #expect(await fixture.put("2", [BridgeFixture.event("$b", body: "curls to failure?")]).status == 200)
        try await fixture.drain()
        fixture.clock.advance(3600)
        try await fixture.drain()
        #expect(homeserver.sends.count == 4, "a 403 is not retried")
        #expect(fixture.bridge.metrics.value("spotter_send_failures_total") == 1)
        let counts = try fixture.database.read { try $0.outboxCounts() }
        #expect(counts["failed"] == 1)
    }

    @Test("a homeserver that hangs times out and the reply is retried")
    func hang() async throws {
        let homeserver = FakeHomeserver()
        try await homeserver.start()
        defer { Task { await homeserver.stop() } }
        let fixture = try BridgeFixture(homeserver: homeserver.url, requestTimeoutMilliseconds: 1000)
        homeserver.script([.hang(seconds: 5)])
        #expect(await fixture.put("1", [BridgeFixture.event("$h", body: "curls to failure?")]).status == 200)
        try await fixture.drain()
        // The retry is due after the backoff. Under a sanitizer a fresh connection (the member
        // look-up's, or the send's) can itself take longer than the 1 s timeout, and a failed
        // look-up holds the message for a minute, so allow a few rounds; the reply must arrive once.
        for _ in 0..<5 where fixture.bridge.metrics.value("spotter_replies_total") == 0 {
            fixture.clock.advance(60)
            try await fixture.drain()
        }
        #expect(fixture.bridge.metrics.value("spotter_replies_total") == 1)
        #expect(fixture.bridge.metrics.value("spotter_send_retries_total") >= 1, "the hung send timed out")
        #expect(homeserver.sends.count >= 2, "the hung send was sent again")
    }

    @Test("replies go out over several connections and each room's replies keep their order")
    func orderAcrossConnections() async throws {
        let homeserver = FakeHomeserver()
        try await homeserver.start()
        defer { Task { await homeserver.stop() } }
        let fixture = try BridgeFixture(homeserver: homeserver.url)
        let rooms = ["!a:test", "!b:test", "!c:test", "!d:test", "!e:test", "!f:test"]
        var events: [JSONValue] = []
        for index in 0..<60 {
            let room = rooms[index % rooms.count]
            events.append(BridgeFixture.event("$e\(index)", room: room, sender: "@lifter\(index % rooms.count):test",
                                              body: "should I go to failure on squats?"))
        }
        #expect(await fixture.put("1", events).status == 200)
        for _ in 0..<5 where homeserver.sends.count < 60 { try await fixture.drain() }
        #expect(homeserver.sends.count == 60, "every reply sent once")
        for room in rooms {
            let expected = (0..<60).filter { rooms[$0 % rooms.count] == room }
                .map { ReplyContent.transactionID(replyingTo: "$e\($0)") }
            let sent = homeserver.sends.filter { ($0.path.removingPercentEncoding ?? $0.path).contains("/rooms/\(room)/") }
                .map { String($0.path.split(separator: "/").last ?? "") }
            #expect(sent == expected, "\(room): replies in the order of the questions")
        }
    }

    @Test("the client reuses its connection")
    func connectionReuse() async throws {
        let homeserver = FakeHomeserver()
        try await homeserver.start()
        defer { Task { await homeserver.stop() } }
        let url = homeserver.url
        let (first, second) = try await offPool {
            let client = try CurlClient()
            _ = try client.send("GET", url + "/_matrix/client/v3/account/whoami")
            let first = client.lastNewConnections
            _ = try client.send("GET", url + "/_matrix/client/v3/account/whoami")
            return (first, client.lastNewConnections)
        }
        #expect(first == 1)
        #expect(second == 0)
    }

    @Test("invites are joined; group rooms need addressing; encrypted rooms get one notice")
    func roomManners() async throws {
        let homeserver = FakeHomeserver()
        homeserver.memberCount = 3
        try await homeserver.start()
        defer { Task { await homeserver.stop() } }
        let fixture = try BridgeFixture(homeserver: homeserver.url)
        let invite: JSONValue = .object([("event_id", "$inv"), ("room_id", "!gym:test"), ("sender", "@alice:test"),
                                         ("type", "m.room.member"), ("state_key", "@coach:test"),
                                         ("content", .object([("membership", "invite")]))])
        _ = await fixture.put("1", [invite, BridgeFixture.event("$g1", room: "!gym:test", body: "should I go to failure on squats?")])
        try await fixture.drain()
        #expect(homeserver.requests.contains { $0.method == "POST" && $0.path.contains("/join/") })
        #expect(homeserver.sends.isEmpty, "an unaddressed message in a group gets no reply")
        _ = await fixture.put("2", [BridgeFixture.event("$g2", room: "!gym:test", body: "!coach should I go to failure on squats?")])
        try await fixture.drain()
        #expect(homeserver.sends.count == 1)
        func encrypted(_ id: String) -> JSONValue {
            .object([("event_id", .string(id)), ("room_id", "!secret:test"), ("sender", "@alice:test"), ("type", "m.room.encrypted"),
                     ("content", .object([("algorithm", "m.megolm.v1.aes-sha2")]))])
        }
        _ = await fixture.put("3", [encrypted("$e1"), encrypted("$e2")])
        try await fixture.drain()
        let notices = homeserver.sends.filter { $0.path.contains("%21secret") }
        #expect(notices.count == 1)
        #expect(notices.first?.body.contains("encrypted") == true)
    }
}
