import Foundation
import SpotterCore

/// A received Matrix event, journaled before the transaction is acknowledged.
public struct JournalEntry: Sendable, Hashable {
    public var seq: Int64
    public var eventID: String
    public var roomID: String
    public var sender: String
    public var type: String
    public var json: String
    public var originTimestamp: Timestamp?
}

/// A reply or action owed to the homeserver, stored before it is attempted.
public struct OutboxItem: Sendable, Hashable {
    public enum Kind: String, Sendable {
        /// A message to a Matrix room.
        case message
        /// Joining a Matrix room (an invite).
        case join
        /// A message to a lifter's direct room, created first when there is none (`recipient`).
        case direct
        /// A payload POSTed to a room's outbound webhook (`target` is the URL).
        case webhook
        /// An `m.reaction` to a room's event (Spotter's own rating options on its prompt).
        case reaction
    }

    public var id: Int64
    public var kind: Kind
    public var roomID: String
    public var transactionID: String?
    public var contentJSON: String?
    public var attempts: Int
    /// Who a direct message is for.
    public var recipient: String? = nil
    /// The URL of an outbound webhook.
    public var target: String? = nil
    /// Why it was queued when the sender needs to know what came of it, such as
    /// `prompt:2026-03-29` (the sent event becomes the check-in thread's root).
    public var purpose: String? = nil
}

/// What the bot knows of a room.
public struct RoomInfo: Sendable, Hashable {
    public var memberCount: Int?
    public var encrypted: Bool
    public var encryptedNoticeSent: Bool

    public init(memberCount: Int?, encrypted: Bool, encryptedNoticeSent: Bool) {
        self.memberCount = memberCount
        self.encrypted = encrypted
        self.encryptedNoticeSent = encryptedNoticeSent
    }
}

extension StoreSession {
    // MARK: Journal

    /// Journals an event once: false when its event id is already there (a resent transaction).
    @discardableResult
    public func journal(
        eventID: String, roomID: String, sender: String, type: String, json: String, originTimestamp: Timestamp?,
        receivedAt: Timestamp
    ) throws -> Bool {
        try sql.execute("""
            INSERT INTO journal (event_id, room_id, sender, event_type, event_json, origin_ts, received_at, status)
            VALUES (?, ?, ?, ?, ?, ?, ?, 'pending') ON CONFLICT (event_id) DO NOTHING
            """, eventID, roomID, sender, type, json, originTimestamp, receivedAt) > 0
    }

    /// The events waiting to be handled, in the order they were journaled; only those of `rooms` when given.
    public func pendingJournal(limit: Int, rooms: [String]? = nil) throws -> [JournalEntry] {
        if let rooms, rooms.isEmpty { return [] }
        let inRooms = rooms.map { " AND room_id IN (" + Array(repeating: "?", count: $0.count).joined(separator: ", ") + ")" } ?? ""
        let arguments: [SQLValue] = (rooms ?? []).map(\.sqlValue) + [limit.sqlValue]
        return try sql.rows("""
            SELECT seq, event_id, room_id, sender, event_type, event_json, origin_ts FROM journal
            WHERE status = 'pending'\(inRooms) ORDER BY seq LIMIT ?
            """, arguments).map { row in
            JournalEntry(seq: row[0], eventID: row[1], roomID: row[2], sender: row[3], type: row[4], json: row[5],
                         originTimestamp: row[6])
        }
    }

    /// Marks a pending event done. Throws ``StoreError/conflict(detail:)`` when it is no longer
    /// pending (another instance handled it first), which rolls back the whole transaction: what
    /// this one would have queued for it is not stored twice.
    public func markJournal(_ seq: Int64, status: String, note: String? = nil) throws {
        let changed = try sql.execute("UPDATE journal SET status = ?, note = ? WHERE seq = ? AND status = 'pending'", status, note, seq)
        if changed == 0 { throw StoreError.conflict(detail: "event \(seq) of the journal was handled already") }
    }

    public func scrubJournal(sender: String) throws {
        try sql.execute("""
            UPDATE journal SET sender = '', event_json = '{}', note = 'forgotten' WHERE sender = ? AND status != 'pending'
            """, sender)
    }

    public func journalCount(status: String) throws -> Int {
        try sql.value("SELECT COUNT(*) FROM journal WHERE status = ?", status) ?? 0
    }

    // MARK: Outbox

    /// Queues an outbound item once per dedupe key: false when it is already queued.
    @discardableResult
    public func enqueue(
        kind: OutboxItem.Kind, dedupeKey: String, roomID: String, transactionID: String?, content: String?, recipient: String?,
        target: String? = nil, purpose: String? = nil, at time: Timestamp
    ) throws -> Bool {
        try sql.execute("""
            INSERT INTO outbox (kind, dedupe_key, room_id, txn_id, content_json, recipient, target, purpose, status,
                                next_attempt_at, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?) ON CONFLICT (dedupe_key) DO NOTHING
            """, kind.rawValue, dedupeKey, roomID, transactionID, content, recipient, target, purpose, time, time) > 0
    }

    public func dueOutbox(now: Timestamp, limit: Int, webhooks: Bool? = nil) throws -> [OutboxItem] {
        let kind = switch webhooks {
        case true?: " AND kind = 'webhook'"
        case false?: " AND kind != 'webhook'"
        case nil: ""
        }
        return try sql.rows("""
            SELECT id, kind, room_id, txn_id, content_json, attempts, recipient, target, purpose FROM outbox
            WHERE status = 'pending' AND next_attempt_at <= ?\(kind) ORDER BY id LIMIT ?
            """, now, limit).map { row in
            OutboxItem(id: row[0], kind: OutboxItem.Kind(rawValue: row[1]) ?? .message, roomID: row[2], transactionID: row[3],
                       contentJSON: row[4], attempts: row[5], recipient: row[6], target: row[7], purpose: row[8])
        }
    }

    public func nextOutboxDue() throws -> Timestamp? {
        try sql.value("SELECT MIN(next_attempt_at) FROM outbox WHERE status = 'pending'")
    }

    public func outboxDepth() throws -> Int {
        try sql.value("SELECT COUNT(*) FROM outbox WHERE status = 'pending'") ?? 0
    }

    public func markSent(_ id: Int64, at time: Timestamp) throws {
        try sql.execute("UPDATE outbox SET status = 'sent', sent_at = ?, attempts = attempts + 1 WHERE id = ?", time, id)
    }

    public func markFailed(_ id: Int64, error: String) throws {
        try sql.execute("UPDATE outbox SET status = 'failed', last_error = ?, attempts = attempts + 1 WHERE id = ?", error, id)
    }

    public func reschedule(_ id: Int64, at time: Timestamp, error: String) throws {
        try sql.execute("UPDATE outbox SET next_attempt_at = ?, last_error = ?, attempts = attempts + 1 WHERE id = ?", time, error, id)
    }

    public func outboxCounts() throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for row in try sql.rows("SELECT status, COUNT(*) FROM outbox GROUP BY status") { counts[row[0]] = row[1] }
        return counts
    }

    // MARK: Rooms

    public func room(_ roomID: String) throws -> RoomInfo? {
        guard let row = try sql.row("SELECT member_count, encrypted, encrypted_notice_sent FROM rooms WHERE room_id = ?", roomID)
        else { return nil }
        return RoomInfo(memberCount: row[0], encrypted: (row[1] as Int) != 0, encryptedNoticeSent: (row[2] as Int) != 0)
    }

    public func saveRoom(_ roomID: String, _ info: RoomInfo) throws {
        try sql.execute("""
            INSERT INTO rooms (room_id, member_count, encrypted, encrypted_notice_sent) VALUES (?, ?, ?, ?)
            ON CONFLICT (room_id) DO UPDATE SET member_count = excluded.member_count, encrypted = excluded.encrypted,
                encrypted_notice_sent = excluded.encrypted_notice_sent
            """, roomID, info.memberCount, info.encrypted ? 1 : 0, info.encryptedNoticeSent ? 1 : 0)
    }
}

extension StoreSession {
    // MARK: Webhook deliveries

    public func webhookResponse(_ id: String) throws -> String? {
        try sql.value("SELECT response FROM webhook_deliveries WHERE webhook_id = ?", id)
    }

    /// Keeps a webhook-id's answer. Throws ``StoreError/conflict(detail:)`` when the id has one
    /// already (another instance answered the same request meanwhile), which rolls back the
    /// transaction: the request is handled once, and its first answer is the one given again.
    public func saveWebhookResponse(_ id: String, user: String, response: String, at time: Timestamp) throws {
        let saved = try sql.execute("""
            INSERT INTO webhook_deliveries (webhook_id, user_id, response, received_at) VALUES (?, ?, ?, ?)
            ON CONFLICT (webhook_id) DO NOTHING
            """, id, user, response, time)
        if saved == 0 { throw StoreError.conflict(detail: "webhook-id \(id.debugDescription) was answered already") }
    }
}
