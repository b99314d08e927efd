import Foundation
import SpotterTesting
import Testing

private func json(_ text: String) throws -> [String: Any] {
    let object = try JSONSerialization.jsonObject(with: Data(text.utf8))
    return try #require(object as? [String: Any])
}

@Suite("spotter ask")
struct AskCommandTests {
    @Test("--json prints one object in the documented shape")
    func jsonShape() throws {
        let result = try runSpotter(["ask", "--json", "should I go to failure on squats?"])
        #expect(result.status == 0)
        #expect(result.stdout.split(separator: "\n").count == 1)
        let answer = try json(result.stdout)
        #expect(answer["intent"] as? String == "ask_failure")
        let exercise = try #require(answer["exercise"] as? [String: Any])
        #expect(exercise["id"] as? String == "Barbell_Squat")
        #expect(exercise["mechanic"] as? String == "compound")
        #expect(exercise["equipment"] as? String == "barbell")
        #expect(exercise["risk"] as? String == "axial")
        #expect(exercise["name"] is String)
        let profile = try #require(answer["profile"] as? [String: Any])
        #expect(profile["experience"] as? String == "intermediate")
        #expect(profile["goal"] as? String == "hypertrophy")
        #expect(profile["spotter"] as? Bool == false)
        let advice = try #require(answer["advice"] as? [String: Any])
        #expect(advice["failure"] as? String == "avoid")
        #expect(advice["rir"] as? [String: Int] == ["min": 1, "max": 3])
        #expect(advice["rest_seconds"] as? [String: Int] == ["min": 120, "max": 180])
        #expect(advice["recovery_hours"] as? [String: Int] == ["min": 48, "max": 72])
        #expect((advice["notes"] as? [String])?.isEmpty == false)
        #expect((advice["rules"] as? [String])?.contains("failure.axial") == true)
        #expect((advice["sources"] as? [String])?.isEmpty == false)
        #expect((answer["reply"] as? String)?.contains("avoid") == true)
    }

    @Test("flags set the profile; a hint in the message overrides the flag")
    func flagsAndHints() throws {
        let flagged = try json(runSpotter(["ask", "--json", "--experience", "advanced", "--goal", "strength", "--spotter", "yes",
                                           "failure on bench?"]).stdout)
        #expect((flagged["profile"] as? [String: Any])?["goal"] as? String == "strength")
        #expect((flagged["advice"] as? [String: Any])?["failure"] as? String == "avoid")
        let spotted = try json(runSpotter(["ask", "--json", "--spotter", "yes", "failure on bench?"]).stdout)
        #expect((spotted["advice"] as? [String: Any])?["failure"] as? String == "last_set")
        let hinted = try json(runSpotter(["ask", "--json", "--experience", "advanced", "I'm a beginner, failure on curls?"]).stdout)
        #expect((hinted["profile"] as? [String: Any])?["experience"] as? String == "beginner")
        #expect((hinted["advice"] as? [String: Any])?["failure"] as? String == "avoid")
    }

    @Test("advice is null without an exercise or for an unknown question")
    func nullAdvice() throws {
        let general = try json(runSpotter(["ask", "--json", "how long should I rest between sets?"]).stdout)
        #expect(general["intent"] as? String == "ask_rest")
        #expect(general["exercise"] is NSNull)
        #expect(general["advice"] is NSNull)
        let unknown = try json(runSpotter(["ask", "--json", "what's the weather like?"]).stdout)
        #expect(unknown["intent"] as? String == "unknown")
        #expect((unknown["reply"] as? String)?.contains("I can't answer that") == true)
    }

    @Test("the human answer: verdict first, then RIR, rest, recovery, why and citations; it states an assumption that matters")
    func humanAnswer() throws {
        let result = try runSpotter(["ask", "should I go to failure on bench?"])
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first?.contains("avoid failure") == true)
        #expect(lines.contains { $0.hasPrefix("Reps in reserve:") && $0.contains("Rest:") && $0.contains("Recovery:") })
        #expect(lines.contains { $0.hasPrefix("Why:") })
        #expect(lines.contains { $0.hasPrefix("Assumed:") && $0.contains("no spotter") })
        #expect(lines.contains { $0.hasPrefix("Sources:") && $0.contains("NSCA") })
    }

    @Test("bad flag values get a clear usage error, not a crash")
    func badFlag() throws {
        let result = try runSpotter(["ask", "--experience", "expert", "failure on squats?"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("expert"))
    }
}

@Suite("spotter rules check")
struct RulesCheckCommandTests {
    /// A copy of Rules/ in a temporary folder, to break.
    private func copyOfRules() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("spotter-rules-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: ProjectFixtures.root.appendingPathComponent("Rules"), to: folder)
        return folder
    }

    @Test("the project's rules pass")
    func valid() throws {
        let result = try runSpotter(["rules", "check", "Rules"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("ok:"))
    }

    @Test("a broken folder fails with file:line: rule-id messages, and ask refuses to start with the same")
    func broken() throws {
        let folder = try copyOfRules()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("failure.yml")
        let text = try String(contentsOf: file, encoding: .utf8)
            .replacingOccurrences(of: "value: axial }", with: "value: axal }")
            .replacingOccurrences(of: "sources: [seeds, refalo2024]", with: "sources: [refalo2099]")
        try text.write(to: file, atomically: true, encoding: .utf8)

        let check = try runSpotter(["rules", "check", folder.path])
        #expect(check.status != 0)
        let messages = check.stderr.split(separator: "\n").map(String.init)
        #expect(messages.contains { $0.contains("failure.yml:") && $0.contains(": failure.axial: 'axal' is not an allowed value") })
        #expect(messages.contains { $0.contains(": failure.isolation: unknown source id 'refalo2099'; ") })

        let ask = try runSpotter(["ask", "--rules", folder.path, "failure on squats?"])
        #expect(ask.status != 0)
        #expect(ask.stdout.isEmpty)
        #expect(ask.stderr.contains("failure.axial: 'axal' is not an allowed value"))
    }

    @Test("a missing folder is a clear error")
    func missing() throws {
        let result = try runSpotter(["rules", "check", "/nonexistent/rules"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("no rules folder"))
    }

    @Test("a corrupt exercise catalogue is named, not a crash")
    func corruptCatalogue() throws {
        let folder = try copyOfRules()
        defer { try? FileManager.default.removeItem(at: folder) }
        try "{\"exercises\": [{\"id\": 1}]}".write(to: folder.appendingPathComponent("exercises.json"), atomically: true, encoding: .utf8)
        let result = try runSpotter(["rules", "check", folder.path])
        #expect(result.status != 0)
        #expect(result.stderr.contains("exercises.json"))
        #expect(result.stderr.contains("build_catalogue.py"))
    }
}
