import Foundation
import SpotterBridge
import SpotterCore
import SpotterGroup
import SpotterMatrix
import SpotterStore
import SpotterTesting
import Testing

extension GroupFixture {
    /// A lifter's `m.reaction` on an event, as the homeserver sends it.
    func react(_ id: String, _ sender: String, on target: String, key: String, room: String = room) async throws {
        let event = JSONValue.object([
            ("event_id", .string(id)), ("room_id", .string(room)), ("sender", .string(sender)), ("type", "m.reaction"),
            ("origin_server_ts", .number(fixture.clock.now * 1000)),
            ("content", .object([("m.relates_to", .object([
                ("rel_type", "m.annotation"), ("event_id", .string(target)), ("key", .string(key)),
            ]))])),
        ])
        #expect(await fixture.put("t-\(id)", [event]).status == 200)
        try await fixture.drain()
    }

    /// A redaction; `inContent` puts `redacts` in the content (room version 11 and later).
    func redact(_ id: String, _ sender: String, _ target: String, inContent: Bool) async throws {
        var fields: [(key: String, value: JSONValue)] = [
            ("event_id", .string(id)), ("room_id", .string(Self.room)), ("sender", .string(sender)), ("type", "m.room.redaction"),
            ("origin_server_ts", .number(fixture.clock.now * 1000)),
            ("content", inContent ? .object([("redacts", .string(target))]) : .object([])),
        ]
        if !inContent { fields.append(("redacts", .string(target))) }
        #expect(await fixture.put("t-\(id)", [.object(fields)]).status == 200)
        try await fixture.drain()
    }

    /// Asks for the room summary and returns it.
    func summary(_ id: String) async throws -> String {
        try await say(id, "@alice:test", "!coach summary")
        return messages(in: Self.room).last { $0.body.hasPrefix("Group check-in") }?.body ?? ""
    }

    /// Posts today's prompt (07:30 Berlin on 23 November) and returns its event id.
    func postPrompt() async throws -> String {
        try await run(from: instant("2026-11-23T06:30:00Z"), to: instant("2026-11-23T06:31:00Z"), step: 60)
        return try #require(try log().first { $0.kind == "prompt" }?.eventID)
    }
}

@Suite("One-tap check-in: rating reactions on the morning prompt", .serialized)
struct QuickCheckInTests {
    static let green = "slept 8h, soreness 1, energy 5, stress 1, motivation 5, no pain"
    static let red = "slept 4 hours, soreness 5, energy 1, stress 5, motivation 1, no pain"
    static let keys = QuickRating.keys

    @Test("a rating is a quick check-in the summary counts; re-reacting changes it; a redaction removes it")
    func recordedChangedRemoved() async throws {
        let homeserver = FakeHomeserver()
        try await homeserver.start()
        defer { Task { await homeserver.stop() } }
        let group = try GroupFixture(homeserver: homeserver, start: instant("2026-11-23T06:00:00Z"), configure: GroupCoachingTests.berlin())
        let root = try await group.postPrompt()
        #expect(group.prompts.first?.body.contains("Tap one reaction") == true, "the prompt explains the rating")
        try await group.say("$a1", "@alice:test", Self.green, thread: root)
        try await group.say("$b1", "@bob:test", Self.red, thread: root)

        try await group.react("$c1", "@carol:test", on: root, key: Self.keys[3])
        var summary = try await group.summary("$s1")
        #expect(summary.contains("3 of 3 lifters checked in (1 by a quick rating)."), "\(summary)")
        #expect(summary.contains("2 green, 0 amber, 1 red"), "a 4 is green")

        try await group.react("$c2", "@carol:test", on: root, key: Self.keys[2])
        summary = try await group.summary("$s2")
        #expect(summary.contains("3 of 3 lifters checked in (1 by a quick rating)."), "re-reacting does not count her twice")
        #expect(summary.contains("1 green, 1 amber, 1 red"), "the latest rating wins: a 3 is amber")

        // Removing the 3 (room v11: `redacts` in the content) leaves her 4 showing, and counting.
        try await group.redact("$x1", "@carol:test", "$c2", inContent: true)
        summary = try await group.summary("$s3")
        #expect(summary.contains("2 green, 0 amber, 1 red"), "\(summary)")

        // Removing the 4 too (older rooms: `redacts` at the top level): no quick check-in is left.
        try await group.redact("$x2", "@carol:test", "$c1", inContent: false)
        summary = try await group.summary("$s4")
        #expect(summary.contains("2 of 3 lifters checked in."), "\(summary)")
        #expect(!summary.contains("quick rating"))
        #expect(!summary.contains("carol"), "counts only, never names")
    }

    @Test("a full check-in the same day supersedes the quick one: the lifter is counted once, by the full one")
    func fullSupersedesQuick() async throws {
        let homeserver = FakeHomeserver()
        try await homeserver.start()
        defer { Task { await homeserver.stop() } }
        let group = try GroupFixture(homeserver: homeserver, start: instant("2026-11-23T06:00:00Z"), configure: GroupCoachingTests.berlin())
        let root = try await group.postPrompt()
        try await group.say("$b1", "@bob:test", Self.green, thread: root)
        try await group.say("$c1", "@carol:test", Self.green, thread: root)
        try await group.react("$r1", "@alice:test", on: root, key: Self.keys[4])
        var summary = try await group.summary("$s1")
        #expect(summary.contains("3 of 3 lifters checked in (1 by a quick rating)."), "\(summary)")
        #expect(summary.contains("3 green, 0 amber, 0 red"))

        try await group.say("$a1", "@alice:test", Self.red, thread: root)
        summary = try await group.summary("$s2")
        #expect(summary.contains("3 of 3 lifters checked in."), "\(summary)")
        #expect(!summary.contains("quick rating"))
        #expect(summary.contains("2 green, 0 amber, 1 red"), "alice counts by her full check-in (red), not her 5")
    }

    @Test("Spotter adds its five rating reactions to the prompt exactly once, across a failing homeserver and a restart")
    func reactionsOnceAcrossRestart() async throws {
        let homeserver = FakeHomeserver()
        try await homeserver.start()
        defer { Task { await homeserver.stop() } }
        var group = try GroupFixture(homeserver: homeserver, start: instant("2026-11-23T06:00:00Z"), configure: GroupCoachingTests.berlin())
        homeserver.failingReactions = 2
        try await group.at(instant("2026-11-23T06:30:00Z"))
        let root = try #require(try group.log().first { $0.kind == "prompt" }?.eventID)
        try group.restart()
        try await group.run(from: instant("2026-11-23T06:31:00Z"), to: instant("2026-11-23T06:40:00Z"), step: 60)
        try group.restart()
        try await group.run(from: instant("2026-11-23T06:41:00Z"), to: instant("2026-11-23T06:45:00Z"), step: 60)

        let reactions = homeserver.reactions
        #expect(Set(reactions.map(\.path)).count == 5, "five reactions, each under its own transaction id")
        #expect(reactions.count == 7, "the two refused with 500 were sent again, nothing else was")
        let contents = reactions.compactMap { try? JSONValue.parse($0.body) }
        #expect(Set(contents.compactMap { $0["m.relates_to"]?["key"]?.string }) == Set(Self.keys))
        for content in contents {
            #expect(content["m.relates_to"]?["rel_type"]?.string == "m.annotation")
            #expect(content["m.relates_to"]?["event_id"]?.string == root)
        }
        #expect(reactions.allSatisfy { $0.path.contains("/rooms/%21gym%3Atest/send/m.reaction/") })
        #expect(try group.fixture.database.read { try $0.outboxCounts()["pending"] ?? 0 } == 0)

        // The bot's own reactions, echoed back by the homeserver, are not check-ins.
        try await group.react("$own", "@coach:test", on: root, key: Self.keys[0])
        try await group.say("$s1", "@alice:test", "!coach summary")
        #expect(group.messages(in: GroupFixture.room).last?.body.contains("Nobody in this room takes part") == true,
                "nobody joined by the bot's own reaction")
    }

    @Test("a red-leaning rating offers the full check-in by direct message; nothing about it goes to the room")
    func lowRatingDirectMessage() async throws {
        let homeserver = FakeHomeserver()
        try await homeserver.start()
        defer { Task { await homeserver.stop() } }
        let group = try GroupFixture(homeserver: homeserver, start: instant("2026-11-23T06:00:00Z"), configure: GroupCoachingTests.berlin())
        let root = try await group.postPrompt()
        try await group.say("$a1", "@alice:test", Self.green, thread: root)
        let roomBefore = group.messages(in: GroupFixture.room).count

        try await group.react("$b1", "@bob:test", on: root, key: Self.keys[0])
        try await group.react("$b2", "@bob:test", on: root, key: Self.keys[1])
        try await group.react("$c1", "@carol:test", on: root, key: Self.keys[4])
        try await group.react("$a2", "@alice:test", on: root, key: Self.keys[0])
        let bob = group.messages(in: "!dm-bob:test").map(\.body)
        #expect(bob.count == 1, "one offer a day, however often he re-rates")
        #expect(bob.first?.contains("You rated your recovery 1 of 5") == true)
        #expect(bob.first?.contains("Reply 'check in' here") == true)
        let invited = Set(homeserver.createdRooms.compactMap { try? JSONValue.parse($0.body)["invite"]?.array?.first?.string })
        #expect(!invited.contains("@carol:test"), "a 5 gets no direct message")
        #expect(group.messages(in: "!dm-alice:test").allSatisfy { !$0.body.contains("You rated your recovery") },
                "alice did the full check-in already: no offer")
        #expect(group.messages(in: GroupFixture.room).count == roomBefore, "the room hears nothing about anyone's rating")

        // The next morning, before its prompt, a rating on yesterday's prompt is recorded but offers nothing.
        try await group.at(instant("2026-11-24T06:00:00Z"))
        try await group.react("$d1", "@dave:test", on: root, key: Self.keys[0])
        #expect(group.messages(in: "!dm-dave:test").isEmpty, "no offer for a past day")
        #expect(try group.fixture.database.read { try $0.quickCheckIns(room: GroupFixture.room, fromDay: "2026-11-23", toDay: "2026-11-23") }
            .contains { $0.userID == "@dave:test" && $0.rating == 1 })
    }

    @Test("triage: only a lifter's rating on a prompt is a quick check-in; redactions in both forms")
    func triage() {
        let bot = BotIdentity(userID: "@coach:test")
        func reaction(_ sender: String, on target: String, key: String) -> JSONValue {
            .object([("event_id", "$r"), ("room_id", "!gym:test"), ("sender", .string(sender)), ("type", "m.reaction"),
                     ("content", .object([("m.relates_to", .object([
                         ("rel_type", "m.annotation"), ("event_id", .string(target)), ("key", .string(key)),
                     ]))]))])
        }
        func triage(_ event: JSONValue) -> EventAction {
            EventTriage.triage(event, bot: bot, memberCount: 4, startupCutoff: 0, isCheckInPrompt: { $0 == "$prompt" })
        }
        #expect(triage(reaction("@bob:test", on: "$prompt", key: "2\u{FE0F}\u{20E3}")) == .quickRating(prompt: "$prompt", rating: 2))
        #expect(triage(reaction("@bob:test", on: "$prompt", key: "5\u{20E3}")) == .quickRating(prompt: "$prompt", rating: 5))
        #expect(triage(reaction("@coach:test", on: "$prompt", key: "1\u{FE0F}\u{20E3}")) == .ignore("own event"))
        #expect(triage(reaction("@bob:test", on: "$other", key: "1\u{FE0F}\u{20E3}")) == .ignore("reaction not on a check-in prompt"))
        #expect(triage(reaction("@bob:test", on: "$prompt", key: "👍")) == .ignore("reaction that is not a rating"))
        let v11 = JSONValue.object([("event_id", "$x"), ("room_id", "!gym:test"), ("sender", "@bob:test"), ("type", "m.room.redaction"),
                                    ("content", .object([("redacts", "$r")]))])
        let older = JSONValue.object([("event_id", "$x"), ("room_id", "!gym:test"), ("sender", "@bob:test"), ("type", "m.room.redaction"),
                                      ("redacts", "$r"), ("content", .object([]))])
        // Malformed reactions are ignored, never a crash.
        let numberKey = JSONValue.object([("type", "m.reaction"), ("sender", "@bob:test"), ("content", .object([("m.relates_to", .object([
            ("rel_type", "m.annotation"), ("event_id", "$prompt"), ("key", .number(1)),
        ]))]))])
        #expect(triage(numberKey) == .ignore("reaction without an annotation"))
        #expect(triage(.object([("type", "m.reaction"), ("sender", "@bob:test"), ("content", .array([]))]))
            == .ignore("reaction without an annotation"))
        #expect(triage(reaction("@bob:test", on: "$prompt", key: String(repeating: "1\u{FE0F}\u{20E3}", count: 10_000)))
            == .ignore("reaction that is not a rating"))
        #expect(triage(.object([("type", "m.room.redaction"), ("sender", "@bob:test"), ("content", .object([]))]))
            == .ignore("redaction without redacts"))
        #expect(triage(v11) == .redaction(redacts: "$r"))
        #expect(triage(older) == .redaction(redacts: "$r"))
    }
}

@Suite("One-tap check-in: reminders and the coach's digest", .serialized)
struct QuickCheckInFollowUpTests {
    @Test("a lifter who tapped a rating has checked in: no reminder for them")
    func noReminderAfterRating() async throws {
        let homeserver = FakeHomeserver()
        try await homeserver.start()
        defer { Task { await homeserver.stop() } }
        let group = try GroupFixture(homeserver: homeserver, start: instant("2026-11-23T06:00:00Z"),
                                     configure: GroupCoachingTests.berlin(reminder: "10:00"))
        let root = try await group.postPrompt()
        try await group.say("$j1", "@carol:test", "!coach join")
        try await group.say("$j2", "@bob:test", "!coach join")
        try await group.react("$b1", "@bob:test", on: root, key: QuickRating.keys[2])
        try await group.at(instant("2026-11-23T09:00:00Z"))
        let reminder = try #require(group.messages(in: GroupFixture.room).last { $0.body.hasPrefix("Reminder") })
        #expect(reminder.mentions == ["@carol:test"], "bob rated, carol did nothing")
    }

    @Test("the coach's digest counts a sharer's rating as a check-in: red at 1-2, and not missed for three days")
    func digestCountsRatings() async throws {
        let homeserver = FakeHomeserver()
        try await homeserver.start()
        defer { Task { await homeserver.stop() } }
        let group = try GroupFixture(homeserver: homeserver, start: instant("2026-11-23T06:00:00Z"), configure: GroupCoachingTests.berlin())
        try await group.say("$k0", "@coach-anna:test", "!coach coaches @coach-anna:test")
        try await group.say("$k1", "@ben:test", "!coach share")
        try await group.say("$k2", "@dave:test", "!coach share")
        let root = try await group.postPrompt()
        try await group.react("$r1", "@ben:test", on: root, key: QuickRating.keys[1])
        try await group.at(instant("2026-11-23T19:00:00Z"))
        let digest = group.messages(in: "!dm-coach-anna:test").map(\.body).joined(separator: "\n")
        #expect(digest.contains("Sharing with you: 2 lifters, 1 checked in today."), "\(digest)")
        #expect(digest.contains("• Red today: @ben:test"))
        #expect(digest.contains("• Reported pain: nobody"), "a rating says nothing about pain")
        #expect(digest.contains("• No check-in for three days: @dave:test"), "ben rated today: not missed")
    }
}
