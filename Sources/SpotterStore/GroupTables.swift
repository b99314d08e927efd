import Foundation
import SpotterCore

/// A room's group-coaching settings as changed by room commands. `nil` means "as configured";
/// the text `off` means switched off by a command.
public struct RoomSettingsRow: Sendable, Hashable {
    public var checkIn: String?
    public var zone: String?
    public var reminder: String?
    public var summary: String?
    /// The room's coaches as set by command (nil: as configured).
    public var coaches: [String]?

    public init(checkIn: String? = nil, zone: String? = nil, reminder: String? = nil, summary: String? = nil, coaches: [String]? = nil) {
        self.checkIn = checkIn
        self.zone = zone
        self.reminder = reminder
        self.summary = summary
        self.coaches = coaches
    }
}

/// Whether a lifter takes part in a room's check-ins.
public enum Membership: String, Sendable {
    case joined, left
}

/// What the scheduler did about one kind of post on one local day.
public struct ScheduleLogEntry: Sendable, Hashable {
    public var kind: String
    public var day: String
    /// `posted`, `late` or `skipped`.
    public var status: String
    public var scheduledAt: Timestamp
    public var eventID: String?
}

/// A lifter's quick check-in on a room's local day: the rating (1-5) of their latest reaction
/// on that day's prompt.
public struct QuickRatingRow: Sendable, Hashable {
    public var roomID: String
    public var userID: String
    public var day: String
    public var rating: Int
}

extension StoreSession {
    // MARK: Room settings

    public func roomSettings(_ roomID: String) throws -> RoomSettingsRow? {
        guard let row = try sql.row("SELECT checkin, zone, reminder, summary, coaches FROM room_settings WHERE room_id = ?", roomID)
        else { return nil }
        let coaches = (row[4] as String?).map { $0.split(separator: "\n").map(String.init) }
        return RoomSettingsRow(checkIn: row[0], zone: row[1], reminder: row[2], summary: row[3], coaches: coaches)
    }

    public func roomsWithSettings() throws -> [String] {
        try sql.column("SELECT room_id FROM room_settings ORDER BY room_id")
    }

    public func saveRoomSettings(_ roomID: String, _ settings: RoomSettingsRow, by user: String, at time: Timestamp) throws {
        try sql.execute("""
            INSERT INTO room_settings (room_id, checkin, zone, reminder, summary, coaches, updated_by, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (room_id) DO UPDATE SET checkin = excluded.checkin, zone = excluded.zone, reminder = excluded.reminder,
                summary = excluded.summary, coaches = excluded.coaches, updated_by = excluded.updated_by, updated_at = excluded.updated_at
            """, roomID, settings.checkIn, settings.zone, settings.reminder, settings.summary,
            settings.coaches?.joined(separator: "\n"), user, time)
    }

    // MARK: Members

    public func membership(room roomID: String, user: String) throws -> Membership? {
        let status: String? = try sql.value("SELECT status FROM room_members WHERE room_id = ? AND user_id = ?", roomID, user)
        return status.flatMap(Membership.init(rawValue:))
    }

    public func setMembership(room roomID: String, user: String, _ status: Membership, at time: Timestamp) throws {
        try sql.execute("""
            INSERT INTO room_members (room_id, user_id, status, updated_at) VALUES (?, ?, ?, ?)
            ON CONFLICT (room_id, user_id) DO UPDATE SET status = excluded.status, updated_at = excluded.updated_at
            """, roomID, user, status.rawValue, time)
    }

    public func setSharesWithCoach(room roomID: String, user: String, _ shares: Bool, at time: Timestamp) throws {
        try sql.execute("""
            INSERT INTO room_members (room_id, user_id, status, updated_at, shares_with_coach) VALUES (?, ?, 'joined', ?, ?)
            ON CONFLICT (room_id, user_id) DO UPDATE SET shares_with_coach = excluded.shares_with_coach, updated_at = excluded.updated_at
            """, roomID, user, time, shares)
    }

    public func coachSharers(room roomID: String) throws -> Set<String> {
        Set(try sql.column("SELECT user_id FROM room_members WHERE room_id = ? AND shares_with_coach = 1", roomID) as [String])
    }

    public func joinedMembers(room roomID: String) throws -> [String] {
        try sql.column("SELECT user_id FROM room_members WHERE room_id = ? AND status = 'joined' ORDER BY user_id", roomID)
    }

    // MARK: Schedule log

    public func lastScheduledDay(room roomID: String, kind: String) throws -> String? {
        try sql.value("SELECT MAX(day) FROM schedule_log WHERE room_id = ? AND kind = ?", roomID, kind)
    }

    public func scheduleEntry(room roomID: String, kind: String, day: String) throws -> ScheduleLogEntry? {
        guard let row = try sql.row("""
            SELECT kind, day, status, scheduled_at, event_id FROM schedule_log WHERE room_id = ? AND kind = ? AND day = ?
            """, roomID, kind, day) else { return nil }
        return ScheduleLogEntry(kind: row[0], day: row[1], status: row[2], scheduledAt: row[3], eventID: row[4])
    }

    public func scheduleLog(room roomID: String) throws -> [ScheduleLogEntry] {
        try sql.rows("""
            SELECT kind, day, status, scheduled_at, event_id FROM schedule_log WHERE room_id = ? ORDER BY day, kind
            """, roomID).map { row in
            ScheduleLogEntry(kind: row[0], day: row[1], status: row[2], scheduledAt: row[3], eventID: row[4])
        }
    }

    /// Records what came of a room's scheduled post for a day: false when that day was recorded
    /// already (by another instance: whoever posts should then roll back what they queued).
    @discardableResult
    public func recordSchedule(
        room roomID: String, kind: String, day: String, status: String, scheduledAt: Timestamp, at time: Timestamp
    ) throws -> Bool {
        try sql.execute("""
            INSERT INTO schedule_log (room_id, kind, day, status, scheduled_at, recorded_at) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (room_id, kind, day) DO NOTHING
            """, roomID, kind, day, status, scheduledAt, time) > 0
    }

    public func setScheduleEvent(room roomID: String, kind: String, day: String, eventID: String) throws {
        try sql.execute("UPDATE schedule_log SET event_id = ? WHERE room_id = ? AND kind = ? AND day = ?", eventID, roomID, kind, day)
    }

    public func isCheckInPrompt(_ eventID: String) throws -> Bool {
        try sql.value("SELECT EXISTS (SELECT 1 FROM schedule_log WHERE kind = 'prompt' AND event_id = ?)", eventID) ?? false
    }

    public func checkInPrompt(_ eventID: String) throws -> (room: String, day: String)? {
        guard let row = try sql.row("SELECT room_id, day FROM schedule_log WHERE kind = 'prompt' AND event_id = ?", eventID)
        else { return nil }
        return (row[0], row[1])
    }

    // MARK: Quick check-ins (rating reactions on a prompt)

    @discardableResult
    public func recordQuickRating(
        reactionEventID: String, room roomID: String, user: String, day: String, rating: Int, at time: Timestamp
    ) throws -> Bool {
        try sql.execute("""
            INSERT INTO quick_checkins (reaction_event_id, room_id, user_id, day, rating, reacted_at) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (reaction_event_id) DO NOTHING
            """, reactionEventID, roomID, user, day, rating, time) > 0
    }

    public func removeQuickRating(reactionEventID: String, room roomID: String) throws -> QuickRatingRow? {
        guard let row = try sql.row("""
            SELECT room_id, user_id, day, rating FROM quick_checkins WHERE reaction_event_id = ? AND room_id = ?
            """, reactionEventID, roomID) else { return nil }
        try sql.execute("DELETE FROM quick_checkins WHERE reaction_event_id = ?", reactionEventID)
        return QuickRatingRow(roomID: row[0], userID: row[1], day: row[2], rating: row[3])
    }

    public func quickCheckIns(room roomID: String, fromDay: String, toDay: String) throws -> [QuickRatingRow] {
        try sql.rows("""
            SELECT q.room_id, q.user_id, q.day, q.rating FROM quick_checkins q
            WHERE q.room_id = ? AND q.day >= ? AND q.day <= ?
              AND q.seq = (SELECT MAX(n.seq) FROM quick_checkins n WHERE n.room_id = q.room_id AND n.user_id = q.user_id AND n.day = q.day)
            ORDER BY q.day, q.user_id
            """, roomID, fromDay, toDay).map { row in
            QuickRatingRow(roomID: row[0], userID: row[1], day: row[2], rating: row[3])
        }
    }

    // MARK: Direct rooms

    public func directRoom(user: String) throws -> String? {
        try sql.value("SELECT room_id FROM direct_rooms WHERE user_id = ?", user)
    }

    public func saveDirectRoom(user: String, room roomID: String, createdByBot: Bool) throws {
        if createdByBot {
            try sql.execute("INSERT INTO direct_rooms (user_id, room_id, created_by_bot) VALUES (?, ?, 1) ON CONFLICT DO NOTHING",
                            user, roomID)
        } else {
            try sql.execute("""
                INSERT INTO direct_rooms (user_id, room_id, created_by_bot) VALUES (?, ?, 0)
                ON CONFLICT (user_id) DO UPDATE SET room_id = excluded.room_id, created_by_bot = 0
                """, user, roomID)
        }
    }

    public func forgetDirectRoom(room roomID: String) throws {
        try sql.execute("DELETE FROM direct_rooms WHERE room_id = ?", roomID)
    }

    // MARK: Check-ins of a group

    public func checkIns(users: [String], from: Timestamp, to: Timestamp) throws -> [CheckInRecord] {
        guard !users.isEmpty else { return [] }
        var result: [CheckInRecord] = []
        // Bounded chunks keep within SQLite's limit on bound parameters.
        for start in stride(from: 0, to: users.count, by: 500) {
            let chunk = Array(users[start..<min(users.count, start + 500)])
            let marks = Array(repeating: "?", count: chunk.count).joined(separator: ", ")
            let rows = try sql.rows("""
                SELECT * FROM checkins WHERE completed_at >= ? AND completed_at < ? AND user_id IN (\(marks))
                ORDER BY completed_at, id
                """, [.real(from), .real(to)] + chunk.map { .text($0) })
            result += rows.map(checkInRecord)
        }
        return result.sorted { $0.completedAt < $1.completedAt }
    }
}
