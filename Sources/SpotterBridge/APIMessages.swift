import SpotterCore

/// A request as the application-service API sees it, independent of the HTTP server.
public struct APIRequest: Sendable {
    public var method: String
    public var path: String
    public var query: [String: String]
    /// Header names lowercased.
    public var headers: [String: String]
    public var body: [UInt8]

    public init(method: String, path: String, query: [String: String] = [:], headers: [String: String] = [:], body: [UInt8] = []) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }
}

/// An answer: status, content type and body.
public struct APIResponse: Sendable {
    public var status: Int
    public var contentType: String
    public var body: String

    public init(status: Int, contentType: String, body: String) {
        self.status = status
        self.contentType = contentType
        self.body = body
    }

    public static func json(_ status: Int, _ value: JSONValue) -> APIResponse {
        APIResponse(status: status, contentType: "application/json", body: value.serialized())
    }

    /// A Matrix error: `{"errcode": …, "error": …}`.
    public static func error(_ status: Int, _ code: String, _ message: String) -> APIResponse {
        json(status, .object([("errcode", .string(code)), ("error", .string(message))]))
    }

    /// The `errcode` of an error answer.
    public var errcode: String? { (try? JSONValue.parse(body))?["errcode"]?.string }
}
