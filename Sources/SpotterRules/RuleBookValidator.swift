import SpotterCore

/// The checks that need a whole rule book: inline examples, overlaps in `unique` tables,
/// and rules a `first` table can never reach.
enum RuleBookValidator {
    static func check(_ book: RuleBook) -> [RuleProblem] {
        var problems: [RuleProblem] = []
        for (index, table) in book.tables.enumerated() {
            problems += priorities(table)
            switch table.hitPolicy {
            case .first: problems += shadowed(table, index, book)
            case .unique: problems += overlaps(table, index, book)
            case .collect: break
            }
            problems += examples(table, book)
        }
        return problems
    }

    private static func priorities(_ table: DecisionTable) -> [RuleProblem] {
        guard table.hitPolicy == .first else { return [] }
        var seen: [Int: Rule] = [:]
        var problems: [RuleProblem] = []
        for rule in table.rules.sorted(by: { $0.line < $1.line }) {
            if let other = seen[rule.priority] {
                problems.append(RuleProblem(
                    file: rule.file, line: rule.line, subject: rule.id, code: .duplicatePriority,
                    message: "priority \(rule.priority) is also used by '\(other.id)', so their order is ambiguous",
                    fix: "give each rule in a `first` table its own priority"))
            } else {
                seen[rule.priority] = rule
            }
        }
        return problems
    }

    // MARK: Examples

    private static func examples(_ table: DecisionTable, _ book: RuleBook) -> [RuleProblem] {
        table.rules.flatMap { rule in rule.examples.indices.flatMap { book.check(example: $0, of: rule, in: table) } }
    }

    // MARK: Logic

    /// Whether rule `position` of table `index` matches, on the compiled conditions (walking the
    /// `Rule` values copied them for every case of every pair, most of the validation's time).
    private static func matcher(_ book: RuleBook, _ index: Int) -> (Int, FactSet) -> Bool {
        let compiled = book.compiled
        let start = compiled.tables[index].ruleStart
        return { position, facts in
            guard let condition = compiled.rules[start + position].condition else { return true }
            return compiled.matches(condition, facts, numbered: facts.strings === compiled.strings)
        }
    }

    private static func shadowed(_ table: DecisionTable, _ index: Int, _ book: RuleBook) -> [RuleProblem] {
        var problems: [RuleProblem] = []
        let matches = matcher(book, index)
        for (later, rule) in table.rules.enumerated() {
            for (position, earlier) in table.rules[..<later].enumerated() {
                guard let space = CaseSpace(rules: [earlier, rule], schema: book.schema) else { continue }
                var reachable = false
                var anyCase = false
                space.forEach { facts in
                    guard matches(later, facts) else { return true }
                    anyCase = true
                    if !matches(position, facts) { reachable = true; return false }
                    return true
                }
                if anyCase && !reachable {
                    problems.append(RuleProblem(
                        file: rule.file, line: rule.line, subject: rule.id, code: .shadowed,
                        message: "never fires: '\(earlier.id)' (priority \(earlier.priority)) matches every case this rule does",
                        fix: "narrow '\(earlier.id)', give this rule a higher priority, or remove it"))
                    break
                }
            }
        }
        return problems
    }

    private static func overlaps(_ table: DecisionTable, _ index: Int, _ book: RuleBook) -> [RuleProblem] {
        var problems: [RuleProblem] = []
        let matches = matcher(book, index)
        for (later, rule) in table.rules.enumerated() {
            for (position, earlier) in table.rules[..<later].enumerated() {
                guard let space = CaseSpace(rules: [earlier, rule], schema: book.schema) else { continue }
                var witness: String?
                space.forEach { facts in
                    if matches(later, facts) && matches(position, facts) {
                        witness = space.describe(facts)
                        return false
                    }
                    return true
                }
                if let witness {
                    problems.append(RuleProblem(
                        file: rule.file, line: rule.line, subject: rule.id, code: .overlap,
                        message: "overlaps '\(earlier.id)' in a unique table (both match \(witness))",
                        fix: "make the conditions exclusive, or declare `hit_policy: first` with priorities"))
                    break
                }
            }
        }
        return problems
    }
}

/// Every distinct case two rules can tell apart: each fact they read takes each of its values
/// (numbers: the points around every literal), plus "unknown" where the fact has no default.
private struct CaseSpace {
    var slots: [Int]
    var candidates: [[FactValue?]]
    var base: FactSet
    let schema: FactSchema
    static let limit = 200_000

    init?(rules: [Rule], schema: FactSchema) {
        self.schema = schema
        var literals: [Int: [Double]] = [:]
        var order: [Int] = []
        func note(_ slot: Int) { if literals[slot] == nil { literals[slot] = []; order.append(slot) } }
        for rule in rules {
            for test in rule.condition?.tests ?? [] {
                note(test.slot)
                switch test.operand {
                case let .value(value): if let number = value.number { literals[test.slot]?.append(number) }
                case let .list(values): literals[test.slot]? += values.compactMap(\.number)
                case let .fact(_, other):
                    note(other)
                    literals[test.slot]? += [0, 1, 4, 5, 10]
                    literals[other]? += [0, 1, 4, 5, 10]
                }
            }
        }
        var candidates: [[FactValue?]] = []
        var size = 1
        for slot in order {
            let declaration = schema.declarations[slot]
            var values: [FactValue?]
            switch declaration.type {
            case let .enumeration(symbols): values = symbols.map { .symbol($0) }
            case .bool: values = [.bool(true), .bool(false)]
            case let .int(min, max), let .number(min, max):
                let step: Double = if case .int = declaration.type { 1 } else { 0.5 }
                var points = Set<Double>()
                for literal in literals[slot] ?? [] { points.formUnion([literal - step, literal, literal + step]) }
                if points.isEmpty { points = [0] }
                values = points.sorted().filter { point in
                    (min.map { point >= $0 } ?? true) && (max.map { point <= $0 } ?? true)
                }.map { .number($0) }
            case .text, .range: values = []
            }
            if declaration.defaultValue == nil { values.append(nil) }
            candidates.append(values)
            size *= Swift.max(values.count, 1)
            if size > Self.limit { return nil }
        }
        self.slots = order
        self.candidates = candidates
        var base = FactSet(schema: schema)
        for index in base.stored.indices { base.stored[index] = .none }
        self.base = base
    }

    /// Calls `body` on every case until it returns false.
    func forEach(_ body: (FactSet) -> Bool) {
        var facts = base
        func visit(_ depth: Int) -> Bool {
            if depth == slots.count { return body(facts) }
            for value in candidates[depth] {
                facts[slots[depth]] = value
                if !visit(depth + 1) { return false }
            }
            return true
        }
        _ = visit(0)
    }

    func describe(_ facts: FactSet) -> String {
        slots.map { "\(schema.declarations[$0].name)=\(facts[$0]?.description ?? "unknown")" }.joined(separator: ", ")
    }
}

extension RuleBook {
    /// Runs one inline example: the rule must fire on the example's facts and give what it expects.
    /// Returns what went wrong, or nothing when the example holds.
    public func check(example number: Int, of rule: Rule, in table: DecisionTable) -> [RuleProblem] {
        let example = rule.examples[number]
        var facts = makeFacts()
        for (name, value) in example.given {
            if let slot = schema.slot(name) { facts[slot] = value }
        }
        let result = evaluate(table: table.name, facts: facts)
        let fired = result.firedRules
        let label = "example \(number + 1)"
        guard fired.contains(where: { $0.id == rule.id }) else {
            let instead = fired.first.map { "'\($0.id)' fired instead" } ?? "no rule fired"
            return [RuleProblem(
                file: rule.file, line: example.line, subject: rule.id, code: .exampleFailed,
                message: "\(label) does not reach this rule: \(instead)",
                fix: "fix the example's `given`, or the conditions or priorities it exposes")]
        }
        var problems: [RuleProblem] = []
        for (name, expected) in example.expect {
            let actual = table.hitPolicy == .collect || schema[name]?.accumulates == true
                ? rule.output(name) : schema.slot(name).flatMap { result.facts[$0] }
            if actual != expected {
                problems.append(RuleProblem(
                    file: rule.file, line: example.line, subject: rule.id, code: .exampleFailed,
                    message: "\(label) expects \(name) = \(expected) but the rule gives \(actual?.description ?? "nothing")",
                    fix: "fix the example's `expect` or the rule's `then`"))
            }
        }
        return problems
    }
}
