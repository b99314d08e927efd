import SpotterCore

/// A value a fact can take, or a rule can output.
public enum FactValue: Sendable, Hashable, CustomStringConvertible {
    /// One of an enumeration's declared values (`axial`, `beginner`…).
    case symbol(String)
    case bool(Bool)
    /// Integers and decimals alike; the declaration says which are allowed.
    case number(Double)
    /// Free text, for outputs such as notes.
    case text(String)
    /// A `[min, max]` range of whole numbers, for outputs such as the RIR target.
    case range(IntRange)

    public var description: String {
        switch self {
        case let .symbol(value): value
        case let .bool(value): value ? "true" : "false"
        case let .number(value): value.rounded() == value && abs(value) < 1e15 ? String(Int(value)) : String(value)
        case let .text(value): "\"\(value)\""
        case let .range(value): "[\(value.min), \(value.max)]"
        }
    }

    var number: Double? {
        if case let .number(value) = self { return value }
        return nil
    }

    /// The string a symbol or text holds, as a list (empty for other values).
    var strings: [String] {
        switch self {
        case let .symbol(value), let .text(value): [value]
        default: []
        }
    }
}

/// The type of a declared fact, with its allowed values.
public enum FactType: Sendable, Hashable, CustomStringConvertible {
    case enumeration([String])
    case bool
    case int(min: Double?, max: Double?)
    case number(min: Double?, max: Double?)
    case text
    case range

    public var description: String {
        switch self {
        case let .enumeration(values): "one of [\(values.joined(separator: ", "))]"
        case .bool: "true or false"
        case let .int(min, max): "a whole number" + Self.bounds(min, max)
        case let .number(min, max): "a number" + Self.bounds(min, max)
        case .text: "text"
        case .range: "a range [min, max] of whole numbers"
        }
    }

    private static func bounds(_ min: Double?, _ max: Double?) -> String {
        switch (min, max) {
        case let (lo?, hi?): " from \(FactValue.number(lo)) to \(FactValue.number(hi))"
        case let (lo?, nil): " of at least \(FactValue.number(lo))"
        case let (nil, hi?): " of at most \(FactValue.number(hi))"
        case (nil, nil): ""
        }
    }

    /// Whether conditions may compare this type with `lt`, `gt`, `between`…
    var isNumeric: Bool {
        switch self {
        case .int, .number: true
        default: false
        }
    }

    /// Why `value` is not of this type, or nil when it is.
    func mismatch(_ value: FactValue) -> String? {
        switch (self, value) {
        case let (.enumeration(values), .symbol(symbol)):
            return values.contains(symbol) ? nil : "'\(symbol)' is not an allowed value"
        case (.bool, .bool), (.text, .text), (.range, .range):
            return nil
        case let (.int(min, max), .number(number)):
            if number.rounded() != number { return "\(value) is not a whole number" }
            return Self.outside(number, min, max)
        case let (.number(min, max), .number(number)):
            return Self.outside(number, min, max)
        default:
            return "\(value) is not \(description)"
        }
    }

    private static func outside(_ number: Double, _ min: Double?, _ max: Double?) -> String? {
        if let min, number < min { return "\(FactValue.number(number)) is below the minimum \(FactValue.number(min))" }
        if let max, number > max { return "\(FactValue.number(number)) is above the maximum \(FactValue.number(max))" }
        return nil
    }
}

/// One fact declared in `facts.yml`.
public struct FactDeclaration: Sendable, Hashable {
    public var name: String
    public var type: FactType
    /// Set by a table rather than by the caller.
    public var derived: Bool
    /// Outputs add to the value instead of replacing it (`accumulate: sum`, int facts).
    public var accumulates: Bool
    /// The value used when nobody supplies one; without it, a missing fact fails every condition.
    public var defaultValue: FactValue?
    public var doc: String
    /// Where it was declared.
    public var line: Int
    /// Its position in a ``FactSet``.
    public var slot: Int
}

/// Every declared fact, by name and by slot.
public struct FactSchema: Sendable {
    public let declarations: [FactDeclaration]
    private let slots: WordTable<Int>
    /// The strings the facts of this schema are expected to hold; a ``RuleBook`` adds its rules' constants.
    let strings: FactStrings
    /// Every slot's default, as a fact set keeps it: a new fact set is a copy.
    let defaults: [StoredFact]

    init(_ declarations: [FactDeclaration], moreStrings: [String] = []) {
        self.declarations = declarations
        var slots = WordTable<Int>(minimumCapacity: declarations.count)
        for declaration in declarations { slots.updateValue(declaration.slot, forKey: declaration.name) }
        self.slots = slots
        var strings: [String] = []
        for declaration in declarations {
            if case let .enumeration(values) = declaration.type { strings += values }
            switch declaration.defaultValue {
            case let .symbol(value)?, let .text(value)?: strings.append(value)
            default: break
            }
        }
        let table = FactStrings(strings + moreStrings)
        self.strings = table
        // Every default's string is in the table, so none needs a set's own list.
        self.defaults = declarations.map { FactStrings.stored($0.defaultValue, table) }
    }

    /// This schema, its strings including `more` (the constants of a rule book's rules).
    func adding(strings more: [String]) -> FactSchema { FactSchema(declarations, moreStrings: more) }

    public subscript(name: String) -> FactDeclaration? {
        slots[name].map { declarations[$0] }
    }

    /// The slot of a declared fact.
    public func slot(_ name: String) -> Int? { slots[name] }

    /// The declared name closest to a misspelt one, for "did you mean".
    func suggestion(for name: String) -> String? {
        let best = declarations.map { ($0.name, editDistance($0.name, name)) }.min { $0.1 < $1.1 }
        guard let best, best.1 <= max(2, name.count / 3) else { return nil }
        return best.0
    }
}

/// The strings a rule book's facts hold (declared enumeration values, rule constants and
/// outputs), each once, so that a fact set keeps a number for each instead of a `String`.
final class FactStrings: Sendable {
    let strings: [String]
    private let ids: WordTable<Int32>

    init(_ all: [String]) {
        var strings: [String] = []
        var ids = WordTable<Int32>(minimumCapacity: all.count)
        for string in all where ids[string] == nil {
            ids.updateValue(Int32(strings.count), forKey: string)
            strings.append(string)
        }
        self.strings = strings
        self.ids = ids
    }

    func id(_ string: String) -> Int32? { ids[string] }

    /// A value numbered in `table`, or `.none` when its string is not there (or there is no value).
    static func stored(_ value: FactValue?, _ table: FactStrings) -> StoredFact {
        switch value {
        case nil: .none
        case let .symbol(string)?: table.id(string).map { .symbol($0) } ?? .none
        case let .text(string)?: table.id(string).map { .text($0) } ?? .none
        case let .bool(value)?: .bool(value)
        case let .number(value)?: .number(value)
        case let .range(range)?: .range(range.min, range.max)
        }
    }
}

/// A fact's value as a ``FactSet`` keeps it: plain bits, so copying a fact set (each evaluation
/// and each what-if trial does) is a memory copy. Copying `FactValue`s, which hold strings, went
/// through a runtime call per slot, and was a seventh of the time per message.
enum StoredFact: Sendable, Equatable {
    case none
    /// A string by its id: in ``FactStrings`` when not negative, else in the set's own `extra`.
    case symbol(Int32)
    case text(Int32)
    case bool(Bool)
    case number(Double)
    case range(Int, Int)

    var number: Double? {
        if case let .number(value) = self { return value }
        return nil
    }
}

/// The facts of one evaluation, held by slot so that evaluating a rule is a few array reads.
public struct FactSet: Sendable, Hashable {
    var stored: [StoredFact]
    let strings: FactStrings
    /// Strings set that the rule book does not know (free text from a caller), each once; a
    /// ``StoredFact`` refers to `extra[i]` as `-1 - i`, so it never equals a known string's id.
    private var extra: [String] = []

    init(schema: FactSchema) {
        strings = schema.strings
        stored = schema.defaults
    }

    public subscript(slot: Int) -> FactValue? {
        get { decode(stored[slot]) }
        set { stored[slot] = encode(newValue) }
    }

    /// How many slots the set has.
    var count: Int { stored.count }

    /// Puts back `slots` as they are in `source`, a set this one was copied from: the stored
    /// values move as they are, with no string looked up.
    public mutating func restore(_ slots: [Int], from source: FactSet) {
        for slot in slots { stored[slot] = source.stored[slot] }
    }

    func decode(_ value: StoredFact) -> FactValue? {
        switch value {
        case .none: nil
        case let .symbol(id): .symbol(string(id))
        case let .text(id): .text(string(id))
        case let .bool(value): .bool(value)
        case let .number(value): .number(value)
        case let .range(min, max): .range(IntRange(min, max))
        }
    }

    mutating func encode(_ value: FactValue?) -> StoredFact {
        switch value {
        case nil: .none
        case let .symbol(string)?: .symbol(id(string))
        case let .text(string)?: .text(id(string))
        case let .bool(value)?: .bool(value)
        case let .number(value)?: .number(value)
        case let .range(range)?: .range(range.min, range.max)
        }
    }

    private func string(_ id: Int32) -> String { id >= 0 ? strings.strings[Int(id)] : extra[Int(-1 - id)] }

    private mutating func id(_ string: String) -> Int32 {
        if let id = strings.id(string) { return id }
        if let index = extra.firstIndex(of: string) { return Int32(-1 - index) }
        extra.append(string)
        return Int32(-extra.count)
    }

    public static func == (lhs: FactSet, rhs: FactSet) -> Bool {
        lhs.count == rhs.count && (0..<lhs.count).allSatisfy { lhs[$0] == rhs[$0] }
    }

    public func hash(into hasher: inout Hasher) {
        for slot in 0..<count { hasher.combine(self[slot]) }
    }
}

/// Levenshtein distance, small and allocation-light; used for "did you mean" hints.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a.utf8), b = Array(b.utf8)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        current[0] = i
        for j in 1...b.count {
            let cost = a[i - 1] == b[j - 1] ? 0 : 1
            current[j] = Swift.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
        }
        swap(&previous, &current)
    }
    return previous[b.count]
}
