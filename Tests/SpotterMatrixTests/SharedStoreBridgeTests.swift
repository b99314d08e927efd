import Foundation
import SpotterBridge
import SpotterCore
import SpotterMatrix
import SpotterPostgres
import SpotterSchedule
import SpotterServer
import SpotterStore
import SpotterWebhook
import SpotterTesting
import Testing

/// Several `spotter serve` instances on one PostgreSQL database, as behind a load balancer:
/// transactions reach any of them, and every event is still answered once, in order per room.
@Suite("Several instances on one PostgreSQL", .serialized,
       .enabled(if: TestBackend.available.contains(.postgres), "needs PostgreSQL (scripts/test.sh starts one)"))
struct SharedStoreBridgeTests {
    /// Instances on one new database, pointed at one fake homeserver, sharing a clock.
    static func instances(_ count: Int, homeserver: FakeHomeserver, clock: MockClock = MockClock(1_795_420_800),
                          settingsChange: @escaping (inout MatrixSettings) -> Void = { _ in }) throws -> [BridgeFixture] {
        let url = try TestBackend.postgres.newLocation()
        _ = try PostgresBackend(url: url, migrations: .apply)  // `spotter migrate`, once
        return try (0..<count).map { _ in
            try BridgeFixture(homeserver: homeserver.url, clock: clock, settingsChange: settingsChange,
                              database: SpotterDatabase(backend: try PostgresBackend(url: url, migrations: .require)))
        }
    }

    /// The event each reply answers, by room, in the order the homeserver received them.
    static func answered(_ homeserver: FakeHomeserver) -> [String: [String]] {
        var rooms: [String: [String]] = [:]
        for send in homeserver.sends {
            let message = SentMessage(send)
            let transactionID = String(send.path.split(separator: "/").last ?? "")
            rooms[message.room, default: []].append(ReplyContent.answeredEventID(transactionID: transactionID) ?? transactionID)
        }
        return rooms
    }

    /// Runs every instance's worker at once, each on its own thread, until the journal and the
    /// outbox are empty (or a minute has passed).
    static func workTogether(_ instances: [BridgeFixture]) async throws {
        let database = instances[0].database
        try await withThrowingTaskGroup(of: Void.self) { group in
            for instance in instances {
                let bridge = instance.bridge
                group.addTask {
                    try await offPool {
                        let deadline = Date().addingTimeInterval(60)
                        while Date() < deadline {
                            if try bridge.step() { continue }
                            let left = try database.read { (try $0.journalCount(status: "pending"), try $0.outboxDepth()) }
                            if left == (0, 0) { return }
                            Thread.sleep(forTimeInterval: 0.01)
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
    }

    @Test("transactions spread over three instances, some sent to two: each message answered once, in order in its room")
    func answeredOnceInOrder() async throws {
        let homeserver = FakeHomeserver()
        try await homeserver.start()
        defer { Task { await homeserver.stop() } }
        let instances = try Self.instances(3, homeserver: homeserver)
        let rooms = (1...4).map { "!dm\($0):test" }
        var asked: [String: [String]] = [:]
        var transaction = 0
        for round in 0..<6 {
            for (roomIndex, room) in rooms.enumerated() {
                let ids = (0..<2).map { "$\(roomIndex)-\(round)-\($0)" }
                asked[room, default: []] += ids
                let events = ids.map { BridgeFixture.event($0, room: room, sender: "@lifter\(roomIndex):test", body: "how long should I rest between sets?") }
                transaction += 1
                let first = instances[transaction % 3]
                #expect(await first.put("t\(transaction)", events).status == 200)
                // The homeserver retries a transaction it saw no answer to, maybe at another instance.
                if transaction % 2 == 0 {
                    #expect(await instances[(transaction + 1) % 3].put("t\(transaction)", events).status == 200)
                }
            }
            // Handling goes on while transactions arrive.
            if round % 2 == 1 { try await Self.workTogether(instances) }
        }
        try await Self.workTogether(instances)

        #expect(Self.answered(homeserver) == asked)
        let counts = try instances[0].database.read { (try $0.journalCount(status: "pending"), try $0.outboxDepth()) }
        #expect(counts == (0, 0))
        #expect(try instances[0].database.read { try $0.journalCount(status: "handled") } == 48)
    }

    @Test("with every instance running the scheduler, a room's prompt is posted once")
    func promptOnce() async throws {
        let homeserver = FakeHomeserver()
        try await homeserver.start()
        defer { Task { await homeserver.stop() } }
        homeserver.memberCount = 4
        let clock = MockClock(instant("2026-11-23T06:29:00Z"))
        let instances = try Self.instances(3, homeserver: homeserver, clock: clock) { settings in
            settings.group.rooms[GroupFixture.room] = RoomConfig(
                checkIn: try? CheckInSchedule(time: "07:30", zone: "Europe/Berlin"), summary: "off")
        }
        for minute in 0..<3 {
            clock.set(instant("2026-11-23T06:29:00Z") + Double(minute) * 60)
            try await Self.workTogether(instances)
        }
        let prompts = homeserver.sends.map(SentMessage.init).filter { $0.body.hasPrefix("Good morning! Time for today's check-in") }
        #expect(prompts.count == 1)
        #expect(try instances[0].database.read { try $0.scheduleLog(room: GroupFixture.room) }.map(\.status) == ["posted"])
    }

    @Test("an instance whose database cannot be reached says not ready, so the load balancer stops sending to it")
    func notReadyWithoutDatabase() async throws {
        let homeserver = FakeHomeserver()
        try await homeserver.start()
        defer { Task { await homeserver.stop() } }
        let instance = try Self.instances(1, homeserver: homeserver)[0]
        let name = instance.database.path.split(separator: "/").last.map(String.init) ?? ""
        let server = try #require(ProcessInfo.processInfo.environment["SPOTTER_TEST_POSTGRES"])
        #expect(await instance.api.handle(APIRequest(method: "GET", path: "/readyz")).status == 200)
        // The database refuses every connection, and the instance's are cut.
        try PostgresBackend.executeForTests(url: server, "ALTER DATABASE \(name) ALLOW_CONNECTIONS false")
        try PostgresBackend.executeForTests(url: server, """
            SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '\(name)' AND pid <> pg_backend_pid()
            """)
        #expect(await instance.api.handle(APIRequest(method: "GET", path: "/readyz")).status == 503)
        try PostgresBackend.executeForTests(url: server, "ALTER DATABASE \(name) ALLOW_CONNECTIONS true")
        #expect(await instance.api.handle(APIRequest(method: "GET", path: "/readyz")).status == 200)
    }

    @Test("the same webhook request at two instances at once is handled once: one set logged, the same answer to both")
    func webhookOnce() async throws {
        let homeserver = FakeHomeserver()
        try await homeserver.start()
        defer { Task { await homeserver.stop() } }
        let (secret, text) = WebhookSecret.generate()
        let instances = try Self.instances(2, homeserver: homeserver) { $0.webhookSecret = try? WebhookSecret(text) }
        for attempt in 0..<10 {
            let body = Array(#"{"user": "ola", "room": "team", "text": "squat 100kg x 5", "id": "m\#(attempt)"}"#.utf8)
            let headers = StandardWebhooks.headers(id: "delivery-\(attempt)", timestamp: Int(instances[0].clock.now), body: body, secret: secret)
            let request = APIRequest(method: "POST", path: "/webhook", headers: headers, body: body)
            async let first = instances[0].api.handle(request)
            async let second = instances[1].api.handle(request)
            let (a, b) = await (first, second)
            #expect(a.status == 200 && b.status == 200)
            #expect(a.body == b.body)
        }
        let sets = try instances[0].database.read { try $0.sets(user: "ola", since: -1e12) }
        #expect(sets.count == 10)
    }
}
