import Foundation
import Hummingbird
import Logging
import SpotterCore
import SpotterDelivery
import SpotterHTTP
import SpotterMatrix

/// Loopback servers and loads for `spotter bench`: a homeserver stand-in that accepts every
/// send, and a bare Hummingbird handler to compare ingest against. Measurement only.
public enum BenchmarkServers {
    /// A homeserver stand-in: whoami, ping, join and send all answer 200 at once.
    public static func fakeHomeserver(host: String, port: Int, botUserID: String = "@coach:localhost") -> some ApplicationProtocol {
        let router = Router()
        let counter = SendCounter()
        @Sendable func answer(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
            var request = request
            _ = try await request.collectBody(upTo: 1 << 20)
            let path = request.uri.path
            let body: String
            if path.hasSuffix("/account/whoami") {
                body = "{\"user_id\": \"\(botUserID)\"}"
            } else if path.hasSuffix("/joined_members") {
                body = "{\"joined\": {\"\(botUserID)\": {}, \"@someone:localhost\": {}}}"
            } else {
                body = "{\"event_id\": \"$e\(counter.next())\"}"
            }
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body)))
        }
        for method in [HTTPRequest.Method.get, .put, .post] { router.on("**", method: method, use: answer) }
        return Application(router: router, configuration: .init(address: .hostname(host, port: port), serverName: "fake-homeserver"),
                           logger: quietLogger)
    }

    /// The least a Hummingbird handler can do: read the body, answer 200 `{}`.
    public static func bareServer(host: String, port: Int) -> some ApplicationProtocol {
        let router = Router()
        @Sendable func answer(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
            var request = request
            _ = try await request.collectBody(upTo: 8 << 20)
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: "{}")))
        }
        for method in [HTTPRequest.Method.get, .put, .post] { router.on("**", method: method, use: answer) }
        return Application(router: router, configuration: .init(address: .hostname(host, port: port), serverName: "bare"),
                           logger: quietLogger)
    }

    static var quietLogger: Logger {
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        return logger
    }

    /// Sends `count` replies through one client and reports the rate and new connections.
    public static func outbound(homeserver: String, count: Int) throws -> String {
        let client = try CurlClient()
        let homeserverClient = HomeserverClient(base: homeserver, asToken: "as_bench", client: client)
        let content = ReplyContent.make(reply: "Barbell Squat: avoid failure.\nReps in reserve: 1-3.", to: "$question",
                                        sender: "@alice:localhost", threadRoot: nil, msgtype: "m.notice").serialized()
        var connections = 0
        var failures = 0
        let start = Date()
        for index in 0..<count {
            if homeserverClient.send(room: "!bench:localhost", transactionID: "bench-\(index)", content: content) != .delivered {
                failures += 1
            }
            connections += client.lastNewConnections
        }
        let seconds = Date().timeIntervalSince(start)
        return String(format: "outbound replies over libcurl: %d in %.2f s = %.0f replies/s, %d new connection(s), %d failed",
                      count, seconds, Double(count) / seconds, connections, failures)
    }
}

final class SendCounter: Sendable {
    private let value = Locked(0)
    func next() -> Int {
        value.withLock { value in
            value += 1
            return value
        }
    }
}
