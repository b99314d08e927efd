import Foundation
import SpotterBridge
import SpotterCore
import SpotterGroup
import SpotterMatrix
import SpotterSchedule
import SpotterServer
import SpotterStore
import SpotterTesting
import SpotterWebhook
import Testing

/// What the fake homeserver was sent, decoded: room, body, relation and mentions.
struct SentMessage {
    var room: String
    var body: String
    var threadRoot: String?
    var mentions: [String]

    init(_ recorded: FakeHomeserver.Recorded) {
        let parts = recorded.path.split(separator: "/")
        let index = parts.firstIndex(of: "rooms").map { $0 + 1 } ?? 0
        room = String(parts[index]).removingPercentEncoding ?? String(parts[index])
        let content = (try? JSONValue.parse(recorded.body)) ?? .object([])
        body = content["body"]?.string ?? ""
        threadRoot = content["m.relates_to"]?["rel_type"]?.string == "m.thread" ? content["m.relates_to"]?["event_id"]?.string : nil
        mentions = content["m.mentions"]?["user_ids"]?.array?.compactMap(\.string) ?? []
    }
}

/// A group room on a fake homeserver, with a schedule, driven by a mock clock.
struct GroupFixture {
    static let room = "!gym:test"
    let homeserver: FakeHomeserver
    var fixture: BridgeFixture
    let configure: @Sendable (inout MatrixSettings) -> Void

    init(homeserver: FakeHomeserver, start: Timestamp, configure: @escaping @Sendable (inout MatrixSettings) -> Void) throws {
        self.homeserver = homeserver
        self.configure = configure
        homeserver.memberCount = 4
        fixture = try BridgeFixture(homeserver: homeserver.url, clock: MockClock(start), settingsChange: configure)
    }

    /// Spotter stops and starts again on the same database.
    mutating func restart() throws {
        fixture = try BridgeFixture(homeserver: homeserver.url, folder: fixture.folder, clock: fixture.clock, settingsChange: configure)
    }

    var messages: [SentMessage] { homeserver.sends.map(SentMessage.init) }
    func messages(in room: String) -> [SentMessage] { messages.filter { $0.room == room } }
    var prompts: [SentMessage] { messages(in: Self.room).filter { $0.body.hasPrefix("Good morning! Time for today's check-in") } }

    /// Moves the clock to `time` and lets the worker do what is due.
    func at(_ time: Timestamp) async throws {
        fixture.clock.set(time)
        try await fixture.drain()
    }

    /// Moves the clock in steps, running the worker at each.
    func run(from start: Timestamp, to end: Timestamp, step: Double) async throws {
        var now = start
        while now <= end {
            try await at(now)
            now += step
        }
    }

    func say(_ id: String, _ sender: String, _ body: String, room: String = room, thread: String? = nil) async throws {
        let extra: [(key: String, value: JSONValue)] = thread.map {
            [("m.relates_to", .object([("rel_type", "m.thread"), ("event_id", .string($0))]))]
        } ?? []
        let event = BridgeFixture.event(id, room: room, sender: sender, body: body, ts: fixture.clock.now * 1000, extra: extra)
        let response = await fixture.put("t-\(id)", [event])
        #expect(response.status == 200)
        try await fixture.drain()
    }

    func log() throws -> [ScheduleLogEntry] {
        try fixture.database.read { try $0.scheduleLog(room: Self.room) }
    }
}

@Suite("Group coaching: scheduled check-ins, summaries, reminders, room commands", .serialized)
struct GroupCoachingTests {
    static func berlin(reminder: String? = nil, summary: String? = "20:00") -> @Sendable (inout MatrixSettings) -> Void {
        { settings in
            settings.group.rooms[GroupFixture.room] = RoomConfig(
                checkIn: try? CheckInSchedule(time: "07:30", zone: "Europe/Berlin"), reminder: reminder, summary: summary)
        }
    }

    @Test("a normal day: the prompt at 07:30, answers in its thread, details by direct message, a counts-only summary")
    func normalDay() async throws {
        let homeserver = FakeHomeserver()
        try await homeserver.start()
        defer { Task { await homeserver.stop() } }
        let group = try GroupFixture(homeserver: homeserver, start: instant("2026-11-23T06:00:00Z"), configure: Self.berlin())

        try await group.run(from: instant("2026-11-23T06:00:00Z"), to: instant("2026-11-23T06:29:00Z"), step: 60)
        #expect(group.prompts.isEmpty, "nothing before 07:30 local")
        try await group.run(from: instant("2026-11-23T06:30:00Z"), to: instant("2026-11-23T07:00:00Z"), step: 60)
        #expect(group.prompts.count == 1, "one prompt, never twice")
        let entry = try #require(try group.log().first { $0.kind == "prompt" })
        #expect(entry.day == "2026-11-23" && entry.status == "posted")
        let root = try #require(entry.eventID, "the prompt's event id is kept as the thread root")

        try await group.say("$a1", "@alice:test", "slept 8h, soreness 1, energy 5, stress 1, motivation 5, no pain", thread: root)
        try await group.say("$b1", "@bob:test", "slept 5 hours, soreness 4, energy 2, stress 4, motivation 2, sharp pain in my knee",
                            thread: root)
        let inRoom = group.messages(in: GroupFixture.room).filter { $0.threadRoot == root }
        #expect(inRoom.count == 2)
        for message in inRoom {
            #expect(message.body.contains("check-in recorded"))
            #expect(!message.body.contains("Readiness") && !message.body.lowercased().contains("pain"))
        }
        #expect(Set(homeserver.createdRooms.compactMap { try? JSONValue.parse($0.body)["invite"]?.array?.first?.string })
            == ["@alice:test", "@bob:test"])
        let alice = group.messages(in: "!dm-alice:test").map(\.body).joined(separator: "\n")
        let bob = group.messages(in: "!dm-bob:test").map(\.body).joined(separator: "\n")
        #expect(alice.contains("Readiness: green"))
        #expect(bob.contains("Readiness: red"))
        #expect(bob.contains("qualified professional"), "the pain follow-up goes to the lifter directly")

        try await group.at(instant("2026-11-23T19:00:00Z"))
        let summary = try #require(group.messages(in: GroupFixture.room).last { $0.body.hasPrefix("Group check-in") })
        #expect(summary.body.contains("2 of 2 lifters checked in"))
        // With two check-ins a breakdown would tell Alice that Bob is red (issue 10): none.
        #expect(!summary.body.contains("1 red"))
        #expect(summary.body.contains("Too few check-ins today"))
        for private_ in ["pain", "knee", "slept", "8h", "5 hours", "alice", "bob", "sore", "energy", "stress", "motivation"] {
            #expect(!summary.body.lowercased().contains(private_), "the summary must not contain \"\(private_)\"")
        }
        #expect(try group.log().map { "\($0.kind) \($0.status)" }.sorted() == ["prompt posted", "summary posted"])
    }

    @Test("the coach's digest by direct message names only lifters who shared; nobody else is named anywhere")
    func coachDigest() async throws {
        let homeserver = FakeHomeserver()
        try await homeserver.start()
        defer { Task { await homeserver.stop() } }
        let group = try GroupFixture(homeserver: homeserver, start: instant("2026-11-23T06:00:00Z"), configure: Self.berlin())
        try await group.say("$k0", "@coach-anna:test", "!coach coaches @coach-anna:test")
        #expect(group.messages(in: GroupFixture.room).last?.body.contains("Coaches of this room: @coach-anna:test") == true)
        try await group.say("$k1", "@ben:test", "!coach coaches @ben:test")
        #expect(group.messages(in: GroupFixture.room).last?.body.contains("Only the room's moderators") == true)
        try await group.say("$k2", "@ben:test", "!coach share")
        try await group.say("$k3", "@dave:test", "!coach share")
        try await group.say("$k4", "@carol:test", "!coach join")
        try await group.run(from: instant("2026-11-23T06:30:00Z"), to: instant("2026-11-23T06:31:00Z"), step: 60)
        let root = try #require(try group.log().first { $0.kind == "prompt" }?.eventID)
        let red = "slept 4 hours, soreness 5, energy 1, stress 5, motivation 1, sharp pain in my knee"
        try await group.say("$k5", "@ben:test", red, thread: root)
        try await group.say("$k6", "@carol:test", red, thread: root)

        try await group.at(instant("2026-11-23T19:00:00Z"))
        let digest = group.messages(in: "!dm-coach-anna:test").map(\.body).joined(separator: "\n")
        #expect(digest.contains("Coach digest for \(GroupFixture.room)"))
        #expect(digest.contains("• Red today: @ben:test"))
        #expect(digest.contains("• Reported pain: @ben:test"))
        #expect(digest.contains("• No check-in for three days: @dave:test"))
        #expect(digest.contains("Not sharing: 1 lifter, 1 checked in today."), "one who did not share is only counted, no readiness")
        let everything = group.messages.map(\.body).joined(separator: "\n")
        let aboutCarol = group.messages.filter { !$0.room.hasPrefix("!dm-carol") }.map(\.body).joined(separator: "\n")
        #expect(!aboutCarol.contains("carol"), "a lifter who did not share is never named outside her own direct room")
        #expect(everything.contains("Group check-in"))

        // Unsharing takes ben out of tomorrow's digest.
        try await group.say("$k7", "@ben:test", "!coach unshare")
        try await group.at(instant("2026-11-24T19:00:00Z"))
        let next = try #require(group.messages(in: "!dm-coach-anna:test").last)
        #expect(next.body.contains("Coach digest") && !next.body.contains("@ben:test"))
    }

    @Test("a restart just before the prompt posts it on time; a restart just after does not post it again")
    func restarts() async throws {
        let homeserver = FakeHomeserver()
        try await homeserver.start()
        defer { Task { await homeserver.stop() } }
        var group = try GroupFixture(homeserver: homeserver, start: instant("2026-11-23T06:20:00Z"), configure: Self.berlin())
        try await group.at(instant("2026-11-23T06:29:00Z"))
        try group.restart()
        try await group.at(instant("2026-11-23T06:30:00Z"))
        #expect(group.prompts.count == 1)
        #expect(try group.log().first?.status == "posted")
        try group.restart()
        try await group.run(from: instant("2026-11-23T06:31:00Z"), to: instant("2026-11-23T06:40:00Z"), step: 60)
        #expect(group.prompts.count == 1, "recorded: a restart does not post twice")

        // Down across the next prompt, back 20 minutes later: posted late, once.
        try group.restart()
        try await group.at(instant("2026-11-24T06:50:00Z"))
        try group.restart()
        try await group.at(instant("2026-11-24T06:55:00Z"))
        #expect(group.prompts.count == 2)
        #expect(try group.log().first { $0.day == "2026-11-24" }?.status == "late")
    }

    @Test("a long outage: missed days are recorded as skipped and logged, the room is not flooded")
    func longOutage() async throws {
        let homeserver = FakeHomeserver()
        try await homeserver.start()
        defer { Task { await homeserver.stop() } }
        var group = try GroupFixture(homeserver: homeserver, start: instant("2026-11-20T06:30:00Z"),
                                     configure: Self.berlin(summary: "off"))
        try await group.at(instant("2026-11-20T06:30:00Z"))
        #expect(group.prompts.count == 1)
        try group.restart()
        // Back on the 23rd at noon local: more than the 2-hour late window after today's 07:30.
        try await group.at(instant("2026-11-23T11:00:00Z"))
        #expect(group.prompts.count == 1, "no prompt for the missed days")
        #expect(try group.log().map { "\($0.day) \($0.status)" }
            == ["2026-11-20 posted", "2026-11-21 skipped", "2026-11-22 skipped", "2026-11-23 skipped"])
        try await group.at(instant("2026-11-24T06:30:00Z"))
        #expect(group.prompts.count == 2, "the next day is back to normal")
    }

    @Test("across daylight-saving changes in two zones the prompt stays at local 07:30",
          arguments: [("Europe/Berlin", "2026-03-28T00:00:00Z", "2026-03-30T23:50:00Z"),
                      ("America/New_York", "2026-10-31T00:00:00Z", "2026-11-02T23:50:00Z")])
    func daylightSaving(_ case: (String, String, String)) async throws {
        let (zone, from, to) = `case`
        let homeserver = FakeHomeserver()
        try await homeserver.start()
        defer { Task { await homeserver.stop() } }
        let group = try GroupFixture(homeserver: homeserver, start: instant(from)) { settings in
            settings.group.rooms[GroupFixture.room] = RoomConfig(checkIn: try? CheckInSchedule(time: "07:30", zone: zone), summary: "off")
        }
        var postedAt: [Timestamp] = []
        var now = instant(from)
        while now <= instant(to) {
            let before = group.prompts.count
            try await group.at(now)
            if group.prompts.count > before { postedAt.append(now) }
            now += 600
        }
        #expect(postedAt.map { localTime($0, zone) }.map { String($0.suffix(5)) } == ["07:30", "07:30", "07:30"])
        let gaps = zip(postedAt.dropFirst(), postedAt).map { ($0 - $1) / 3600 }
        #expect(gaps.contains { $0 != 24 }, "one of the days is 23 or 25 hours long")
    }

    @Test("the reminder names only opted-in lifters who have not checked in, in the prompt's thread")
    func reminder() async throws {
        let homeserver = FakeHomeserver()
        try await homeserver.start()
        defer { Task { await homeserver.stop() } }
        let group = try GroupFixture(homeserver: homeserver, start: instant("2026-11-23T06:00:00Z"),
                                     configure: Self.berlin(reminder: "10:00", summary: "off"))
        try await group.say("$j1", "@alice:test", "!coach join")
        try await group.say("$j2", "@carol:test", "!coach join")
        try await group.say("$j3", "@dave:test", "!coach join")
        try await group.say("$l3", "@dave:test", "!coach leave")
        try await group.at(instant("2026-11-23T06:30:00Z"))
        let root = try #require(try group.log().first?.eventID)
        try await group.say("$a1", "@alice:test", "slept 7h, soreness 2, energy 4, stress 2, motivation 4, no pain", thread: root)
        try await group.at(instant("2026-11-23T09:00:00Z"))
        let reminder = try #require(group.messages(in: GroupFixture.room).last { $0.body.hasPrefix("Reminder") })
        #expect(reminder.mentions == ["@carol:test"])
        #expect(reminder.threadRoot == root)
        #expect(!reminder.body.contains("alice") && !reminder.body.contains("dave"))
    }

    @Test("only moderators change the schedule: power levels from the homeserver, kept current from events")
    func powerLevels() async throws {
        let homeserver = FakeHomeserver()
        try await homeserver.start()
        defer { Task { await homeserver.stop() } }
        let group = try GroupFixture(homeserver: homeserver, start: instant("2026-11-23T12:00:00Z")) { _ in }
        func lastReply() -> String { group.messages(in: GroupFixture.room).last?.body ?? "" }
        func checkIn() throws -> String? { try group.fixture.database.read { try $0.roomSettings(GroupFixture.room) }?.checkIn }

        try await group.say("$p1", "@ben:test", "!coach checkin at 07:30 Europe/Berlin")
        #expect(lastReply().contains("Only the room's moderators (power level 50 or more)"))
        #expect(try checkIn() == nil, "a member at level 0 changes nothing")
        try await group.say("$p2", "@coach-anna:test", "!coach checkin at 07:30 Europe/Berlin")
        #expect(lastReply().contains("Daily check-in set for 07:30 Europe/Berlin"))
        try await group.say("$p3", "@ben:test", "!coach checkin off")
        #expect(lastReply().contains("Only the room's moderators"))
        #expect(try checkIn() == "07:30")
        // Read-only commands stay open to everyone.
        try await group.say("$p4", "@ben:test", "!coach schedule")
        #expect(lastReply().contains("07:30"))
        #expect(!lastReply().contains("Only the room's moderators"))
        #expect(homeserver.powerLevelRequests == 1, "asked once, then kept")

        // A power-levels event makes ben a moderator and anna a member, without asking again.
        let levels = JSONValue.object([
            ("event_id", "$pl1"), ("room_id", .string(GroupFixture.room)), ("sender", "@owner:test"), ("type", "m.room.power_levels"),
            ("state_key", ""), ("origin_server_ts", .number(group.fixture.clock.now * 1000)),
            ("content", .object([("users", .object([("@ben:test", .number(50)), ("@owner:test", .number(100))])), ("users_default", .number(0))])),
        ])
        #expect(await group.fixture.put("t-pl1", [levels]).status == 200)
        try await group.fixture.drain()
        try await group.say("$p5", "@coach-anna:test", "!coach checkin off")
        #expect(lastReply().contains("Only the room's moderators"))
        try await group.say("$p6", "@ben:test", "!coach checkin off")
        #expect(lastReply().contains("Daily check-in prompts are off"))
        // The room's creator (room version 12: not in `users`, above everyone) is obeyed.
        try await group.say("$p7", "@owner:test", "!coach checkin at 06:00 Europe/Berlin")
        #expect(lastReply().contains("Daily check-in set for 06:00 Europe/Berlin"))
        #expect(homeserver.powerLevelRequests == 1)
    }

    @Test("a room id of room version 12 (no server part) is a Matrix room: its moderators set its schedule")
    func roomVersion12IDs() async throws {
        let homeserver = FakeHomeserver()
        try await homeserver.start()
        defer { Task { await homeserver.stop() } }
        let group = try GroupFixture(homeserver: homeserver, start: instant("2026-11-23T12:00:00Z")) { _ in }
        let room = "!sIUEqAbCdEfGhjOs"
        try await group.say("$r1", "@coach-anna:test", "!coach checkin at 07:30 Europe/Berlin", room: room)
        #expect(group.messages(in: room).last?.body.contains("Daily check-in set for 07:30 Europe/Berlin") == true)
    }

    @Test("creators outrank everyone from room version 12; before it they are listed like anyone")
    func creators() throws {
        func state(_ version: String) throws -> RoomPowerLevels {
            RoomPowerLevels(state: try JSONValue.parse("""
                [{"type": "m.room.create", "state_key": "", "sender": "@founder:test",
                  "content": {"room_version": "\(version)", "additional_creators": ["@cofounder:test"]}},
                 {"type": "m.room.power_levels", "state_key": "", "content": {"users": {"@mod:test": "50"}, "users_default": 0}}]
                """))
        }
        let v12 = try state("12")
        #expect(v12.level(of: "@founder:test") > 1_000_000 && v12.level(of: "@cofounder:test") > 1_000_000)
        #expect(v12.level(of: "@mod:test") == 50, "levels written as strings in old rooms are read")
        #expect(v12.level(of: "@someone:test") == 0)
        let v10 = try state("10")
        #expect(v10.level(of: "@founder:test") == 0, "before version 12 the creator is only what `users` says")
        #expect(RoomPowerLevels(state: .array([])).level(of: "@founder:test") == 0)
    }

    @Test("when the homeserver cannot say who is a moderator, a schedule change is refused, not guessed")
    func powerLevelsUnknown() async throws {
        let homeserver = FakeHomeserver()
        try await homeserver.start()
        defer { Task { await homeserver.stop() } }
        homeserver.powerLevels = nil
        let group = try GroupFixture(homeserver: homeserver, start: instant("2026-11-23T12:00:00Z")) { _ in }
        try await group.say("$u1", "@coach-anna:test", "!coach checkin at 07:30 Europe/Berlin")
        #expect(group.messages(in: GroupFixture.room).last?.body.contains("couldn't check who may change") == true)
        #expect(try group.fixture.database.read { try $0.roomSettings(GroupFixture.room) }?.checkIn == nil)
    }

    @Test("help in a group marks the commands that need moderator rights")
    func helpMarksModeratorCommands() {
        let help = RoomCommand.help(prefix: "!coach")
        let lines = help.split(separator: "\n")
        #expect(lines.contains { $0.contains("★") && $0.contains("checkin at") })
        #expect(lines.contains { $0.contains("★") && $0.contains("summary at") })
        #expect(lines.contains { !$0.contains("★") && $0.contains("schedule") })
        #expect(lines.contains { !$0.contains("★") && $0.contains("join") })
    }

    @Test("room commands set, show and switch off the schedule; bad times and zones are explained")
    func commands() async throws {
        let homeserver = FakeHomeserver()
        try await homeserver.start()
        defer { Task { await homeserver.stop() } }
        let group = try GroupFixture(homeserver: homeserver, start: instant("2026-11-23T12:00:00Z")) { _ in }
        func lastReply() -> String { group.messages(in: GroupFixture.room).last?.body ?? "" }
        try await group.say("$c1", "@coach-anna:test", "!coach checkin at 07:30 Mars/Olympus")
        #expect(lastReply().contains("'Mars/Olympus' is not a time zone I know"))
        #expect(lastReply().contains("The form is: !coach checkin at 07:30 Europe/Berlin"))
        try await group.say("$c2", "@coach-anna:test", "!coach summary at 9pm tomorrow")
        #expect(lastReply().contains("couldn't read that room command") && !lastReply().contains("I can't answer"))
        try await group.say("$c2b", "@coach-anna:test", "!coach checkin at 7.30am Europe/Berlin")
        #expect(lastReply().contains("Daily check-in set for 07:30 Europe/Berlin"))
        try await group.say("$c3", "@coach-anna:test", "!coach checkin at 07:30 Europe/Berlin")
        #expect(lastReply().contains("Daily check-in set for 07:30 Europe/Berlin"))
        #expect(lastReply().contains("Next prompt: Tuesday 24 November at 07:30"))
        try await group.say("$c4", "@ben:test", "!coach join")
        try await group.say("$c5", "@ben:test", "!coach schedule")
        #expect(lastReply().contains("check-in prompt at 07:30") && lastReply().contains("1 lifter taking part"))
        try await group.at(instant("2026-11-24T06:30:00Z"))
        #expect(group.prompts.count == 1)
        try await group.say("$c6", "@coach-anna:test", "!coach checkin off")
        try await group.at(instant("2026-11-25T06:30:00Z"))
        #expect(group.prompts.count == 1, "switched off: no prompt the next day")
        try await group.say("$c8", "@ben:test", "!coach help")
        #expect(lastReply().contains("Room commands:") && lastReply().contains("!coach checkin at 07:30 Europe/Berlin"))
        // A lifter's own "check in" is not a room command: it starts their check-in.
        try await group.say("$c7", "@ben:test", "!coach check in")
        #expect(lastReply().contains("Daily check-in"))
    }

    @Test("the weekly report goes to each opted-in lifter by direct message")
    func weeklyReport() async throws {
        let homeserver = FakeHomeserver()
        try await homeserver.start()
        defer { Task { await homeserver.stop() } }
        // 2026-11-29 is a Sunday.
        let group = try GroupFixture(homeserver: homeserver, start: instant("2026-11-27T12:00:00Z")) { settings in
            settings.group.rooms[GroupFixture.room] = RoomConfig(
                checkIn: try? CheckInSchedule(time: "07:30", zone: "Europe/Berlin"), summary: "off", weeklyReport: (1, "18:00"))
        }
        try await group.say("$w1", "@alice:test", "!coach join")
        try await group.say("$w2", "@alice:test", "@coach:test squat 100kg x 5 @ RIR 2")
        try await group.at(instant("2026-11-28T17:00:00Z"))
        #expect(group.messages(in: "!dm-alice:test").isEmpty, "Saturday: not the report's day")
        try await group.at(instant("2026-11-29T17:00:00Z"))
        let report = try #require(group.messages(in: "!dm-alice:test").last)
        #expect(report.body.hasPrefix("Your weekly report."))
        #expect(report.body.contains("Hard sets per muscle (target 10-20)"))
        #expect(report.body.contains("quadriceps"))
    }
}

@Suite("Outbound webhooks: templates and signatures, to a local receiver", .serialized)
struct OutboundWebhookTests {
    @Test("each template's payload arrives signed; a replayed webhook-id is not posted twice; scheduled prompts go there too")
    func templates() async throws {
        let receiver = FakeHomeserver()
        try await receiver.start()
        defer { Task { await receiver.stop() } }
        let (secret, text) = WebhookSecret.generate()
        let fixture = try BridgeFixture(homeserver: receiver.url, clock: MockClock(instant("2026-11-23T06:00:00Z"))) { settings in
            settings.webhookSecret = try? WebhookSecret(text)
            for template in OutboundTemplate.allCases {
                settings.group.rooms["team-\(template.rawValue)"] = RoomConfig(
                    outbound: OutboundHook(url: receiver.url + "/hooks/\(template.rawValue)", template: template))
            }
            settings.group.rooms["team-slack"]?.checkIn = try? CheckInSchedule(time: "07:30", zone: "Europe/Berlin")
            settings.group.rooms["team-slack"]?.summary = "off"
        }
        func post(_ room: String, _ message: String, id: String) async -> APIResponse {
            let body = Array(#"{"user": "ola", "room": "\#(room)", "text": "\#(message)"}"#.utf8)
            let headers = StandardWebhooks.headers(id: id, timestamp: Int(fixture.clock.now), body: body, secret: secret)
            return await fixture.api.handle(APIRequest(method: "POST", path: "/webhook", headers: headers, body: body))
        }
        for template in OutboundTemplate.allCases {
            let response = await post("team-\(template.rawValue)", "should I go to failure on squats?", id: "msg-\(template.rawValue)")
            #expect(response.status == 202)
            #expect((try JSONValue.parse(response.body))["status"]?.string == "accepted")
        }
        #expect(await post("team-slack", "should I go to failure on squats?", id: "msg-slack").status == 202, "a replay is acknowledged")
        try await fixture.drain()

        let posts = receiver.hookPosts
        #expect(posts.count == 4, "one post per message; the replay is not posted again")
        for record in posts {
            let template = try #require(OutboundTemplate(rawValue: String(record.path.dropFirst("/hooks/".count))))
            let payload = try JSONValue.parse(record.body)
            guard case let .object(fields) = payload else { Issue.record("not an object"); continue }
            let keys = Set(fields.map(\.key))
            switch template {
            case .slack, .mattermost: #expect(keys == ["text"])
            case .discord: #expect(keys == ["content", "allowed_mentions"])  // no pings (issue 10)
            case .hookshot:
                #expect(keys == ["text", "html"])
                #expect(payload["html"]?.string?.contains("<") == true)
            }
            let reply = payload["text"]?.string ?? payload["content"]?.string ?? ""
            #expect(reply.contains("avoid failure"))
            #expect(record.headers["content-type"] == "application/json")
            let id = try StandardWebhooks.verify(headers: record.headers, body: Array(record.body.utf8), secret: secret,
                                                 now: fixture.clock.now)
            #expect(id.hasPrefix("spotter-"))
        }

        fixture.clock.set(instant("2026-11-23T06:30:00Z"))
        try await fixture.drain()
        let prompt = try #require(receiver.hookPosts.last)
        #expect(prompt.path == "/hooks/slack")
        #expect(try JSONValue.parse(prompt.body)["text"]?.string?.hasPrefix("Good morning! Time for today's check-in") == true)
    }

    @Test("a room command through the webhook changes the room's schedule")
    func commandOverWebhook() async throws {
        let (secret, text) = WebhookSecret.generate()
        let fixture = try BridgeFixture(homeserver: "http://127.0.0.1:9") { $0.webhookSecret = try? WebhookSecret(text) }
        let body = Array(#"{"user": "coach-anna", "room": "team", "text": "!coach checkin at 06:45 America/New_York"}"#.utf8)
        let headers = StandardWebhooks.headers(id: "cmd-1", timestamp: Int(fixture.clock.now), body: body, secret: secret)
        let response = await fixture.api.handle(APIRequest(method: "POST", path: "/webhook", headers: headers, body: body))
        #expect(response.status == 200)
        let value = try JSONValue.parse(response.body)
        #expect(value["intent"]?.string == "room_command")
        #expect(value["reply"]?.string?.contains("06:45 America/New_York") == true)
        #expect(try fixture.database.read { try $0.roomSettings("team") }?.zone == "America/New_York")
    }
}

@Suite("Group settings in Config/")
struct GroupSettingsTests {
    func load(_ yaml: String, environment: [String: String] = [:]) throws -> MatrixSettings {
        let folder = try temporaryFolder("spotter-group-config")
        let registration = folder.appendingPathComponent("registration.yaml").path
        try Registration.generate(id: "spotter", url: "http://127.0.0.1:1", localpart: "coach").yaml
            .write(toFile: registration, atomically: true, encoding: .utf8)
        let config = folder.appendingPathComponent("spotter.yml").path
        try yaml.write(toFile: config, atomically: true, encoding: .utf8)
        return try MatrixSettings.load(configFile: config, registrationFlag: registration, homeserverFlag: "http://127.0.0.1:8008",
                                       listenFlag: nil, environment: environment)
    }

    @Test("rooms, times, zones, weekly reports and outbound webhooks are read")
    func reads() throws {
        let settings = try load("""
            schedule: {late_window_minutes: 45}
            rooms:
              "!gym:example.org": {checkin: "07:30 Europe/Berlin", reminder: "10:00", summary: "off", weekly_report: "sunday 18:00"}
              team: {webhook: {url: "https://chat.example.org/hooks/x", template: discord}}
            webhook: {secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}
            """)
        #expect(settings.group.lateWindowSeconds == 45 * 60)
        let gym = try #require(settings.group.rooms["!gym:example.org"])
        #expect(gym.checkIn?.timeText == "07:30" && gym.checkIn?.timeZone.identifier == "Europe/Berlin")
        #expect(gym.reminder == "10:00" && gym.summary == "off")
        #expect(gym.weeklyReport?.weekday == 1 && gym.weeklyReport?.time == "18:00")
        #expect(settings.group.rooms["team"]?.outbound?.template == .discord)
    }

    @Test("bad room settings stop start-up with a message that names the setting", arguments: [
        ("rooms: {r: {checkin: \"07:30\"}}", "rooms.r.checkin"),
        ("rooms: {r: {checkin: \"07:30 Mars/Base\"}}", "rooms.r.checkin"),
        ("rooms: {r: {reminder: \"ten\"}}", "rooms.r.reminder"),
        ("rooms: {r: {weekly_report: \"someday 18:00\"}}", "rooms.r.weekly_report"),
        ("rooms: {r: {webhook: {url: \"ftp://x\"}}}", "rooms.r.webhook.url"),
        ("rooms: {r: {webhook: {url: \"https://x.org/h\", template: teams}}}", "rooms.r.webhook.template"),
        ("rooms: {r: {webhook: {url: \"https://x.org/h\"}}}", "rooms.r.webhook.secret"),
        ("schedule: {late_window_minutes: soon}", "schedule.late_window_minutes"),
    ])
    func refuses(_ case: (String, String)) throws {
        do {
            _ = try load(`case`.0)
            Issue.record("accepted: \(`case`.0)")
        } catch let error as SettingError {
            #expect(error.setting == `case`.1)
            #expect(!error.message.isEmpty)
        }
    }
}
