import SpotterCore

/// What leases name: a room's events, a delivery queue, the scheduler. Keys never collide with
/// each other, since a Matrix room id starts with `!`.
public enum LeaseKey {
    /// Handling a room's journaled events, in order.
    public static func room(_ roomID: String) -> String { roomID }
    /// Delivering a room's queued posts (or one lifter's direct messages), in order.
    public static func outbox(_ lane: String) -> String { "outbox:" + lane }
    /// Posting the rooms' scheduled prompts, reminders and summaries.
    public static let scheduler = "scheduler"
}

extension StoreSession {
    // MARK: Leases

    /// Takes or renews the lease on `key` for `holder` until `expiresAt`: true when `holder` has
    /// it now (it was free, expired at `now`, or already theirs), false when another holder's
    /// lease is still running. A dead instance's leases lapse at their expiry.
    public func claimLease(_ key: String, holder: String, expiresAt: Timestamp, now: Timestamp) throws -> Bool {
        try sql.execute("""
            INSERT INTO leases (key, holder, expires_at) VALUES (?, ?, ?)
            ON CONFLICT (key) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
            WHERE leases.holder = excluded.holder OR leases.expires_at < ?
            """, key, holder, expiresAt, now) > 0
    }

    /// Gives up `holder`'s lease on `key`, if they still hold it.
    public func releaseLease(_ key: String, holder: String) throws {
        try sql.execute("DELETE FROM leases WHERE key = ? AND holder = ?", key, holder)
    }

    /// Who holds `key` and until when, if anyone has.
    public func lease(_ key: String) throws -> (holder: String, expiresAt: Timestamp)? {
        guard let row = try sql.row("SELECT holder, expires_at FROM leases WHERE key = ?", key) else { return nil }
        return (row[0], row[1])
    }

    /// The rooms with events waiting, the room of the oldest event first.
    public func roomsWithPendingEvents(limit: Int) throws -> [String] {
        try sql.rows("""
            SELECT room_id FROM journal WHERE status = 'pending' GROUP BY room_id ORDER BY MIN(seq) LIMIT ?
            """, limit).map { $0[0] }
    }

    /// Holds each of these conversations until the transaction ends, so two instances answering
    /// the same lifter in the same room at once take turns instead of overwriting each other's
    /// state. SQLite has one writer at a time already.
    public func lockConversations(_ keys: [(room: String, user: String)]) throws {
        guard sql.dialect == .postgres else { return }
        // In one order, so two transactions locking overlapping sets cannot deadlock.
        for key in Set(keys.map { "conversation:\($0.room)\u{1}\($0.user)" }).sorted() {
            try sql.execute("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))", [.text(key)])
        }
    }
}
