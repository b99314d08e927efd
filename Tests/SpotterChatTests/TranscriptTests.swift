import Foundation
import SpotterApp
import SpotterCore
import SpotterDialog
import SpotterStore
import SpotterTesting
import Testing

/// One transcript file: messages with expectations, and directives.
struct Transcript: Sendable, CustomTestStringConvertible {
    enum Step: Sendable {
        case message(line: Int, user: String, room: String, text: String, expectations: [(line: Int, key: String, value: String)])
        case clock(Timestamp)
        case advance(Double)
        case restart
        case config(key: String, value: String)
    }

    var name: String
    var steps: [Step]

    var testDescription: String { name }

    static let folder = ProjectFixtures.root.appendingPathComponent("Tests/Transcripts")

    static let all: [Transcript] = {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return files.filter { $0.hasSuffix(".chat") }.sorted().compactMap { file in
            guard let text = try? String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8) else { return nil }
            return Transcript(name: file, text: text)
        }
    }()

    static let startTime: Timestamp = 1_795_420_800  // 2026-11-23T08:00:00Z

    init(name: String, text: String) {
        self.name = name
        var steps: [Step] = []
        for (index, raw) in text.components(separatedBy: "\n").enumerated() {
            let line = index + 1
            let trimmed = raw.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            if raw.hasPrefix(" ") || raw.hasPrefix("\t") {
                guard case .message(let messageLine, let user, let room, let text, var expectations)? = steps.last,
                      let colon = trimmed.firstIndex(of: ":") else { continue }
                let key = trimmed[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
                let value = trimmed[trimmed.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                expectations.append((line, key, value))
                steps[steps.count - 1] = .message(line: messageLine, user: user, room: room, text: text, expectations: expectations)
                continue
            }
            if trimmed.hasPrefix("@") {
                let parts = trimmed.dropFirst().split(separator: " ", maxSplits: 2).map(String.init)
                switch parts.first {
                case "clock": steps.append(.clock(Self.parseDate(parts.count > 1 ? parts[1] : "") ?? Self.startTime))
                case "advance": steps.append(.advance(Self.parseDuration(parts.count > 1 ? parts[1] : "0m")))
                case "restart": steps.append(.restart)
                case "config" where parts.count > 2: steps.append(.config(key: parts[1], value: parts[2]))
                default: break
                }
                continue
            }
            guard let marker = raw.range(of: "> ") ?? (raw.hasSuffix(">") ? raw.range(of: ">", options: .backwards) : nil) else {
                continue
            }
            let who = String(raw[..<marker.lowerBound])
            let text = String(raw[marker.upperBound...])
            let parts = who.split(separator: "@", maxSplits: 1).map(String.init)
            steps.append(.message(line: line, user: parts.first.flatMap { $0.isEmpty ? nil : $0 } ?? "alice",
                                  room: parts.count > 1 ? parts[1] : "direct", text: text, expectations: []))
        }
        self.steps = steps
    }

    static func parseDate(_ text: String) -> Timestamp? {
        let formatter = ISO8601DateFormatter()
        return formatter.date(from: text)?.timeIntervalSince1970
    }

    static func parseDuration(_ text: String) -> Double {
        guard let unit = text.last, let amount = Double(text.dropLast()) else { return 0 }
        switch unit {
        case "m": return amount * 60
        case "h": return amount * 3600
        case "d": return amount * 86400
        case "s": return amount
        default: return 0
        }
    }
}

@Suite("Conversation transcripts")
struct TranscriptTests {
    @Test("transcripts exist for the dialogs")
    func present() {
        #expect(Transcript.all.count >= 10)
    }

    @Test("each transcript plays out as written, on every store backend", arguments: Transcript.all, TestBackend.available)
    func transcript(_ transcript: Transcript, on backend: TestBackend) throws {
        let path = try backend.newLocation()
        defer { if backend == .sqlite { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) } }
        let clock = MockClock(Transcript.startTime)
        var settings = CoachingSettings()
        func start() throws -> ChatRuntime {
            ChatRuntime(coach: ProjectFixtures.coach, database: try backend.open(path), settings: settings.dialog,
                        clock: { clock.now })
        }
        var runtime = try start()
        for step in transcript.steps {
            switch step {
            case let .clock(time): clock.set(time)
            case let .advance(seconds): clock.advance(seconds)
            case .restart: runtime = try start()
            case let .config(key, value):
                if key == "dialog_expiry_hours", let hours = Double(value) { settings.dialogExpiryHours = hours }
                if key == "weekly_failure_cap", let cap = Int(value) { settings.weeklyFailureCap = cap }
                runtime = try start()
            case let .message(line, user, room, text, expectations):
                clock.advance(60)
                let reply = try runtime.handle(IncomingMessage(user: user, room: room, text: text))
                let here = "\(transcript.name):\(line) \(user)> \(text)\n→ \(reply.reply)"
                for (expectationLine, key, value) in expectations {
                    let at = SourceLocation(fileID: "Transcripts/\(transcript.name)", filePath: Transcript.folder.appendingPathComponent(transcript.name).path,
                                            line: expectationLine, column: 1)
                    try check(key: key, value: value, reply: reply, database: runtime.database, here: here, at: at)
                }
            }
        }
    }

    func check(key: String, value: String, reply: ChatReply, database: SpotterDatabase, here: String, at: SourceLocation) throws {
        let expected = value.lowercased()
        switch key {
        case "intent":
            #expect(reply.intent.rawValue == value, "\(here)", sourceLocation: at)
        case "dialog":
            #expect((reply.openDialog ?? "none") == expected, "\(here)", sourceLocation: at)
        case "readiness":
            #expect((reply.readiness?.rawValue ?? "none") == expected, "\(here)", sourceLocation: at)
        case "verdict":
            #expect((reply.advice?.failure.rawValue ?? "none") == expected, "\(here)", sourceLocation: at)
        case "rir", "rest", "recovery":
            let range = key == "rir" ? reply.advice?.repsInReserve : key == "rest" ? reply.advice?.restSeconds : reply.advice?.recoveryHours
            #expect(range.map { "\($0.min)-\($0.max)" } == value, "\(here)", sourceLocation: at)
        case "says":
            #expect(reply.reply.lowercased().contains(expected), "\(here)", sourceLocation: at)
        case "not says":
            #expect(!reply.reply.lowercased().contains(expected), "\(here)", sourceLocation: at)
        case "stored sets", "stored checkins":
            let count = try database.read { session in
                key == "stored sets"
                    ? try session.sets(user: reply.user, since: 0).reduce(0) { $0 + $1.sets }
                    : try session.checkIns(user: reply.user, since: 0).count
            }
            #expect(String(count) == value, "\(here)", sourceLocation: at)
        default:
            Issue.record("unknown expectation '\(key)'", sourceLocation: at)
        }
    }
}
