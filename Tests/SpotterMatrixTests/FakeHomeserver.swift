import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import SpotterCore

/// An in-process homeserver on loopback for client tests: records every request and answers
/// from a script (so a test can make it say 429 with Retry-After, 500, or hang).
final class FakeHomeserver: @unchecked Sendable {
    struct Recorded: Sendable {
        var method: String
        var path: String
        var body: String
        var authorization: String?
        /// Every header, names lowercased.
        var headers: [String: String] = [:]
    }

    enum Scripted: Sendable {
        case status(Int, body: String, retryAfter: String?)
        /// Wait this long before answering 200.
        case hang(seconds: Double)
    }

    private let lock = NSLock()
    private var recorded: [Recorded] = []
    private var sendScript: [Scripted] = []
    var memberCount = 2
    /// The rooms' `m.room.power_levels` users (others are at 0); nil answers 500.
    var powerLevels: [String: Int]? = ["@coach-anna:test": 50]
    /// How often the power levels were asked for.
    var powerLevelRequests: Int { requests.filter { $0.method == "GET" && $0.path.hasSuffix("/state") }.count }
    /// Rooms whose joined members are set (`setMembers`): `joined_members` answers these
    /// lists, other rooms `memberCount` made-up members.
    private var roomMembers: [String: [String]] = [:]
    private var lookups: [String] = []

    /// Sets who has joined a room, as the homeserver's state would say.
    func setMembers(_ room: String, _ users: [String]) { lock.withLock { roomMembers[room] = users } }
    /// The rooms `joined_members` was asked about, in order.
    var memberLookups: [String] { lock.withLock { lookups } }
    private(set) var port = 0
    private var group: ServiceGroup?
    private var task: Task<Void, any Error>?

    var requests: [Recorded] { lock.withLock { recorded } }
    /// Messages sent (reactions are apart: `reactions`).
    var sends: [Recorded] { requests.filter { $0.method == "PUT" && $0.path.contains("/send/") && !$0.path.contains("/send/m.reaction/") } }
    /// `PUT /rooms/{room}/send/m.reaction/{txnId}`: annotations Spotter added.
    var reactions: [Recorded] { requests.filter { $0.method == "PUT" && $0.path.contains("/send/m.reaction/") } }
    /// How many of the next reactions are answered 500 (a homeserver having a bad moment).
    var failingReactions = 0
    /// POSTs to `/hooks/…` (a chat system's incoming webhook).
    var hookPosts: [Recorded] { requests.filter { $0.method == "POST" && $0.path.hasPrefix("/hooks/") } }
    /// Direct rooms created, by invited user.
    var createdRooms: [Recorded] { requests.filter { $0.path.hasSuffix("/createRoom") } }

    /// Answers for the next sends, in order; after them sends get 200.
    func script(_ answers: [Scripted]) { lock.withLock { sendScript = answers } }

    var url: String { "http://127.0.0.1:\(port)" }

    func start() async throws {
        let router = Router()
        router.on("**", method: .get, use: answer)
        router.on("**", method: .put, use: answer)
        router.on("**", method: .post, use: answer)
        let ready = AsyncStream<Int>.makeStream()
        var logger = Logger(label: "fake-homeserver")
        logger.logLevel = .critical
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in ready.continuation.yield(channel.localAddress?.port ?? 0) }, logger: logger)
        let group = ServiceGroup(services: [app], logger: logger)
        self.group = group
        task = Task { try await group.run() }
        for await port in ready.stream {
            self.port = port
            break
        }
    }

    func stop() async {
        await group?.triggerGracefulShutdown()
        _ = try? await task?.value
    }

    @Sendable func answer(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        var request = request
        let body = try await request.collectBody(upTo: 1 << 20)
        let path = request.uri.path
        let method = request.method.rawValue
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName.lowercased()] = field.value }
        lock.withLock {
            recorded.append(Recorded(method: method, path: path, body: String(buffer: body),
                                     authorization: request.headers[.authorization], headers: headers))
        }
        func json(_ status: Int, _ text: String, retryAfter: String? = nil) -> Response {
            var headers: HTTPFields = [.contentType: "application/json"]
            if let retryAfter { headers[.retryAfter] = retryAfter }
            return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
        }
        if path.hasSuffix("/account/whoami") { return json(200, "{\"user_id\": \"@coach:test\"}") }
        if path.contains("/appservice/") && path.hasSuffix("/ping") { return json(200, "{\"duration_ms\": 1}") }
        if path.contains("/join/") { return json(200, "{\"room_id\": \"!room:test\"}") }
        if path.hasSuffix("/createRoom") {
            let invited = (try? JSONValue.parse(String(buffer: body)))?["invite"]?.array?.first?.string ?? "nobody"
            return json(200, "{\"room_id\": \"!dm-\(invited.dropFirst().prefix { $0 != ":" }):test\"}")
        }
        if path.hasPrefix("/hooks/") { return json(200, "{}") }
        if path.hasSuffix("/joined_members") {
            let parts = path.split(separator: "/")
            let room = parts.firstIndex(of: "rooms").map { String(parts[$0 + 1]) }.map { $0.removingPercentEncoding ?? $0 } ?? ""
            let listed: [String]? = lock.withLock {
                lookups.append(room)
                return roomMembers[room]
            }
            let names = listed ?? (0..<memberCount).map { "@user\($0):test" }
            let members = names.map { "\"\($0)\": {}" }.joined(separator: ", ")
            return json(200, "{\"joined\": {\(members)}}")
        }
        if path.hasSuffix("/state") {
            guard let levels = lock.withLock({ powerLevels }) else { return json(500, "{\"errcode\": \"M_UNKNOWN\"}") }
            let users = levels.map { "\"\($0.key)\": \($0.value)" }.joined(separator: ", ")
            return json(200, """
                [{"type": "m.room.create", "state_key": "", "sender": "@owner:test", "content": {"room_version": "12"}},
                 {"type": "m.room.power_levels", "state_key": "", "sender": "@owner:test",
                  "content": {"users": {\(users)}, "users_default": 0, "state_default": 50}}]
                """)
        }
        if path.contains("/send/m.reaction/") {
            // Reactions take no scripted answer: the scripts are for messages.
            let fail = lock.withLock { () -> Bool in
                guard failingReactions > 0 else { return false }
                failingReactions -= 1
                return true
            }
            return fail ? json(500, "{\"errcode\": \"M_UNKNOWN\"}") : json(200, "{\"event_id\": \"$reaction\(UUID().uuidString)\"}")
        }
        if path.contains("/send/") {
            let next: Scripted? = lock.withLock { sendScript.isEmpty ? nil : sendScript.removeFirst() }
            switch next {
            case let .status(status, body, retryAfter)?: return json(status, body, retryAfter: retryAfter)
            case let .hang(seconds)?:
                try await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
                return json(200, "{\"event_id\": \"$late\"}")
            case nil: return json(200, "{\"event_id\": \"$sent\(UUID().uuidString)\"}")
            }
        }
        return json(404, "{\"errcode\": \"M_UNRECOGNIZED\", \"error\": \"Unrecognized request\"}")
    }
}
