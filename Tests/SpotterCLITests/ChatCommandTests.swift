import Foundation
import SpotterApp
import SpotterCore
import SpotterStore
import SpotterTesting
import Testing

private func temporaryFolder() throws -> URL {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("spotter-chat-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    return folder
}

private func lines(_ text: String) throws -> [[String: Any]] {
    try text.split(separator: "\n").map { line in
        try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }
}

@Suite("spotter chat")
struct ChatCommandTests {
    @Test("--jsonl writes exactly one line per input line, in the documented shape, and ends cleanly at EOF")
    func jsonLines() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = """
            {"user": "alice", "text": "should I go to failure on squats?"}
            {"user": "alice", "room": "gym", "text": "check in"}
            {"user": "alice", "room": "gym", "text": "slept 8h, soreness 2, energy 4, stress 2, motivation 4, no pain"}

            """
        let result = try runSpotter(["chat", "--jsonl", "--db", folder.appendingPathComponent("s.sqlite").path], stdin: input)
        #expect(result.status == 0)
        let output = try lines(result.stdout)
        #expect(output.count == 3)
        #expect(output[0]["user"] as? String == "alice")
        #expect(output[0]["room"] as? String == "direct")
        #expect(output[0]["intent"] as? String == "ask_failure")
        #expect((output[0]["advice"] as? [String: Any])?["failure"] as? String == "avoid")
        #expect(output[0]["readiness"] is NSNull)
        #expect(output[1]["room"] as? String == "gym")
        #expect(output[1]["dialog"] as? String == "checkin")
        #expect(output[1]["advice"] is NSNull)
        #expect(output[2]["readiness"] as? String == "green")
        #expect(output[2]["dialog"] is NSNull)
        for line in output { #expect(Set(line.keys) == ["user", "room", "reply", "intent", "dialog", "readiness", "advice"]) }
    }

    @Test("bad lines get an error object on their own output line, and the chat goes on")
    func badLines() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        var input = Data()
        input.append(Data("not json\n".utf8))
        input.append(Data("{\"text\": \"hi\"}\n".utf8))
        input.append(Data("{\"user\": \"bob\"}\n".utf8))
        input.append(Data("{\"user\": \"bob\", \"text\": \"caf".utf8) + Data([0xC3, 0x28]) + Data("\"}\n".utf8))
        input.append(Data("{\"user\": \"bob\", \"text\": \"".utf8) + Data(repeating: UInt8(ascii: "a"), count: 70 * 1024) + Data("\"}\n".utf8))
        input.append(Data("[1, 2]\n".utf8))
        input.append(Data("{\"user\": 5, \"text\": \"hi\"}\n".utf8))
        input.append(Data(String(repeating: "[", count: 10_000).utf8) + Data("\n".utf8))
        input.append(Data("{\"user\": \"bob\", \"text\": \"curls to failure?\"}".utf8))  // last line, no newline
        let process = Process()
        process.executableURL = ProjectFixtures.spotterExecutable
        process.arguments = ["chat", "--jsonl", "--db", folder.appendingPathComponent("s.sqlite").path]
        let stdin = Pipe(), stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        try process.run()
        stdin.fileHandleForWriting.write(input)
        try stdin.fileHandleForWriting.close()
        let data = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let output = try lines(String(decoding: data, as: UTF8.self))
        #expect(output.count == 9)
        let codes = output.map { ($0["error"] as? [String: Any])?["code"] as? String }
        #expect(codes == ["invalid_json", "missing_field", "missing_field", "invalid_utf8", "line_too_long", "invalid_json",
                          "invalid_field", "too_deep", nil])
        for line in output.prefix(8) { #expect(((line["error"] as? [String: Any])?["message"] as? String)?.isEmpty == false) }
        #expect((output[8]["advice"] as? [String: Any])?["failure"] as? String == "allowed")
    }

    @Test("piped plain text gets one reply per line")
    func plain() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let result = try runSpotter(["chat", "--user", "carol", "--db", folder.appendingPathComponent("s.sqlite").path],
                                    stdin: "skip\nshould I go to failure on squats?\n")
        #expect(result.status == 0)
        #expect(result.stdout.contains("Barbell Squat: avoid failure"))
    }

    @Test("SIGKILL after a reply keeps what the reply confirmed")
    func killAfterReply() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("s.sqlite").path
        let process = Process()
        process.executableURL = ProjectFixtures.spotterExecutable
        process.arguments = ["chat", "--jsonl", "--db", path]
        let stdin = Pipe(), stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        try process.run()
        let messages = [
            "skip", "check in", "slept 7h, soreness 2, energy 4, stress 2, motivation 4, no pain", "bench 100kg x 8 @ RIR 1",
        ]
        var received = 0
        var buffer = Data()
        for message in messages {
            stdin.fileHandleForWriting.write(Data("{\"user\": \"dave\", \"text\": \"\(message)\"}\n".utf8))
            // Wait for this message's reply line before sending the next.
            while buffer.split(separator: UInt8(ascii: "\n")).count <= received {
                let chunk = stdout.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                buffer.append(chunk)
            }
            received += 1
        }
        let replies = try lines(String(decoding: buffer, as: UTF8.self))
        #expect(replies.count == 4)
        #expect(replies[2]["readiness"] as? String == "green")
        #expect((replies[3]["reply"] as? String)?.hasPrefix("Logged") == true)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)

        let database = try SpotterDatabase(path: path)
        let (sets, checkIns) = try database.read { session in
            (try session.sets(user: "dave", since: 0), try session.checkIns(user: "dave", since: 0))
        }
        #expect(sets.count == 1)
        #expect(sets.first?.exerciseID == "Barbell_Bench_Press_-_Medium_Grip")
        #expect(sets.first?.loadKilograms == 100)
        #expect(checkIns.count == 1)
        #expect(checkIns.first?.readiness == .green)
    }
}

@Suite("The database")
struct DatabaseTests {
    @Test("a file that is not a database is refused with a clear error and left untouched")
    func corrupt() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("s.sqlite")
        let garbage = Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        try garbage.write(to: path)
        let result = try runSpotter(["chat", "--jsonl", "--db", path.path], stdin: "{\"user\": \"a\", \"text\": \"hi\"}\n")
        #expect(result.status != 0)
        #expect(result.stderr.contains("database_corrupt"))
        #expect(result.stdout.isEmpty)
        #expect(try Data(contentsOf: path) == garbage)
    }

    @Test("a database from a newer Spotter is refused and left untouched")
    func newer() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("s.sqlite").path
        do {
            // Closed at the end of this scope, so the file holds everything before the check.
            let database = try SpotterDatabase(path: path)
            try database.write { session in try session.saveProfile(.init(experience: .advanced), user: "x", at: 1) }
        }
        try SpotterDatabase.recordMigrationForTests("v99-from-the-future", path: path)
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        let result = try runSpotter(["chat", "--jsonl", "--db", path], stdin: "{\"user\": \"a\", \"text\": \"hi\"}\n")
        #expect(result.status != 0)
        #expect(result.stderr.contains("database_too_new"))
        #expect(result.stderr.contains("v99-from-the-future"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
    }

    @Test("another application's SQLite file is refused")
    func foreign() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("other.sqlite").path
        try SpotterDatabase.createForeignDatabaseForTests(path: path)
        let result = try runSpotter(["export", "--user", "a", "--db", path])
        #expect(result.status != 0)
        #expect(result.stderr.contains("database_not_spotter"))
    }

    @Test("a database locked by another process gives a clear error")
    func locked() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("s.sqlite").path
        let database = try SpotterDatabase(path: path)
        let result = try database.holdingExclusiveLockForTests {
            try runSpotter(["chat", "--jsonl", "--db", path], stdin: "{\"user\": \"a\", \"text\": \"bench 100kg x 5\"}\n")
        }
        #expect(result.status != 0)
        #expect(result.stderr.contains("database_locked"))
    }

    @Test("export writes everything stored about a user as JSON or CSV; forget deletes it")
    func exportAndForget() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let db = folder.appendingPathComponent("s.sqlite").path
        let input = ["I'm a beginner training for strength, no spotter", "bench 60kg x 8 @ rir 2", "check in",
                     "slept 8h, soreness 2, energy 4, stress 2, motivation 4, no pain"]
            .map { "{\"user\": \"erin\", \"text\": \"\($0)\"}" }.joined(separator: "\n") + "\n"
        _ = try runSpotter(["chat", "--jsonl", "--db", db], stdin: input)
        _ = try runSpotter(["chat", "--jsonl", "--db", db], stdin: "{\"user\": \"frank\", \"text\": \"squat 100kg x 5\"}\n")

        let json = try runSpotter(["export", "--user", "erin", "--db", db])
        #expect(json.status == 0)
        let exported = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(exported["user"] as? String == "erin")
        #expect((exported["profiles"] as? [[String: Any]])?.first?["experience"] as? String == "beginner")
        #expect((exported["sets"] as? [[String: Any]])?.count == 1)
        #expect((exported["checkins"] as? [[String: Any]])?.count == 1)
        #expect((exported["conversations"] as? [[String: Any]])?.count == 1)
        let csv = try runSpotter(["export", "--user", "erin", "--format", "csv", "--db", db])
        #expect(csv.stdout.contains("# sets"))
        #expect(csv.stdout.contains("Barbell_Bench_Press_-_Medium_Grip"))

        let forget = try runSpotter(["forget", "--user", "erin", "--db", db])
        #expect(forget.status == 0)
        let after = try #require(try JSONSerialization.jsonObject(
            with: Data(try runSpotter(["export", "--user", "erin", "--db", db]).stdout.utf8)) as? [String: Any])
        for table in ["profiles", "conversations", "checkins", "sets"] { #expect((after[table] as? [Any])?.isEmpty == true) }
        // Other users are untouched.
        let frank = try #require(try JSONSerialization.jsonObject(
            with: Data(try runSpotter(["export", "--user", "frank", "--db", db]).stdout.utf8)) as? [String: Any])
        #expect((frank["sets"] as? [Any])?.count == 1)
    }
}

@Suite("logged_sets and clarify in the command-line contract")
struct LoggedSetsContractTests {
    @Test("spotter ask --json lists what would be stored, one entry per group of equal sets; logged_set stays")
    func ask() throws {
        let result = try runSpotter(["ask", "--json", "ohp 60 x 5, 5, 4 @8"])
        #expect(result.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["intent"] as? String == "log_set")
        let sets = try #require(object["logged_sets"] as? [[String: Any]])
        #expect(sets.count == 2)
        #expect(Set(sets[0].keys) == ["exercise", "load", "added_load", "unit", "sets", "reps", "rir", "rpe", "to_failure", "e1rm"])
        #expect(sets[0]["exercise"] as? String == "Standing_Military_Press")
        #expect(sets[0]["load"] as? Double == 60 && sets[0]["unit"] as? String == "kg")
        #expect(sets[0]["sets"] as? Int == 2 && sets[0]["reps"] as? Int == 5 && sets[0]["rpe"] as? Double == 8)
        #expect(sets[1]["sets"] as? Int == 1 && sets[1]["reps"] as? Int == 4)
        #expect(sets[0]["added_load"] is NSNull)
        #expect(object["logged_set"] is [String: Any], "logged_set is still there")

        let plates = try #require(try JSONSerialization.jsonObject(with: Data(runSpotter(["ask", "--json", "squat 3 plates x 5"]).stdout.utf8))
                                  as? [String: Any])
        #expect(plates["intent"] as? String == "clarify")
        #expect((plates["logged_sets"] as? [Any])?.isEmpty == true)
        let refused = try #require(try JSONSerialization.jsonObject(with: Data(runSpotter(["ask", "--json", "squat 1e400kg x 5"]).stdout.utf8))
                                   as? [String: Any])
        #expect((refused["logged_sets"] as? [Any])?.isEmpty == true)
        let question = try #require(try JSONSerialization.jsonObject(with: Data(runSpotter(["ask", "--json", "failure on squats?"]).stdout.utf8))
                                    as? [String: Any])
        #expect(question["logged_sets"] == nil, "only a set log carries logged_sets")
    }

    @Test("spotter chat --jsonl lists what was stored on a set log line, [] when it asked back")
    func chat() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = """
            {"user": "alice", "text": "skip"}
            {"user": "alice", "text": "squat 140kg 3x5, then leg press 200 3x10"}
            {"user": "alice", "text": "squats 315 for 3"}
            {"user": "alice", "text": "lb"}

            """
        let result = try runSpotter(["chat", "--jsonl", "--db", folder.appendingPathComponent("s.sqlite").path], stdin: input)
        let output = try lines(result.stdout)
        #expect(output.count == 4)
        #expect(output[0]["logged_sets"] == nil)
        let two = try #require(output[1]["logged_sets"] as? [[String: Any]])
        #expect(two.map { $0["exercise"] as? String } == ["Barbell_Squat", "Leg_Press"])
        #expect(two.map { $0["sets"] as? Int } == [3, 3])
        #expect(output[2]["intent"] as? String == "clarify")
        #expect((output[2]["logged_sets"] as? [Any])?.isEmpty == true)
        let confirmed = try #require(output[3]["logged_sets"] as? [[String: Any]])
        #expect(confirmed.first?["unit"] as? String == "lb" && confirmed.first?["load"] as? Double == 315)
    }
}
