import Foundation
import SpotterTesting
import Testing

/// The repository stands on its own: a plain clone, with no folder beside it, builds its
/// catalogue and passes the first stage of the test command.
@Suite("the repository on its own")
struct RepositoryTests {
    /// Copies the files git knows about (committed or new, not ignored) into a folder with
    /// nothing beside it, the way a clone on a fresh machine looks.
    private func standaloneCopy() throws -> URL {
        let listing = try run("/usr/bin/git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                              in: ProjectFixtures.root)
        #expect(listing.status == 0, "git ls-files failed: \(listing.stderr)")
        let copy = try temporaryFolder("standalone").appendingPathComponent("spotter")
        let manager = FileManager.default
        for path in listing.stdout.split(separator: "\0").map(String.init) {
            let source = ProjectFixtures.root.appendingPathComponent(path)
            guard manager.fileExists(atPath: source.path) else { continue }  // deleted, not yet committed
            let target = copy.appendingPathComponent(path)
            try manager.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try manager.copyItem(at: source, to: target)
        }
        #expect(!manager.fileExists(atPath: copy.deletingLastPathComponent().appendingPathComponent("shared").path))
        return copy
    }

    @Test("scripts/test.sh's catalogue stage passes from a copy with no folder beside it")
    func catalogueStageStandsAlone() throws {
        let copy = try standaloneCopy()
        defer { try? FileManager.default.removeItem(at: copy.deletingLastPathComponent()) }
        let stage = try run("/bin/bash", ["scripts/test.sh", "catalogue"], in: copy)
        #expect(stage.status == 0, "test.sh catalogue failed:\n\(stage.stdout)\n\(stage.stderr)")
        #expect(stage.stdout.contains("is up to date"))
    }

    @Test("the catalogue builds from the source in the repository and equals the committed one")
    func catalogueBuildsFromTheRepository() throws {
        let copy = try standaloneCopy()
        defer { try? FileManager.default.removeItem(at: copy.deletingLastPathComponent()) }
        let output = copy.appendingPathComponent("Rules/exercises.json")
        try FileManager.default.removeItem(at: output)
        let build = try run("/usr/bin/env", ["python3", "scripts/build_catalogue.py"], in: copy)
        #expect(build.status == 0, "build_catalogue.py failed: \(build.stderr)")
        let rebuilt = try Data(contentsOf: output)
        let committed = try Data(contentsOf: ProjectFixtures.root.appendingPathComponent("Rules/exercises.json"))
        #expect(rebuilt == committed)
        #expect(FileManager.default.fileExists(atPath: copy.appendingPathComponent("Data/free-exercise-db/LICENSE.md").path))
    }

    private func run(_ executable: String, _ arguments: [String], in folder: URL) throws -> CommandResult {
        try runCommand(URL(fileURLWithPath: executable), arguments, in: folder)
    }
}
