import FuzzSupport
import SpotterCore
import SpotterGroup
import SpotterMatrix

/// Who is in a room, and where a check-in result may go: the input drives a sequence of
/// membership events (joins, leaves, invites, bans, rejected invites, display-name changes,
/// resent events, events without `prev_content`), answers of the homeserver to
/// `joined_members` (or failures) and messages, against a model of the room as the homeserver
/// knows it. Property: Spotter never decides to post a check-in result (anything personal) into
/// a room of three or more, and never takes such a room for a lifter's direct room.
///
/// Input: pairs of bytes (operation, argument); see ``SimulatedRoom/step``.
@main
enum Target {
    static func main() { runFuzzer(test) }
}

@_cdecl("LLVMFuzzerTestOneInput")
func test(_ pointer: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let data = bytes(input(pointer), size)
    var room = SimulatedRoom()
    var index = 0
    while index + 1 < data.count {
        room.step(operation: data[index], argument: data[index + 1])
        index += 2
    }
    return 0
}

/// The room as the homeserver knows it, and as Spotter sees it through its events.
struct SimulatedRoom {
    static let bot = BotIdentity(userID: "@coach:fuzz")
    static let users = (0..<6).map { "@u\($0):fuzz" }
    static let memberships = ["join", "leave", "invite", "ban", "knock"]

    /// The homeserver's state: each user's membership (absent: never in the room).
    var truth: [String: String] = [:]
    var audience = RoomAudience()
    var lastMemberEvent: JSONValue?
    var serial = 0

    /// Joined members, the bot included (it is always joined).
    var joined: Int { 1 + truth.values.filter { $0 == "join" }.count }

    mutating func step(operation: UInt8, argument: UInt8) {
        let user = Self.users[Int(argument) % Self.users.count]
        serial += 1
        switch operation % 8 {
        case 0, 1:
            // A membership event as the homeserver sends it: prev_content is the state before it,
            // left out now and then (old events, other homeservers).
            let to = Self.memberships[(Int(argument) / Self.users.count) % Self.memberships.count]
            let event = member(user, to: to, from: operation & 0x80 == 0 ? truth[user] : nil, name: nil)
            truth[user] = to
            deliver(event)
        case 2:
            // A display-name or avatar change: the membership stays what it is.
            let current = truth[user] ?? "leave"
            let event = member(user, to: current, from: truth[user], name: "name \(argument)")
            deliver(event)
        case 3:
            // A resent event (the homeserver retries a transaction).
            if let lastMemberEvent { deliver(lastMemberEvent) }
        case 4:
            // The homeserver answers joined_members, or cannot.
            audience.counted(argument & 1 == 0 ? joined : nil)
        default:
            message(from: user, addressed: argument & 0x40 != 0)
        }
        check()
    }

    func member(_ user: String, to: String, from: String?, name: String?) -> JSONValue {
        var content: [(key: String, value: JSONValue)] = [("membership", .string(to))]
        if let name { content.append(("displayname", .string(name))) }
        var fields: [(key: String, value: JSONValue)] = [
            ("event_id", .string("$m\(serial)")), ("room_id", "!room:fuzz"), ("sender", .string(user)), ("type", "m.room.member"),
            ("state_key", .string(user)), ("content", .object(content)),
        ]
        if let from { fields.append(("unsigned", .object([("prev_content", .object([("membership", .string(from))]))]))) }
        return .object(fields)
    }

    mutating func deliver(_ event: JSONValue) {
        lastMemberEvent = event
        // What the bridge does with it: a membership change makes the count stale (it is asked
        // again); anything else (a profile change) leaves it as it was.
        if case .membership = EventTriage.triage(event, bot: Self.bot, memberCount: audience.verifiedMembers, startupCutoff: 0) {
            audience.observe(event)
        }
    }

    mutating func message(from user: String, addressed: Bool) {
        let body = (addressed ? "!coach " : "") + "slept 4h, soreness 5, energy 1, stress 5, motivation 1, sharp pain in my knee"
        let event = JSONValue.object([
            ("event_id", .string("$x\(serial)")), ("room_id", "!room:fuzz"), ("sender", .string(user)), ("type", "m.room.message"),
            ("content", .object([("msgtype", "m.text"), ("body", .string(body))])),
        ])
        switch EventTriage.triage(event, bot: Self.bot, memberCount: audience.verifiedMembers, startupCutoff: 0) {
        case .message, .promptAnswer:
            // Answered: the check-in's result is personal.
            if audience.destination(personal: true) == .room {
                require(joined < 3, "a check-in result was posted in a room of \(joined) (Spotter counted \(String(describing: audience.verifiedMembers)))")
            }
        case .ignore:
            require(!addressed, "an addressed message was ignored")
        default:
            require(false, "a message was triaged as something else")
        }
    }

    func check() {
        if audience.isPrivate {
            require(joined == 2, "Spotter takes a room of \(joined) for a private room of two (it would be stored as a direct room)")
        }
        if let counted = audience.verifiedMembers {
            require(counted == joined, "Spotter's count \(counted) is not the room's \(joined) and was not marked stale")
        }
    }
}
