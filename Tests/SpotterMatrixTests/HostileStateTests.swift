import Foundation
import SpotterBridge
import SpotterCore
import SpotterMatrix
import SpotterServer
import SpotterStore
import SpotterTesting
import SpotterWebhook
import Testing

/// State and trust under attack (issue 10): what a routine event, a forged id or a second
/// process must not be able to do. One test per hostile-state item in Tests/FAULTS.md.
@Suite("Hostile state: room size, ids, ownership, deletion", .serialized)
struct HostileStateTests {
    static let red = "slept 4h, soreness 5, energy 1, stress 5, motivation 1, sharp pain in my knee"

    /// An `m.room.member` event, with the previous content where the homeserver gives it.
    static func member(
        _ id: String, room: String, sender: String, user: String, membership: String, displayname: String? = nil,
        previous: (membership: String, displayname: String?)? = nil
    ) -> JSONValue {
        var content: [(key: String, value: JSONValue)] = [("membership", .string(membership))]
        if let displayname { content.append(("displayname", .string(displayname))) }
        var fields: [(key: String, value: JSONValue)] = [
            ("event_id", .string(id)), ("room_id", .string(room)), ("sender", .string(sender)), ("type", "m.room.member"),
            ("state_key", .string(user)), ("origin_server_ts", .number(1_795_420_800_000)), ("content", .object(content)),
        ]
        if let previous {
            var before: [(key: String, value: JSONValue)] = [("membership", .string(previous.membership))]
            if let name = previous.displayname { before.append(("displayname", .string(name))) }
            fields.append(("unsigned", .object([("prev_content", .object(before))])))
        }
        return .object(fields)
    }

    @Test("an invite and its rejection in a room of three neither make it direct nor leak a red check-in with pain")
    func inviteRejectionKeepsGroup() async throws {
        let homeserver = FakeHomeserver()
        try await homeserver.start()
        defer { Task { await homeserver.stop() } }
        let room = "!trio:test"
        homeserver.setMembers(room, ["@coach:test", "@alice:test", "@bob:test"])
        let fixture = try BridgeFixture(homeserver: homeserver.url)
        func say(_ id: String, _ body: String) async throws {
            #expect(await fixture.put("t\(id)", [BridgeFixture.event(id, room: room, body: body)]).status == 200)
            try await fixture.drain()
        }
        try await say("$hello", "morning all")
        #expect(homeserver.sends.isEmpty, "unaddressed in a room of three")
        // Carol is invited and rejects: nobody joined or left the joined members.
        let invite = Self.member("$inv", room: room, sender: "@alice:test", user: "@carol:test", membership: "invite")
        let reject = Self.member("$rej", room: room, sender: "@carol:test", user: "@carol:test", membership: "leave",
                                 previous: ("invite", nil))
        #expect(await fixture.put("tm", [invite, reject]).status == 200)
        try await fixture.drain()
        try await say("$c1", "check in")
        try await say("$c2", Self.red)
        let inRoom = homeserver.sends.map(SentMessage.init).filter { $0.room == room }
        #expect(inRoom.isEmpty, "still a group: unaddressed messages get no answer (\(inRoom.map(\.body)))")
        // Addressed, the result goes to Alice directly; the room only hears it was recorded.
        try await say("$c3", "!coach " + Self.red)
        let roomBodies = homeserver.sends.map(SentMessage.init).filter { $0.room == room }.map(\.body).joined(separator: "\n")
        #expect(!roomBodies.contains("pain"))
        #expect(!roomBodies.contains("red"))
        #expect(roomBodies.contains("check-in recorded"))
        let direct = try fixture.database.read { try $0.directRoom(user: "@alice:test") }
        #expect(direct != nil && direct != room, "the group is not stored as Alice's direct room")
        let dm = homeserver.sends.map(SentMessage.init).filter { $0.room == direct }.map(\.body).joined(separator: "\n")
        #expect(dm.contains("Readiness: red"))
        #expect(homeserver.memberLookups.filter { $0 == room }.count == 2, "asked again after the membership changed")
    }

    @Test("two display-name changes in a direct room keep it direct: the bot keeps answering")
    func profileChangesKeepDirect() async throws {
        let homeserver = FakeHomeserver()
        try await homeserver.start()
        defer { Task { await homeserver.stop() } }
        let room = "!duo:test"
        homeserver.setMembers(room, ["@coach:test", "@alice:test"])
        let fixture = try BridgeFixture(homeserver: homeserver.url)
        func say(_ id: String, _ body: String) async throws {
            #expect(await fixture.put("t\(id)", [BridgeFixture.event(id, room: room, body: body)]).status == 200)
            try await fixture.drain()
        }
        try await say("$q1", "should I go to failure on squats?")
        #expect(homeserver.sends.count == 1)
        let renames = [
            Self.member("$n1", room: room, sender: "@alice:test", user: "@alice:test", membership: "join", displayname: "Al",
                        previous: ("join", "Alice")),
            Self.member("$n2", room: room, sender: "@alice:test", user: "@alice:test", membership: "join", displayname: "Alice",
                        previous: ("join", "Al")),
        ]
        #expect(await fixture.put("tn", renames).status == 200)
        try await fixture.drain()
        try await say("$q2", "curls to failure?")
        #expect(homeserver.sends.count == 2, "a display-name change is no join: still a room of two")
        try await say("$c1", Self.red)
        let last = try #require(homeserver.sends.map(SentMessage.init).last)
        #expect(last.room == room && last.body.contains("Readiness: red"), "in a verified room of two the result is posted there")
        #expect(try fixture.database.read { try $0.directRoom(user: "@alice:test") } == room)
        // An invite marked is_direct records the inviter's direct room; a plain invite does not.
        func invite(_ id: String, _ room: String, from user: String, direct: Bool) -> JSONValue {
            var content: [(key: String, value: JSONValue)] = [("membership", "invite")]
            if direct { content.append(("is_direct", true)) }
            return .object([("event_id", .string(id)), ("room_id", .string(room)), ("sender", .string(user)), ("type", "m.room.member"),
                            ("state_key", "@coach:test"), ("content", .object(content))])
        }
        #expect(await fixture.put("ti", [invite("$i1", "!dana:test", from: "@dana:test", direct: true),
                                         invite("$i2", "!erik:test", from: "@erik:test", direct: false)]).status == 200)
        try await fixture.drain()
        #expect(try fixture.database.read { try $0.directRoom(user: "@dana:test") } == "!dana:test")
        #expect(try fixture.database.read { try $0.directRoom(user: "@erik:test") } == nil)
        // Bob really joins: the size is asked again, and the room is a group now.
        homeserver.setMembers(room, ["@coach:test", "@alice:test", "@bob:test"])
        #expect(await fixture.put("tj", [Self.member("$j", room: room, sender: "@bob:test", user: "@bob:test", membership: "join")])
            .status == 200)
        try await fixture.drain()
        let before = homeserver.sends.count
        try await say("$q3", "curls to failure?")
        #expect(homeserver.sends.count == before, "unaddressed in what is now a group")
        #expect(try fixture.database.read { try $0.directRoom(user: "@alice:test") } != room, "no longer Alice's direct room")
    }

    /// Runs `spotter` for at most `seconds`; a process still running then is stopped.
    static func runBounded(_ arguments: [String], seconds: Double) throws -> (status: Int32, stderr: String, stillRunning: Bool) {
        let process = Process()
        process.executableURL = ProjectFixtures.spotterExecutable
        process.arguments = arguments
        process.currentDirectoryURL = ProjectFixtures.root
        let errors = FileManager.default.temporaryDirectory.appendingPathComponent("spotter-bounded-\(UUID().uuidString).log")
        FileManager.default.createFile(atPath: errors.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errors) }
        process.standardError = try FileHandle(forWritingTo: errors)
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        let stillRunning = process.isRunning
        if stillRunning { process.terminate() }
        process.waitUntilExit()
        return (process.terminationStatus, (try? String(contentsOf: errors, encoding: .utf8)) ?? "", stillRunning)
    }

    @Test("a second spotter serve on the same database refuses to start; spotter forget refuses and points to \"forget me\"")
    func oneServerPerDatabase() async throws {
        let homeserver = FakeHomeserver()
        try await homeserver.start()
        defer { Task { await homeserver.stop() } }
        let folder = try temporaryFolder("spotter-owner")
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = homeserver.url
        let port = freePort()
        let first = try await offPool { try ServeProcess.start(folder: folder, homeserver: url, port: port) }
        defer { first.process.terminate(); first.process.waitUntilExit() }
        let database = folder.appendingPathComponent("s.sqlite").path
        let second = try await offPool {
            try Self.runBounded(["serve", "--registration", folder.appendingPathComponent("registration.yaml").path, "--homeserver", url,
                                 "--listen", "127.0.0.1:\(freePort())", "--db", database], seconds: 15)
        }
        #expect(!second.stillRunning, "the second server must not run")
        #expect(second.status != 0)
        #expect(second.stderr.contains("database_locked"), "\(second.stderr)")
        #expect(second.stderr.contains("spotter serve"))
        let forget = try await offPool { try runSpotter(["forget", "--user", "@alice:test", "--db", database]) }
        #expect(forget.status != 0)
        #expect(forget.stderr.contains("database_locked"))
        #expect(forget.stderr.contains("forget me"), "\(forget.stderr)")
        // Reading is harmless: export still works while the server runs.
        #expect(try await offPool { try runSpotter(["export", "--user", "@alice:test", "--db", database]) }.status == 0)
        // Once the server has stopped, the database is free again.
        first.process.terminate()
        first.process.waitUntilExit()
        #expect(try await offPool { try runSpotter(["forget", "--user", "@alice:test", "--db", database]) }.status == 0)
    }

    @Test("forged ids are refused at the webhook (400 invalid_field) and skipped in Matrix transactions (still 200)")
    func forgedIDs() async throws {
        let homeserver = FakeHomeserver()
        try await homeserver.start()
        defer { Task { await homeserver.stop() } }
        let (secret, text) = WebhookSecret.generate()
        let fixture = try BridgeFixture(homeserver: homeserver.url) { $0.webhookSecret = try? WebhookSecret(text) }
        func webhook(_ user: String, _ message: String, id: String, room: String? = nil) async -> APIResponse {
            var fields: [(key: String, value: JSONValue)] = [("user", .string(user)), ("text", .string(message))]
            if let room { fields.append(("room", .string(room))) }
            let body = Array(JSONValue.object(fields).serialized().utf8)
            let headers = StandardWebhooks.headers(id: id, timestamp: Int(fixture.clock.now), body: body, secret: secret)
            return await fixture.api.handle(APIRequest(method: "POST", path: "/webhook", headers: headers, body: body))
        }
        #expect(await webhook("victim", "bench 100kg x 5", id: "w1").status == 200)
        for (index, (user, room)) in [("victim\u{0}attacker", nil), ("victim", "team\u{0}x"),
                                      (String(repeating: "v", count: 300), nil)].enumerated() {
            let refused = await webhook(user, "my week", id: "bad-\(index)", room: room)
            #expect(refused.status == 400)
            let error = try JSONValue.parse(refused.body)["error"]
            #expect(error?["code"]?.string == "invalid_field", "\(refused.body)")
        }
        #expect(try fixture.database.read { try $0.sets(user: "victim", since: 0) }.count == 1)

        let forged = BridgeFixture.event("$forged", room: "!dm:test", sender: "@victim:test\u{0}attacker", body: "forget me")
        let badRoom = BridgeFixture.event("$room", room: "!dm:test\n", body: "hi")
        let longSender = BridgeFixture.event("$long", sender: "@" + String(repeating: "x", count: 260) + ":test", body: "hi")
        let fine = BridgeFixture.event("$fine", room: "!dm:test", sender: "@victim:test", body: "curls to failure?")
        // An event id cut at its NUL would be "$fine" and take the real one's place.
        let badID = BridgeFixture.event("$fine\u{0}x", room: "!dm:test", sender: "@victim:test", body: "bench 100kg x 5")
        #expect(await fixture.put("tx", [forged, badRoom, longSender, badID, fine]).status == 200, "the transaction is still taken")
        try await fixture.drain()
        #expect(fixture.bridge.metrics.value("spotter_events_total") == 1, "only the valid event was journaled")
        #expect(homeserver.sends.count == 1)
        #expect(homeserver.sends.first?.body.contains("in reserve") == true, "the real $fine was answered: \(homeserver.sends.map(\.body))")
        #expect(try fixture.database.read { try $0.sets(user: "@victim:test", since: 0) }.isEmpty, "the forged event stored nothing")
    }

    @Test("room settings change only from the channel that owns the room; a summary of one check-in shows no readiness")
    func roomOwnershipAndSmallSummaries() async throws {
        let homeserver = FakeHomeserver()
        homeserver.memberCount = 4
        try await homeserver.start()
        defer { Task { await homeserver.stop() } }
        let (secret, text) = WebhookSecret.generate()
        let fixture = try BridgeFixture(homeserver: homeserver.url) { settings in
            settings.webhookSecret = try? WebhookSecret(text)
            settings.group.rooms["!hooked:test"] = RoomConfig(outbound: OutboundHook(url: "http://127.0.0.1:9/hooks/slack", template: .slack))
        }
        // A webhook caller names a Matrix room.
        let body = Array(#"{"user": "mallory", "room": "!gym:test", "text": "!coach checkin at 03:00 UTC"}"#.utf8)
        let headers = StandardWebhooks.headers(id: "cross-1", timestamp: Int(fixture.clock.now), body: body, secret: secret)
        let response = await fixture.api.handle(APIRequest(method: "POST", path: "/webhook", headers: headers, body: body))
        #expect(response.status == 403, "\(response.body)")
        #expect(try JSONValue.parse(response.body)["error"]?["code"]?.string == "wrong_channel")
        #expect(try fixture.database.read { try $0.roomSettings("!gym:test") } == nil, "the Matrix room's schedule is unchanged")
        // A Matrix member names a room that belongs to a webhook.
        #expect(await fixture.put("h1", [BridgeFixture.event("$h1", room: "!hooked:test", body: "!coach checkin off")]).status == 200)
        try await fixture.drain()
        #expect(try fixture.database.read { try $0.roomSettings("!hooked:test") } == nil, "the webhook room's schedule is unchanged")

        // One lifter takes part and checks in red: the summary must not tell the room.
        let room = "!gym:test"
        for (id, message) in [("$j", "!coach join"), ("$c", "!coach " + Self.red), ("$s", "!coach summary")] {
            #expect(await fixture.put("g\(id)", [BridgeFixture.event(id, room: room, body: message)]).status == 200)
            try await fixture.drain()
        }
        let summary = try #require(homeserver.sends.map(SentMessage.init).last { $0.room == room })
        #expect(summary.body.contains("1 of 1 lifter checked in"), "\(summary.body)")
        #expect(!summary.body.contains("red"), "\(summary.body)")
        #expect(!summary.body.contains("█"))
    }

    @Test("forget is final: a replayed webhook-id or a resent Matrix event after \"forget me\" stores nothing again")
    func forgetIsFinal() async throws {
        let homeserver = FakeHomeserver()
        try await homeserver.start()
        defer { Task { await homeserver.stop() } }
        let (secret, text) = WebhookSecret.generate()
        let fixture = try BridgeFixture(homeserver: homeserver.url) { $0.webhookSecret = try? WebhookSecret(text) }
        func webhook(_ message: String, id: String) async -> APIResponse {
            let body = Array(JSONValue.object([("user", "erin"), ("room", "team"), ("text", .string(message))]).serialized().utf8)
            let headers = StandardWebhooks.headers(id: id, timestamp: Int(fixture.clock.now), body: body, secret: secret)
            return await fixture.api.handle(APIRequest(method: "POST", path: "/webhook", headers: headers, body: body))
        }
        #expect(await webhook("I'm a beginner", id: "w0").status == 200)
        #expect(await webhook("bench 100kg x 5 @ rir 2", id: "w1").status == 200)
        #expect(try fixture.database.read { try $0.sets(user: "erin", since: 0) }.count == 1)
        #expect(await webhook("forget me", id: "w2").status == 200)
        #expect(await webhook("yes", id: "w3").status == 200)
        fixture.clock.advance(60)
        for id in ["w0", "w1", "w3"] {
            let replay = await webhook(id == "w0" ? "I'm a beginner" : id == "w1" ? "bench 100kg x 5 @ rir 2" : "yes", id: id)
            #expect(replay.status == 200)
            #expect(!replay.body.contains("erin"), "\(replay.body)")
        }
        let left = try fixture.database.read { try $0.export(user: "erin") }.filter { !$0.rows.isEmpty }.map(\.table)
        #expect(left.isEmpty, "nothing is stored about erin after the replays: \(left)")

        // Matrix: the homeserver resends an event answered before the lifter said "forget me".
        let set = BridgeFixture.event("$set", sender: "@alice:test", body: "squat 140kg x 5 @ rir 1")
        #expect(await fixture.put("m1", [set]).status == 200)
        try await fixture.drain()
        #expect(try fixture.database.read { try $0.sets(user: "@alice:test", since: 0) }.count == 1)
        #expect(await fixture.put("m2", [BridgeFixture.event("$forget", sender: "@alice:test", body: "forget me")]).status == 200)
        try await fixture.drain()
        #expect(await fixture.put("m3", [BridgeFixture.event("$yes", sender: "@alice:test", body: "yes")]).status == 200)
        try await fixture.drain()
        #expect(await fixture.put("m4", [set]).status == 200, "a resend in a new transaction")
        try await fixture.drain()
        #expect(try fixture.database.read { try $0.sets(user: "@alice:test", since: 0) }.isEmpty, "the resent set is not stored again")
        let journal = try fixture.database.read { try $0.export(user: "@alice:test") }.first { $0.table == "journal" }?.rows ?? []
        #expect(journal.isEmpty, "no journal row names Alice")
    }

    @Test("outbound payloads are escaped per platform: no Slack link or channel ping, no Discord @everyone, no @room")
    func outboundEscaping() throws {
        let hostile = "<!channel> <http://evil.example|Click here> @everyone @channel @room & co"
        let slack = try JSONValue.parse(OutboundTemplate.slack.payload(text: hostile, html: nil))["text"]?.string ?? ""
        #expect(slack == "&lt;!channel&gt; &lt;http://evil.example|Click here&gt; @everyone @channel @room &amp; co")
        let mattermost = try JSONValue.parse(OutboundTemplate.mattermost.payload(text: hostile, html: nil))["text"]?.string ?? ""
        #expect(!mattermost.contains("<") && !mattermost.contains("@channel"))
        #expect(mattermost.contains("&lt;http://evil.example|Click here&gt;"))
        // A combining mark after "<" makes one character of them; the escaping works on bytes.
        let combined = "<\u{301}!channel> <\u{301}http://evil.example|Click here>"
        for template in [OutboundTemplate.slack, .mattermost] {
            let text = try JSONValue.parse(template.payload(text: combined, html: nil))["text"]?.string ?? ""
            #expect(!text.utf8.contains(UInt8(ascii: "<")), "\(template): \(text)")
        }
        let discord = try JSONValue.parse(OutboundTemplate.discord.payload(text: hostile, html: nil))
        #expect(discord["allowed_mentions"]?["parse"]?.array?.isEmpty == true, "Discord parses no mention at all")
        #expect(discord["content"]?.string == hostile, "the text itself reads the same")
        let hookshot = try JSONValue.parse(OutboundTemplate.hookshot.payload(text: hostile, html: ReplyContent.html(hostile)))
        #expect(hookshot["text"]?.string?.contains("@room") == false)
        #expect(hookshot["html"]?.string?.contains("@room") == false)
        #expect(hookshot["html"]?.string?.contains("<http") == false)
    }

    @Test("/readyz tells an anonymous probe nothing about the bot; a registration file with any group or world bit is warned about")
    func readyzAndRegistrationMode() async throws {
        let fixture = try BridgeFixture(homeserver: "http://127.0.0.1:9")
        let anonymous = await fixture.api.handle(APIRequest(method: "GET", path: "/readyz"))
        #expect(anonymous.status == 200)
        #expect(!anonymous.body.contains("coach"), "\(anonymous.body)")
        let homeserver = await fixture.api.handle(APIRequest(method: "GET", path: "/readyz",
                                                             headers: ["authorization": "Bearer \(BridgeFixture.hsToken)"]))
        #expect(homeserver.body.contains("@coach:test"), "the homeserver may know who the bot is")

        let folder = try temporaryFolder("spotter-registration-mode")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("registration.yaml").path
        try Registration.generate(id: "spotter", url: "http://127.0.0.1:1", localpart: "coach").yaml
            .write(toFile: path, atomically: true, encoding: .utf8)
        let config = folder.appendingPathComponent("spotter.yml").path
        try "{}\n".write(toFile: config, atomically: true, encoding: .utf8)
        for (mode, warned) in [(0o600, false), (0o602, true), (0o640, true), (0o620, true), (0o644, true), (0o400, false)] {
            try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
            let settings = try MatrixSettings.load(configFile: config, registrationFlag: path, homeserverFlag: "http://127.0.0.1:8008",
                                                   listenFlag: nil, environment: [:])
            #expect(settings.warnings.contains { $0.contains(path) && $0.contains("chmod 600") } == warned,
                    "mode \(String(mode, radix: 8)): \(settings.warnings)")
        }
    }
}
