import SpotterCore

/// How a table combines the rules that match.
public enum HitPolicy: String, Sendable, Hashable, CaseIterable {
    /// Rules are tried by descending priority; the first that matches decides.
    case first
    /// At most one rule may match any case; overlapping rules are a load error.
    case unique
    /// Every matching rule contributes, by descending priority.
    case collect
}

/// The closed set of comparison operators a condition may use.
public enum ComparisonOperator: String, Sendable, Hashable, CaseIterable {
    case eq, ne, lt, lte, gt, gte, `in`, notIn = "not_in", between
}

/// The right-hand side of a test.
public enum Operand: Sendable, Hashable, CustomStringConvertible {
    case value(FactValue)
    case list([FactValue])
    /// Another fact's value, for comparisons such as `week.failure_sets gte week.failure_cap`.
    case fact(name: String, slot: Int)

    public var description: String {
        switch self {
        case let .value(value): value.description
        case let .list(values): "[" + values.map(\.description).joined(separator: ", ") + "]"
        case let .fact(name, _): name
        }
    }
}

/// One comparison of a fact with an operand.
public struct FactTest: Sendable, Hashable {
    public var fact: String
    public var slot: Int
    public var op: ComparisonOperator
    public var operand: Operand
    public var line: Int
}

/// A rule's `when`: tests combined with `all`, `any` and `not`.
public indirect enum Condition: Sendable, Hashable {
    case test(FactTest)
    case all([Condition])
    case any([Condition])
    case not(Condition)

    /// Every test in this condition, depth first.
    var tests: [FactTest] {
        switch self {
        case let .test(test): [test]
        case let .all(parts), let .any(parts): parts.flatMap(\.tests)
        case let .not(inner): inner.tests
        }
    }
}

/// An inline example: given these facts, this rule fires with these outputs.
public struct RuleExample: Sendable, Hashable {
    public var given: [(name: String, value: FactValue)]
    public var expect: [(name: String, value: FactValue)]
    public var line: Int

    public static func == (lhs: RuleExample, rhs: RuleExample) -> Bool {
        lhs.line == rhs.line && lhs.given.map(\.name) == rhs.given.map(\.name)
            && lhs.given.map(\.value) == rhs.given.map(\.value) && lhs.expect.map(\.name) == rhs.expect.map(\.name)
            && lhs.expect.map(\.value) == rhs.expect.map(\.value)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(line)
        for item in given { hasher.combine(item.name); hasher.combine(item.value) }
    }
}

/// One row of a decision table.
public struct Rule: Sendable, Hashable {
    public var id: String
    public var priority: Int
    /// nil means the rule always applies (a table's default row).
    public var condition: Condition?
    /// Output facts and their values; empty means "nothing applies" and stops a first table.
    public var outputs: [RuleOutput]
    /// The plain-words reason a person reads.
    public var because: String
    public var sources: [String]
    public var examples: [RuleExample]
    public var file: String
    public var line: Int

    public static func == (lhs: Rule, rhs: Rule) -> Bool {
        lhs.id == rhs.id && lhs.file == rhs.file && lhs.line == rhs.line
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(id)
        hasher.combine(file)
        hasher.combine(line)
    }

    /// The value this rule gives an output, if it sets it.
    public func output(_ name: String) -> FactValue? {
        outputs.first { $0.name == name }?.value
    }
}

/// One value a rule sets.
public struct RuleOutput: Sendable, Hashable {
    public var name: String
    public var slot: Int
    public var value: FactValue
    /// Adds to the fact instead of replacing it (facts declared `accumulate: sum`).
    public var accumulates: Bool
}

/// A decision table: rules over declared facts with one hit policy.
public struct DecisionTable: Sendable, Hashable {
    public var name: String
    public var hitPolicy: HitPolicy
    public var description: String
    /// Rules in evaluation order (descending priority, then file order).
    public var rules: [Rule]
    public var file: String
    public var line: Int
}

/// A study or guideline a rule cites.
public struct Source: Sendable, Hashable {
    /// Evidence tier: M meta-analysis, R trial, C consensus, P practitioner, S seed articles.
    public enum Tier: String, Sendable, Hashable, CaseIterable {
        case M, R, C, P, S

        /// What the letter stands for.
        public var meaning: String {
            switch self {
            case .M: "meta-analysis"
            case .R: "randomised or controlled trial"
            case .C: "consensus or position stand"
            case .P: "practitioner guidance"
            case .S: "seed articles"
            }
        }
    }

    public var id: String
    public var citation: String
    public var doi: String?
    public var tier: Tier
    /// A short form for answers: "Grgic 2022".
    public var short: String
}

/// Everything in a rules folder: the facts, the sources, the tables, and the pipelines that
/// run them in order (`advice` from `evaluation_order`, others from `NAME_order`).
///
/// A class: it never changes once loaded, and every evaluation, advisor and reply writer holds
/// it, so sharing one reference beats copying its five tables each time.
public final class RuleBook: Sendable {
    public let schema: FactSchema
    public let sources: [String: Source]
    public let tables: [DecisionTable]
    /// Pipeline name → table positions, in evaluation order.
    public let pipelines: [String: [Int]]
    /// The tables as the evaluator walks them (built once here, shared by every copy).
    let compiled: CompiledRules

    init(schema: FactSchema, sources: [String: Source], tables: [DecisionTable], pipelines: [String: [Int]]) {
        // The facts of this book keep the rules' strings by number (``FactStrings``); the compiled
        // constants are numbered in the same table, so comparing them compares numbers.
        var strings: [String] = []
        for table in tables {
            for rule in table.rules {
                for output in rule.outputs { strings += output.value.strings }
                for test in rule.condition?.tests ?? [] {
                    switch test.operand {
                    case let .value(value): strings += value.strings
                    case let .list(values): strings += values.flatMap(\.strings)
                    case .fact: break
                    }
                }
            }
        }
        let schema = schema.adding(strings: strings)
        self.schema = schema
        self.sources = sources
        self.tables = tables
        self.pipelines = pipelines
        self.compiled = CompiledRules(tables: tables, pipelines: pipelines, strings: schema.strings)
    }

    /// The pipeline `spotter ask` and questions use.
    public static let advicePipeline = "advice"

    /// A fresh fact set with every default applied.
    public func makeFacts() -> FactSet { FactSet(schema: schema) }

    public func table(_ name: String) -> DecisionTable? { compiled.tableIndex[name].map { tables[$0] } }

    /// The rule with this id, wherever it is.
    public func rule(_ id: String) -> Rule? {
        for table in tables { if let rule = table.rules.first(where: { $0.id == id }) { return rule } }
        return nil
    }
}
