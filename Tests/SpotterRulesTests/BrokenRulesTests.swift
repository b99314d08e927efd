import Foundation
import SpotterRules
import SpotterTesting
import Testing

/// A deliberate break of one rule file, and the problem `rules check` must report for it.
struct Breakage: Sendable, CustomTestStringConvertible {
    var name: String
    /// The file changed (by its last path component).
    var file: String
    var replace: String
    var with: String
    var code: RuleProblem.Code
    var subject: String
    /// Text the reported line must contain, so the line number is checked too.
    var lineContains: String
    var message: String
    /// The file the problem is reported in, when it is not the file changed.
    var reportedIn: String? = nil

    var testDescription: String { name }

    static let all: [Breakage] = [
        Breakage(name: "unknown fact", file: "failure.yml",
                 replace: "when: { fact: exercise.risk, op: eq, value: axial }",
                 with: "when: { fact: exercise.riks, op: eq, value: axial }",
                 code: .unknownFact, subject: "failure.axial", lineContains: "exercise.riks",
                 message: "unknown fact 'exercise.riks' (did you mean 'exercise.risk'?)"),
        Breakage(name: "unknown value", file: "failure.yml",
                 replace: "when: { fact: exercise.risk, op: eq, value: axial }",
                 with: "when: { fact: exercise.risk, op: eq, value: axal }",
                 code: .unknownValue, subject: "failure.axial", lineContains: "axal",
                 message: "'axal' is not an allowed value for 'exercise.risk'"),
        Breakage(name: "type mismatch", file: "heavy_set.yml",
                 replace: "when: { fact: set.reps, op: lte, value: 5 }",
                 with: "when: { fact: set.reps, op: lte, value: five }",
                 code: .typeMismatch, subject: "heavy.low_reps", lineContains: "five",
                 message: "'set.reps' needs a whole number from 1 to 100, got 'five'"),
        Breakage(name: "operator that does not fit the type", file: "failure.yml",
                 replace: "when: { fact: exercise.risk, op: eq, value: isolation }",
                 with: "when: { fact: exercise.risk, op: gte, value: isolation }",
                 code: .typeMismatch, subject: "failure.isolation", lineContains: "op: gte, value: isolation",
                 message: "`gte` needs a number"),
        Breakage(name: "unknown operator", file: "heavy_set.yml",
                 replace: "when: { fact: set.load_pct, op: gte, value: 85 }",
                 with: "when: { fact: set.load_pct, op: greater, value: 85 }",
                 code: .unknownOperator, subject: "heavy.high_load", lineContains: "greater",
                 message: "unknown operator 'greater'"),
        Breakage(name: "missing source", file: "failure.yml",
                 replace: "    sources: [seeds, moran2017, willardson2010]\n", with: "",
                 code: .missingSource, subject: "failure.axial", lineContains: "- id: failure.axial",
                 message: "the rule cites no sources"),
        Breakage(name: "unknown source", file: "failure.yml",
                 replace: "sources: [seeds, refalo2024]", with: "sources: [seeds, refalo2099]",
                 code: .unknownSource, subject: "failure.isolation", lineContains: "refalo2099",
                 message: "unknown source id 'refalo2099'"),
        Breakage(name: "overlapping rules in a unique table", file: "rest.yml",
                 replace: "hit_policy: first", with: "hit_policy: unique",
                 code: .overlap, subject: "rest.endurance", lineContains: "- id: rest.endurance",
                 message: "overlaps 'rest.non_lifting' in a unique table (both match exercise.risk=non_lifting"),
        Breakage(name: "rule shadowed by an earlier first-match rule", file: "recovery.yml",
                 replace: "  - id: recovery.short_of_failure\n    priority: 50",
                 with: "  - id: recovery.short_of_failure\n    priority: 95",
                 code: .shadowed, subject: "recovery.heavy_axial", lineContains: "- id: recovery.heavy_axial",
                 message: "never fires: 'recovery.short_of_failure' (priority 95) matches every case this rule does"),
        Breakage(name: "inline example whose expectation fails", file: "failure.yml",
                 replace: "      - given: { exercise.risk: isolation }\n        expect: { advice.failure: allowed }",
                 with: "      - given: { exercise.risk: isolation }\n        expect: { advice.failure: last_set }",
                 code: .exampleFailed, subject: "failure.isolation", lineContains: "given: { exercise.risk: isolation }",
                 message: "example 1 expects advice.failure = last_set but the rule gives allowed"),
        Breakage(name: "inline example that reaches another rule", file: "failure.yml",
                 replace: "      - given: { exercise.risk: axial, user.experience: advanced }",
                 with: "      - given: { exercise.risk: axial, user.experience: beginner }",
                 code: .exampleFailed, subject: "failure.axial", lineContains: "exercise.risk: axial, user.experience: beginner",
                 message: "example 1 does not reach this rule: 'failure.beginner' fired instead"),
        Breakage(name: "rule without an example", file: "rest_adjust.yml",
                 replace: "    examples:\n      - given: { set.to_failure: true }\n        expect: { advice.rest_add: 60 }\n",
                 with: "",
                 code: .missingExample, subject: "rest.after_failure", lineContains: "- id: rest.after_failure",
                 message: "the rule has no inline example"),
        Breakage(name: "duplicate rule id", file: "rest.yml",
                 replace: "  - id: rest.isolation", with: "  - id: rest.compound",
                 code: .duplicateID, subject: "rest.compound", lineContains: "- id: rest.compound\n    priority: 60",
                 message: "rule id already used"),
        Breakage(name: "duplicate priority in a first table", file: "rest.yml",
                 replace: "    priority: 60", with: "    priority: 70",
                 code: .duplicatePriority, subject: "rest.isolation", lineContains: "- id: rest.isolation",
                 message: "priority 70 is also used by 'rest.compound'"),
        Breakage(name: "output that is an input fact", file: "rest.yml",
                 replace: "then: { advice.rest: [60, 120] }", with: "then: { user.goal: strength }",
                 code: .notAnOutput, subject: "rest.isolation", lineContains: "then: { user.goal: strength }",
                 message: "'user.goal' is an input fact, not an output"),
        Breakage(name: "derived fact read before it is set", file: "advisor.yml",
                 replace: "  - heavy_set\n  - failure_verdict\n", with: "  - failure_verdict\n  - heavy_set\n",
                 code: .derivedTooLate, subject: "failure.heavy_compound",
                 lineContains: "{ fact: set.heavy, op: eq, value: true }",
                 message: "reads 'set.heavy', which no earlier table sets", reportedIn: "failure.yml"),
        Breakage(name: "YAML syntax error", file: "rest.yml",
                 replace: "    then: { advice.rest: [60, 120] }", with: "    then: { advice.rest: [60, 120 }",
                 code: .yamlSyntax, subject: "-", lineContains: "advice.rest: [60, 120 }",
                 message: "YAML syntax error"),
        Breakage(name: "unknown evidence tier", file: "sources.yml",
                 replace: "    tier: M\n    short: \"Grgic 2022\"", with: "    tier: Z\n    short: \"Grgic 2022\"",
                 code: .invalidField, subject: "grgic2022", lineContains: "tier: Z",
                 message: "unknown evidence tier 'Z'"),
    ]
}

@Suite("Broken rule files")
struct BrokenRulesTests {
    @Test("the project's own rules load without a problem")
    func projectRulesAreValid() throws {
        _ = try RuleBookLoader.load(ProjectFixtures.ruleFiles())
    }

    @Test("each break is reported as file:line: rule-id: problem; fix", arguments: Breakage.all)
    func breakage(_ breakage: Breakage) throws {
        var files = ProjectFixtures.ruleFiles()
        let index = try #require(files.firstIndex { $0.path.hasSuffix("/" + breakage.file) })
        let original = files[index].text
        #expect(original.contains(breakage.replace), "the fixture text must exist in \(breakage.file)")
        files[index].text = original.replacingOccurrences(of: breakage.replace, with: breakage.with)

        let error = #expect(throws: RuleBookError.self) { try RuleBookLoader.load(files) }
        let problems = error?.problems ?? []
        let problem = problems.first { $0.code == breakage.code && $0.subject == breakage.subject }
        let found = try #require(problem, "got: \(problems.map(\.description))")
        let reported = breakage.reportedIn ?? breakage.file
        #expect(found.file.hasSuffix(reported))
        #expect(found.message.contains(breakage.message), "\(found.message)")
        #expect(!found.fix.isEmpty)
        #expect(found.description == "\(found.file):\(found.line): \(found.subject): \(found.message); \(found.fix)")
        // The line number points at the broken text.
        let mutated = try #require(files.first { $0.path.hasSuffix("/" + reported) }).text
        let marker = try #require(mutated.range(of: breakage.lineContains))
        let expectedLine = mutated[..<marker.lowerBound].filter { $0 == "\n" }.count + 1
        let markerLines = breakage.lineContains.filter { $0 == "\n" }.count
        #expect((expectedLine...(expectedLine + markerLines)).contains(found.line),
                "reported line \(found.line), the broken text is at \(expectedLine)")
    }

    @Test("every problem in a folder is reported, not only the first")
    func allProblemsReported() throws {
        var files = ProjectFixtures.ruleFiles()
        let failure = try #require(files.firstIndex { $0.path.hasSuffix("/failure.yml") })
        files[failure].text = files[failure].text
            .replacingOccurrences(of: "sources: [seeds, refalo2024]", with: "sources: [refalo2099]")
            .replacingOccurrences(of: "value: technical }", with: "value: techincal }")
        let error = #expect(throws: RuleBookError.self) { try RuleBookLoader.load(files) }
        let codes = Set(error?.problems.map(\.code) ?? [])
        #expect(codes.isSuperset(of: [.unknownSource, .unknownValue]))
    }

    @Test("a folder without a facts file is refused")
    func missingFactsFile() {
        let files = ProjectFixtures.ruleFiles().filter { !$0.path.hasSuffix("/facts.yml") }
        let error = #expect(throws: RuleBookError.self) { try RuleBookLoader.load(files) }
        #expect(error?.problems.first?.code == .missingFile)
    }
}
