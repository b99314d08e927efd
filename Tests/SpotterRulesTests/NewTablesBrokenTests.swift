import Foundation
import SpotterRules
import SpotterTesting
import Testing

/// `spotter rules check` catches mistakes in issue 13's tables as it does in the old ones.
@Suite("Broken issue-13 rule tables")
struct NewTablesBrokenTests {
    static let breaks: [Breakage] = [
        Breakage(name: "unknown consecutive-days value", file: "schedule.yml",
                 replace: "then: { advice.consecutive_days: light_only, plan.recovery: [48, 72] }",
                 with: "then: { advice.consecutive_days: lite_only, plan.recovery: [48, 72] }",
                 code: .unknownValue, subject: "consecutive.light_only", lineContains: "lite_only",
                 message: "'lite_only' is not an allowed value for 'advice.consecutive_days'"),
        Breakage(name: "a weekly-volume example that no longer holds", file: "weekly_volume.yml",
                 replace: "expect: { advice.weekly_sets: [10, 12] }", with: "expect: { advice.weekly_sets: [12, 20] }",
                 code: .exampleFailed, subject: "volume.beginner", lineContains: "advice.weekly_sets: [12, 20]",
                 message: "example"),
        Breakage(name: "an autoregulation rule shadowed by a wider one", file: "autoregulation.yml",
                 replace: "when: { fact: next.rir_vs_target, op: lte, value: -1 }",
                 with: "when: { fact: next.rir_vs_target, op: lte, value: -3 }",
                 code: .shadowed, subject: "next.harder", lineContains: "id: next.harder",
                 message: "never fires"),
        Breakage(name: "a scope rule citing an unknown source", file: "scope.yml",
                 replace: "sources: [riebe2015, acsm2021]\n    examples:\n      - given: { message.scope: urgent }",
                 with: "sources: [riebe2051, acsm2021]\n    examples:\n      - given: { message.scope: urgent }",
                 code: .unknownSource, subject: "scope.urgent", lineContains: "riebe2051",
                 message: "riebe2051"),
    ]

    @Test("each break in a new table is reported with its file, line and rule", arguments: breaks)
    func breakage(_ breakage: Breakage) throws {
        var files = ProjectFixtures.ruleFiles()
        let index = try #require(files.firstIndex { $0.path.hasSuffix("/" + breakage.file) })
        let original = files[index].text
        #expect(original.contains(breakage.replace), "the fixture text must exist in \(breakage.file)")
        files[index].text = original.replacingOccurrences(of: breakage.replace, with: breakage.with)
        let error = #expect(throws: RuleBookError.self) { try RuleBookLoader.load(files) }
        let problems = error?.problems ?? []
        let found = try #require(problems.first { $0.code == breakage.code && $0.subject == breakage.subject },
                                 "got: \(problems.map(\.description))")
        #expect(found.file.hasSuffix(breakage.file))
        #expect(found.message.contains(breakage.message), "\(found.message)")
        #expect(!found.fix.isEmpty)
    }
}
