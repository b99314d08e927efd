import Foundation
import SpotterCore
import SpotterStore
import SpotterTesting
import Testing

/// Hostile state on the chat side (issue 10): ids that must not collide with another lifter's.
@Suite("Hostile state: chat ids")
struct HostileStateChatTests {
    /// One `--jsonl` input line.
    static func line(user: String, room: String? = nil, _ text: String) -> String {
        var fields: [(key: String, value: JSONValue)] = [("user", .string(user))]
        if let room { fields.append(("room", .string(room))) }
        fields.append(("text", .string(text)))
        return JSONValue.object(fields).serialized()
    }

    @Test("a NUL in a user id is refused with invalid_field: it neither reads nor deletes the victim's sets")
    func nulUserID() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let db = folder.appendingPathComponent("s.sqlite").path
        _ = try runSpotter(["chat", "--jsonl", "--db", db], stdin: Self.line(user: "victim", "bench 100kg x 5 @ rir 2") + "\n")
        let forged = "victim\u{0}attacker"
        let input = [Self.line(user: forged, "my week"), Self.line(user: forged, "forget me"), Self.line(user: forged, "yes"),
                     Self.line(user: "ok", room: "gym\u{1B}[2J", "hi"), Self.line(user: String(repeating: "a", count: 256), "hi")]
            .joined(separator: "\n") + "\n"
        let result = try runSpotter(["chat", "--jsonl", "--db", db], stdin: input)
        let lines = result.stdout.split(separator: "\n").map { try? JSONValue.parse(String($0)) }
        #expect(lines.count == 5)
        for line in lines {
            #expect(line?["error"]?["code"]?.string == "invalid_field", "\(String(describing: line))")
            #expect(line?["reply"] == nil)
        }
        #expect(lines.first??["error"]?["message"]?.string?.contains("control characters") == true)
        #expect(lines.last??["error"]?["message"]?.string?.contains("255") == true)
        let database = try SpotterDatabase(path: db)
        #expect(try database.read { try $0.sets(user: "victim", since: 0) }.count == 1, "the victim's set is still there")
        // The command line refuses such ids too.
        let export = try runSpotter(["forget", "--user", "victim\u{7}", "--db", db])
        #expect(export.status != 0)
        #expect(export.stderr.contains("control characters"))
        #expect(try database.read { try $0.sets(user: "victim", since: 0) }.count == 1)
    }
}
