import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import SpotterBridge
import SpotterServer

/// Requests through `spotter serve`'s router without sockets (HummingbirdTesting's router
/// framework): the routes, methods, hs_token middleware and body reading are the server's own.
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
        guard let method = HTTPRequest.Method(request.method) else {
            return .error(400, "TEST_BAD_METHOD", "not an HTTP method: \(request.method)")
        }
        let app = Application(router: MatrixServer.router(bridge: bridge))
        let target = uri, headers = fields
        do {
            return try await app.test(.router) { client in
                let response = try await client.execute(uri: target, method: method, headers: headers,
                                                        body: request.body.isEmpty ? nil : ByteBuffer(bytes: request.body))
                return APIResponse(status: Int(response.status.code), contentType: response.headers[.contentType] ?? "",
                                   body: String(buffer: response.body))
            }
        } catch {
            return .error(599, "TEST_CLIENT", "the router test client failed: \(error)")
        }
    }
}
