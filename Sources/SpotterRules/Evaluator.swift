import SpotterCore

/// One rule that fired during an evaluation.
public struct Firing: Sendable, Hashable {
    public let table: Int
    public let rule: Int
}

/// How one test of a condition came out, for "why" and `rules explain`.
public struct ConditionCheck: Sendable, Hashable {
    public var fact: String
    public var op: ComparisonOperator
    public var expected: String
    /// The fact's value, or nil when it was unknown.
    public var actual: String?
    public var passed: Bool
}

/// How one rule was tried.
public struct RuleCheck: Sendable, Hashable {
    public var ruleID: String
    public var matched: Bool
    public var checks: [ConditionCheck]
}

/// The rules one table tried, in order, and which fired.
public struct TableTrace: Sendable, Hashable {
    public var table: String
    public var hitPolicy: HitPolicy
    public var rules: [RuleCheck]
}

/// The result of evaluating a rule book over a set of facts.
public struct Evaluation: Sendable {
    /// The facts at the end, derived ones included.
    public var facts: FactSet
    public var firings: [Firing]
    /// Present when the evaluation was asked to trace.
    public var trace: [TableTrace]?
    let book: RuleBook

    /// The rules that fired, in order.
    public var firedRules: [Rule] { firings.map { book.tables[$0.table].rules[$0.rule] } }

    /// Every value the fired rules gave `output`, in firing order.
    public func outputs(_ output: String) -> [FactValue] {
        var values: [FactValue] = []
        for firing in firings {
            for item in book.tables[firing.table].rules[firing.rule].outputs where item.name == output {
                values.append(item.value)
            }
        }
        return values
    }

    /// The rule that fired in a table, the first one for a collect table.
    public func firedRule(in table: String) -> Rule? {
        guard let index = book.tables.firstIndex(where: { $0.name == table }),
              let firing = firings.first(where: { $0.table == index }) else { return nil }
        return book.tables[index].rules[firing.rule]
    }
}

extension RuleBook {
    /// Evaluates a pipeline's tables in order (the advice pipeline by default); each table's
    /// outputs become facts for the tables after it.
    public func evaluate(_ facts: FactSet, pipeline: String = RuleBook.advicePipeline, tracing: Bool = false) -> Evaluation {
        var facts = facts
        var firings: [Firing] = []
        firings.reserveCapacity(12)
        var trace: [TableTrace]? = tracing ? [] : nil
        for index in pipelines[pipeline] ?? [] {
            evaluate(table: index, facts: &facts, firings: &firings, trace: &trace)
        }
        return Evaluation(facts: facts, firings: firings, trace: trace, book: self)
    }

    /// Evaluates one table alone (for inline examples).
    public func evaluate(table name: String, facts: FactSet) -> Evaluation {
        var facts = facts
        var firings: [Firing] = []
        var trace: [TableTrace]? = nil
        if let index = tables.firstIndex(where: { $0.name == name }) {
            evaluate(table: index, facts: &facts, firings: &firings, trace: &trace)
        }
        return Evaluation(facts: facts, firings: firings, trace: nil, book: self)
    }

    private func evaluate(table index: Int, facts: inout FactSet, firings: inout [Firing], trace: inout [TableTrace]?) {
        let table = tables[index]
        var checks: [RuleCheck] = []
        for (position, rule) in table.rules.enumerated() {
            let matched: Bool
            if trace != nil {
                var ruleChecks: [ConditionCheck] = []
                matched = rule.condition?.matches(facts, recording: &ruleChecks) ?? true
                checks.append(RuleCheck(ruleID: rule.id, matched: matched, checks: ruleChecks))
            } else {
                matched = rule.condition?.matches(facts) ?? true
            }
            guard matched else { continue }
            firings.append(Firing(table: index, rule: position))
            for output in rule.outputs { facts.set(output) }
            if table.hitPolicy != .collect { break }
        }
        trace?.append(TableTrace(table: table.name, hitPolicy: table.hitPolicy, rules: checks))
    }
}

extension Condition {
    /// Whether the facts satisfy this condition. A test on an unknown fact is false.
    func matches(_ facts: FactSet) -> Bool {
        switch self {
        case let .test(test): test.passes(facts)
        case let .all(parts): parts.allSatisfy { $0.matches(facts) }
        case let .any(parts): parts.contains { $0.matches(facts) }
        case let .not(inner): !inner.matches(facts)
        }
    }

    func matches(_ facts: FactSet, recording checks: inout [ConditionCheck]) -> Bool {
        switch self {
        case let .test(test):
            let passed = test.passes(facts)
            checks.append(ConditionCheck(fact: test.fact, op: test.op, expected: test.operand.description,
                                         actual: facts[test.slot]?.description, passed: passed))
            return passed
        case let .all(parts):
            var result = true
            for part in parts where !part.matches(facts, recording: &checks) { result = false }
            return result
        case let .any(parts):
            var result = false
            for part in parts where part.matches(facts, recording: &checks) { result = true }
            return result
        case let .not(inner):
            return !inner.matches(facts, recording: &checks)
        }
    }
}

extension FactTest {
    func passes(_ facts: FactSet) -> Bool {
        guard let actual = facts[slot] else { return false }
        switch operand {
        case let .value(expected):
            return compare(actual, expected)
        case let .fact(_, otherSlot):
            guard let other = facts[otherSlot] else { return false }
            return compare(actual, other)
        case let .list(values):
            switch op {
            case .in: return values.contains(actual)
            case .notIn: return !values.contains(actual)
            case .between:
                guard let value = actual.number, let low = values.first?.number, let high = values.last?.number else { return false }
                return low <= value && value <= high
            default: return false
            }
        }
    }

    private func compare(_ actual: FactValue, _ expected: FactValue) -> Bool {
        switch op {
        case .eq: return actual == expected
        case .ne: return actual != expected
        case .lt, .lte, .gt, .gte:
            guard let left = actual.number, let right = expected.number else { return false }
            switch op {
            case .lt: return left < right
            case .lte: return left <= right
            case .gt: return left > right
            default: return left >= right
            }
        case .in, .notIn, .between:
            return false
        }
    }
}

extension RuleBook {
    /// The position of a table in the evaluation order.
    public func tableIndex(_ name: String) -> Int? { tables.firstIndex { $0.name == name } }

    /// Evaluates one table in place, without recording anything: the fast path for what-if
    /// questions. Returns how many rules fired.
    @discardableResult
    public func apply(table index: Int, to facts: inout FactSet) -> Int {
        let table = tables[index]
        var fired = 0
        for rule in table.rules where rule.condition?.matches(facts) ?? true {
            fired += 1
            for output in rule.outputs { facts.set(output) }
            if table.hitPolicy != .collect { break }
        }
        return fired
    }
}

extension FactSet {
    /// Applies one rule output: replaces the value, or adds to it for accumulating facts.
    mutating func set(_ output: RuleOutput) {
        if output.accumulates, let current = self[output.slot]?.number, let added = output.value.number {
            self[output.slot] = .number(current + added)
        } else {
            self[output.slot] = output.value
        }
    }
}
