import SpotterApp
import SpotterRules
import SpotterTesting
import Testing

/// One inline example of one rule in `Rules/`.
struct InlineExample: Sendable, CustomTestStringConvertible {
    var table: DecisionTable
    var rule: Rule
    var number: Int

    var testDescription: String { "\(rule.id) example \(number + 1)" }

    static let all: [InlineExample] = ProjectFixtures.rules.book.tables.flatMap { table in
        table.rules.flatMap { rule in rule.examples.indices.map { InlineExample(table: table, rule: rule, number: $0) } }
    }
}

@Suite("Inline rule examples")
struct InlineExampleTests {
    @Test("every rule example in Rules/ holds", arguments: InlineExample.all)
    func example(_ example: InlineExample) {
        let problems = ProjectFixtures.rules.book.check(example: example.number, of: example.rule, in: example.table)
        #expect(problems.isEmpty, "\(problems.map(\.description))")
    }

    @Test("every rule has an example, a reason and sources")
    func everyRuleIsDocumented() {
        let rules = ProjectFixtures.rules.book.tables.flatMap(\.rules)
        #expect(rules.count >= 50)
        for rule in rules {
            #expect(!rule.examples.isEmpty, "\(rule.id)")
            #expect(!rule.because.isEmpty, "\(rule.id)")
            #expect(!rule.sources.isEmpty, "\(rule.id)")
        }
    }

    @Test("every source COACHING.md lists is declared with a tier, and every rule's source exists")
    func sources() {
        let book = ProjectFixtures.rules.book
        for id in ["seeds", "grgic2022", "robinson2024", "refalo2023", "halperin2022", "moran2017", "nsca-spotting",
                   "saw2016", "craven2022", "bell2023", "meeusen2013", "epley", "acsm2009"] {
            #expect(book.sources[id] != nil, "\(id)")
        }
        for rule in book.tables.flatMap(\.rules) {
            for source in rule.sources { #expect(book.sources[source] != nil, "\(rule.id) cites \(source)") }
        }
        #expect(book.sources["grgic2022"]?.doi == "10.1016/j.jshs.2021.01.007")
        #expect(book.sources["grgic2022"]?.tier == .M)
    }
}
