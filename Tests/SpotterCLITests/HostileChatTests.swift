import Foundation
import SpotterCore
import SpotterStore
import SpotterTesting
import Testing

/// Runs `spotter chat --jsonl` with raw bytes on stdin, written from another thread so a full
/// output pipe can never block the writer.
private func chat(_ input: Data, database: String) throws -> (status: Int32, lines: [Substring]) {
    let process = Process()
    process.executableURL = ProjectFixtures.spotterExecutable
    process.arguments = ["chat", "--jsonl", "--db", database]
    process.currentDirectoryURL = ProjectFixtures.root
    let stdin = Pipe(), stdout = Pipe()
    process.standardInput = stdin
    process.standardOutput = stdout
    try process.run()
    let writer = stdin.fileHandleForWriting
    Thread.detachNewThread {
        writer.write(input)
        try? writer.close()
    }
    let output = stdout.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let text = String(decoding: output, as: UTF8.self)
    return (process.terminationStatus, text.split(separator: "\n", omittingEmptySubsequences: false).dropLast())
}

/// SplitMix64, so a transcript is the same for the same seed.
struct TranscriptRandom: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite("spotter chat against a hostile transcript")
struct HostileChatTests {
    /// What an input line should produce.
    enum Expected: Equatable {
        case error(String)
        case reply(intent: String?)
        /// A set log that must be stored for this user.
        case logged(user: String)
        case refusedSet
    }

    static func json(_ pairs: [(String, JSONValue)]) -> Data {
        Data(JSONValue.object(pairs.map { (key: $0.0, value: $0.1) }).serialized().utf8)
    }

    /// One random line of the transcript and what it must give.
    static func line(_ random: inout TranscriptRandom) -> (Data, Expected) {
        let user = "lifter\(Int.random(in: 0..<40, using: &random))"
        let room: JSONValue = Bool.random(using: &random) ? "direct" : "gym"
        let questions = ["should I go to failure on squats?", "curls to failure?", "how long should I rest between bench sets?",
                         "ѕquat to failure?", "squ\u{200B}at to failure?", "𝐬𝐪𝐮𝐚𝐭 to failure?", "\u{0}\u{7}\u{1B}[2J leg press to failure?",
                         "how long to recover after heavy deadlifts?", "what is the meaning of life?", "help", "why"]
        switch Int.random(in: 0..<100, using: &random) {
        case 0..<45:
            return (json([("user", .string(user)), ("room", room), ("text", .string(questions.randomElement(using: &random)!))]), .reply(intent: nil))
        case 45..<65:
            let log = ["bench 100kg x 8 @ rir 1", "squat 140 5x5 rpe 8", "dеаdlіft 180kg x 3 @ rir 2", "curls 20 lb 12 reps to failure"]
                .randomElement(using: &random)!
            return (json([("user", .string(user)), ("room", room), ("text", .string(log))]), .logged(user: user))
        case 65..<68:
            let absurd = ["squat 0kg x 0", "bench 99999999999999999999kg x 5", "squat 100kg x \(String(repeating: "9", count: 300))"]
                .randomElement(using: &random)!
            return (json([("user", .string(user)), ("text", .string(absurd))]), .refusedSet)
        case 68..<71:
            return (Data("{\"user\": \"\(user)\", \"text\": \"squat to fail".utf8), .error("invalid_json"))
        case 71..<73:
            return (Data(), .error("invalid_json"))  // a blank line
        case 73..<76:
            return (json([("text", "hi")]), .error("missing_field"))
        case 76..<79:
            return (Data("{\"user\": [\"\(user)\"], \"text\": \"hi\"}".utf8), .error("invalid_field"))
        case 79..<82:
            return (Data("{\"user\": \"\(user)\", \"text\": \"caf".utf8) + Data([0xC3, 0x28, 0xFF]) + Data("\"}".utf8), .error("invalid_utf8"))
        case 82..<84:
            return (Data(String(repeating: "{\"a\": [", count: 5000).utf8), .error("too_deep"))
        case 84..<86:
            return (Data("{\"user\": \"\(user)\", \"text\": \"hi\", \"n\": 1e400}".utf8), .error("invalid_json"))
        case 86..<87:
            return (Data("{\"user\": \"\(user)\", \"text\": \"".utf8) + Data(repeating: UInt8(ascii: "a"), count: 70 * 1024) + Data("\"}".utf8),
                    .error("line_too_long"))
        case 87..<88:
            // Long texts, now and then just under the 64 KiB line limit (each costs a debug build
            // about 0.1 s): read, and answered about squats.
            let padding = String(repeating: "and so on ", count: Int.random(in: 0..<5, using: &random) == 0 ? 6400 : 800)
            return (json([("user", .string(user)), ("text", .string("should I go to failure on squats? " + padding))]), .reply(intent: "ask_failure"))
        case 88..<92:
            // A NUL in a user id made it another lifter's once stored (issue 10): refused now.
            return (json([("user", .string(user + "\u{0}\u{200B}")), ("room", "r\u{202E}oom"), ("text", "curls to failure?")]),
                    .error("invalid_field"))
        case 92..<95:
            // CRLF line endings and numbers beyond any integer type inside valid JSON.
            return (json([("user", .string(user)), ("text", "squat to failure?"), ("n", .number(1_180_591_620_717_411_303_424))]) + Data([0x0D]),
                    .reply(intent: "ask_failure"))
        default:
            return (Data([0x00, 0x01, 0x7F, 0x1B]) + Data("not json".utf8), .error("invalid_json"))
        }
    }

    @Test("10,000 lines of mixed valid, invalid and hostile input: one output line each, no crash, nothing stored lost")
    func transcript() async throws {
        let folder = try temporaryFolder("spotter-hostile-chat")
        defer { try? FileManager.default.removeItem(at: folder) }
        let database = folder.appendingPathComponent("s.sqlite").path

        // Stored before: a profile, a set and a check-in that must survive the transcript.
        let keeper = ["I'm an advanced lifter training for strength with a spotter", "bench 120kg x 3 @ rir 1", "check in",
                      "slept 8h, soreness 1, energy 5, stress 1, motivation 5, no pain"]
            .map { String(decoding: Self.json([("user", "keeper"), ("text", .string($0))]), as: UTF8.self) }.joined(separator: "\n") + "\n"
        #expect(try await offPool { try chat(Data(keeper.utf8), database: database) }.status == 0)

        let seed = ProcessInfo.processInfo.environment["SPOTTER_FAULT_SEED"].flatMap(UInt64.init) ?? UInt64.random(in: 1...999_999)
        print("hostile transcript seed \(seed); re-run with SPOTTER_FAULT_SEED=\(seed)")
        var random = TranscriptRandom(state: seed)
        var input = Data()
        var expected: [Expected] = []
        for _ in 0..<10_000 {
            let (line, outcome) = Self.line(&random)
            input.append(line)
            input.append(0x0A)
            expected.append(outcome)
        }
        let transcript = input
        let (status, lines) = try await offPool { try chat(transcript, database: database) }
        #expect(status == 0, "seed \(seed): ends cleanly at end of input")
        #expect(lines.count == 10_000, "seed \(seed): exactly one output line per input line")

        var mismatches: [String] = []
        for (index, (line, outcome)) in zip(lines, expected).enumerated() {
            guard let value = try? JSONValue.parse(Array(line.utf8)) else {
                mismatches.append("line \(index + 1): not JSON: \(line.prefix(80))")
                continue
            }
            let code = value["error"]?["code"]?.string
            let intent = value["intent"]?.string
            let reply = value["reply"]?.string ?? ""
            let fine: Bool
            switch outcome {
            case let .error(expectedCode):
                fine = code == expectedCode && value["error"]?["message"]?.string?.isEmpty == false
            case let .reply(expectedIntent):
                fine = code == nil && !reply.isEmpty && (expectedIntent == nil || intent == expectedIntent)
            case .logged:
                fine = intent == "log_set" && reply.hasPrefix("Logged: ")
            case .refusedSet:
                fine = intent == "unknown" && reply.hasPrefix("That can't be a real set (")
            }
            if !fine { mismatches.append("line \(index + 1): expected \(outcome), got \(line.prefix(160))") }
        }
        #expect(mismatches.isEmpty, "seed \(seed): \(mismatches.count) lines differ, first: \(mismatches.prefix(5))")

        // Every logged set is stored once; what was stored before is untouched.
        let store = try SpotterDatabase(path: database)
        var wanted: [String: Int] = [:]
        for case let .logged(user) in expected { wanted[user, default: 0] += 1 }
        for (user, count) in wanted {
            #expect(try store.read { try $0.sets(user: user, since: 0) }.count == count, "seed \(seed): sets of \(user)")
        }
        let export = try runSpotter(["export", "--user", "keeper", "--db", database])
        let kept = try JSONValue.parse(export.stdout)
        #expect(kept["profiles"]?.array?.first?["experience"]?.string == "advanced")
        #expect(kept["sets"]?.array?.count == 1)
        #expect(kept["checkins"]?.array?.first?["readiness"]?.string == "green")
    }
}
