import Foundation
import SpotterBridge
import SpotterCore
import SpotterServer
import SpotterStore
import Testing

/// `spotter serve`'s routes through Hummingbird's router, without sockets (``RouterClient``):
/// the route table, the hs_token middleware and route parameters.
@Suite("Routes and the hs_token middleware (no sockets)")
struct RouterTests {
    let fixture: BridgeFixture

    init() throws { fixture = try BridgeFixture(homeserver: "http://127.0.0.1:9") }

    /// Every Application Service route, at its current path and (but ping) its legacy one.
    static let guarded: [(method: String, path: String)] = [
        ("PUT", "/_matrix/app/v1/transactions/t1"), ("PUT", "/transactions/t2"),
        ("GET", "/_matrix/app/v1/users/@coach:test"), ("GET", "/users/@coach:test"),
        ("GET", "/_matrix/app/v1/rooms/%23gym:test"), ("GET", "/rooms/%23gym:test"),
        ("POST", "/_matrix/app/v1/ping"),
    ]

    @Test("every Application Service route refuses a missing token (401) or a wrong one (403) before it runs: nothing is journaled")
    func tokenBeforeHandler() async throws {
        let body = BridgeFixture.transaction([BridgeFixture.event("$guarded", body: "squat to failure?")])
        for (method, path) in Self.guarded {
            let missing = await fixture.api.handle(APIRequest(method: method, path: path, body: method == "PUT" ? body : []))
            #expect(missing.status == 401 && missing.errcode == "M_UNAUTHORIZED", "\(method) \(path): \(missing.body)")
            let wrong = await fixture.api.handle(APIRequest(method: method, path: path, headers: ["authorization": "Bearer hs_wrong"],
                                                            body: method == "PUT" ? body : []))
            #expect(wrong.status == 403 && wrong.errcode == "M_FORBIDDEN", "\(method) \(path): \(wrong.body)")
        }
        #expect(try fixture.database.read { try $0.journalCount(status: "pending") } == 0)
        // With the token the same requests are answered by their routes.
        let auth = ["authorization": "Bearer \(BridgeFixture.hsToken)"]
        let answers = await fixture.api.handle(APIRequest(method: "PUT", path: "/_matrix/app/v1/transactions/t1", headers: auth, body: body))
        #expect(answers.status == 200)
        #expect(try fixture.database.read { try $0.journalCount(status: "pending") } == 1)
    }

    @Test("a wrong method is 405 M_UNRECOGNIZED before any token is asked for; an unknown path is 404 M_UNRECOGNIZED under any method")
    func methodsAndUnknownPaths() async {
        for (method, path) in [("GET", "/_matrix/app/v1/transactions/t1"), ("DELETE", "/transactions/t1"), ("PUT", "/users/@coach:test"),
                               ("GET", "/_matrix/app/v1/ping"), ("POST", "/healthz"), ("PUT", "/metrics"), ("GET", "/webhook"),
                               ("HEAD", "/readyz")] {
            let answer = await fixture.api.handle(APIRequest(method: method, path: path))
            #expect(answer.status == 405, "\(method) \(path): \(answer.status) \(answer.body)")
            if method != "HEAD" { #expect(answer.errcode == "M_UNRECOGNIZED", "\(method) \(path): \(answer.body)") }
        }
        let auth = ["authorization": "Bearer \(BridgeFixture.hsToken)"]
        for (method, path) in [("DELETE", "/_matrix/app/v1/anything"), ("GET", "/_matrix/app/v1/transactions/t1/more"),
                               ("PUT", "/_matrix/app/v1/transactions"), ("GET", "/"), ("OPTIONS", "/nothing/here"),
                               ("GET", "/_matrix/app/v2/users/@coach:test")] {
            let answer = await fixture.api.handle(APIRequest(method: method, path: path, headers: auth))
            #expect(answer.status == 404 && answer.errcode == "M_UNRECOGNIZED", "\(method) \(path): \(answer.status) \(answer.body)")
        }
    }

    @Test("route parameters: a percent-encoded user id is still the bot's; other users are M_NOT_FOUND")
    func parameters() async {
        let auth = ["authorization": "Bearer \(BridgeFixture.hsToken)"]
        for path in ["/_matrix/app/v1/users/%40coach%3Atest", "/users/@coach:test"] {
            #expect(await fixture.api.handle(APIRequest(method: "GET", path: path, headers: auth)).status == 200, "\(path)")
        }
        let other = await fixture.api.handle(APIRequest(method: "GET", path: "/_matrix/app/v1/users/%40coach%3Aother", headers: auth))
        #expect(other.status == 404 && other.errcode == "M_NOT_FOUND")
    }
}
