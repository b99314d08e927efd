import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import SpotterApp
import SpotterCore
import SpotterStore

/// The HTTP side of the application service: the Application Service API, health and metrics.
public enum MatrixServer {
    /// A Matrix error response: `{"errcode": …, "error": …}`.
    static func matrixError(_ status: HTTPResponse.Status, _ code: String, _ message: String) -> Response {
        json(status, .object([("errcode", .string(code)), ("error", .string(message))]))
    }

    static func json(_ status: HTTPResponse.Status, _ value: JSONValue) -> Response {
        Response(status: status, headers: [.contentType: "application/json"],
                 body: .init(byteBuffer: ByteBuffer(string: value.serialized())))
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

    /// nil when the request carries the hs_token; otherwise the error to answer.
    static func authorize(_ request: Request, settings: MatrixSettings) -> Response? {
        var token: String?
        if let header = request.headers[.authorization] {
            let value = header.trimmingCharacters(in: .whitespaces)
            if value.lowercased().hasPrefix("bearer ") {
                let bearer = value.dropFirst(7).trimmingCharacters(in: .whitespaces)
                if !bearer.isEmpty { token = bearer }  // an empty bearer counts as absent
            }
        }
        let query = request.uri.queryParameters.get("access_token").flatMap { $0.isEmpty ? nil : $0 }
        if settings.allowQueryToken, let query {
            if let token, !constantTimeEqual(token, query) {
                return matrixError(.forbidden, "M_FORBIDDEN", "The header and query tokens differ")
            }
            token = token ?? query
        }
        guard let token else { return matrixError(.unauthorized, "M_UNAUTHORIZED", "Missing the homeserver token") }
        guard constantTimeEqual(token, settings.registration.hsToken) else {
            return matrixError(.forbidden, "M_FORBIDDEN", "Bad homeserver token")
        }
        return nil
    }

    /// The router, without sockets, so tests can drive it directly.
    public static func router(bridge: MatrixBridge) -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: UnrecognizedMiddleware())
        let settings = bridge.settings

        @Sendable func transaction(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
            if let denied = authorize(request, settings: settings) { return denied }
            guard let transactionID = context.parameters.get("txnId"), !transactionID.isEmpty else {
                return matrixError(.badRequest, "M_UNRECOGNIZED", "Missing transaction id")
            }
            if let length = request.headers[.contentLength].flatMap(Int.init), length > settings.maxBodyBytes {
                return matrixError(.contentTooLarge, "M_TOO_LARGE", "The body is larger than \(settings.maxBodyBytes) bytes")
            }
            var request = request
            let buffer: ByteBuffer
            do {
                buffer = try await request.collectBody(upTo: settings.maxBodyBytes)
            } catch {
                return matrixError(.contentTooLarge, "M_TOO_LARGE", "The body is larger than \(settings.maxBodyBytes) bytes")
            }
            let bytes = Array(buffer.readableBytesView)
            switch try bridge.receive(transactionID: transactionID, body: bytes) {
            case .accepted, .duplicate:
                return json(.ok, .object([]))
            case let .notJSON(reason):
                return matrixError(.badRequest, "M_NOT_JSON", "The body is not JSON: \(reason)")
            case let .badJSON(reason):
                return matrixError(.badRequest, "M_BAD_JSON", reason)
            }
        }

        @Sendable func user(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
            if let denied = authorize(request, settings: settings) { return denied }
            let userID = context.parameters.get("userId") ?? ""
            return userID == bridge.bot.userID ? json(.ok, .object([])) : matrixError(.notFound, "M_NOT_FOUND", "No such user")
        }

        @Sendable func room(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
            if let denied = authorize(request, settings: settings) { return denied }
            return matrixError(.notFound, "M_NOT_FOUND", "Spotter manages no room aliases")
        }

        @Sendable func ping(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
            if let denied = authorize(request, settings: settings) { return denied }
            return json(.ok, .object([]))
        }

        for prefix in ["/_matrix/app/v1", ""] {
            router.put("\(prefix)/transactions/:txnId", use: transaction)
            router.get("\(prefix)/users/:userId", use: user)
            router.get("\(prefix)/rooms/:alias", use: room)
            for method in [HTTPRequest.Method.get, .post, .delete, .patch] {
                router.on("\(prefix)/transactions/:txnId", method: method) { _, _ in methodNotAllowed() }
            }
            for method in [HTTPRequest.Method.put, .post, .delete, .patch] {
                router.on("\(prefix)/users/:userId", method: method) { _, _ in methodNotAllowed() }
                router.on("\(prefix)/rooms/:alias", method: method) { _, _ in methodNotAllowed() }
            }
        }
        router.post("/_matrix/app/v1/ping", use: ping)
        for method in [HTTPRequest.Method.get, .put, .delete, .patch] {
            router.on("/_matrix/app/v1/ping", method: method) { _, _ in methodNotAllowed() }
        }
        router.get("/healthz") { _, _ in json(.ok, .object([("status", "ok")])) }
        router.get("/readyz") { _, _ in
            let ready = (try? bridge.runtime.database.read { try $0.outboxDepth() }) != nil
            return ready ? json(.ok, .object([("status", "ready"), ("bot", .string(bridge.bot.userID))]))
                : json(.serviceUnavailable, .object([("status", "database unavailable")]))
        }
        router.get("/metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                     body: .init(byteBuffer: ByteBuffer(string: bridge.metrics.exposition())))
        }
        return router
    }

    static func methodNotAllowed() -> Response {
        matrixError(.methodNotAllowed, "M_UNRECOGNIZED", "Unrecognized request method")
    }
}

/// Unknown routes answer as the spec asks: 404 with `M_UNRECOGNIZED`.
struct UnrecognizedMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            return MatrixServer.matrixError(.notFound, "M_UNRECOGNIZED", "Unrecognized request")
        }
    }
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
