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
    private let slots: [String: Int]

    init(_ declarations: [FactDeclaration]) {
        self.declarations = declarations
        var slots: [String: Int] = [:]
        for declaration in declarations { slots[declaration.name] = declaration.slot }
        self.slots = slots
    }

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

/// The facts of one evaluation, held by slot so that evaluating a rule is a few array reads.
public struct FactSet: Sendable, Hashable {
    var values: [FactValue?]

    init(schema: FactSchema) {
        values = schema.declarations.map(\.defaultValue)
    }

    public subscript(slot: Int) -> FactValue? {
        get { values[slot] }
        set { values[slot] = newValue }
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
