import SpotterCore
import SpotterGroup
import SpotterTesting
import Testing

@Suite("Room audience: room size from the homeserver, personal replies on the safe side")
struct RoomAudienceTests {
    static func member(_ user: String, _ to: String, from: String?, name: String? = nil) -> JSONValue {
        var content: [(key: String, value: JSONValue)] = [("membership", .string(to))]
        if let name { content.append(("displayname", .string(name))) }
        var fields: [(key: String, value: JSONValue)] = [("type", "m.room.member"), ("state_key", .string(user)), ("content", .object(content))]
        if let from { fields.append(("unsigned", .object([("prev_content", .object([("membership", .string(from))]))]))) }
        return .object(fields)
    }

    @Test("membership changes make the count stale; profile changes keep it; only a verified two is private")
    func classification() {
        #expect(RoomAudience.change(of: Self.member("@a", "join", from: "join", name: "A")) == .profile)
        #expect(RoomAudience.change(of: Self.member("@a", "leave", from: "invite")) == .membership(user: "@a", from: "invite", to: "leave"))
        #expect(RoomAudience.change(of: Self.member("@a", "join", from: nil)) == .membership(user: "@a", from: nil, to: "join"))
        #expect(RoomAudience.change(of: .object([("type", "m.room.message")])) == RoomAudience.Change.none)
        var audience = RoomAudience()
        #expect(audience.isGroup, "unknown is a group")
        #expect(audience.destination(personal: true) == .direct)
        audience.counted(2)
        #expect(audience.isPrivate && audience.destination(personal: true) == .room)
        let renamed = audience.observe(Self.member("@a", "join", from: "join", name: "Al"))
        #expect(!renamed && audience.isPrivate)
        let invited = audience.observe(Self.member("@c", "invite", from: nil))
        #expect(invited)
        #expect(audience.verifiedMembers == nil && audience.destination(personal: true) == .direct)
        audience.counted(3)
        #expect(audience.isGroup)
        #expect(audience.destination(personal: false) == .room)
    }

    @Test("random membership histories: a personal reply never goes to a room of three or more", arguments: [1, 2, 3, 4, 5] as [UInt64])
    func neverIntoAGroup(seed: UInt64) {
        var random = SeededGenerator(seed: seed)
        var truth: [String: String] = [:]
        var audience = RoomAudience()
        let users = ["@a", "@b", "@c", "@d"]
        func joined() -> Int { 1 + truth.values.filter { $0 == "join" }.count }
        for _ in 0..<5_000 {
            let user = users[Int(random.next() % 4)]
            switch random.next() % 5 {
            case 0:
                let to = ["join", "leave", "invite", "ban"][Int(random.next() % 4)]
                audience.observe(Self.member(user, to, from: random.next() % 5 == 0 ? nil : truth[user]))
                truth[user] = to
            case 1:
                audience.observe(Self.member(user, truth[user] ?? "leave", from: truth[user], name: "n\(random.next() % 9)"))
            case 2:
                audience.counted(random.next() % 4 == 0 ? nil : joined())
            default:
                if audience.destination(personal: true) == .room { #expect(joined() == 2) }
                if let counted = audience.verifiedMembers { #expect(counted == joined()) }
            }
        }
    }
}

