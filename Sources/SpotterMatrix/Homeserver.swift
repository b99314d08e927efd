import Foundation
import SpotterCore
import SpotterDelivery
import SpotterHTTP

/// The Client-Server calls Spotter makes as its bot user, over libcurl.
public final class HomeserverClient: Sendable {
    let base: String
    let asToken: String
    let client: CurlClient

    public init(base: String, asToken: String, client: CurlClient) {
        self.base = base
        self.asToken = asToken
        self.client = client
    }

    var authorization: [String: String] { ["Authorization": "Bearer \(asToken)"] }

    /// A client for the same homeserver with a connection of its own and the same timeouts.
    public func sibling() -> HomeserverClient? {
        guard let other = try? CurlClient() else { return nil }
        other.connectTimeout = client.connectTimeout
        other.requestTimeout = client.requestTimeout
        other.maxResponseBytes = client.maxResponseBytes
        return HomeserverClient(base: base, asToken: asToken, client: other)
    }

    static func escape(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    /// `PUT /rooms/{roomId}/send/m.room.message/{txnId}`.
    public func send(room: String, transactionID: String, content: String) -> Delivery {
        post(room: room, transactionID: transactionID, content: content).delivery
    }

    /// Sends a message and returns the event id it became (a check-in prompt is a thread root).
    public func post(room: String, transactionID: String, content: String) -> (delivery: Delivery, eventID: String?) {
        let url = "\(base)/_matrix/client/v3/rooms/\(Self.escape(room))/send/m.room.message/\(Self.escape(transactionID))"
        let (delivery, result) = exchange("PUT", url, body: content)
        return (delivery, result.flatMap { try? JSONValue.parse($0.body) }?["event_id"]?.string)
    }

    /// `PUT /rooms/{roomId}/send/m.reaction/{txnId}`: an annotation on an event (`content`
    /// holds the `m.relates_to`); the transaction id makes a resend idempotent.
    public func react(room: String, transactionID: String, content: String) -> Delivery {
        deliver("PUT", "\(base)/_matrix/client/v3/rooms/\(Self.escape(room))/send/m.reaction/\(Self.escape(transactionID))", body: content)
    }

    /// `POST /createRoom`: a direct room with one lifter, who is invited. Returns the room id.
    public func createDirectRoom(with user: String) -> (delivery: Delivery, roomID: String?) {
        let body = JSONValue.object([
            ("preset", "trusted_private_chat"), ("is_direct", true), ("invite", .array([.string(user)])),
            ("name", "Spotter"), ("topic", "Your training check-ins and reports, just between us"),
        ]).serialized()
        let (delivery, result) = exchange("POST", "\(base)/_matrix/client/v3/createRoom", body: body)
        return (delivery, result.flatMap { try? JSONValue.parse($0.body) }?["room_id"]?.string)
    }

    /// `POST /join/{roomId}`.
    public func join(room: String) -> Delivery {
        deliver("POST", "\(base)/_matrix/client/v3/join/\(Self.escape(room))", body: "{}")
    }

    /// The bot's user id, from `GET /account/whoami`.
    public func whoami() throws -> String {
        let result = try client.send("GET", "\(base)/_matrix/client/v3/account/whoami", headers: authorization)
        guard result.status == 200, let value = try? JSONValue.parse(result.body), let user = value["user_id"]?.string else {
            throw TransportError(code: "whoami_failed", message: "whoami answered \(result.status): \(Delivery.errcode(result))")
        }
        return user
    }

    /// `POST /appservice/{id}/ping`, so the homeserver delivers any backlog at once.
    public func ping(appserviceID: String) -> Delivery {
        deliver("POST", "\(base)/_matrix/client/v1/appservice/\(Self.escape(appserviceID))/ping",
                body: JSONValue.object([("transaction_id", .string("spotter-ping-\(Int(Date().timeIntervalSince1970))"))]).serialized())
    }

    /// How many members have joined a room.
    public func joinedMemberCount(room: String) -> Int? {
        if case let .known(count) = memberCount(room: room) { count } else { nil }
    }

    /// The answer to "how many members has this room", telling a passing failure (ask again
    /// later) from a refusal.
    public enum MemberCount: Sendable, Hashable {
        case known(Int)
        /// 429, 5xx or no answer: ask again after this many seconds.
        case retry(after: Double, reason: String)
        /// Refused (other 4xx) or an answer without the member list.
        case unknown(reason: String)
    }

    public func memberCount(room: String) -> MemberCount {
        let result: HTTPResult
        do {
            result = try client.send("GET", "\(base)/_matrix/client/v3/rooms/\(Self.escape(room))/joined_members",
                                     headers: authorization)
        } catch {
            return .retry(after: 0, reason: error.code)
        }
        switch result.status {
        case 200:
            guard let value = try? JSONValue.parse(result.body), case let .object(members)? = value["joined"] else {
                return .unknown(reason: "joined_members answered without a member list")
            }
            return .known(members.count)
        case 429, 500..<600:
            return .retry(after: Delivery.retryAfter(result) ?? 0, reason: "HTTP \(result.status) \(Delivery.errcode(result))")
        default:
            return .unknown(reason: "HTTP \(result.status) \(Delivery.errcode(result))")
        }
    }

    /// The room's power levels and privileged creators, from its full state (the create
    /// event's sender is not in the content-only state endpoint).
    public func powerLevels(room: String) -> Result<RoomPowerLevels, PowerLevelsUnavailable> {
        let result: HTTPResult
        do {
            result = try client.send("GET", "\(base)/_matrix/client/v3/rooms/\(Self.escape(room))/state", headers: authorization)
        } catch {
            return .failure(PowerLevelsUnavailable(reason: error.code))
        }
        guard result.status == 200 else {
            return .failure(PowerLevelsUnavailable(reason: "HTTP \(result.status) \(Delivery.errcode(result))"))
        }
        guard let state = try? JSONValue.parse(result.body), state.array != nil else {
            return .failure(PowerLevelsUnavailable(reason: "the room state is not a list of events"))
        }
        return .success(RoomPowerLevels(state: state))
    }

    /// Why the homeserver could not say who may change a room.
    public struct PowerLevelsUnavailable: Error, Sendable, Hashable {
        public var reason: String
    }

    func deliver(_ method: String, _ url: String, body: String) -> Delivery {
        exchange(method, url, body: body).delivery
    }

    func exchange(_ method: String, _ url: String, body: String) -> (delivery: Delivery, result: HTTPResult?) {
        let result: HTTPResult
        do {
            result = try client.send(method, url, headers: authorization, body: Array(body.utf8))
        } catch {
            return (.retry(after: 0, reason: error.code), nil)
        }
        return (Delivery(result), result)
    }
}
