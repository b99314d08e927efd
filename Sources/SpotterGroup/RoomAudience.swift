import SpotterCore

/// Who may read what Spotter posts in a room, decided on the safe side and without I/O.
///
/// The size of a room is only ever what the homeserver said (`joined_members`); a membership
/// event never adjusts it by itself (a display-name change is no join, a rejected invite no
/// leave), it makes it unknown until the homeserver is asked again. Anything personal (a
/// check-in's result, a pain referral, a lifter's own numbers) may go to a room only when the
/// homeserver said it has exactly two members: the lifter and Spotter.
public struct RoomAudience: Sendable, Hashable {
    /// Joined members as the homeserver last counted them; nil when never asked, or when a
    /// membership change since then made the count stale.
    public private(set) var verifiedMembers: Int?

    public init(verifiedMembers: Int? = nil) {
        self.verifiedMembers = verifiedMembers
    }

    /// What an event means for the room's membership.
    public enum Change: Sendable, Hashable {
        /// Not a member event.
        case none
        /// A member event that leaves the membership as it was (a display name or avatar change,
        /// a repeated invite): the count stays.
        case profile
        /// Someone's membership changed (join, leave, kick, ban, invite, rejected invite): the
        /// count must be asked again.
        case membership(user: String, from: String?, to: String)
    }

    /// Classifies an event by comparing `content.membership` with the previous membership
    /// (`unsigned.prev_content.membership`, or the older top-level `prev_content`). With no
    /// previous content the member had no state in the room, so any membership is a change.
    public static func change(of event: JSONValue) -> Change {
        guard event["type"]?.string == "m.room.member" else { return .none }
        let user = event["state_key"]?.string ?? ""
        let to = event["content"]?["membership"]?.string ?? ""
        let previous = event["unsigned"]?["prev_content"] ?? event["prev_content"]
        let from = previous?["membership"]?.string
        // An unreadable event is taken as a change: asking again is the safe side.
        if !to.isEmpty, from == to { return .profile }
        return .membership(user: user, from: from, to: to)
    }

    /// Takes an event into account. Returns whether the room's size must be asked again.
    @discardableResult
    public mutating func observe(_ event: JSONValue) -> Bool {
        guard case .membership = Self.change(of: event) else { return false }
        verifiedMembers = nil
        return true
    }

    /// What the homeserver answered to `joined_members` (nil: it could not say).
    public mutating func counted(_ members: Int?) {
        verifiedMembers = members.flatMap { $0 >= 0 ? $0 : nil }
    }

    /// A room of exactly two verified members: the lifter's private room with Spotter. The only
    /// room where personal replies may be posted, and the only kind recorded as a direct room.
    public var isPrivate: Bool { verifiedMembers == 2 }

    /// Everything else is a group, unknown size included.
    public var isGroup: Bool { !isPrivate }

    /// Whether every message in the room is for Spotter (a verified room of two, or fewer).
    public var everyMessageIsForSpotter: Bool { verifiedMembers.map { $0 <= 2 } ?? false }

    /// Where a reply goes when it is personal.
    public enum Destination: Sendable, Hashable {
        /// Posted in the room itself.
        case room
        /// Sent to the lifter's direct room; the room only hears that it was recorded.
        case direct
    }

    /// Where a reply goes: personal replies stay out of anything but a verified room of two.
    public func destination(personal: Bool) -> Destination {
        personal && !isPrivate ? .direct : .room
    }
}
