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

    /// The ids of the rules that fired, in order; reads them in place (``firedRules`` copies each rule).
    public var firedRuleIDs: [String] { firings.map { book.tables[$0.table].rules[$0.rule].id } }

    /// The sources the fired rules cite, each once, in firing order.
    public var firedSources: [String] {
        // By number: comparing the source strings of every pair of fired rules was most of this.
        let compiled = book.compiled
        var seen: [Int32] = []
        for firing in firings {
            let rule = compiled.rules[compiled.tables[firing.table].ruleStart + firing.rule]
            for source in compiled.ruleSources[rule.sources] where !seen.contains(source) { seen.append(source) }
        }
        return seen.map { compiled.sourceNames[Int($0)] }
    }

    /// Every value the fired rules gave `output`, in firing order.
    public func outputs(_ output: String) -> [FactValue] {
        guard let slot = book.schema.slot(output) else { return [] }
        return outputs(slot: slot)
    }

    /// Every value the fired rules gave the fact in `slot`, in firing order.
    public func outputs(slot: Int) -> [FactValue] {
        // By slot, on the compiled outputs: comparing names copied every fired rule.
        let compiled = book.compiled
        var values: [FactValue] = []
        for firing in firings {
            let rule = compiled.rules[compiled.tables[firing.table].ruleStart + firing.rule]
            for position in rule.outputs where compiled.outputs[position].slot == slot {
                values.append(compiled.outputs[position].value)
            }
        }
        return values
    }

    /// The rule that fired in a table, the first one for a collect table.
    public func firedRule(in table: String) -> Rule? {
        guard let index = book.compiled.tableIndex[table],
              let firing = firings.first(where: { $0.table == index }) else { return nil }
        return book.tables[index].rules[firing.rule]
    }
}

/// The rule book as the evaluator walks it: conditions flattened into nodes that point at each
/// other by position, rules and outputs as ranges, nothing reference-counted on the way. Walking
/// the `Rule` values themselves copied each one (seven reference-counted fields) for every rule
/// tried, which was a third of the time per message. Built once per rule book.
final class CompiledRules: Sendable {
    enum Node: Sendable {
        /// A test against `constants[constant]` (the operand `.value`).
        case compare(slot: Int, op: ComparisonOperator, constant: Int)
        /// A test against another fact's value.
        case compareFact(slot: Int, op: ComparisonOperator, other: Int)
        /// A test against the list `constants[range]` (`in`, `not_in`, `between`).
        case list(slot: Int, op: ComparisonOperator, range: Range<Int>)
        /// `children[range]` all (or any) hold.
        case all(Range<Int>)
        case any(Range<Int>)
        case not(Int)
    }

    struct Output: Sendable {
        var slot: Int
        var value: FactValue
        /// `value` numbered in ``strings``, as fact sets keep it.
        var stored: StoredFact
        var accumulates: Bool
    }

    struct CompiledRule: Sendable {
        /// The condition's node, nil for a rule that always applies.
        var condition: Int?
        var outputs: Range<Int>
        /// The rule's sources, in order, as positions in ``ruleSources``.
        var sources: Range<Int>
    }

    struct Table: Sendable {
        var collect: Bool
        /// Where the table's rules start in `rules`; they are in the table's order.
        var ruleStart: Int
        var ruleCount: Int
    }

    let nodes: [Node]
    let children: [Int]
    /// The operands of tests, numbered in ``strings`` as fact sets keep them.
    let constants: [StoredFact]
    /// The same operands as values.
    let constantValues: [FactValue]
    /// The strings of the rule book's fact sets; a fact set with another table is compared by value.
    let strings: FactStrings
    let rules: [CompiledRule]
    let outputs: [Output]
    let tables: [Table]
    /// Every rule's sources, numbered in ``sourceNames``.
    let ruleSources: [Int32]
    let sourceNames: [String]
    let tableIndex: [String: Int]
    let pipelines: [String: [Int]]
    /// The advice pipeline, looked up once.
    let advice: [Int]

    init(tables source: [DecisionTable], pipelines: [String: [Int]], strings: FactStrings) {
        var nodes: [Node] = []
        var children: [Int] = []
        var constants: [FactValue] = []
        var rules: [CompiledRule] = []
        var outputs: [Output] = []
        var tables: [Table] = []
        var tableIndex: [String: Int] = [:]
        var ruleSources: [Int32] = []
        var sourceNames: [String] = []
        var sourceNumbers: [String: Int32] = [:]

        func compile(_ condition: Condition) -> Int {
            let node: Node
            switch condition {
            case let .test(test):
                switch test.operand {
                case let .value(value):
                    constants.append(value)
                    node = .compare(slot: test.slot, op: test.op, constant: constants.count - 1)
                case let .fact(_, other):
                    node = .compareFact(slot: test.slot, op: test.op, other: other)
                case let .list(values):
                    let start = constants.count
                    constants += values
                    node = .list(slot: test.slot, op: test.op, range: start..<constants.count)
                }
            case let .all(parts), let .any(parts):
                let compiled = parts.map(compile)
                let start = children.count
                children += compiled
                if case .all = condition { node = .all(start..<children.count) } else { node = .any(start..<children.count) }
            case let .not(inner):
                node = .not(compile(inner))
            }
            nodes.append(node)
            return nodes.count - 1
        }

        for (position, table) in source.enumerated() {
            if tableIndex[table.name] == nil { tableIndex[table.name] = position }
            tables.append(Table(collect: table.hitPolicy == .collect, ruleStart: rules.count, ruleCount: table.rules.count))
            for rule in table.rules {
                let start = outputs.count
                for output in rule.outputs {
                    outputs.append(Output(slot: output.slot, value: output.value, stored: FactStrings.stored(output.value, strings),
                                          accumulates: output.accumulates))
                }
                let firstSource = ruleSources.count
                for source in rule.sources {
                    if sourceNumbers[source] == nil {
                        sourceNumbers[source] = Int32(sourceNames.count)
                        sourceNames.append(source)
                    }
                    ruleSources.append(sourceNumbers[source]!)
                }
                rules.append(CompiledRule(condition: rule.condition.map(compile), outputs: start..<outputs.count,
                                          sources: firstSource..<ruleSources.count))
            }
        }
        self.nodes = nodes
        self.children = children
        self.constants = constants.map { FactStrings.stored($0, strings) }
        self.constantValues = constants
        self.strings = strings
        self.rules = rules
        self.outputs = outputs
        self.tables = tables
        self.ruleSources = ruleSources
        self.sourceNames = sourceNames
        self.tableIndex = tableIndex
        self.pipelines = pipelines
        self.advice = pipelines[RuleBook.advicePipeline] ?? []
    }

    /// Evaluates one table in place; the same decisions as ``Condition/matches(_:)`` on the
    /// rules themselves. Calls `fired` with each rule's position in the table.
    @inline(__always)
    func apply(table index: Int, to facts: inout FactSet, fired: (Int) -> Void) {
        // Fact sets of this book hold its numbered strings; any other is read by value.
        let numbered = facts.strings === strings
        let table = tables[index]
        for position in 0..<table.ruleCount {
            let rule = rules[table.ruleStart + position]
            if let condition = rule.condition, !matches(condition, facts, numbered: numbered) { continue }
            fired(position)
            for output in rule.outputs {
                let output = outputs[output]
                if numbered, !output.accumulates { facts.stored[output.slot] = output.stored } else { facts.set(output) }
            }
            if !table.collect { break }
        }
    }

    /// Whether condition `index` holds. On a fact set of this book (`numbered`) the stored values
    /// are compared, where equal strings have equal numbers; on any other, the values themselves.
    func matches(_ index: Int, _ facts: FactSet, numbered: Bool) -> Bool {
        switch nodes[index] {
        case let .compare(slot, op, constant):
            if numbered {
                let actual = facts.stored[slot]
                return actual != .none && FactTest.compare(op, actual, constants[constant])
            }
            guard let actual = facts[slot] else { return false }
            return FactTest.compare(op, actual, constantValues[constant])
        case let .compareFact(slot, op, other):
            if numbered {
                let actual = facts.stored[slot], value = facts.stored[other]
                return actual != .none && value != .none && FactTest.compare(op, actual, value)
            }
            guard let actual = facts[slot], let value = facts[other] else { return false }
            return FactTest.compare(op, actual, value)
        case let .list(slot, op, range):
            if numbered {
                let actual = facts.stored[slot]
                if actual == .none { return false }
                switch op {
                case .in: return constants[range].contains(actual)
                case .notIn: return !constants[range].contains(actual)
                default: break
                }
            } else {
                guard let actual = facts[slot] else { return false }
                switch op {
                case .in: return constantValues[range].contains(actual)
                case .notIn: return !constantValues[range].contains(actual)
                default: break
                }
            }
            guard op == .between, let value = facts[slot]?.number, !range.isEmpty, let low = constantValues[range.lowerBound].number,
                  let high = constantValues[range.upperBound - 1].number else { return false }
            return low <= value && value <= high
        case let .all(range):
            for child in range where !matches(children[child], facts, numbered: numbered) { return false }
            return true
        case let .any(range):
            for child in range where matches(children[child], facts, numbered: numbered) { return true }
            return false
        case let .not(inner):
            return !matches(inner, facts, numbered: numbered)
        }
    }
}

extension RuleBook {
    /// Evaluates a pipeline's tables in order (the advice pipeline by default); each table's
    /// outputs become facts for the tables after it.
    public func evaluate(_ facts: FactSet, pipeline: String = RuleBook.advicePipeline, tracing: Bool = false) -> Evaluation {
        var facts = facts
        var firings: [Firing] = []
        firings.reserveCapacity(12)
        let order = pipeline == RuleBook.advicePipeline ? compiled.advice : compiled.pipelines[pipeline] ?? []
        if tracing {
            // Tracing records every test, so it walks the rules themselves.
            var trace: [TableTrace]? = []
            for index in order { evaluate(table: index, facts: &facts, firings: &firings, trace: &trace) }
            return Evaluation(facts: facts, firings: firings, trace: trace, book: self)
        }
        for index in order {
            compiled.apply(table: index, to: &facts) { firings.append(Firing(table: index, rule: $0)) }
        }
        return Evaluation(facts: facts, firings: firings, trace: nil, book: self)
    }

    /// Evaluates one table alone (for inline examples).
    public func evaluate(table name: String, facts: FactSet) -> Evaluation {
        var facts = facts
        var firings: [Firing] = []
        if let index = compiled.tableIndex[name] {
            compiled.apply(table: index, to: &facts) { firings.append(Firing(table: index, rule: $0)) }
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
        Self.compare(op, actual, expected)
    }

    /// One comparison, on values or on the stored form of a book's facts: `eq`/`ne` by equality,
    /// the ordering operators on numbers.
    @inline(__always)
    static func compare<Value: ComparedFact>(_ op: ComparisonOperator, _ actual: Value, _ expected: Value) -> Bool {
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
        var fired = 0
        compiled.apply(table: index, to: &facts) { _ in fired += 1 }
        return fired
    }
}

extension FactSet {
    /// Applies one compiled rule output, as ``set(_:)-RuleOutput`` does.
    @inline(__always)
    mutating func set(_ output: CompiledRules.Output) {
        if output.accumulates, let current = self[output.slot]?.number, let added = output.value.number {
            self[output.slot] = .number(current + added)
        } else {
            self[output.slot] = output.value
        }
    }

    /// Applies one rule output: replaces the value, or adds to it for accumulating facts.
    mutating func set(_ output: RuleOutput) {
        if output.accumulates, let current = self[output.slot]?.number, let added = output.value.number {
            self[output.slot] = .number(current + added)
        } else {
            self[output.slot] = output.value
        }
    }
}

/// What a test compares: a fact's value, or its stored form.
protocol ComparedFact: Equatable {
    var number: Double? { get }
}

extension FactValue: ComparedFact {}
extension StoredFact: ComparedFact {}
