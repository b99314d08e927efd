import Foundation
import GRDB
import SpotterCore
import SpotterDelivery
import SpotterHTTP
import SpotterMatrix
import SpotterTesting
import Testing

// Crash and fault loops: `spotter serve` as a real process under a steady stream of
// transactions, killed with SIGKILL at random moments and restarted, against a homeserver that
// can misbehave. What is checked at the end is what a lifter would notice: every message the
// homeserver handed over (got a 200) is answered exactly once, and nothing stored is lost.
//
// "Exactly one reply" under Matrix semantics: the homeserver stores one message per
// (access token, txnId); a PUT repeating a txnId is a retry of the same message, not a second
// one (that is how the spec makes sends idempotent, and Synapse honours it). So a reply is a
// message stored in the room, and "replied twice" means two stored messages (two different
// txnIds) answering one event. Resends of one txnId are counted and printed, not refused: after
// a crash between the homeserver storing a reply and Spotter recording it as sent they are the
// correct behaviour.
//
// Seeds: each run draws a seed and prints it; SPOTTER_FAULT_SEED=<n> re-runs one. The seed fixes
// the load (rooms, texts, pauses), the kill plan and the fault plan; where a kill lands relative
// to Spotter's own threads still depends on timing. See Tests/FAULTS.md.


/// The seed of this run: SPOTTER_FAULT_SEED, else a fresh one.
func faultSeed() -> UInt64 {
    if let text = ProcessInfo.processInfo.environment["SPOTTER_FAULT_SEED"], let seed = UInt64(text) { return seed }
    return UInt64.random(in: 1...999_999)
}

/// A value shared between threads of one test.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value
    init(_ value: Value) { self.value = value }
    func get() -> Value { lock.withLock { value } }
    func set(_ newValue: Value) { lock.withLock { value = newValue } }
    func update<T>(_ change: (inout Value) -> T) -> T { lock.withLock { change(&value) } }
}

/// A homeserver's view of the load: Matrix transactions of room messages, sent one at a time
/// and each retried with the same txnId until it gets a 200, as Synapse does.
final class LoadGenerator: @unchecked Sendable {
    struct Event: Sendable {
        var id: String
        var room: String
        var sender: String
        var text: String
        /// A set log: the set must be stored.
        var logsSet: Bool
    }

    struct Transaction: Sendable {
        var id: String
        var events: [Event]
        var attempts = 0
        var acknowledged = false
    }

    static let questions = [
        "should I go to failure on squats?", "how long should I rest between bench sets?", "curls to failure?",
        "how many reps in reserve on deadlifts?", "how long to recover after heavy squats?",
    ]
    static let setLogs = ["bench 80kg x 8 @ rir 2", "squat 120kg x 5 rpe 8", "deadlift 140kg x 3 @ rir 3", "curls 15kg x 12 reps"]
    /// Direct chats (answered without addressing) and group rooms (addressed with `!coach`).
    static let directRooms = (1...4).map { "!dm\($0):test" }
    static let groupRooms = ["!gym1:test", "!gym2:test"]

    let port: Int
    private var random: SeededGenerator
    private let state = Locked<(transactions: [Transaction], stop: Bool)>(([], false))

    init(port: Int, seed: UInt64) {
        self.port = port
        random = SeededGenerator(seed: seed ^ 0x10AD)
    }

    var transactions: [Transaction] { state.get().transactions }
    func stop() { state.update { $0.stop = true } }

    private func nextEvent(_ number: Int) -> Event {
        let direct = Int.random(in: 0..<3, using: &random) > 0
        let room: String
        let sender: String
        if direct {
            let index = Int.random(in: 0..<Self.directRooms.count, using: &random)
            room = Self.directRooms[index]
            sender = "@lifter\(index + 1):test"
        } else {
            room = Self.groupRooms[Int.random(in: 0..<Self.groupRooms.count, using: &random)]
            sender = "@member\(Int.random(in: 1...3, using: &random)):test"
        }
        let logsSet = Int.random(in: 0..<3, using: &random) == 0
        var text = logsSet ? Self.setLogs.randomElement(using: &random)! : Self.questions.randomElement(using: &random)!
        if !direct { text = "!coach " + text }
        return Event(id: "$load-\(number)", room: room, sender: sender, text: text, logsSet: logsSet)
    }

    static func json(_ event: Event) -> JSONValue {
        .object([
            ("event_id", .string(event.id)), ("room_id", .string(event.room)), ("sender", .string(event.sender)),
            ("type", "m.room.message"), ("origin_server_ts", .number((Date().timeIntervalSince1970 * 1000).rounded())),
            ("content", .object([("msgtype", "m.text"), ("body", .string(event.text))])),
        ])
    }

    /// Sends transactions with a pause between them until stopped, then finishes the one in
    /// flight. Blocking: run it off the cooperative pool.
    func run(pauseMilliseconds: ClosedRange<Int>, retryFor deadline: Double = 60) throws {
        let client = try CurlClient()
        client.connectTimeout = 1000
        client.requestTimeout = 10_000
        var eventNumber = 0
        var transactionNumber = 0
        while !state.get().stop {
            transactionNumber += 1
            var events: [Event] = []
            for _ in 0..<Int.random(in: 1...3, using: &random) {
                eventNumber += 1
                events.append(nextEvent(eventNumber))
            }
            let index = state.update { state -> Int in
                state.transactions.append(Transaction(id: "load-\(transactionNumber)", events: events))
                return state.transactions.count - 1
            }
            let body = Array(JSONValue.object([("events", .array(events.map(Self.json)))]).serialized().utf8)
            let giveUp = Date().addingTimeInterval(deadline)
            // Retried with the same txnId and body until acknowledged, like a homeserver.
            while Date() < giveUp {
                state.update { $0.transactions[index].attempts += 1 }
                let status = try? client.send(
                    "PUT", "http://127.0.0.1:\(port)/_matrix/app/v1/transactions/load-\(transactionNumber)",
                    headers: ["Authorization": "Bearer hs_process_test", "Content-Type": "application/json"], body: body).status
                if status == 200 {
                    state.update { $0.transactions[index].acknowledged = true }
                    break
                }
                Thread.sleep(forTimeInterval: 0.05)
            }
            Thread.sleep(forTimeInterval: Double(Int.random(in: pauseMilliseconds, using: &random)) / 1000)
        }
    }
}

/// `spotter serve` restarted on the same port and database after each kill.
final class Supervised: @unchecked Sendable {
    let folder: URL
    let homeserver: String
    let port: Int
    private let current = Locked<ServeProcess?>(nil)
    private(set) var starts = 0

    init(folder: URL, homeserver: String, port: Int) {
        self.folder = folder
        self.homeserver = homeserver
        self.port = port
    }

    var process: ServeProcess? { current.get() }

    func start() throws {
        current.set(try ServeProcess.start(folder: folder, homeserver: homeserver, port: port))
        starts += 1
    }

    /// SIGKILL now (no-op when already dead).
    func kill() {
        if let process = current.get(), process.process.isRunning { _ = Foundation.kill(process.process.processIdentifier, SIGKILL) }
    }

    func waitUntilDead(timeout: Double) -> Bool {
        guard let process = current.get() else { return true }
        let end = Date().addingTimeInterval(timeout)
        while process.process.isRunning && Date() < end { Thread.sleep(forTimeInterval: 0.02) }
        return !process.process.isRunning
    }

    func terminate() {
        guard let process = current.get() else { return }
        if process.process.isRunning {
            process.process.terminate()
            process.process.waitUntilExit()
        }
    }
}

/// What the database says after the run, read directly with SQL.
struct DatabaseAudit {
    var integrity: String
    var journalByStatus: [String: Int]
    var outboxByStatus: [String: Int]
    /// Outbox message rows per answered event id (from the dedupe key `reply:<event id>`).
    var repliesQueued: [String: Int]
    var setsByUser: [String: Int]

    /// Journal and outbox rows still pending, read beside the running server.
    static func pendingWork(path: String) throws -> Int {
        var configuration = Configuration()
        configuration.readonly = true
        return try DatabaseQueue(path: path, configuration: configuration).read { db in
            try Int.fetchOne(db, sql: """
                SELECT (SELECT COUNT(*) FROM journal WHERE status = 'pending') + (SELECT COUNT(*) FROM outbox WHERE status = 'pending')
                """) ?? 0
        }
    }

    init(path: String) throws {
        var configuration = Configuration()
        configuration.readonly = true
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        (integrity, journalByStatus, outboxByStatus, repliesQueued, setsByUser) = try queue.read { db in
            let integrity = try String.fetchAll(db, sql: "PRAGMA integrity_check").joined(separator: "; ")
            var journal: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT status, COUNT(*) FROM journal GROUP BY status") { journal[row[0]] = row[1] }
            var outbox: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT status, COUNT(*) FROM outbox GROUP BY status") { outbox[row[0]] = row[1] }
            var replies: [String: Int] = [:]
            for key in try String.fetchAll(db, sql: "SELECT dedupe_key FROM outbox WHERE kind = 'message'") where key.hasPrefix("reply:") {
                replies[String(key.dropFirst(6)), default: 0] += 1
            }
            var sets: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT user_id, COUNT(*) FROM sets GROUP BY user_id") { sets[row[0]] = row[1] }
            return (integrity, journal, outbox, replies, sets)
        }
    }
}

@Suite("Crash and fault loops (spotter serve as a process)", .serialized)
struct CrashLoopTests {
    enum KillMoment: String { case timed, afterHomeserverStored = "after-homeserver-stored" }

    struct Run {
        var seed: UInt64
        var kills: Int
        var faults: Bool
    }

    @Test("SIGKILL at random moments under steady load: every acknowledged event gets exactly one reply, nothing is lost")
    func crashLoop() async throws {
        try await crashLoop(Run(seed: faultSeed(), kills: 5, faults: false))
    }

    @Test("the same with the homeserver answering 429 and 500 in bursts and dropping connections")
    func crashLoopWithFaults() async throws {
        try await crashLoop(Run(seed: faultSeed(), kills: 3, faults: true))
    }

    func crashLoop(_ run: Run) async throws {
        let seed = run.seed
        print("crash loop (faults: \(run.faults)): seed \(seed); re-run with SPOTTER_FAULT_SEED=\(seed)")
        var random = SeededGenerator(seed: seed)
        let homeserver = FaultyHomeserver()
        try homeserver.start()
        defer { homeserver.stop() }
        if run.faults { homeserver.faultPlan = Self.faultPlan(seed: seed) }
        let folder = try temporaryFolder("spotter-crash")
        let port = freePort()
        let serve = Supervised(folder: folder, homeserver: homeserver.url, port: port)
        try await offPool { try serve.start() }
        defer { serve.terminate() }

        let load = LoadGenerator(port: port, seed: seed)
        let loadDone = Task.detached { try load.run(pauseMilliseconds: 10...40) }

        // Kill plan: each kill either at a random time, or right after the homeserver stored a
        // reply and before Spotter hears so (the window where only txnId idempotency saves a duplicate).
        var moments: [KillMoment] = (0..<run.kills).map { _ in Bool.random(using: &random) ? .timed : .afterHomeserverStored }
        moments[0] = .afterHomeserverStored  // at least one of each
        moments[run.kills - 1] = .timed
        let pauses = (0..<run.kills).map { _ in Double.random(in: 0.4...2.0, using: &random) }
        let armed = Locked(false)
        homeserver.onStored = {
            guard armed.update({ let was = $0; $0 = false; return was }) else { return false }
            serve.kill()
            return true
        }
        for (moment, pause) in zip(moments, pauses) {
            try await Task.sleep(for: .milliseconds(Int(pause * 1000)))
            switch moment {
            case .timed: serve.kill()
            case .afterHomeserverStored: armed.set(true)
            }
            // No reply stored within a few seconds (handling may be waiting out the homeserver's
            // errors): kill now instead, so the run stays short.
            let died = try await offPool { serve.waitUntilDead(timeout: 5) }
            armed.set(false)
            if !died { serve.kill() }
            #expect(try await offPool { serve.waitUntilDead(timeout: 5) }, "seed \(seed): spotter serve died on SIGKILL")
            #expect(serve.process?.process.terminationReason == .uncaughtSignal, "seed \(seed): killed, not exited")
            try await offPool { try serve.start() }
        }
        // A little more load after the last restart, then let the replies drain.
        try await Task.sleep(for: .milliseconds(800))
        load.stop()
        try await loadDone.value
        homeserver.faultPlan = { _, _ in nil }

        let transactions = load.transactions
        let events = transactions.filter(\.acknowledged).flatMap(\.events)
        #expect(transactions.allSatisfy { $0.acknowledged }, "seed \(seed): every transaction was acknowledged in the end")
        let eventIDs = Set(events.map(\.id))
        var replies: [String: [FaultyHomeserver.Message]] = [:]
        let databasePath = folder.appendingPathComponent("s.sqlite").path
        for _ in 0..<300 {
            replies = Dictionary(grouping: homeserver.messages) { $0.inReplyTo ?? "" }
            // Drained: every reply stored, and Spotter knows it (a reply whose 200 was cut off
            // is stored yet still pending until its resend).
            if eventIDs.allSatisfy({ replies[$0] != nil }), try await offPool({ try DatabaseAudit.pendingWork(path: databasePath) }) == 0 {
                break
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        serve.terminate()

        // Every acknowledged event has exactly one reply, in its room, naming its sender.
        let unanswered = events.filter { replies[$0.id] == nil }.map(\.id)
        let doubled = replies.filter { $0.value.count > 1 }.keys.sorted()
        let strangers = replies.keys.filter { !eventIDs.contains($0) }.sorted()
        #expect(unanswered.isEmpty, "seed \(seed): acknowledged but never answered: \(unanswered.prefix(10))")
        #expect(doubled.isEmpty, "seed \(seed): answered twice (distinct txnIds): \(doubled.prefix(10))")
        #expect(strangers.isEmpty, "seed \(seed): replies to events never sent: \(strangers.prefix(10))")
        for event in events {
            guard let reply = replies[event.id]?.first else { continue }
            #expect(reply.room == event.room && reply.transactionID == ReplyContent.transactionID(replyingTo: event.id),
                    "seed \(seed): \(event.id) answered in \(reply.room) with txnId \(reply.transactionID)")
            #expect(reply.content["m.mentions"]?["user_ids"]?.array?.first?.string == event.sender)
            #expect(reply.content["body"]?.string?.isEmpty == false)
        }

        // The database: intact, nothing pending, nothing lost, nothing doubled.
        let audit = try DatabaseAudit(path: databasePath)
        #expect(audit.integrity == "ok", "seed \(seed)")
        #expect(audit.journalByStatus == ["handled": eventIDs.count], "seed \(seed): every event journaled once and handled")
        #expect(audit.outboxByStatus == ["sent": eventIDs.count], "seed \(seed): every reply queued once and sent")
        #expect(audit.repliesQueued.values.allSatisfy { $0 == 1 } && Set(audit.repliesQueued.keys) == eventIDs, "seed \(seed)")
        let expectedSets = Dictionary(grouping: events.filter(\.logsSet), by: \.sender).mapValues(\.count)
        #expect(audit.setsByUser == expectedSets, "seed \(seed): every logged set stored exactly once")

        let attempts = homeserver.sendAttempts
        print("""
            crash loop seed \(seed): \(serve.starts) starts, kills \(moments.map(\.rawValue)), \(transactions.count) transactions \
            (\(transactions.filter { $0.attempts > 1 }.count) re-sent by the homeserver), \(eventIDs.count) events, \
            \(homeserver.messages.count) replies from \(attempts.count) send attempts \
            (\(attempts.filter(\.repeated).count) repeated a stored txnId), faults served \(homeserver.faultsServed)
            """)
        // A kill after the homeserver stored a reply makes Spotter send it again, with the same txnId.
        #expect(attempts.contains { $0.repeated }, "seed \(seed): the idempotent resend path was exercised")
        if run.faults { #expect(!homeserver.faultsServed.isEmpty, "seed \(seed): faults were served") }
        try? FileManager.default.removeItem(at: folder)
    }

    /// Bursts of trouble: now and then 1-4 requests in a row get one kind of fault. Every room's
    /// first member look-up fails once as well, as after a homeserver restart.
    static func faultPlan(seed: UInt64) -> @Sendable (String, String) -> FaultyHomeserver.Fault? {
        let state = Locked((random: SeededGenerator(seed: seed ^ 0xFA17), burst: [FaultyHomeserver.Fault](), lookedUp: Set<String>()))
        return { _, path in
            state.update { state in
                if path.hasSuffix("/joined_members"), state.lookedUp.insert(path).inserted { return .serverError }
                if state.burst.isEmpty, Int.random(in: 0..<100, using: &state.random) < 8 {
                    let kinds: [FaultyHomeserver.Fault] = [
                        .rateLimited(retryAfterSeconds: 1, retryAfterMilliseconds: 1000),
                        .rateLimited(retryAfterSeconds: nil, retryAfterMilliseconds: 300),
                        .serverError, .dropBeforeAnswer, .dropMidAnswer,
                    ]
                    let kind = kinds.randomElement(using: &state.random)!
                    state.burst = Array(repeating: kind, count: Int.random(in: 1...4, using: &state.random))
                }
                return state.burst.isEmpty ? nil : state.burst.removeFirst()
            }
        }
    }
}
