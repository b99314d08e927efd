import Foundation
import SpotterPostgres
import SpotterStore

/// The store backends a test runs on: SQLite always, and PostgreSQL when `SPOTTER_TEST_POSTGRES`
/// names a server (`scripts/test.sh` starts one on loopback and sets it). With
/// `SPOTTER_REQUIRE_POSTGRES=1` (set by the test script too) a missing server fails the
/// PostgreSQL cases instead of leaving them out, so CI cannot pass without running them.
public enum TestBackend: String, Sendable, CaseIterable, CustomStringConvertible {
    case sqlite
    case postgres

    public var description: String { rawValue }

    public static var available: [TestBackend] {
        let environment = ProcessInfo.processInfo.environment
        let postgres = environment["SPOTTER_TEST_POSTGRES"].map { !$0.isEmpty } ?? false
        let required = environment["SPOTTER_REQUIRE_POSTGRES"] == "1"
        return postgres || required ? [.sqlite, .postgres] : [.sqlite]
    }

    /// A new, empty store's location on this backend: a path in a new temporary folder, or a new
    /// database on the test server.
    public func newLocation() throws -> String {
        switch self {
        case .sqlite:
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("spotter-store-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            return folder.appendingPathComponent("spotter.sqlite").path
        case .postgres:
            guard let server = ProcessInfo.processInfo.environment["SPOTTER_TEST_POSTGRES"], !server.isEmpty else {
                throw StoreError.failed(detail: "SPOTTER_REQUIRE_POSTGRES=1 but SPOTTER_TEST_POSTGRES names no server")
            }
            return try PostgresBackend.createDatabaseForTests(server: server)
        }
    }

    /// Opens the store at `location` (as `--db` would).
    public func open(_ location: String, create: Bool = true) throws -> SpotterDatabase {
        switch self {
        case .sqlite: try SpotterDatabase(path: location, create: create)
        case .postgres: SpotterDatabase(backend: try PostgresBackend(url: location, create: create))
        }
    }
}
