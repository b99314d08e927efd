import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOEmbedded
import SpotterBridge
import SpotterServer

/// Requests through `spotter serve`'s router without sockets: Hummingbird's responder as the
/// server builds it, so the routes, methods, hs_token middleware and body reading are the
/// server's own. Each request gets a testing channel of its own, closed once it is answered
/// (HummingbirdTesting's router framework never closes the one it makes, which LeakSanitizer
/// reports as a leak per request).
struct RouterClient: Sendable {
    let bridge: MatrixBridge

    func handle(_ request: APIRequest) async -> APIResponse {
        var uri = request.path
        if !request.query.isEmpty {
            var allowed = CharacterSet.urlQueryAllowed
            allowed.remove(charactersIn: "&=+")
            uri += "?" + request.query.map { key, value in
                (key.addingPercentEncoding(withAllowedCharacters: allowed) ?? key) + "="
                    + (value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value)
            }.sorted().joined(separator: "&")
        }
        var fields = HTTPFields()
        for (name, value) in request.headers {
            if let field = HTTPField.Name(name) { fields[field] = value }
        }
        if !request.body.isEmpty { fields[.contentLength] = String(request.body.count) }
        guard let method = HTTPRequest.Method(request.method) else {
            return .error(400, "TEST_BAD_METHOD", "not an HTTP method: \(request.method)")
        }
        let responder = MatrixServer.router(bridge: bridge).buildResponder()
        let routed = Request(head: HTTPRequest(method: method, scheme: "http", authority: "localhost", path: uri, headerFields: fields),
                             body: RequestBody(buffer: ByteBuffer(bytes: request.body)))
        let channel = NIOAsyncTestingChannel()
        let context = SpotterRequestContext(source: ApplicationRequestContextSource(channel: channel, logger: Logger(label: "test")))
        let answer: APIResponse
        do {
            let response = try await responder.respond(to: routed, context: context)
            let body = CollectedBody()
            try await response.body.write(body)
            answer = APIResponse(status: Int(response.status.code), contentType: response.headers[.contentType] ?? "",
                                 body: String(buffer: body.buffer))
        } catch {
            answer = .error(599, "TEST_CLIENT", "the router threw: \(error)")
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
