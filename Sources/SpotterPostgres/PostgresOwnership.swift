import Foundation
import PostgresNIO
import SpotterCore
import SpotterStore

/// One `spotter serve` per PostgreSQL database, as per SQLite file: a session-level advisory
/// lock held on a connection of its own for as long as the server runs. The server releases it
/// when the connection closes, so a killed server's lock goes with its connection.
///
/// Until instances share the journal's work (row leases), a second server on the same database
/// would answer every event twice; it is refused with `database_locked` instead.
public final class PostgresOwnership: StoreOwnership {
    /// The advisory lock keys (arbitrary, fixed): serving, and applying migrations.
    static let servingLockKey: Int64 = 0x5370_6F74_7465_7201
    static let migrationLockKey: Int64 = 0x5370_6F74_7465_7202

    private let connection: PostgresConnection

    private init(connection: PostgresConnection) {
        self.connection = connection
    }

    deinit { _ = try? connection.close().wait() }

    /// Takes the database for this process, waiting up to `seconds` for an earlier owner whose
    /// connection the server has not yet seen close.
    public static func claim(_ location: PostgresLocation, waitingUpTo seconds: Double = 3) throws(StoreError) -> PostgresOwnership {
        let connection: PostgresConnection
        do {
            connection = try PostgresBackend.connect(location)
        } catch {
            throw PostgresBackend.map(error, location: location.description)
        }
        let deadline = Date().addingTimeInterval(seconds)
        do {
            while true {
                let rows = try connection.query(
                    PostgresQuery(unsafeSQL: "SELECT pg_try_advisory_lock(\(servingLockKey))"), logger: PostgresBackend.logger
                ).wait()
                if let cell = rows.rows.first?.first, try cell.decode(Bool.self) { return PostgresOwnership(connection: connection) }
                if Date() >= deadline { break }
                Thread.sleep(forTimeInterval: 0.1)
            }
        } catch {
            _ = try? connection.close().wait()
            throw PostgresBackend.map(error, location: location.description)
        }
        _ = try? connection.close().wait()
        throw StoreError.owned(path: location.description, pid: nil)
    }
}
