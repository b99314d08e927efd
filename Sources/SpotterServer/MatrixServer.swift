import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import ServiceLifecycle
import SpotterApp
import SpotterBridge
import SpotterCore
import SpotterDelivery
import SpotterMatrix
import SpotterStore
import SpotterWebhook

/// The Application Service API, health and metrics, as plain functions of a request: the HTTP
/// server only carries bytes to and from here, so tests drive it without sockets.
public struct MatrixAPI: Sendable {
    public let bridge: MatrixBridge

    public init(bridge: MatrixBridge) { self.bridge = bridge }

    var settings: MatrixSettings { bridge.settings }

    public func handle(_ request: APIRequest) async -> APIResponse {
        let parts = request.path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        var route = parts[...]
        if route.starts(with: ["_matrix", "app", "v1"]) { route = route.dropFirst(3) }
        let matrixPath = request.path.hasPrefix("/_matrix/app/v1/") || ["transactions", "users", "rooms"].contains(route.first ?? "")
        let segments = Array(route)
        switch request.path {
        case "/healthz":
            return request.method == "GET" ? .json(200, .object([("status", "ok")])) : methodNotAllowed
        case "/readyz":
            guard request.method == "GET" else { return methodNotAllowed }
            let problem = await bridge.readinessProblem()
            // Who the bot is only for the homeserver (hs_token): an anonymous probe learns nothing about it.
            let identified = request.headers["authorization"] != nil && authorize(request) == nil
            return problem == nil ? .json(200, .object([("status", "ready")] + (identified ? [("bot", .string(bridge.bot.userID))] : [])))
                : .json(503, .object([("status", "database unavailable"), ("reason", .string(problem?.code ?? "")),
                                      ("detail", .string(problem?.reason ?? ""))]))
        case "/metrics":
            guard request.method == "GET" else { return methodNotAllowed }
            return APIResponse(status: 200, contentType: "text/plain; version=0.0.4", body: bridge.metrics.exposition())
        case "/webhook":
            guard request.method == "POST" else { return methodNotAllowed }
            return await bridge.webhook(request)
        case "/_matrix/app/v1/ping":
            guard request.method == "POST" else { return methodNotAllowed }
            if let denied = authorize(request) { return denied }
            return .json(200, .object([]))
        default:
            break
        }
        guard matrixPath, segments.count == 2 else { return .error(404, "M_UNRECOGNIZED", "Unrecognized request") }
        switch segments[0] {
        case "transactions":
            guard request.method == "PUT" else { return methodNotAllowed }
            if let denied = authorize(request) { return denied }
            return await transaction(segments[1], request.body)
        case "users":
            guard request.method == "GET" else { return methodNotAllowed }
            if let denied = authorize(request) { return denied }
            return segments[1].removingPercentEncoding == bridge.bot.userID
                ? .json(200, .object([])) : .error(404, "M_NOT_FOUND", "No such user")
        case "rooms":
            guard request.method == "GET" else { return methodNotAllowed }
            if let denied = authorize(request) { return denied }
            return .error(404, "M_NOT_FOUND", "Spotter manages no room aliases")
        default:
            return .error(404, "M_UNRECOGNIZED", "Unrecognized request")
        }
    }

    var methodNotAllowed: APIResponse { .error(405, "M_UNRECOGNIZED", "Unrecognized request method") }

    /// The answer to a request decided from its headers alone, or nil when its body is needed: only
    /// a transaction carrying the hs_token, and a webhook whose signature headers are well formed and
    /// fresh, have their bodies read. Everything else (a missing or wrong token, a stale or missing
    /// signature, an unknown path, health and metrics) is answered without buffering a byte of it.
    public func answerWithoutBody(_ request: APIRequest) async -> APIResponse? {
        var headersOnly = request
        headersOnly.body = []
        if request.path == "/webhook" {
            guard request.method == "POST", settings.webhookSecret != nil else { return await handle(headersOnly) }
            do {
                _ = try StandardWebhooks.checkHeaders(request.headers, now: bridge.clock())
                return nil
            } catch {
                return bridge.webhookError(401, error.code, error.message)
            }
        }
        let parts = request.path.split(separator: "/", omittingEmptySubsequences: true)
        var route = parts[...]
        if route.starts(with: ["_matrix", "app", "v1"]) { route = route.dropFirst(3) }
        let isTransaction = route.count == 2 && route.first == "transactions"
            && (request.path.hasPrefix("/_matrix/app/v1/") || parts.first == "transactions")
        if isTransaction, request.method == "PUT", authorize(request) == nil { return nil }
        return await handle(headersOnly)
    }

    func transaction(_ id: String, _ body: [UInt8]) async -> APIResponse {
        guard !id.isEmpty else { return .error(400, "M_UNRECOGNIZED", "Missing transaction id") }
        if body.count > settings.maxBodyBytes { return tooLarge }
        do {
            switch try await bridge.receive(transactionID: id, body: body) {
            case .accepted, .duplicate: return .json(200, .object([]))
            case let .notJSON(reason): return .error(400, "M_NOT_JSON", "The body is not JSON: \(reason)")
            case let .badJSON(reason): return .error(400, "M_BAD_JSON", reason)
            }
        } catch {
            // Not journaled: the homeserver will retry, which is what we want.
            await Blocking.run { bridge.reportStorage() }
            return .error(500, "M_UNKNOWN", "Could not store the transaction: \(error.code)")
        }
    }

    var tooLarge: APIResponse { .error(413, "M_TOO_LARGE", "The body is larger than \(settings.maxBodyBytes) bytes") }

    /// The answer to a body the server could not take: too large (413), or cut off before its
    /// end (400), in the error format of the route (webhook or Matrix).
    func bodyRefused(path: String, tooLarge: Bool) -> APIResponse {
        if path == "/webhook" {
            return tooLarge ? bridge.webhookError(413, "too_large", "the body is larger than \(settings.maxBodyBytes) bytes")
                : bridge.webhookError(400, "incomplete_body", "the body ended before it was complete; send it again")
        }
        return tooLarge ? self.tooLarge : .error(400, "M_NOT_JSON", "The body ended before it was complete; send it again")
    }

    /// nil when the request carries the hs_token; otherwise the error to answer.
    func authorize(_ request: APIRequest) -> APIResponse? {
        var token: String?
        if let header = request.headers["authorization"] {
            let value = header.trimmingCharacters(in: .whitespaces)
            if value.lowercased().hasPrefix("bearer ") {
                let bearer = value.dropFirst(7).trimmingCharacters(in: .whitespaces)
                if !bearer.isEmpty { token = bearer }  // an empty bearer counts as absent
            }
        }
        if settings.allowQueryToken, let query = request.query["access_token"], !query.isEmpty {
            if let token, !Self.constantTimeEqual(token, query) {
                return .error(403, "M_FORBIDDEN", "The header and query tokens differ")
            }
            token = token ?? query
        }
        guard let token else { return .error(401, "M_UNAUTHORIZED", "Missing the homeserver token") }
        guard Self.constantTimeEqual(token, settings.registration.hsToken) else {
            return .error(403, "M_FORBIDDEN", "Bad homeserver token")
        }
        return nil
    }

    /// Compares two secrets in time that does not depend on where they differ.
    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        var difference = UInt8(x.count == y.count ? 0 : 1)
        for index in 0..<max(x.count, y.count) {
            difference |= (index < x.count ? x[index] : 0) ^ (index < y.count ? y[index] : 0)
        }
        return difference == 0
    }
}

/// The request context: Hummingbird's, plus the connection, so a request refused from its
/// headers can close it rather than keep draining a body nobody will read.
public struct SpotterRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public let channel: any Channel

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}

/// Hummingbird carries requests to ``MatrixAPI``.
public enum MatrixServer {
    /// After answering from the headers alone, the client may still be sending the body: the
    /// connection is closed this long after the answer (long enough for it to read the answer;
    /// the body is discarded meanwhile, never buffered).
    static let lingerAfterRefusal: TimeAmount = .seconds(1)
    /// Bodies announced at most this large are read before the request is judged.
    static let readBeforeRefusingBytes = 64 * 1024

    public static func router(bridge: MatrixBridge) -> Router<SpotterRequestContext> {
        let api = MatrixAPI(bridge: bridge)
        let router = Router(context: SpotterRequestContext.self)
        let limit = bridge.settings.maxBodyBytes
        let readTimeout = TimeAmount.milliseconds(Int64(bridge.settings.readTimeoutSeconds * 1000))
        let logger = bridge.logger
        let webhookBodies = ByteBudget(max(bridge.settings.webhookBufferBytes, limit))
        @Sendable func carry(_ request: Request, _ context: SpotterRequestContext) async throws -> Response {
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName] = field.value }
            var query: [String: String] = [:]
            for (key, value) in request.uri.queryParameters { query[String(key)] = String(value) }
            let answer: APIResponse
            let path = request.uri.path
            let head = APIRequest(method: request.method.rawValue, path: path, query: query, headers: headers)
            let length = headers["content-length"].flatMap(Int.init)
            // A small announced body is read first (at most 64 KiB a connection), so its errors stay
            // as they were (a cut-off body is 400 before a missing signature); larger or chunked
            // bodies are refused from the headers when those do not authenticate.
            let small = (length ?? Int.max) <= MatrixServer.readBeforeRefusingBytes && headers["transfer-encoding"] == nil
            func closeAfterAnswer() {
                // Do not keep reading a body that was refused unread.
                guard (length ?? 0) > 0 || headers["transfer-encoding"] != nil else { return }
                let channel = context.channel
                channel.eventLoop.scheduleTask(in: lingerAfterRefusal) {
                    channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
                }
            }
            // Webhook signatures can only be checked once the body is in, so large webhook bodies
            // share one budget: forged but well-formed headers cannot make the server buffer more.
            let budgeted = path == "/webhook" && !small ? min(length ?? limit, limit) : 0
            if !small, let early = await api.answerWithoutBody(head) {
                answer = early
                closeAfterAnswer()
            } else if let length, length > limit {
                answer = api.bodyRefused(path: path, tooLarge: true)
            } else if budgeted > 0, !webhookBodies.reserve(budgeted) {
                answer = bridge.webhookError(503, "busy", "too many large webhook bodies are being received at once "
                    + "(matrix.webhook_buffer_bytes); send it again shortly")
                closeAfterAnswer()
            } else {
                defer { webhookBodies.release(budgeted) }
                // The whole body must arrive in time: a client trickling bytes would otherwise hold
                // the connection (and up to max_body_bytes of memory) for as long as it likes.
                let timedOut = TimeoutFlag()
                let channel = context.channel
                let seconds = bridge.settings.readTimeoutSeconds
                let timer = channel.eventLoop.scheduleTask(in: readTimeout) {
                    timedOut.fire()
                    logger.info("closed a connection: its request body did not arrive within \(seconds) s (matrix.read_timeout_seconds)")
                    channel.close(promise: nil)
                }
                var request = request
                do {
                    let buffer = try await request.collectBody(upTo: limit)
                    timer.cancel()
                    if timedOut.hasFired { throw CancellationError() }
                    var full = head
                    full.body = Array(buffer.readableBytesView)
                    answer = await api.handle(full)
                } catch {
                    timer.cancel()
                    // Too large, or cut off (the connection closed early, a broken chunk): not the same error.
                    answer = api.bodyRefused(path: path, tooLarge: error is NIOTooManyBytesError)
                }
            }
            return Response(status: .init(code: answer.status), headers: [.contentType: answer.contentType],
                            body: .init(byteBuffer: ByteBuffer(string: answer.body)))
        }
        for method in [HTTPRequest.Method.get, .put, .post, .delete, .patch, .head, .options] {
            router.on("**", method: method, use: carry)
            router.on("/", method: method, use: carry)
        }
        return router
    }

    /// The server for `spotter serve`: the router, an idle timeout (which also bounds how long
    /// headers may take) and a connection limit that says in the log when it is reached.
    public static func application(
        bridge: MatrixBridge, logger: Logger, onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let settings = bridge.settings
        let idle = TimeAmount.milliseconds(Int64(settings.idleTimeoutSeconds * 1000))
        return Application(
            router: router(bridge: bridge),
            server: .http1(configuration: .init(idleTimeout: idle)),
            configuration: .init(address: .hostname(settings.listenHost, port: settings.listenPort), serverName: "spotter",
                                 availableConnectionsDelegate: ConnectionLimit(maximum: settings.maxConnections,
                                                                               idleSeconds: settings.idleTimeoutSeconds,
                                                                               logger: logger)),
            services: [BridgeService(bridge: bridge)],
            onServerRunning: onServerRunning,
            logger: logger)
    }
}

/// Bytes that may be held at once; a reservation that does not fit is refused, never waited for.
final class ByteBudget: Sendable {
    private let capacity: Int
    private let used = Locked(0)

    init(_ capacity: Int) { self.capacity = capacity }

    func reserve(_ bytes: Int) -> Bool {
        used.withLock { used in
            guard used + bytes <= capacity else { return false }
            used += bytes
            return true
        }
    }

    func release(_ bytes: Int) {
        guard bytes > 0 else { return }
        used.withLock { $0 -= bytes }
    }
}

/// Set when a request's body did not arrive in time (the connection is then closed).
final class TimeoutFlag: Sendable {
    private let fired = Locked(false)

    func fire() { fired.withLock { $0 = true } }
    var hasFired: Bool { fired.withLock { $0 } }
}

/// At most `maximum` connections at once; past that, new ones wait in the listen backlog until
/// one closes. Reaching the limit is logged once per episode (again after dropping below 90%).
struct ConnectionLimit: AvailableConnectionsDelegate {
    let maximum: Int
    let idleSeconds: Double
    let logger: Logger
    var open = 0
    var reported = false

    mutating func connectionOpened() {
        open += 1
        if open >= maximum, !reported {
            reported = true
            let text = "connection limit reached: \(open) connections open (matrix.max_connections: \(maximum)); new connections "
                + "wait until one closes (idle ones are closed after \(idleSeconds) s, matrix.idle_timeout_seconds)"
            logger.warning("\(text)")
        }
    }

    mutating func connectionClosed() {
        open -= 1
        if reported, open * 10 < maximum * 9 {
            reported = false
            logger.info("connections below the limit again: \(open) open (matrix.max_connections: \(maximum))")
        }
    }

    func isAcceptingNewConnections() -> Bool { open < maximum }
}

/// Runs the bridge's worker for the life of the server, and stops it on graceful shutdown.
public struct BridgeService: Service {
    let bridge: MatrixBridge

    public init(bridge: MatrixBridge) { self.bridge = bridge }

    public func run() async throws {
        bridge.start()
        try? await gracefulShutdown()
        bridge.stop()
    }
}
