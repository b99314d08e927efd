import SpotterCore
import Yams

/// Reads a rules folder's files into a ``RuleBook``, checking every name, type, value and
/// source, then the tables' logic (overlaps, shadowed rules) and every inline example.
///
/// The loader does no I/O: the caller reads the files and passes their text.
///
/// ## Usage
/// ```swift
/// let book = try RuleBookLoader.load([RuleFile(path: "Rules/facts.yml", text: facts), …])
/// ```
public enum RuleBookLoader {
    /// Loads and validates; throws ``RuleBookError`` listing every problem found.
    public static func load(_ files: [RuleFile]) throws(RuleBookError) -> RuleBook {
        var reader = Reader()
        let book = reader.read(files)
        if let book, reader.problems.isEmpty {
            reader.problems += RuleBookValidator.check(book)
        }
        guard let book, reader.problems.isEmpty else {
            throw RuleBookError(problems: reader.problems.sorted { ($0.file, $0.line) < ($1.file, $1.line) })
        }
        return book
    }
}

/// A YAML node with the file it came from, for error positions.
private struct Located {
    var node: Node
    var file: String
    var line: Int { node.mark?.line ?? 1 }
}

private struct Reader {
    var problems: [RuleProblem] = []

    mutating func problem(
        _ at: Located, _ subject: String?, _ code: RuleProblem.Code, _ message: String, _ fix: String
    ) {
        problems.append(RuleProblem(file: at.file, line: at.line, subject: subject, code: code, message: message, fix: fix))
    }

    // MARK: Files

    mutating func read(_ files: [RuleFile]) -> RuleBook? {
        var factsFile: Located?
        var sourcesFile: Located?
        var orderFile: Located?
        var tableFiles: [Located] = []
        for file in files.sorted(by: { $0.path < $1.path }) {
            let root: Node
            do {
                // The basic resolver leaves every scalar a string: the loader types values itself, so
                // Yams' regex-based tag resolution is not needed (and dominated start-up time).
                guard let node = try composeYAML(file.text) else {
                    problems.append(RuleProblem(
                        file: file.path, line: 1, subject: nil, code: .unknownFile, message: "the file is empty",
                        fix: "remove it or give it a `table:`, `facts:`, `sources:` or `evaluation_order:` key"))
                    continue
                }
                root = node
            } catch {
                problems.append(syntaxProblem(error, file: file.path))
                continue
            }
            let located = Located(node: root, file: file.path)
            if child(located, "facts") != nil {
                factsFile = located
            } else if child(located, "sources") != nil {
                sourcesFile = located
            } else if (pairs(located) ?? []).contains(where: { $0.key.hasSuffix("_order") }) {
                orderFile = located
            } else if child(located, "table") != nil {
                tableFiles.append(located)
            } else {
                problem(located, nil, .unknownFile, "not a rules file (no `table:`, `facts:`, `sources:` or `evaluation_order:` key)",
                        "add the key this file is meant to have, or move the file out of the rules folder")
            }
        }
        let anyPath = files.first.map { parentFolder($0.path) } ?? "Rules"
        guard let factsFile else {
            problems.append(RuleProblem(file: anyPath + "facts.yml", line: 1, subject: nil, code: .missingFile,
                                        message: "there is no facts file", fix: "add facts.yml declaring every fact the rules read"))
            return nil
        }
        guard let sourcesFile else {
            problems.append(RuleProblem(file: anyPath + "sources.yml", line: 1, subject: nil, code: .missingFile,
                                        message: "there is no sources file", fix: "add sources.yml with every source id the rules cite"))
            return nil
        }
        guard let orderFile else {
            problems.append(RuleProblem(file: anyPath + "advisor.yml", line: 1, subject: nil, code: .missingFile,
                                        message: "there is no evaluation order",
                                        fix: "add advisor.yml with `evaluation_order: [table, …]`"))
            return nil
        }
        let schema = readFacts(factsFile)
        let sources = readSources(sourcesFile)
        var tables: [String: DecisionTable] = [:]
        var ruleIDs: [String: Located] = [:]
        for file in tableFiles {
            guard let table = readTable(file, schema: schema, sources: sources, ruleIDs: &ruleIDs) else { continue }
            if tables[table.name] != nil {
                problem(file, table.name, .duplicateID, "a table named '\(table.name)' is already defined",
                        "give each table its own name")
                continue
            }
            tables[table.name] = table
        }
        let (ordered, pipelines) = readPipelines(orderFile, tables: tables)
        for indices in pipelines.values { checkDerivedOrder(indices.map { ordered[$0] }, schema: schema) }
        return RuleBook(schema: schema, sources: sources, tables: ordered, pipelines: pipelines)
    }

    private func parentFolder(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "" }
        return String(path[...slash])
    }

    private func syntaxProblem(_ error: any Error, file: String) -> RuleProblem {
        var line = 1
        var message = "\(error)"
        if let yamlError = error as? YamlError {
            switch yamlError {
            case let .scanner(_, problem, mark, _), let .parser(_, problem, mark, _), let .composer(_, problem, mark, _):
                line = mark.line
                message = problem
            case let .duplicatedKeysInMapping(duplicates, context):
                message = "duplicated keys \(duplicates.joined(separator: ", "))"
                line = context.mark.line
            default:
                break
            }
        }
        return RuleProblem(file: file, line: line, subject: nil, code: .yamlSyntax, message: "YAML syntax error: \(message)",
                           fix: "fix the YAML at this line (indentation, quotes, brackets)")
    }

    // MARK: Building blocks

    func pairs(_ located: Located) -> [(key: String, value: Located)]? {
        guard case let .mapping(mapping) = located.node else { return nil }
        return mapping.map { (key: $0.key.string ?? "", value: Located(node: $0.value, file: located.file)) }
    }

    func items(_ located: Located) -> [Located]? {
        guard case let .sequence(sequence) = located.node else { return nil }
        return sequence.map { Located(node: $0, file: located.file) }
    }

    /// The value under `key` in a mapping; compares key text directly (Yams' own subscript
    /// resolves tags for every comparison, which is slow).
    func child(_ located: Located, _ key: String) -> Located? {
        guard case let .mapping(mapping) = located.node else { return nil }
        for pair in mapping where pair.key.scalar?.string == key { return Located(node: pair.value, file: located.file) }
        return nil
    }

    mutating func requireMapping(_ located: Located, _ subject: String?, what: String) -> [(key: String, value: Located)]? {
        if let result = pairs(located) { return result }
        problem(located, subject, .invalidField, "\(what) must be a mapping of `key: value`", "write it as `key: value` lines")
        return nil
    }

    mutating func requireString(_ located: Located?, _ subject: String?, field: String, in parent: Located) -> String? {
        guard let located else {
            problem(parent, subject, .missingField, "missing `\(field)`", "add `\(field): …`")
            return nil
        }
        guard case let .scalar(scalar) = located.node, !scalar.string.isEmpty else {
            problem(located, subject, .invalidField, "`\(field)` must be a non-empty text", "write `\(field): some text`")
            return nil
        }
        return scalar.string
    }

    mutating func checkKeys(_ located: Located, _ subject: String?, allowed: Set<String>) {
        for (key, value) in pairs(located) ?? [] where !allowed.contains(key) {
            problem(value, subject, .unexpectedField, "unknown field `\(key)`",
                    "use only \(allowed.sorted().map { "`\($0)`" }.joined(separator: ", "))")
        }
    }

    // MARK: facts.yml

    mutating func readFacts(_ file: Located) -> FactSchema {
        var declarations: [FactDeclaration] = []
        guard let entries = child(file, "facts").flatMap({ requireMapping($0, nil, what: "`facts`") }) else {
            return FactSchema([])
        }
        for (name, body) in entries {
            guard let fields = requireMapping(body, name, what: "a fact") else { continue }
            checkKeys(body, name, allowed: ["type", "values", "min", "max", "derived", "default", "doc", "accumulate"])
            let typeName = fields.first { $0.key == "type" }?.value.node.string
            let lowerBound = child(body, "min").flatMap { $0.node.string.flatMap(Double.init) }
            let upperBound = child(body, "max").flatMap { $0.node.string.flatMap(Double.init) }
            let type: FactType
            switch typeName {
            case "enum":
                let values = child(body, "values").flatMap(items)?.compactMap(\.node.string) ?? []
                if values.isEmpty {
                    problem(body, name, .missingField, "an enum fact needs its `values`", "add `values: [a, b, …]`")
                }
                type = .enumeration(values)
            case "bool": type = .bool
            case "int": type = .int(min: lowerBound, max: upperBound)
            case "number": type = .number(min: lowerBound, max: upperBound)
            case "text": type = .text
            case "range": type = .range
            default:
                problem(body, name, .invalidField, "unknown fact type '\(typeName ?? "")'",
                        "use one of enum, bool, int, number, text, range")
                continue
            }
            let derived = child(body, "derived")?.node.string == "true"
            var accumulates = false
            if let accumulate = child(body, "accumulate") {
                if accumulate.node.string == "sum", derived, case .int = type {
                    accumulates = true
                } else {
                    problem(accumulate, name, .invalidField, "`accumulate: sum` needs a derived int fact",
                            "declare `type: int` and `derived: true`, or remove `accumulate`")
                }
            }
            var defaultValue: FactValue?
            if let node = child(body, "default") {
                defaultValue = value(node, type: type, subject: name, fact: name)
            }
            declarations.append(FactDeclaration(
                name: name, type: type, derived: derived, accumulates: accumulates, defaultValue: defaultValue,
                doc: child(body, "doc")?.node.string ?? "", line: body.line, slot: declarations.count))
        }
        return FactSchema(declarations)
    }

    // MARK: sources.yml

    mutating func readSources(_ file: Located) -> [String: Source] {
        var sources: [String: Source] = [:]
        guard let entries = child(file, "sources").flatMap({ requireMapping($0, nil, what: "`sources`") }) else { return [:] }
        for (id, body) in entries {
            guard requireMapping(body, id, what: "a source") != nil else { continue }
            checkKeys(body, id, allowed: ["citation", "doi", "tier", "short"])
            guard let citation = requireString(child(body, "citation"), id, field: "citation", in: body),
                  let tierName = requireString(child(body, "tier"), id, field: "tier", in: body)
            else { continue }
            guard let tier = Source.Tier(rawValue: tierName) else {
                problem(child(body, "tier") ?? body, id, .invalidField, "unknown evidence tier '\(tierName)'",
                        "use M (meta-analysis), R (trial), C (consensus), P (practitioner) or S (seed articles)")
                continue
            }
            let short = child(body, "short")?.node.string ?? id
            sources[id] = Source(id: id, citation: citation, doi: child(body, "doi")?.node.string, tier: tier, short: short)
        }
        return sources
    }

    // MARK: advisor.yml

    /// Reads `evaluation_order` (the advice pipeline) and every other `NAME_order` list.
    mutating func readPipelines(_ file: Located, tables: [String: DecisionTable]) -> (tables: [DecisionTable], pipelines: [String: [Int]]) {
        var ordered: [DecisionTable] = []
        var positions: [String: Int] = [:]
        var pipelines: [String: [Int]] = [:]
        for (key, value) in pairs(file) ?? [] {
            guard key.hasSuffix("_order") else {
                problem(value, nil, .unexpectedField, "unknown field `\(key)`",
                        "use `evaluation_order` or another `NAME_order` list of table names")
                continue
            }
            let pipeline = key == "evaluation_order" ? RuleBook.advicePipeline : String(key.dropLast("_order".count))
            guard let list = items(value) else {
                problem(value, nil, .invalidField, "`\(key)` must be a list of table names", "write `\(key): [a, b]`")
                continue
            }
            var indices: [Int] = []
            for item in list {
                let name = item.node.string ?? ""
                guard let table = tables[name] else {
                    problem(item, name, .unknownTable, "no table named '\(name)'",
                            "use one of \(tables.keys.sorted().joined(separator: ", ")) or add the table")
                    continue
                }
                if positions[name] == nil {
                    positions[name] = ordered.count
                    ordered.append(table)
                }
                indices.append(positions[name]!)
            }
            pipelines[pipeline] = indices
        }
        if pipelines[RuleBook.advicePipeline] == nil {
            problem(file, nil, .missingField, "missing `evaluation_order`", "add `evaluation_order: [table, …]`")
        }
        for table in tables.values.sorted(by: { $0.name < $1.name }) where positions[table.name] == nil {
            problems.append(RuleProblem(file: table.file, line: table.line, subject: table.name, code: .unknownTable,
                                        message: "the table is in no evaluation order, so it never runs",
                                        fix: "add '\(table.name)' to `evaluation_order` (or another `NAME_order`) in \(file.file)"))
        }
        return (ordered, pipelines)
    }

    /// A table may read a derived fact only when an earlier table sets it.
    mutating func checkDerivedOrder(_ tables: [DecisionTable], schema: FactSchema) {
        var produced: Set<String> = []
        for table in tables {
            for rule in table.rules {
                for test in rule.condition?.tests ?? [] {
                    var names = [test.fact]
                    if case let .fact(name, _) = test.operand { names.append(name) }
                    for name in names where schema[name]?.derived == true && !produced.contains(name) {
                        problems.append(RuleProblem(
                            file: rule.file, line: test.line, subject: rule.id, code: .derivedTooLate,
                            message: "reads '\(name)', which no earlier table sets",
                            fix: "move the table that sets '\(name)' before '\(table.name)' in the evaluation order"))
                    }
                }
            }
            for rule in table.rules { for output in rule.outputs { produced.insert(output.name) } }
        }
    }

    // MARK: Tables

    mutating func readTable(
        _ file: Located, schema: FactSchema, sources: [String: Source], ruleIDs: inout [String: Located]
    ) -> DecisionTable? {
        checkKeys(file, nil, allowed: ["table", "hit_policy", "description", "rules"])
        guard let name = requireString(child(file, "table"), nil, field: "table", in: file) else { return nil }
        guard let policyName = requireString(child(file, "hit_policy"), name, field: "hit_policy", in: file) else { return nil }
        guard let policy = HitPolicy(rawValue: policyName) else {
            problem(child(file, "hit_policy") ?? file, name, .invalidField, "unknown hit policy '\(policyName)'",
                    "use first, unique or collect")
            return nil
        }
        guard let ruleNodes = child(file, "rules").flatMap(items), !ruleNodes.isEmpty else {
            problem(file, name, .missingField, "the table has no rules", "add `rules:` with at least one rule")
            return nil
        }
        var rules: [Rule] = []
        for (position, node) in ruleNodes.enumerated() {
            if let rule = readRule(node, policy: policy, schema: schema, sources: sources, ruleIDs: &ruleIDs) {
                rules.append(rule)
                _ = position
            }
        }
        // Stable sort keeps file order among equal priorities (collect tables).
        let ordered = rules.enumerated().sorted { ($0.element.priority, -$0.offset) > ($1.element.priority, -$1.offset) }
            .map(\.element)
        return DecisionTable(name: name, hitPolicy: policy, description: child(file, "description")?.node.string ?? "",
                             rules: ordered, file: file.file, line: file.line)
    }

    mutating func readRule(
        _ node: Located, policy: HitPolicy, schema: FactSchema, sources: [String: Source], ruleIDs: inout [String: Located]
    ) -> Rule? {
        guard requireMapping(node, nil, what: "a rule") != nil else { return nil }
        guard let id = requireString(child(node, "id"), nil, field: "id", in: node) else { return nil }
        checkKeys(node, id, allowed: ["id", "priority", "when", "then", "because", "sources", "examples"])
        if let earlier = ruleIDs[id] {
            problem(node, id, .duplicateID, "rule id already used at \(earlier.file):\(earlier.line)", "give every rule its own id")
        } else {
            ruleIDs[id] = node
        }
        var priority = 0
        if let priorityNode = child(node, "priority") {
            if let value = priorityNode.node.string.flatMap(Int.init) {
                priority = value
            } else {
                problem(priorityNode, id, .invalidField, "`priority` must be a whole number", "write `priority: 100`")
            }
        } else if policy == .first {
            problem(node, id, .missingField, "a rule in a `first` table needs a `priority`",
                    "add `priority: N` (higher is tried first)")
        }
        let condition = child(node, "when").flatMap { readCondition($0, id: id, schema: schema) }
        var outputs: [RuleOutput] = []
        if let thenNode = child(node, "then") {
            for (name, valueNode) in requireMapping(thenNode, id, what: "`then`") ?? [] {
                guard let declaration = known(name, at: valueNode, id: id, schema: schema) else { continue }
                guard declaration.derived else {
                    problem(valueNode, id, .notAnOutput, "'\(name)' is an input fact, not an output",
                            "mark it `derived: true` in facts.yml, or set a derived fact instead")
                    continue
                }
                if let value = value(valueNode, type: declaration.type, subject: id, fact: name) {
                    outputs.append(RuleOutput(name: name, slot: declaration.slot, value: value,
                                              accumulates: declaration.accumulates))
                }
            }
        } else {
            problem(node, id, .missingField, "missing `then`", "add `then: { output: value }` (or `then: {}` for 'does not apply')")
        }
        let because = requireString(child(node, "because"), id, field: "because", in: node) ?? ""
        var citations: [String] = []
        if let list = child(node, "sources").flatMap(items), !list.isEmpty {
            for item in list {
                let source = item.node.string ?? ""
                if sources[source] == nil {
                    problem(item, id, .unknownSource, "unknown source id '\(source)'", "add it to sources.yml or fix the id")
                } else {
                    citations.append(source)
                }
            }
        } else {
            problem(node, id, .missingSource, "the rule cites no sources", "add `sources: [id, …]` from sources.yml")
        }
        var examples: [RuleExample] = []
        for exampleNode in child(node, "examples").flatMap(items) ?? [] {
            if let example = readExample(exampleNode, id: id, schema: schema) { examples.append(example) }
        }
        if examples.isEmpty {
            problem(node, id, .missingExample, "the rule has no inline example",
                    "add `examples: [{ given: {fact: value}, expect: {output: value} }]`")
        }
        return Rule(id: id, priority: priority, condition: condition, outputs: outputs, because: because,
                    sources: citations, examples: examples, file: node.file, line: node.line)
    }

    mutating func readExample(_ node: Located, id: String, schema: FactSchema) -> RuleExample? {
        guard requireMapping(node, id, what: "an example") != nil else { return nil }
        checkKeys(node, id, allowed: ["given", "expect"])
        var given: [(name: String, value: FactValue)] = []
        var expect: [(name: String, value: FactValue)] = []
        for (name, valueNode) in child(node, "given").flatMap({ requireMapping($0, id, what: "`given`") }) ?? [] {
            guard let declaration = known(name, at: valueNode, id: id, schema: schema),
                  let value = value(valueNode, type: declaration.type, subject: id, fact: name) else { continue }
            given.append((name: name, value: value))
        }
        guard let expectNode = child(node, "expect") else {
            problem(node, id, .missingField, "the example has no `expect`", "add `expect: { output: value }`")
            return nil
        }
        for (name, valueNode) in requireMapping(expectNode, id, what: "`expect`") ?? [] {
            guard let declaration = known(name, at: valueNode, id: id, schema: schema),
                  let value = value(valueNode, type: declaration.type, subject: id, fact: name) else { continue }
            expect.append((name: name, value: value))
        }
        return RuleExample(given: given, expect: expect, line: node.line)
    }

    mutating func known(_ name: String, at node: Located, id: String, schema: FactSchema) -> FactDeclaration? {
        if let declaration = schema[name] { return declaration }
        let hint = schema.suggestion(for: name).map { " (did you mean '\($0)'?)" } ?? ""
        problem(node, id, .unknownFact, "unknown fact '\(name)'\(hint)", "declare it in facts.yml or fix the name")
        return nil
    }

    // MARK: Conditions

    mutating func readCondition(_ node: Located, id: String, schema: FactSchema) -> Condition? {
        guard let fields = requireMapping(node, id, what: "a condition") else { return nil }
        let keys = Set(fields.map(\.key))
        if keys == ["all"] || keys == ["any"] {
            let isAll = keys == ["all"]
            guard let list = child(node, isAll ? "all" : "any").flatMap(items), !list.isEmpty else {
                problem(node, id, .invalidField, "`\(isAll ? "all" : "any")` must be a non-empty list of conditions",
                        "write `\(isAll ? "all" : "any"): [ {fact: …, op: …, value: …}, … ]`")
                return nil
            }
            let parts = list.compactMap { readCondition($0, id: id, schema: schema) }
            guard parts.count == list.count else { return nil }
            return isAll ? .all(parts) : .any(parts)
        }
        if keys == ["not"], let inner = child(node, "not") {
            return readCondition(inner, id: id, schema: schema).map(Condition.not)
        }
        guard keys.isSubset(of: ["fact", "op", "value"]), keys.contains("fact"), keys.contains("op") else {
            problem(node, id, .invalidField, "a condition is `{fact, op, value}`, `all: […]`, `any: […]` or `not: {…}`",
                    "rewrite the condition in one of those forms")
            return nil
        }
        guard let factNode = child(node, "fact"), let factName = factNode.node.string,
              let declaration = known(factName, at: factNode, id: id, schema: schema) else { return nil }
        let opNode = child(node, "op") ?? node
        guard let op = ComparisonOperator(rawValue: opNode.node.string ?? "") else {
            problem(opNode, id, .unknownOperator, "unknown operator '\(opNode.node.string ?? "")'",
                    "use one of \(ComparisonOperator.allCases.map(\.rawValue).joined(separator: ", "))")
            return nil
        }
        switch declaration.type {
        case .text, .range:
            problem(factNode, id, .typeMismatch, "'\(factName)' is \(declaration.type) and cannot be compared",
                    "compare an enum, bool or number fact instead")
            return nil
        case .enumeration, .bool:
            if [.lt, .lte, .gt, .gte, .between].contains(op) {
                problem(opNode, id, .typeMismatch, "`\(op.rawValue)` needs a number but '\(factName)' is \(declaration.type)",
                        "use eq, ne, in or not_in")
                return nil
            }
        case .int, .number:
            break
        }
        guard let valueNode = child(node, "value") else {
            problem(node, id, .missingField, "the condition has no `value`", "add `value: …`")
            return nil
        }
        let operand: Operand
        switch op {
        case .in, .notIn, .between:
            guard let list = items(valueNode) else {
                problem(valueNode, id, .typeMismatch, "`\(op.rawValue)` needs a list", "write `value: [a, b]`")
                return nil
            }
            let values = list.compactMap { value($0, type: declaration.type, subject: id, fact: factName) }
            guard values.count == list.count else { return nil }
            if op == .between {
                guard values.count == 2, let low = values[0].number, let high = values[1].number, low <= high else {
                    problem(valueNode, id, .invalidField, "`between` needs [low, high] with low ≤ high", "write `value: [1, 5]`")
                    return nil
                }
            }
            operand = .list(values)
        default:
            if let referenced = child(valueNode, "fact"), case .mapping = valueNode.node {
                guard let name = referenced.node.string,
                      let other = known(name, at: referenced, id: id, schema: schema) else { return nil }
                guard other.type.isNumeric == declaration.type.isNumeric, declaration.type.isNumeric else {
                    problem(referenced, id, .typeMismatch, "'\(factName)' and '\(name)' cannot be compared",
                            "compare two number facts")
                    return nil
                }
                operand = .fact(name: name, slot: other.slot)
            } else {
                guard let single = value(valueNode, type: declaration.type, subject: id, fact: factName) else { return nil }
                operand = .value(single)
            }
        }
        return .test(FactTest(fact: factName, slot: declaration.slot, op: op, operand: operand, line: node.line))
    }

    /// A scalar read as a value of `type`; reports what is wrong when it is not one.
    mutating func value(_ node: Located, type: FactType, subject: String, fact: String) -> FactValue? {
        let parsed: FactValue?
        switch type {
        case .range:
            if let list = items(node), list.count == 2,
               let low = list[0].node.string.flatMap(Int.init), let high = list[1].node.string.flatMap(Int.init), low <= high {
                parsed = .range(IntRange(low, high))
            } else {
                parsed = nil
            }
        default:
            guard case let .scalar(scalar) = node.node else {
                problem(node, subject, .typeMismatch, "'\(fact)' needs \(type), not a list or mapping", "write a single value")
                return nil
            }
            let text = scalar.string
            switch type {
            case .enumeration: parsed = .symbol(text)
            case .bool: parsed = text == "true" ? .bool(true) : text == "false" ? .bool(false) : nil
            case .int, .number: parsed = Double(text).map(FactValue.number)
            case .text: parsed = .text(text)
            case .range: parsed = nil
            }
        }
        guard let parsed else {
            problem(node, subject, .typeMismatch, "'\(fact)' needs \(type), got '\(node.node.string ?? "a list")'",
                    "write \(type)")
            return nil
        }
        if let mismatch = type.mismatch(parsed) {
            let code: RuleProblem.Code = if case .enumeration = type { .unknownValue } else { .typeMismatch }
            problem(node, subject, code, "\(mismatch) for '\(fact)'", "use \(type)")
            return nil
        }
        return parsed
    }
}
