import Foundation
import SpotterStore
import SpotterTesting
import Testing

/// `spotter migrate` and `spotter copy-store`, as an operator moving a deployment would run them.
@Suite("spotter migrate and copy-store")
struct StoreCommandTests {
    @Test("a SQLite deployment moves to another store: migrate the target, copy, and the lifter's export is the same",
          arguments: TestBackend.available)
    func moveDeployment(_ target: TestBackend) throws {
        let folder = try temporaryFolder("spotter-copy")
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = folder.appendingPathComponent("old.sqlite").path
        let chat = try runSpotter(["chat", "--jsonl", "--db", source], stdin: """
            {"user": "ida", "text": "squat 100kg x 5"}
            {"user": "ida", "text": "bench 60kg 3x8 @ RIR 2"}
            {"user": "ida", "text": "I'm a beginner"}

            """)
        #expect(chat.status == 0, "\(chat.stderr)")
        let location = try target.newLocation()
        if target == .postgres {
            // A server on PostgreSQL refuses a schema that is behind: the operator migrates first.
            let early = try runSpotter(["copy-store", "--from", source, "--to", location])
            #expect(early.status == 3)
            #expect(early.stderr.contains("database_unmigrated") && early.stderr.contains("spotter migrate"), "\(early.stderr)")
            let migrate = try runSpotter(["migrate", "--db", location])
            #expect(migrate.status == 0, "\(migrate.stderr)")
            #expect(migrate.stdout.contains("applied \(SpotterDatabase.migrationIdentifiers.count) migrations"), "\(migrate.stdout)")
            #expect(try runSpotter(["migrate", "--db", location]).stdout.contains("nothing to do"))
        }
        let copy = try runSpotter(["copy-store", "--from", source, "--to", location])
        #expect(copy.status == 0, "\(copy.stderr)")
        #expect(copy.stdout.contains("copied") && copy.stdout.contains("sets 2"), "\(copy.stdout)")
        let before = try runSpotter(["export", "--user", "ida", "--db", source])
        let after = try runSpotter(["export", "--user", "ida", "--db", location])
        #expect(after.status == 0 && after.stdout == before.stdout, "\(after.stderr)")
        // A second copy would mix two histories: refused, with what to do.
        let again = try runSpotter(["copy-store", "--from", source, "--to", location])
        #expect(again.status == 3)
        #expect(again.stderr.contains("copy_target_not_empty") && again.stderr.contains("new, empty database"), "\(again.stderr)")
        #expect(try runSpotter(["export", "--user", "ida", "--db", location]).stdout == before.stdout)
    }

    @Test("a copy from a database that is not there is refused, and nothing is created at the target")
    func missingSource() throws {
        let folder = try temporaryFolder("spotter-copy")
        defer { try? FileManager.default.removeItem(at: folder) }
        let target = folder.appendingPathComponent("new.sqlite").path
        let result = try runSpotter(["copy-store", "--from", folder.appendingPathComponent("nope.sqlite").path, "--to", target])
        #expect(result.status == 3)
        #expect(result.stderr.contains("database_missing"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: target))
    }
}
