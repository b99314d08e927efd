import Foundation
import SpotterBridge
import SpotterCore
import SpotterHTTP
import SpotterMatrix
import SpotterServer
import SpotterStore
import SpotterTesting
import SpotterWebhook
import Testing

/// A transaction's events, as a homeserver would send them.
private func transaction(_ events: [JSONValue]) -> [UInt8] { BridgeFixture.transaction(events) }

private func question(_ id: String, _ body: String, room: String = "!dm:test", sender: String = "@alice:test") -> JSONValue {
    BridgeFixture.event(id, room: room, sender: sender, body: body, ts: (Date().timeIntervalSince1970 * 1000).rounded())
}

/// `[[[…1…]]]` nested `levels` deep.
private func nested(_ levels: Int) -> String {
    String(repeating: "[", count: levels) + "1" + String(repeating: "]", count: levels)
}

@Suite("Hostile transactions and webhooks (no sockets)", .serialized)
struct HostileAPITests {
    @Test("one absurdly nested event does not make Spotter refuse the transaction (the homeserver would resend it forever)")
    func deepEventAccepted() async throws {
        let homeserver = FaultyHomeserver()
        try homeserver.start()
        defer { homeserver.stop() }
        let (secret, _) = WebhookSecret.generate()
        let fixture = try BridgeFixture(homeserver: homeserver.url) { $0.webhookSecret = secret }
        let deep = "{\"event_id\": \"$deep\", \"room_id\": \"!dm:test\", \"sender\": \"@mallory:test\", \"type\": \"m.room.message\", "
            + "\"origin_server_ts\": 1795420800000, \"content\": {\"msgtype\": \"m.text\", \"body\": \"curls to failure?\", "
            + "\"x\": \(nested(10_000))}}"
        let body = "{\"events\": [\(deep), \(question("$next", "should I go to failure on squats?").serialized())]}"
        let response = await fixture.api.handle(APIRequest(method: "PUT", path: "/_matrix/app/v1/transactions/1",
                                                           headers: ["authorization": "Bearer \(BridgeFixture.hsToken)"],
                                                           body: Array(body.utf8)))
        #expect(response.status == 200, "\(response.body)")
        try await fixture.drain()
        let replies = Dictionary(grouping: homeserver.messages) { $0.inReplyTo ?? "" }
        #expect(replies["$next"]?.first?.content["body"]?.string?.hasPrefix("Barbell Squat: avoid failure.") == true)
        #expect(replies["$deep"]?.first?.content["body"]?.string?.hasPrefix("Barbell Curl") == true, "its body is still read")
        #expect(try fixture.database.read { try $0.journalCount(status: "handled") } == 2)
    }

    @Test("events of the wrong shape are skipped or ignored, the transaction is taken, the good events are answered")
    func oddEvents() async throws {
        let homeserver = FaultyHomeserver()
        try homeserver.start()
        defer { homeserver.stop() }
        let fixture = try BridgeFixture(homeserver: homeserver.url)
        let base = question("$x", "hi")
        func event(_ id: String, content: JSONValue) -> JSONValue {
            .object([("event_id", .string(id)), ("room_id", "!dm:test"), ("sender", "@alice:test"), ("type", "m.room.message"),
                     ("origin_server_ts", base["origin_server_ts"]!), ("content", content)])
        }
        let odd: [JSONValue] = [
            .number(5), "event", .null, .array([]), .object([("event_id", .number(5)), ("room_id", "!dm:test"), ("type", "m.room.message")]),
            event("$string-content", content: "curls to failure?"),
            event("$number-body", content: .object([("msgtype", "m.text"), ("body", .number(1_180_591_620_717_411_303_424))])),
            event("$list-body", content: .object([("msgtype", "m.text"), ("body", .array(["curls"]))])),
            event("$no-msgtype", content: .object([("body", "curls to failure?")])),
            .object([("event_id", "$future"), ("room_id", "!dm:test"), ("sender", "@alice:test"), ("type", "m.room.message"),
                     ("origin_server_ts", .number(1_180_591_620_717_411_303_424)),
                     ("content", .object([("msgtype", "m.text"), ("body", "ѕquat to failure?")]))]),
            question("$good", "squ\u{200B}at to failure?"),
        ]
        #expect(await fixture.put("1", odd).status == 200)
        try await fixture.drain()
        let answered = Set(homeserver.messages.compactMap(\.inReplyTo))
        #expect(answered == ["$future", "$good"], "a timestamp of 2^70 ms is not 'too old'; look-alike letters are read")
        for message in homeserver.messages {
            #expect(message.content["body"]?.string?.hasPrefix("Barbell Squat: avoid failure.") == true)
        }
        #expect(try fixture.database.read { try $0.journalCount(status: "pending") } == 0)
    }

    @Test("webhook bodies that are not what they claim get a clear error code", arguments: [
        (Array("{\"user\": \"ola\", \"text\": \"caf".utf8) + [0xC3, 0x28] + Array("\"}".utf8), 400, "invalid_utf8"),
        (Array("{\"user\": \"ola\", \"text\": \"squat to failure?\", \"x\": \(nested(10_000))}".utf8), 400, "too_deep"),
        (Array("{\"user\": \"ola\", \"text\": \"squat to failure?\", \"weight\": 1e400}".utf8), 400, "invalid_json"),
        (Array("{\"user\": \"ola\", \"text\": \"squat to fail".utf8), 400, "invalid_json"),
        (Array("user=ola&text=squat".utf8), 400, "invalid_json"),
        (Array("{\"user\": \"ola\", \"text\": 12}".utf8), 400, "missing_field"),
        (Array("{\"user\": \"\", \"text\": \"hi\"}".utf8), 400, "missing_field"),
        ([UInt8](), 400, "invalid_json"),
    ])
    func webhookBodies(body: [UInt8], status: Int, code: String) async throws {
        let (secret, _) = WebhookSecret.generate()
        let fixture = try BridgeFixture(homeserver: "http://127.0.0.1:9") { $0.webhookSecret = secret }
        let headers = StandardWebhooks.headers(id: UUID().uuidString, timestamp: Int(fixture.clock.now), body: body, secret: secret)
        let response = await fixture.api.handle(APIRequest(method: "POST", path: "/webhook", headers: headers, body: body))
        let error = try JSONValue.parse(response.body)["error"]
        #expect(response.status == status)
        #expect(error?["code"]?.string == code, "\(response.body)")
        #expect(error?["message"]?.string?.isEmpty == false)
    }
}

/// A request written byte by byte, for what libcurl will not send: a body cut off before its
/// Content-Length, broken chunked encoding. Returns the status and body, nil when the server
/// closed without answering.
private func rawRequest(port: Int, _ head: String, body: [UInt8], closeWriting: Bool = true) -> (status: Int, body: String)? {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = UInt16(port).bigEndian
    let connected = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard connected == 0 else { return nil }
    var timeout = timeval(tv_sec: 10, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    let bytes = Array(head.utf8) + body
    _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    if closeWriting { shutdown(fd, Int32(SHUT_WR)) }
    var received: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
        let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if count <= 0 { break }
        received += chunk[0..<count]
        let text = String(decoding: received, as: UTF8.self)
        // One response is enough: stop at its end rather than wait for the server to close.
        if let split = text.range(of: "\r\n\r\n"),
           let lengthLine = text[..<split.lowerBound].split(separator: "\r\n").first(where: { $0.lowercased().hasPrefix("content-length:") }),
           let length = Int(lengthLine.dropFirst(15).trimmingCharacters(in: .whitespaces)),
           text[split.upperBound...].utf8.count >= length { break }
    }
    let text = String(decoding: received, as: UTF8.self)
    guard let statusText = text.split(separator: " ").dropFirst().first, let status = Int(statusText) else { return nil }
    let body = text.range(of: "\r\n\r\n").map { String(text[$0.upperBound...]) } ?? ""
    return (status, body)
}

@Suite("Hostile HTTP against spotter serve (a process)", .serialized)
struct HostileServeTests {
    @Test("oversized, cut-off, mislabelled, invalid and absurd requests get clear errors; the server stays up; nothing stored is lost")
    func hostileRequests() async throws {
        let homeserver = FaultyHomeserver()
        try homeserver.start()
        defer { homeserver.stop() }
        let folder = try temporaryFolder("spotter-hostile")
        defer { try? FileManager.default.removeItem(at: folder) }
        let (secret, secretText) = WebhookSecret.generate()
        let port = freePort()
        let url = homeserver.url
        let serve = try await offPool {
            try ServeProcess.start(folder: folder, homeserver: url, port: port, environment: ["SPOTTER_WEBHOOK_SECRET": secretText])
        }
        defer { if serve.process.isRunning { serve.process.terminate(); serve.process.waitUntilExit() } }
        let base = "http://127.0.0.1:\(port)"
        let auth = ["Authorization": "Bearer hs_process_test"]
        @Sendable func put(_ id: String, _ body: [UInt8], headers: [String: String] = [:]) throws -> (Int, String?) {
            let client = try CurlClient()
            let result = try client.send("PUT", "\(base)/_matrix/app/v1/transactions/\(id)", headers: auth.merging(headers) { $1 }, body: body)
            return (result.status, (try? JSONValue.parse(result.body))?["errcode"]?.string)
        }
        @Sendable func webhook(_ body: [UInt8], headers extra: [String: String] = [:]) throws -> (Int, JSONValue?) {
            let client = try CurlClient()
            let headers = StandardWebhooks.headers(id: UUID().uuidString, timestamp: Int(Date().timeIntervalSince1970), body: body,
                                                   secret: secret)
            let result = try client.send("POST", "\(base)/webhook", headers: headers.merging(extra) { $1 }, body: body)
            return (result.status, try? JSONValue.parse(result.body))
        }
        func replies() -> [String: JSONValue] {
            Dictionary(homeserver.messages.map { ($0.inReplyTo ?? "", $0.content) }) { first, _ in first }
        }
        func waitForReplies(_ ids: Set<String>) async throws {
            for _ in 0..<100 where !ids.isSubset(of: Set(replies().keys)) { try await Task.sleep(for: .milliseconds(100)) }
        }

        // Stored before the storm: must still be there after it.
        let before = question("$before", "bench 100kg x 5 @ rir 2")
        #expect(try await offPool { try put("before", transaction([before])) }.0 == 200)
        try await waitForReplies(["$before"])

        // Too large, announced or chunked: 413 M_TOO_LARGE, for the webhook too_large.
        let huge = [UInt8](repeating: 0x20, count: 9 * 1024 * 1024)
        #expect(try await offPool { try put("huge", huge) } == (413, "M_TOO_LARGE"))
        #expect(try await offPool { try put("huge-chunked", huge, headers: ["Transfer-Encoding": "chunked"]) } == (413, "M_TOO_LARGE"))
        let hugeWebhook = try await offPool { try webhook(huge) }
        #expect(hugeWebhook.0 == 413 && hugeWebhook.1?["error"]?["code"]?.string == "too_large")

        // Cut off before its Content-Length, or broken chunking: 400, not "too large"; the event is not taken.
        let cut = Array(transaction([question("$cut", "squat to failure?")]))
        let cutHead = "PUT /_matrix/app/v1/transactions/cut HTTP/1.1\r\nHost: spotter\r\nAuthorization: Bearer hs_process_test\r\n"
            + "Content-Type: application/json\r\nContent-Length: \(cut.count + 500)\r\n\r\n"
        let cutAnswer = try await offPool { rawRequest(port: port, cutHead, body: cut) }
        #expect(cutAnswer?.status == 400 && cutAnswer?.body.contains("ended before it was complete") == true, "\(String(describing: cutAnswer))")
        let chunkHead = "PUT /_matrix/app/v1/transactions/badchunk HTTP/1.1\r\nHost: spotter\r\nAuthorization: Bearer hs_process_test\r\n"
            + "Transfer-Encoding: chunked\r\n\r\n"
        let badChunk = try await offPool { rawRequest(port: port, chunkHead, body: Array("zz\r\n{\"events\": []}\r\n0\r\n\r\n".utf8)) }
        #expect(badChunk.map { $0.status == 400 } ?? true, "broken chunking is refused (or the connection closed): \(String(describing: badChunk))")
        let cutWebhook = try await offPool {
            rawRequest(port: port, "POST /webhook HTTP/1.1\r\nHost: spotter\r\nContent-Length: 400\r\n\r\n", body: Array("{\"user\": ".utf8))
        }
        #expect(cutWebhook?.status == 400 && cutWebhook?.body.contains("incomplete_body") == true, "\(String(describing: cutWebhook))")

        // Content types: JSON is read whatever the label; a form is not JSON.
        let plain = try await offPool {
            try put("plain", transaction([question("$plain", "curls to failure?")]), headers: ["Content-Type": "text/plain"])
        }
        #expect(plain.0 == 200)
        #expect(try await offPool { try put("form", Array("events=%5B%5D".utf8), headers: ["Content-Type": "application/x-www-form-urlencoded"]) }
            == (400, "M_NOT_JSON"))
        let latin1 = Array("{\"events\": [], \"note\": \"caf".utf8) + [0xE9] + Array("\"}".utf8)
        #expect(try await offPool { try put("latin1", latin1, headers: ["Content-Type": "application/json; charset=iso-8859-1"]) }
            == (400, "M_NOT_JSON"))
        let plainWebhook = try await offPool {
            try webhook(Array("{\"user\": \"ola\", \"text\": \"ѕquat to failure?\"}".utf8), headers: ["Content-Type": "text/plain"])
        }
        #expect(plainWebhook.0 == 200)
        #expect(plainWebhook.1?["advice"]?["failure"]?.string == "avoid")

        // Invalid UTF-8, truncated JSON, numbers out of range: 400 M_NOT_JSON.
        for (id, body) in [("utf8", Array("{\"events\": [{\"event_id\": \"$u\", \"body\": \"".utf8) + [0xFF, 0xFE] + Array("\"}]}".utf8)),
                           ("truncated", Array(transaction([question("$t", "curls?")]).dropLast(7))),
                           ("number", Array("{\"events\": [], \"n\": 1e400}".utf8)), ("empty", [])] {
            #expect(try await offPool { try put(id, body) } == (400, "M_NOT_JSON"), "\(id)")
        }

        // Deep nesting inside an event, a 2^70 timestamp, control characters, look-alikes, 64 KiB: taken and answered.
        let deepBody = "{\"events\": [{\"event_id\": \"$deep\", \"room_id\": \"!dm:test\", \"sender\": \"@alice:test\", "
            + "\"type\": \"m.room.message\", \"origin_server_ts\": 1180591620717411303424, "
            + "\"content\": {\"msgtype\": \"m.text\", \"body\": \"squat to failure?\", \"x\": \(nested(10_000))}}]}"
        #expect(try await offPool { try put("deep", Array(deepBody.utf8)) }.0 == 200)
        let long = "should I go to failure on squats? " + String(repeating: "and so on ", count: 6500)
        let odd = [question("$control", "\u{0}\u{7}\u{1B}[31m leg press to failure?\u{202E}"), question("$cyrillic", "ѕquat to failure?"),
                   question("$zero-width", "squ\u{200B}at to failure?"), question("$long", long),
                   question("$implausible", "squat 99999999999999999999kg x 5")]
        #expect(try await offPool { try put("odd", transaction(odd)) }.0 == 200)
        try await waitForReplies(["$plain", "$deep", "$control", "$cyrillic", "$zero-width", "$long", "$implausible"])
        let answers = replies()
        #expect(answers["$cut"] == nil, "a cut-off request is not taken")
        #expect(answers["$plain"]?["body"]?.string?.hasPrefix("Barbell Curl: failure is fine here") == true)
        #expect(answers["$control"]?["body"]?.string?.contains("Leg Press") == true)
        for id in ["$deep", "$cyrillic", "$zero-width", "$long"] {
            #expect(answers[id]?["body"]?.string?.hasPrefix("Barbell Squat: avoid failure.") == true, "\(id)")
        }
        #expect(answers["$implausible"]?["body"]?.string?.hasPrefix("That can't be a real set (over 2000 kg)") == true)

        // Still up, stops cleanly, and what was stored before is all there.
        #expect(try await offPool { try CurlClient().send("GET", "\(base)/healthz").status } == 200)
        serve.process.terminate()
        try await offPool { serve.process.waitUntilExit() }
        #expect(serve.process.terminationReason == .exit && serve.process.terminationStatus == 0)
        let audit = try DatabaseAudit(path: folder.appendingPathComponent("s.sqlite").path)
        #expect(audit.integrity == "ok")
        #expect(audit.journalByStatus["pending"] == nil)
        #expect(audit.setsByUser == ["@alice:test": 1], "the set logged before is kept; the implausible one was not stored")
        #expect(audit.outboxByStatus == ["sent": answers.count])
    }
}
