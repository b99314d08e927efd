import SpotterCore

/// A validated rule book in snapshot form: every table, rule, condition, example and source,
/// so a later start rebuilds the same book without YAML. Positions that the evaluator indexes
/// by (fact slots, pipeline tables) are checked on reading, so a damaged snapshot is refused
/// rather than trusted.
extension RuleBook {
    public func write(to writer: inout SnapshotWriter) {
        writer.int(schema.declarations.count)
        for declaration in schema.declarations {
            writer.string(declaration.name)
            Self.write(declaration.type, to: &writer)
            writer.bool(declaration.derived)
            writer.bool(declaration.accumulates)
            if let value = declaration.defaultValue { writer.bool(true); Self.write(value, to: &writer) } else { writer.bool(false) }
            writer.string(declaration.doc)
            writer.int(declaration.line)
            writer.int(declaration.slot)
        }
        let sourceIDs = sources.keys.sorted()
        writer.int(sourceIDs.count)
        for id in sourceIDs {
            let source = sources[id]!
            writer.string(id)
            writer.string(source.id)
            writer.string(source.citation)
            writer.optionalString(source.doi)
            writer.string(source.tier.rawValue)
            writer.string(source.short)
        }
        writer.int(tables.count)
        for table in tables {
            writer.string(table.name)
            writer.string(table.hitPolicy.rawValue)
            writer.string(table.description)
            writer.string(table.file)
            writer.int(table.line)
            writer.int(table.rules.count)
            for rule in table.rules { Self.write(rule, to: &writer) }
        }
        let names = pipelines.keys.sorted()
        writer.int(names.count)
        for name in names {
            writer.string(name)
            let positions = pipelines[name]!
            writer.int(positions.count)
            for position in positions { writer.int(position) }
        }
    }

    public static func read(from reader: inout SnapshotReader) throws(SnapshotError) -> RuleBook {
        let declarationCount = try reader.count(elementSize: 20)
        var declarations: [FactDeclaration] = []
        declarations.reserveCapacity(declarationCount)
        for position in 0..<declarationCount {
            let name = try reader.string()
            let type = try readType(&reader)
            let derived = try reader.bool(), accumulates = try reader.bool()
            let defaultValue = try reader.bool() ? try readValue(&reader) : nil
            let doc = try reader.string(), line = try reader.int(), slot = try reader.int()
            guard slot == position else { throw SnapshotError("fact '\(name)' is out of place") }
            declarations.append(FactDeclaration(name: name, type: type, derived: derived, accumulates: accumulates,
                                                defaultValue: defaultValue, doc: doc, line: line, slot: slot))
        }
        let slots = declarations.count
        var sources: [String: Source] = [:]
        let sourceCount = try reader.count(elementSize: 20)
        sources.reserveCapacity(sourceCount)
        for _ in 0..<sourceCount {
            let key = try reader.string()
            let id = try reader.string(), citation = try reader.string(), doi = try reader.optionalString()
            let tier = try reader.raw(Source.Tier.self), short = try reader.string()
            sources[key] = Source(id: id, citation: citation, doi: doi, tier: tier, short: short)
        }
        let tableCount = try reader.count(elementSize: 32)
        var tables: [DecisionTable] = []
        tables.reserveCapacity(tableCount)
        for _ in 0..<tableCount {
            let name = try reader.string(), policy = try reader.raw(HitPolicy.self), description = try reader.string()
            let file = try reader.string(), line = try reader.int()
            let ruleCount = try reader.count(elementSize: 40)
            var rules: [Rule] = []
            rules.reserveCapacity(ruleCount)
            for _ in 0..<ruleCount { rules.append(try readRule(&reader, slots: slots)) }
            tables.append(DecisionTable(name: name, hitPolicy: policy, description: description, rules: rules, file: file, line: line))
        }
        var pipelines: [String: [Int]] = [:]
        for _ in 0..<(try reader.count(elementSize: 12)) {
            let name = try reader.string()
            var positions: [Int] = []
            for _ in 0..<(try reader.count(elementSize: 8)) {
                let position = try reader.int()
                guard position >= 0, position < tables.count else { throw SnapshotError("pipeline '\(name)' names a missing table") }
                positions.append(position)
            }
            pipelines[name] = positions
        }
        return RuleBook(schema: FactSchema(declarations), sources: sources, tables: tables, pipelines: pipelines)
    }

    // MARK: Parts

    private static func write(_ rule: Rule, to writer: inout SnapshotWriter) {
        writer.string(rule.id)
        writer.int(rule.priority)
        if let condition = rule.condition { writer.bool(true); write(condition, to: &writer) } else { writer.bool(false) }
        writer.int(rule.outputs.count)
        for output in rule.outputs {
            writer.string(output.name)
            writer.int(output.slot)
            write(output.value, to: &writer)
            writer.bool(output.accumulates)
        }
        writer.string(rule.because)
        writer.strings(rule.sources)
        writer.int(rule.examples.count)
        for example in rule.examples {
            writer.int(example.given.count)
            for (name, value) in example.given { writer.string(name); write(value, to: &writer) }
            writer.int(example.expect.count)
            for (name, value) in example.expect { writer.string(name); write(value, to: &writer) }
            writer.int(example.line)
        }
        writer.string(rule.file)
        writer.int(rule.line)
    }

    private static func readRule(_ reader: inout SnapshotReader, slots: Int) throws(SnapshotError) -> Rule {
        let id = try reader.string(), priority = try reader.int()
        let condition = try reader.bool() ? try readCondition(&reader, slots: slots, depth: 0) : nil
        var outputs: [RuleOutput] = []
        for _ in 0..<(try reader.count(elementSize: 14)) {
            let name = try reader.string(), slot = try checkedSlot(&reader, slots)
            let value = try readValue(&reader), accumulates = try reader.bool()
            outputs.append(RuleOutput(name: name, slot: slot, value: value, accumulates: accumulates))
        }
        let because = try reader.string(), sources = try reader.strings()
        var examples: [RuleExample] = []
        for _ in 0..<(try reader.count(elementSize: 24)) {
            var given: [(name: String, value: FactValue)] = []
            for _ in 0..<(try reader.count(elementSize: 5)) { given.append((try reader.string(), try readValue(&reader))) }
            var expect: [(name: String, value: FactValue)] = []
            for _ in 0..<(try reader.count(elementSize: 5)) { expect.append((try reader.string(), try readValue(&reader))) }
            examples.append(RuleExample(given: given, expect: expect, line: try reader.int()))
        }
        let file = try reader.string(), line = try reader.int()
        return Rule(id: id, priority: priority, condition: condition, outputs: outputs, because: because,
                    sources: sources, examples: examples, file: file, line: line)
    }

    private static func checkedSlot(_ reader: inout SnapshotReader, _ slots: Int) throws(SnapshotError) -> Int {
        let slot = try reader.int()
        guard slot >= 0, slot < slots else { throw SnapshotError("a fact slot is out of range") }
        return slot
    }

    private static func write(_ condition: Condition, to writer: inout SnapshotWriter) {
        switch condition {
        case let .test(test):
            writer.byte(0)
            writer.string(test.fact)
            writer.int(test.slot)
            writer.string(test.op.rawValue)
            switch test.operand {
            case let .value(value): writer.byte(0); write(value, to: &writer)
            case let .list(values): writer.byte(1); writer.int(values.count); for value in values { write(value, to: &writer) }
            case let .fact(name, slot): writer.byte(2); writer.string(name); writer.int(slot)
            }
            writer.int(test.line)
        case let .all(parts):
            writer.byte(1)
            writer.int(parts.count)
            for part in parts { write(part, to: &writer) }
        case let .any(parts):
            writer.byte(2)
            writer.int(parts.count)
            for part in parts { write(part, to: &writer) }
        case let .not(inner):
            writer.byte(3)
            write(inner, to: &writer)
        }
    }

    private static func readCondition(_ reader: inout SnapshotReader, slots: Int, depth: Int) throws(SnapshotError) -> Condition {
        // The loader bounds nesting; a snapshot nested deeper than any rule file could be is damaged.
        guard depth < 64 else { throw SnapshotError("a condition is nested too deep") }
        let kind = try reader.byte()
        switch kind {
        case 0:
            let fact = try reader.string(), slot = try checkedSlot(&reader, slots)
            let op = try reader.raw(ComparisonOperator.self)
            let operand: Operand
            switch try reader.byte() {
            case 0: operand = .value(try readValue(&reader))
            case 1:
                var values: [FactValue] = []
                for _ in 0..<(try reader.count(elementSize: 2)) { values.append(try readValue(&reader)) }
                operand = .list(values)
            case 2: operand = .fact(name: try reader.string(), slot: try checkedSlot(&reader, slots))
            default: throw SnapshotError("unknown operand kind")
            }
            return .test(FactTest(fact: fact, slot: slot, op: op, operand: operand, line: try reader.int()))
        case 1, 2:
            var parts: [Condition] = []
            for _ in 0..<(try reader.count(elementSize: 2)) { parts.append(try readCondition(&reader, slots: slots, depth: depth + 1)) }
            return kind == 1 ? .all(parts) : .any(parts)
        case 3:
            return .not(try readCondition(&reader, slots: slots, depth: depth + 1))
        default:
            throw SnapshotError("unknown condition kind")
        }
    }

    private static func write(_ value: FactValue, to writer: inout SnapshotWriter) {
        switch value {
        case let .symbol(symbol): writer.byte(0); writer.string(symbol)
        case let .bool(flag): writer.byte(1); writer.bool(flag)
        case let .number(number): writer.byte(2); writer.double(number)
        case let .text(text): writer.byte(3); writer.string(text)
        case let .range(range): writer.byte(4); writer.int(range.min); writer.int(range.max)
        }
    }

    private static func readValue(_ reader: inout SnapshotReader) throws(SnapshotError) -> FactValue {
        switch try reader.byte() {
        case 0: .symbol(try reader.string())
        case 1: .bool(try reader.bool())
        case 2: .number(try reader.double())
        case 3: .text(try reader.string())
        case 4: .range(IntRange(try reader.int(), try reader.int()))
        default: throw SnapshotError("unknown value kind")
        }
    }

    private static func write(_ type: FactType, to writer: inout SnapshotWriter) {
        func bound(_ value: Double?) {
            if let value { writer.bool(true); writer.double(value) } else { writer.bool(false) }
        }
        switch type {
        case let .enumeration(values): writer.byte(0); writer.strings(values)
        case .bool: writer.byte(1)
        case let .int(min, max): writer.byte(2); bound(min); bound(max)
        case let .number(min, max): writer.byte(3); bound(min); bound(max)
        case .text: writer.byte(4)
        case .range: writer.byte(5)
        }
    }

    private static func readType(_ reader: inout SnapshotReader) throws(SnapshotError) -> FactType {
        func bound() throws(SnapshotError) -> Double? { try reader.bool() ? try reader.double() : nil }
        switch try reader.byte() {
        case 0: return .enumeration(try reader.strings())
        case 1: return .bool
        case 2: let min = try bound(); return .int(min: min, max: try bound())
        case 3: let min = try bound(); return .number(min: min, max: try bound())
        case 4: return .text
        case 5: return .range
        default: throw SnapshotError("unknown fact type")
        }
    }
}
