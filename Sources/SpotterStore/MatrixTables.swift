import Foundation
import GRDB
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

    /// Journals an event unless its id was seen before. Returns whether it was new.
    @discardableResult
    public func journal(
        eventID: String, roomID: String, sender: String, type: String, json: String, originTimestamp: Timestamp?,
        receivedAt: Timestamp
    ) throws -> Bool {
        let statement = try db.cachedStatement(sql: """
            INSERT INTO journal (event_id, room_id, sender, event_type, event_json, origin_ts, received_at, status)
            VALUES (?, ?, ?, ?, ?, ?, ?, 'pending') ON CONFLICT (event_id) DO NOTHING
            """)
        try statement.execute(arguments: [eventID, roomID, sender, type, json, originTimestamp, receivedAt])
        return db.changesCount > 0
    }

    /// Journaled events not handled yet, oldest first.
    public func pendingJournal(limit: Int) throws -> [JournalEntry] {
        let statement = try db.cachedStatement(sql: """
            SELECT seq, event_id, room_id, sender, event_type, event_json, origin_ts FROM journal
            WHERE status = 'pending' ORDER BY seq LIMIT ?
            """)
        return try Row.fetchAll(statement, arguments: [limit]).map { row in
            JournalEntry(seq: row[0], eventID: row[1], roomID: row[2], sender: row[3], type: row[4], json: row[5],
                         originTimestamp: row[6])
        }
    }

    public func markJournal(_ seq: Int64, status: String, note: String? = nil) throws {
        try db.cachedStatement(sql: "UPDATE journal SET status = ?, note = ? WHERE seq = ?").execute(arguments: [status, note, seq])
    }

    /// Deletes what a sender's handled events said and who sent them, keeping each event id
    /// (so a homeserver resending one does not get it stored again).
    public func scrubJournal(sender: String) throws {
        try db.cachedStatement(sql: """
            UPDATE journal SET sender = '', event_json = '{}', note = 'forgotten' WHERE sender = ? AND status != 'pending'
            """).execute(arguments: [sender])
    }

    public func journalCount(status: String) throws -> Int {
        try Int.fetchOne(db.cachedStatement(sql: "SELECT COUNT(*) FROM journal WHERE status = ?"), arguments: [status]) ?? 0
    }

    // MARK: Outbox

    /// Queues an outbound action once per `dedupeKey`. Returns whether it was new.
    @discardableResult
    public func enqueue(
        kind: OutboxItem.Kind, dedupeKey: String, roomID: String, transactionID: String?, content: String?, recipient: String?,
        target: String? = nil, purpose: String? = nil, at time: Timestamp
    ) throws -> Bool {
        let statement = try db.cachedStatement(sql: """
            INSERT INTO outbox (kind, dedupe_key, room_id, txn_id, content_json, recipient, target, purpose, status,
                                next_attempt_at, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?) ON CONFLICT (dedupe_key) DO NOTHING
            """)
        try statement.execute(arguments: [kind.rawValue, dedupeKey, roomID, transactionID, content, recipient, target, purpose,
                                          time, time])
        return db.changesCount > 0
    }

    /// Pending actions due at `now`, oldest first.
    /// `webhooks`: only outbound webhook posts (true), only the homeserver's items (false), or all (nil).
    public func dueOutbox(now: Timestamp, limit: Int, webhooks: Bool? = nil) throws -> [OutboxItem] {
        let kind = switch webhooks {
        case true?: " AND kind = 'webhook'"
        case false?: " AND kind != 'webhook'"
        case nil: ""
        }
        let statement = try db.cachedStatement(sql: """
            SELECT id, kind, room_id, txn_id, content_json, attempts, recipient, target, purpose FROM outbox
            WHERE status = 'pending' AND next_attempt_at <= ?\(kind) ORDER BY id LIMIT ?
            """)
        return try Row.fetchAll(statement, arguments: [now, limit]).map { row in
            OutboxItem(id: row[0], kind: OutboxItem.Kind(rawValue: row[1]) ?? .message, roomID: row[2], transactionID: row[3],
                       contentJSON: row[4], attempts: row[5], recipient: row[6], target: row[7], purpose: row[8])
        }
    }

    /// The earliest time a pending action is due, if any.
    public func nextOutboxDue() throws -> Timestamp? {
        try Double.fetchOne(db.cachedStatement(sql: "SELECT MIN(next_attempt_at) FROM outbox WHERE status = 'pending'"))
    }

    public func outboxDepth() throws -> Int {
        try Int.fetchOne(db.cachedStatement(sql: "SELECT COUNT(*) FROM outbox WHERE status = 'pending'")) ?? 0
    }

    public func markSent(_ id: Int64, at time: Timestamp) throws {
        try db.cachedStatement(sql: "UPDATE outbox SET status = 'sent', sent_at = ?, attempts = attempts + 1 WHERE id = ?")
            .execute(arguments: [time, id])
    }

    public func markFailed(_ id: Int64, error: String) throws {
        try db.cachedStatement(sql: "UPDATE outbox SET status = 'failed', last_error = ?, attempts = attempts + 1 WHERE id = ?")
            .execute(arguments: [error, id])
    }

    public func reschedule(_ id: Int64, at time: Timestamp, error: String) throws {
        try db.cachedStatement(sql: "UPDATE outbox SET next_attempt_at = ?, last_error = ?, attempts = attempts + 1 WHERE id = ?")
            .execute(arguments: [time, error, id])
    }

    /// Counts of outbox rows by status (tests, diagnostics).
    public func outboxCounts() throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for row in try Row.fetchAll(db.cachedStatement(sql: "SELECT status, COUNT(*) FROM outbox GROUP BY status")) { counts[row[0]] = row[1] }
        return counts
    }

    // MARK: Rooms

    public func room(_ roomID: String) throws -> RoomInfo? {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT member_count, encrypted, encrypted_notice_sent FROM rooms WHERE room_id = ?"),
                                         arguments: [roomID]) else { return nil }
        return RoomInfo(memberCount: row[0], encrypted: (row[1] as Int) != 0, encryptedNoticeSent: (row[2] as Int) != 0)
    }

    public func saveRoom(_ roomID: String, _ info: RoomInfo) throws {
        try db.cachedStatement(sql: """
            INSERT INTO rooms (room_id, member_count, encrypted, encrypted_notice_sent) VALUES (?, ?, ?, ?)
            ON CONFLICT (room_id) DO UPDATE SET member_count = excluded.member_count, encrypted = excluded.encrypted,
                encrypted_notice_sent = excluded.encrypted_notice_sent
            """).execute(arguments: [roomID, info.memberCount, info.encrypted ? 1 : 0, info.encryptedNoticeSent ? 1 : 0])
    }
}

extension StoreSession {
    // MARK: Webhook deliveries

    /// The answer already given to a `webhook-id`, if it was seen.
    public func webhookResponse(_ id: String) throws -> String? {
        try String.fetchOne(db.cachedStatement(sql: "SELECT response FROM webhook_deliveries WHERE webhook_id = ?"), arguments: [id])
    }

    public func saveWebhookResponse(_ id: String, user: String, response: String, at time: Timestamp) throws {
        try db.cachedStatement(sql: """
            INSERT INTO webhook_deliveries (webhook_id, user_id, response, received_at) VALUES (?, ?, ?, ?)
            ON CONFLICT (webhook_id) DO NOTHING
            """).execute(arguments: [id, user, response, time])
    }
}
