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
        try claimLeases([key], holder: holder, expiresAt: expiresAt, now: now).contains(key)
    }

    /// ``claimLease(_:holder:expiresAt:now:)`` for several keys in one statement: those `holder` has now.
    public func claimLeases(_ keys: [String], holder: String, expiresAt: Timestamp, now: Timestamp) throws -> Set<String> {
        guard !keys.isEmpty else { return [] }
        // In one order, so two instances claiming overlapping sets cannot deadlock.
        let sorted = Set(keys).sorted()
        let rows = Array(repeating: "(?, ?, ?)", count: sorted.count).joined(separator: ", ")
        let arguments = sorted.flatMap { [SQLValue.text($0), .text(holder), .real(expiresAt)] } + [.real(now)]
        return Set(try sql.rows("""
            INSERT INTO leases (key, holder, expires_at) VALUES \(rows)
            ON CONFLICT (key) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
            WHERE leases.holder = excluded.holder OR leases.expires_at < ?
            RETURNING key
            """, arguments).map { $0[0] as String })
    }

    /// Gives up `holder`'s lease on `key`, if they still hold it.
    public func releaseLease(_ key: String, holder: String) throws {
        try releaseLeases([key], holder: holder)
    }

    /// Gives up `holder`'s leases on `keys`, in one statement.
    public func releaseLeases(_ keys: [String], holder: String) throws {
        guard !keys.isEmpty else { return }
        let marks = Array(repeating: "?", count: keys.count).joined(separator: ", ")
        try sql.execute("DELETE FROM leases WHERE holder = ? AND key IN (\(marks))", [.text(holder)] + keys.map { .text($0) })
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
        guard sql.dialect == .postgres, !keys.isEmpty else { return }
        // One statement; in one order, so two transactions locking overlapping sets cannot
        // deadlock (a volatile function in the select list runs after the sort).
        let sorted = Set(keys.map { "conversation:\($0.room)\u{1}\($0.user)" }).sorted()
        let values = Array(repeating: "(?)", count: sorted.count).joined(separator: ", ")
        try sql.execute("SELECT pg_advisory_xact_lock(hashtextextended(k, 0)) FROM (VALUES \(values)) AS keys(k) ORDER BY k",
                        sorted.map { .text($0) })
    }
}
