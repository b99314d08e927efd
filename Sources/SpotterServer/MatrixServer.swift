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

/// The routes of `spotter serve`: Hummingbird matches each path and method (route parameters for
/// transaction, user and alias ids), the ``HomeserverToken`` middleware guards the Application
/// Service API, and ``MatrixAPI`` answers.
public enum MatrixServer {
    /// The methods a path may be asked with: those a route does not answer get 405 `M_UNRECOGNIZED`.
    static let methods: [HTTPRequest.Method] = [.get, .put, .post, .delete, .patch, .head, .options]

    public static func router(bridge: MatrixBridge) -> Router<SpotterRequestContext> {
        let api = MatrixAPI(bridge: bridge)
        let bodies = BodyReader(settings: bridge.settings, logger: bridge.logger)
        let router = Router(context: SpotterRequestContext.self)
        // Anything no route answers, under any method: the Matrix error, not Hummingbird's.
        router.add(middleware: Unrecognized())
        typealias Handler = @Sendable (Request, SpotterRequestContext) async -> APIResponse

        /// `handler` answers `method` on `path`; every other method is 405, before any token is
        /// asked for. Only routes that read the body say so (`readsBody`): the others close a
        /// connection that is still sending a large one.
        func route(_ path: RouterPath, _ method: HTTPRequest.Method, on group: RouterGroup<SpotterRequestContext>? = nil,
                   readsBody: Bool = false, _ handler: @escaping Handler) {
            let respond: @Sendable (Request, SpotterRequestContext) async -> Response = { request, context in
                let answer = await handler(request, context)
                if !readsBody { BodyReader.closeIfUnread(request, context) }
                return response(answer)
            }
            if let group {
                group.on(path, method: method) { await respond($0, $1) }
            } else {
                router.on(path, method: method) { await respond($0, $1) }
            }
            for other in methods where other != method {
                router.on(path, method: other) { request, context in
                    BodyReader.closeIfUnread(request, context)
                    return response(MatrixAPI.methodNotAllowed)
                }
            }
        }

        route("/healthz", .get) { _, _ in api.health() }
        route("/readyz", .get) { request, _ in
            let authorization = request.headers[.authorization]
            let identified = authorization != nil && api.authorize(
                authorization: authorization, queryToken: request.uri.queryParameters["access_token"].map(String.init)) == nil
            return await api.readiness(identified: identified)
        }
        route("/metrics", .get) { _, _ in api.metrics() }
        route("/webhook", .post, readsBody: true) { request, context in await webhook(request, context, api: api, bodies: bodies) }

        // The Application Service API, at its current paths and (for homeservers before v1.1) without the prefix.
        let guarded = router.group().add(middleware: HomeserverToken(api: api))
        route("/_matrix/app/v1/ping", .post, on: guarded) { _, _ in api.ping() }
        for prefix in ["/_matrix/app/v1", ""] {
            route(RouterPath(prefix + "/transactions/:txnId"), .put, on: guarded, readsBody: true) { request, context in
                switch await bodies.collect(request, context) {
                case let .success(body): await api.transaction(context.parameters.get("txnId") ?? "", body)
                case let .failure(refusal): api.bodyRefused(refusal)
                }
            }
            route(RouterPath(prefix + "/users/:userId"), .get, on: guarded) { _, context in api.user(context.parameters.get("userId") ?? "") }
            route(RouterPath(prefix + "/rooms/:roomAlias"), .get, on: guarded) { _, _ in api.roomAlias() }
        }
        return router
    }

    /// `POST /webhook`. Its signature can only be checked with the body, so a large body is read
    /// only when its signature headers are well formed and fresh, and within the shared budget.
    static func webhook(_ request: Request, _ context: SpotterRequestContext, api: MatrixAPI, bodies: BodyReader) async -> APIResponse {
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName] = field.value }
        var query: [String: String] = [:]
        for (key, value) in request.uri.queryParameters { query[String(key)] = String(value) }
        var full = APIRequest(method: "POST", path: "/webhook", query: query, headers: headers)
        let small = BodyReader.isSmall(request)
        if !small, let early = await api.webhookFromHeaders(full) {
            BodyReader.closeIfUnread(request, context)
            return early
        }
        let announced = BodyReader.announcedLength(request)
        if let announced, announced > bodies.limit { return api.webhookBodyRefused(.tooLarge) }
        let budgeted = small ? 0 : min(announced ?? bodies.limit, bodies.limit)
        if budgeted > 0, !bodies.webhookBodies.reserve(budgeted) {
            BodyReader.closeIfUnread(request, context)
            return api.webhookBusy()
        }
        defer { bodies.webhookBodies.release(budgeted) }
        switch await bodies.collect(request, context) {
        case let .success(body):
            full.body = body
            return await api.webhook(full)
        case let .failure(refusal):
            return api.webhookBodyRefused(refusal)
        }
    }

    static func response(_ answer: APIResponse) -> Response {
        Response(status: .init(code: answer.status), headers: [.contentType: answer.contentType],
                 body: .init(byteBuffer: ByteBuffer(string: answer.body)))
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
            services: BridgeLoop.all(for: bridge),
            onServerRunning: onServerRunning,
            logger: logger)
    }
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
