import Foundation
import SpotterCore
import SpotterDelivery
import SpotterStore

/// Messages, reactions, joins and direct messages, to the homeserver over several connections
/// at once. One room's items (and one lifter's direct messages) go over one connection, in order.
package struct MatrixOutbound: OutboundChannel {
    /// Delivery rounds send over this many connections to the homeserver at once.
    package static let connections = 4
    static let queue = DispatchQueue(label: "spotter-delivery", qos: .userInitiated, attributes: .concurrent)

    /// The first is the bridge's own client; the others have connections of their own.
    let homeservers: [HomeserverClient]
    let database: SpotterDatabase

    package init(homeservers: [HomeserverClient], database: SpotterDatabase) {
        self.homeservers = homeservers
        self.database = database
    }

    package func carries(_ item: OutboxItem) -> Bool { item.kind != .webhook }

    package func deliver(_ items: [OutboxItem]) -> [Attempt] {
        // A lifter's direct messages share a connection: the first may create their direct room.
        let lanes = Dictionary(grouping: items.indices) { index in
            let item = items[index]
            return Self.lane(of: item.kind == .direct ? "direct:" + (item.recipient ?? "") : item.roomID, among: homeservers.count)
        }
        let attempts = Locked([Attempt?](repeating: nil, count: items.count))
        let deliver: @Sendable (Int) -> Void = { lane in
            for index in lanes[lane] ?? [] {
                let attempt = self.attempt(items[index], via: self.homeservers[lane])
                attempts.withLock { $0[index] = attempt }
            }
        }
        if lanes.count == 1, let only = lanes.keys.first {
            deliver(only)
        } else {
            let group = DispatchGroup()
            for lane in lanes.keys { Self.queue.async(group: group) { deliver(lane) } }
            group.wait()
        }
        return attempts.withLock { $0 }.map { $0 ?? (.retry(after: 0, reason: "not attempted"), nil) }
    }

    /// Which connection a room's items go over: the same one for the whole round, so they keep their order.
    static func lane(of room: String, among count: Int) -> Int {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in room.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return Int(hash % UInt64(max(count, 1)))
    }

    func attempt(_ item: OutboxItem, via homeserver: HomeserverClient) -> Attempt {
        let transactionID = item.transactionID ?? "spotter-\(item.id)"
        switch item.kind {
        case .message:
            return homeserver.post(room: item.roomID, transactionID: transactionID, content: item.contentJSON ?? "{}")
        case .join:
            return (homeserver.join(room: item.roomID), nil)
        case .direct:
            return (deliverDirect(item, transactionID: transactionID, via: homeserver), nil)
        case .reaction:
            return (homeserver.react(room: item.roomID, transactionID: transactionID, content: item.contentJSON ?? "{}"), nil)
        case .webhook:
            return (.rejected(reason: "a webhook post handed to the homeserver"), nil)
        }
    }

    /// A direct message: to the lifter's direct room, created (and remembered at once, so a
    /// retry does not create another) when there is none.
    func deliverDirect(_ item: OutboxItem, transactionID: String, via homeserver: HomeserverClient) -> Delivery {
        guard let user = item.recipient else { return .rejected(reason: "a direct message without a recipient") }
        var room = try? database.read { try $0.directRoom(user: user) }
        if let known = room, let info = try? database.read({ try $0.room(known) }), let count = info.memberCount, count > 2 {
            // The homeserver says the "direct" room has grown into a group: a new one is made.
            try? database.write { try $0.forgetDirectRoom(room: known) }
            room = nil
        }
        if room == nil {
            let (delivery, created) = homeserver.createDirectRoom(with: user)
            guard let created else {
                if case .delivered = delivery { return .retry(after: 0, reason: "createRoom answered without a room_id") }
                return delivery
            }
            try? database.write { try $0.saveDirectRoom(user: user, room: created, createdByBot: true) }
            room = created
        }
        return homeserver.send(room: room ?? "", transactionID: transactionID, content: item.contentJSON ?? "{}")
    }
}
