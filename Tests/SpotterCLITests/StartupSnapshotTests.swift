import Foundation
import SpotterAdvisor
import SpotterApp
import SpotterCore
import SpotterRules
import SpotterUnderstanding
import SpotterTesting
import Testing

/// A copy of the project's rules folder to change and snapshot.
private func rulesCopy() throws -> (folder: String, cache: String) {
    let root = try temporaryFolder("spotter-snapshot")
    let folder = root.appendingPathComponent("Rules").path
    try FileManager.default.copyItem(atPath: ProjectFixtures.rulesFolder, toPath: folder)
    return (folder, root.appendingPathComponent("cache").path)
}

private func snapshotFile(in cache: String) throws -> String {
    let names = try FileManager.default.contentsOfDirectory(atPath: cache).filter { $0.hasSuffix(".snapshot") }
    try #require(names.count == 1)
    return (cache as NSString).appendingPathComponent(names[0])
}

@Suite("start-up snapshot")
struct StartupSnapshotTests {
    @Test("a coach read back from a snapshot understands and answers every corpus message as the rules folder's own")
    func sameAnswers() throws {
        let original = ProjectFixtures.coach
        let key = Array(repeating: UInt8(7), count: 16)
        let bytes = StartupSnapshot.encode(ProjectFixtures.rules, original.understanding, key: key)
        let (rules, understanding) = try StartupSnapshot.decode(bytes, key: key, folder: ProjectFixtures.rules.folder)
        let restored = try Coach(rules: rules, understanding: understanding)
        #expect(rules.summary == ProjectFixtures.rules.summary)
        let corpus = try CoachBenchmark.corpusMessages(ProjectFixtures.root.appendingPathComponent("Tests/Corpus/questions.yml").path)
        try #require(corpus.count > 500)
        // Names in another word order and typos reach the indexes the corpus leaves alone.
        let messages = corpus + ["squat front rest?", "curl hammer to failure?", "faliure on squast?", "pulldwon rest?"]
        let contexts = [ConversationContext(), ConversationContext(awaitingConfirmation: true), ConversationContext(answersCheckInPrompt: true)]
            + CheckInItem.allCases.map { ConversationContext(checkInPending: $0) }
        var differences: [String] = []
        for message in messages {
            for context in contexts where original.understanding.understand(message, context: context) != understanding.understand(message, context: context) {
                differences.append("understanding of \"\(message)\" in \(context)")
            }
            let (before, beforeReply) = original.ask(message, profile: ResolvedProfile(profile: .assumed), tracing: true)
            let (after, afterReply) = restored.ask(message, profile: ResolvedProfile(profile: .assumed), tracing: true)
            if AnswerJSON.ask(before, reply: beforeReply).serialized() != AnswerJSON.ask(after, reply: afterReply).serialized() {
                differences.append("answer to \"\(message)\"")
            }
            if original.writer.explain(before) != restored.writer.explain(after) { differences.append("explanation of \"\(message)\"") }
        }
        #expect(differences.count == 0, "\(differences.prefix(5))")
    }

    @Test("the second start reads the snapshot; a changed rule file, a damaged or cut snapshot is never used")
    func keyedOnBytes() throws {
        let (folder, cache) = try rulesCopy()
        let settings = CoachingSettings()
        #expect(try StartupSnapshot.coach(folder: folder, settings: settings, directory: cache).1 == .written)
        let (coach, outcome) = try StartupSnapshot.coach(folder: folder, settings: settings, directory: cache)
        #expect(outcome == .used)
        #expect(coach.ask("should I go to failure on squats?", profile: ResolvedProfile(profile: .assumed)).1.contains("avoid"))

        // One byte more in a rule file (a comment) is another folder.
        let rest = (folder as NSString).appendingPathComponent("rest.yml")
        let text = try String(contentsOfFile: rest, encoding: .utf8)
        try (text + "\n# changed\n").write(toFile: rest, atomically: true, encoding: .utf8)
        #expect(try StartupSnapshot.coach(folder: folder, settings: settings, directory: cache).1 == .written)
        #expect(try StartupSnapshot.coach(folder: folder, settings: settings, directory: cache).1 == .used)

        // A flipped byte in the body, then a cut file: loaded from the folder and written again.
        let file = try snapshotFile(in: cache)
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: file)))
        bytes[bytes.count / 2] ^= 0x20
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        #expect(try StartupSnapshot.coach(folder: folder, settings: settings, directory: cache).1 == .written)
        let whole = try Data(contentsOf: URL(fileURLWithPath: file))
        try whole.prefix(whole.count - 100).write(to: URL(fileURLWithPath: file))
        #expect(try StartupSnapshot.coach(folder: folder, settings: settings, directory: cache).1 == .written)
        #expect(try StartupSnapshot.coach(folder: folder, settings: settings, directory: cache).1 == .used)
    }

    @Test("a rules folder broken after its snapshot was written is refused at the next start, as without one")
    func brokenAfterSnapshot() throws {
        let (folder, cache) = try rulesCopy()
        #expect(try StartupSnapshot.coach(folder: folder, settings: CoachingSettings(), directory: cache).1 == .written)
        let failure = (folder as NSString).appendingPathComponent("failure.yml")
        let text = try String(contentsOfFile: failure, encoding: .utf8)
        try #require(text.contains("priority:"))
        try text.replacingOccurrences(of: "priority:", with: "priority: high #", options: [], range: text.range(of: "priority:"))
            .write(toFile: failure, atomically: true, encoding: .utf8)
        #expect {
            _ = try StartupSnapshot.coach(folder: folder, settings: CoachingSettings(), directory: cache)
        } throws: { error in
            (error as? RulesFolderError)?.code == "rules_invalid"
        }
    }

    @Test("snapshot bytes cut anywhere are refused with an error, never a crash or a partial book")
    func cutAnywhere() throws {
        var writer = SnapshotWriter()
        ProjectFixtures.rules.book.write(to: &writer)
        ProjectFixtures.rules.catalogue.write(to: &writer)
        ProjectFixtures.coach.understanding.write(to: &writer)
        let body = writer.bytes()
        var refused = 0
        for cut in stride(from: 0, to: body.count, by: max(1, body.count / 300)) {
            let part = Array(body[..<cut])
            do {
                let whole = try part.withUnsafeBytes { bytes in
                    try SnapshotReader.reading(bytes) { reader throws(SnapshotError) in
                        _ = try RuleBook.read(from: &reader)
                        let catalogue = try ExerciseCatalogue(reading: &reader)
                        _ = try MessageUnderstanding(catalogue: catalogue, reading: &reader)
                        return reader.atEnd
                    }
                }
                if !whole { refused += 1 }
            } catch {
                refused += 1
            }
        }
        #expect(refused >= 300)
    }

    @Test("spotter ask answers the same from its snapshot as from the rules folder, and writes the snapshot once")
    func askThroughTheBinary() throws {
        let cache = try temporaryFolder("spotter-snapshot-cache").path
        let question = ["ask", "--json", "--explain", "what rir for squat front, 3x5?"]
        let loaded = try runSpotter(question, environment: ["SPOTTER_SNAPSHOT": "off"])
        let first = try runSpotter(question, environment: ["SPOTTER_SNAPSHOT_DIR": cache])
        let written = try snapshotFile(in: cache)
        let stamp = try FileManager.default.attributesOfItem(atPath: written)[.size] as? Int
        let second = try runSpotter(question, environment: ["SPOTTER_SNAPSHOT_DIR": cache])
        #expect(loaded.status == 0 && first.status == 0 && second.status == 0)
        #expect(first.stdout == loaded.stdout)
        #expect(second.stdout == loaded.stdout)
        #expect(try FileManager.default.contentsOfDirectory(atPath: cache) == [(written as NSString).lastPathComponent])
        #expect(try FileManager.default.attributesOfItem(atPath: written)[.size] as? Int == stamp)
    }

    @Test("snapshots can be turned off, and go to SPOTTER_SNAPSHOT_DIR, XDG_CACHE_HOME or ~/.cache")
    func whereSnapshotsGo() {
        #expect(StartupSnapshot.directory(environment: ["SPOTTER_SNAPSHOT": "off", "HOME": "/home/a"]) == nil)
        #expect(StartupSnapshot.directory(environment: ["SPOTTER_SNAPSHOT_DIR": "/x", "HOME": "/home/a"]) == "/x")
        #expect(StartupSnapshot.directory(environment: ["XDG_CACHE_HOME": "/c", "HOME": "/home/a"]) == "/c/spotter")
        #expect(StartupSnapshot.directory(environment: ["HOME": "/home/a"]) == "/home/a/.cache/spotter")
        #expect(StartupSnapshot.directory(environment: [:]) == nil)
    }
}
