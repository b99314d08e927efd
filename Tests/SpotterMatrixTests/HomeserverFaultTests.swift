import Foundation
import SpotterBridge
import SpotterCore
import SpotterDelivery
import SpotterMatrix
import SpotterStore
import SpotterTesting
import Testing

/// One fault at a time, with a hand-moved clock: the deterministic companions of the crash loops.
@Suite("A homeserver that misbehaves", .serialized)
struct HomeserverFaultTests {
    /// A plan that serves these faults, in order, to requests whose path contains `matching`.
    static func plan(_ faults: [FaultyHomeserver.Fault], matching: String) -> @Sendable (String, String) -> FaultyHomeserver.Fault? {
        let queue = Locked(faults)
        return { _, path in
            guard path.contains(matching) else { return nil }
            return queue.update { $0.isEmpty ? nil : $0.removeFirst() }
        }
    }

    @Test("a passing failure to learn a room's size delays the answer; it does not drop the message")
    func memberLookupRetried() async throws {
        let homeserver = FaultyHomeserver()
        try homeserver.start()
        defer { homeserver.stop() }
        // The drop comes first, on a fresh connection: on a reused one libcurl would quietly retry it.
        homeserver.faultPlan = Self.plan([.dropBeforeAnswer, .serverError, .rateLimited(retryAfterSeconds: 5, retryAfterMilliseconds: 0)],
                                         matching: "/joined_members")
        let fixture = try BridgeFixture(homeserver: homeserver.url)
        // Unaddressed, in a room Spotter does not know yet: only the room's size says whether it is for Spotter.
        #expect(await fixture.put("1", [BridgeFixture.event("$dm", room: "!new:test", body: "should I go to failure on squats?"),
                                        BridgeFixture.event("$other", room: "!gym:test", body: "!coach curls to failure?")]).status == 200)
        try await fixture.drain()
        #expect(homeserver.messages.map(\.inReplyTo) == ["$other"], "other rooms do not wait")
        #expect(try fixture.database.read { try $0.journalCount(status: "pending") } == 1, "kept for later, not ignored")
        fixture.clock.advance(1)
        try await fixture.drain()  // the 500
        fixture.clock.advance(2)
        try await fixture.drain()  // 429 asking for 5 s
        fixture.clock.advance(4)
        try await fixture.drain()
        #expect(homeserver.messages.count == 1, "Retry-After: 5 is honoured")
        fixture.clock.advance(1.5)
        try await fixture.drain()
        let replies = homeserver.messages.filter { $0.inReplyTo == "$dm" }
        #expect(replies.count == 1)
        #expect(replies.first?.content["body"]?.string?.contains("avoid failure") == true)
        #expect(try fixture.database.read { try $0.journalCount(status: "handled") } == 2)
    }

    @Test("a refused member look-up, or one failing for a minute, takes the room as a group: only addressed messages are answered")
    func memberLookupGivenUp() async throws {
        for (fault, lookups) in [(FaultyHomeserver.Fault.forbidden, 1),
                                 (.rateLimited(retryAfterSeconds: 1, retryAfterMilliseconds: 0), MatrixBridge.memberLookupAttempts + 1)] {
            let homeserver = FaultyHomeserver()
            try homeserver.start()
            defer { homeserver.stop() }
            let asked = Locked(0)
            homeserver.faultPlan = { _, path in
                guard path.hasSuffix("/joined_members") else { return nil }
                asked.update { $0 += 1 }
                return fault
            }
            let fixture = try BridgeFixture(homeserver: homeserver.url)
            #expect(await fixture.put("1", [BridgeFixture.event("$a", room: "!big:test", body: "curls to failure?"),
                                            BridgeFixture.event("$b", room: "!big:test", body: "!coach curls to failure?")]).status == 200)
            // A passing failure is retried with backoff (1, 2, 4, 8, 16, 32 s), then given up.
            for _ in 0..<8 {
                try await fixture.drain()
                fixture.clock.advance(Backoff.cap)
            }
            #expect(asked.get() == lookups, "\(fault)")
            #expect(homeserver.messages.map(\.inReplyTo) == ["$b"], "\(fault)")
            #expect(try fixture.database.read { try $0.journalCount(status: "pending") } == 0, "\(fault): nothing is stuck")
        }
    }

    @Test("a reply whose 200 was cut off is sent again with the same txnId and stored once")
    func droppedMidAnswer() async throws {
        let homeserver = FaultyHomeserver()
        try homeserver.start()
        defer { homeserver.stop() }
        homeserver.faultPlan = Self.plan([.dropMidAnswer, .dropBeforeAnswer, .serverError], matching: "/send/")
        let fixture = try BridgeFixture(homeserver: homeserver.url)
        #expect(await fixture.put("1", [BridgeFixture.event("$q", body: "bench 100kg x 5 @ rir 2")]).status == 200)
        for _ in 0..<5 {
            try await fixture.drain()
            fixture.clock.advance(10)
        }
        let attempts = homeserver.sendAttempts
        #expect(attempts.count == 4, "cut off, dropped, 500, then 200")
        #expect(Set(attempts.map(\.transactionID)) == [ReplyContent.transactionID(replyingTo: "$q")])
        #expect(homeserver.messages.count == 1, "the homeserver stored the first attempt; the rest repeat its txnId")
        #expect(attempts.dropFirst().allSatisfy { $0.repeated })
        #expect(fixture.bridge.metrics.value("spotter_replies_total") == 1)
        #expect(try fixture.database.read { try $0.outboxCounts() } == ["sent": 1])
        #expect(try fixture.database.read { try $0.sets(user: "@alice:test", since: 0) }.count == 1)
    }
}
