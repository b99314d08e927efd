import Foundation
import SpotterCore
import SpotterStore

/// This instance's leases on a shared store (PostgreSQL with several `spotter serve`): a room's
/// events, a delivery lane and the scheduler are each worked by one instance at a time. A round
/// takes the leases it needs, works, and gives them back, so another instance can go on at once;
/// a lease lapses by itself when its holder dies mid-round. On a store with one server (SQLite)
/// every claim is granted without touching the store.
package final class Leases: Sendable {
    /// Who this instance is in the `leases` table: host, process and a random part (a restarted
    /// process is someone else, so it never inherits a lease it did not renew).
    package let holder: String
    /// How long a lease lasts without renewal: how long a dead instance's rooms wait.
    package let duration: Double
    let database: SpotterDatabase
    let clock: @Sendable () -> Timestamp
    package init(database: SpotterDatabase, clock: @escaping @Sendable () -> Timestamp, duration: Double = 10, holder: String? = nil) {
        self.database = database
        self.clock = clock
        self.duration = duration
        self.holder = holder ?? Self.defaultHolder()
    }

    static func defaultHolder() -> String {
        let host = ProcessInfo.processInfo.hostName
        let random = (0..<4).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
        return "\(host):\(getpid()):\(random)"
    }

    /// Whether leases are needed at all: only when other processes share the store.
    package var contended: Bool { database.isShared }

    /// Takes or renews `keys`; returns those this instance holds now. Throws when the store
    /// cannot be written (then nothing is held).
    package func claim(_ keys: some Sequence<String>) throws(StoreError) -> Set<String> {
        let keys = Set(keys)
        guard contended else { return keys }
        guard !keys.isEmpty else { return [] }
        let now = clock(), holder = self.holder, expiry = now + duration
        return try database.write { session in try session.claimLeases(Array(keys), holder: holder, expiresAt: expiry, now: now) }
    }

    /// Gives `keys` back (the round is done with them), so another instance can take them at once.
    package func release(_ keys: some Sequence<String>) {
        let keys = Array(keys)
        guard contended, !keys.isEmpty else { return }
        let holder = self.holder
        try? database.write { session in try session.releaseLeases(keys, holder: holder) }
    }
}
