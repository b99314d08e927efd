import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOEmbedded
import SpotterBridge
import SpotterServer

/// Carries a request through `spotter serve`'s router (Hummingbird's responder, as the server
/// builds it), without sockets: routes, the hs_token middleware and body reading are the server's.
struct RouterDriver: Sendable {
    let responder: RouterResponder<SpotterRequestContext>
    let logger: Logger

    init(bridge: MatrixBridge, logger: Logger) {
        responder = MatrixServer.router(bridge: bridge).buildResponder()
        self.logger = logger
    }

    func handle(_ request: APIRequest) async -> APIResponse {
        var fields = HTTPFields()
        for (name, value) in request.headers {
            if let field = HTTPField.Name(name) { fields[field] = value }
        }
        if !request.body.isEmpty { fields[.contentLength] = String(request.body.count) }
        var path = request.path
        if !request.query.isEmpty {
            path += "?" + request.query.map { "\($0.key)=\($0.value)" }.joined(separator: "&")
        }
        let head = HTTPRequest(method: HTTPRequest.Method(request.method) ?? .get, scheme: "http", authority: "fuzz", path: path,
                               headerFields: fields)
        let routed = Request(head: head, body: RequestBody(buffer: ByteBuffer(bytes: request.body)))
        // The testing channel's loop takes timers from any thread (the body read timeout schedules
        // one); it is closed once the request is answered, so nothing of it outlives the run.
        let channel = NIOAsyncTestingChannel()
        let context = SpotterRequestContext(source: ApplicationRequestContextSource(channel: channel, logger: logger))
        let answer: APIResponse
        do {
            let response = try await responder.respond(to: routed, context: context)
            let body = CollectedBody()
            try await response.body.write(body)
            answer = APIResponse(status: Int(response.status.code), contentType: response.headers[.contentType] ?? "",
                                 body: String(buffer: body.buffer))
        } catch {
            answer = .error(500, "FUZZ_ROUTER", "the router threw: \(error)")
        }
        try? await channel.close()
        return answer
    }
}

/// A response body, collected.
private final class CollectedBody: ResponseBodyWriter, @unchecked Sendable {
    var buffer = ByteBuffer()

    func write(_ part: ByteBuffer) async throws { buffer.writeImmutableBuffer(part) }
    func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
