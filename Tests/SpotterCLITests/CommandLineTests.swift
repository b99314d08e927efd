import Foundation
import SpotterCore
import SpotterTesting
import Testing

/// What a newcomer meets first: the version, the documented exit codes, refusals of a
/// mistyped database path, and the trace of an answer from `spotter ask` itself.
@Suite("the command line")
struct CommandLineTests {
    @Test("--version prints the version, for spotter and spotter-server alike")
    func version() throws {
        let spotter = try runSpotter(["--version"])
        #expect(spotter.status == 0)
        #expect(spotter.stdout.trimmingCharacters(in: .whitespacesAndNewlines).range(of: #"^\d+\.\d+\.\d+$"#, options: .regularExpression) != nil)
        let server = ProjectFixtures.spotterExecutable.deletingLastPathComponent().appendingPathComponent("spotter-server")
        let serverVersion = try runCommand(server, ["--version"])
        #expect(serverVersion.status == 0)
        #expect(serverVersion.stdout == spotter.stdout)
    }

    @Test("every documented exit code is the one a command exits with, and --help lists them")
    func exitCodes() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        // 0: done.
        #expect(try runSpotter(["ask", "should I go to failure on squats?"]).status == 0)
        // 1: a check found problems.
        let broken = folder.appendingPathComponent("rules")
        try FileManager.default.copyItem(atPath: ProjectFixtures.rulesFolder, toPath: broken.path)
        let failure = broken.appendingPathComponent("failure.yml")
        try String(contentsOf: failure, encoding: .utf8).replacingOccurrences(of: "value: axial }", with: "value: axal }")
            .write(to: failure, atomically: true, encoding: .utf8)
        #expect(try runSpotter(["rules", "check", broken.path]).status == 1)
        // 2: the rules (or a setting) are wrong.
        #expect(try runSpotter(["ask", "--rules", broken.path, "failure on squats?"]).status == 2)
        // 3: the database cannot be used.
        #expect(try runSpotter(["export", "--user", "ana", "--db", folder.appendingPathComponent("nope.sqlite").path]).status == 3)
        // 64: the command line itself is wrong.
        #expect(try runSpotter(["ask", "--no-such-flag", "failure on squats?"]).status == 64)
        #expect(try runSpotter(["export"]).status == 64)
        for command in [["--help"], ["ask", "--help"], ["chat", "--help"], ["export", "--help"], ["forget", "--help"],
                        ["bench", "--help"], ["rules", "check", "--help"]] {
            let help = try runSpotter(command).stdout
            for code in ["0 ", "1 ", "2 ", "3 ", "64 "] {
                #expect(help.contains("\n  \(code)"), "\(command.joined(separator: " ")) does not document exit code \(code)")
            }
        }
    }

    @Test("export and forget refuse a path with no database, create nothing, and exit non-zero")
    func databaseMissing() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let typo = folder.appendingPathComponent("typo/spotter.sqlite")
        for command in [["export", "--user", "ana"], ["export", "--user", "ana", "--format", "csv"], ["forget", "--user", "ana"]] {
            let result = try runSpotter(command + ["--db", typo.path])
            #expect(result.status == 3)
            #expect(result.stdout.isEmpty)
            #expect(result.stderr.contains("database_missing"))
            #expect(result.stderr.contains(typo.path))
            #expect(!FileManager.default.fileExists(atPath: typo.deletingLastPathComponent().path), "no folder is created")
        }
        // chat creates the database, says so once, and export then reads it.
        let db = folder.appendingPathComponent("spotter.sqlite").path
        let first = try runSpotter(["chat", "--db", db, "--user", "ana"], stdin: "bench 100kg x 5\n")
        #expect(first.status == 0)
        #expect(first.stderr.components(separatedBy: "created a new database").count == 2)
        let again = try runSpotter(["chat", "--db", db, "--user", "ana"], stdin: "bench 100kg x 5\n")
        #expect(!again.stderr.contains("created a new database"))
        let export = try runSpotter(["export", "--user", "ana", "--db", db])
        #expect(export.status == 0)
        #expect(export.stdout.contains("ana"))
    }

    @Test("ask points to --explain, and --explain prints the rules and their sources in full")
    func askExplain() throws {
        let plain = try runSpotter(["ask", "should I go to failure on bench?"])
        #expect(!plain.stdout.contains("Say \"why\""), "`why` works only in a chat")
        #expect(plain.stdout.contains("--explain"))
        let explained = try runSpotter(["ask", "--explain", "should I go to failure on bench?"])
        #expect(explained.status == 0)
        #expect(explained.stdout.contains("Rules behind that answer:"))
        #expect(explained.stdout.contains("failure.pinning_unspotted"))
        #expect(explained.stdout.contains("NSCA"))
        let json = try runSpotter(["ask", "--json", "--explain", "should I go to failure on bench?"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect((object["explanation"] as? String)?.contains("failure.pinning_unspotted") == true)
        #expect(object["intent"] as? String == "ask_failure")
    }

    @Test("bench outside the project finds the corpus, and a missing corpus is one plain sentence")
    func benchCorpus() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let elsewhere = try runCommand(ProjectFixtures.spotterExecutable, ["bench", "--rounds", "1"], in: folder)
        #expect(elsewhere.status == 0, "\(elsewhere.stderr)")
        #expect(elsewhere.stdout.contains("understanding+advice"))
        let missing = try runSpotter(["bench", "--corpus", folder.appendingPathComponent("none.yml").path])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("corpus_missing"))
        #expect(!missing.stderr.contains("NSCocoaErrorDomain"))
        // Each option states its default once.
        let help = try runSpotter(["bench", "--help"]).stdout
        let options = help.components(separatedBy: "\n  --").dropFirst()
        #expect(!options.isEmpty)
        for option in options {
            #expect(option.components(separatedBy: "(default").count <= 2, "repeated default in: --\(option)")
        }
    }
}

@Suite("the README")
struct ReadmeTests {
    @Test("the intents table lists every intent the JSON contracts can return, and nothing else")
    func intentsTable() throws {
        let readme = try String(contentsOf: ProjectFixtures.root.appendingPathComponent("README.md"), encoding: .utf8)
        let listed = Set(readme.split(separator: "\n").compactMap { line -> String? in
            guard let match = line.firstMatch(of: /^\s*\| `([a-z_]+)` \|/) else { return nil }
            return String(match.1)
        })
        let returned = Set(Intent.allCases.map(\.rawValue) + ["room_command"])
        #expect(listed == returned, "missing from the README: \(returned.subtracting(listed).sorted()); not an intent: \(listed.subtracting(returned).sorted())")
    }
}
