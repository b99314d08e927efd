import SpotterCore

/// A value as the store reads and writes it: the four kinds both backends share. Booleans are
/// stored as integers (0 or 1) on both, so a query means the same on either.
public enum SQLValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
}

/// A Swift value a query takes as an argument.
public protocol SQLArgument {
    var sqlValue: SQLValue { get }
}

extension String: SQLArgument { public var sqlValue: SQLValue { .text(self) } }
extension Int: SQLArgument { public var sqlValue: SQLValue { .integer(Int64(self)) } }
extension Int64: SQLArgument { public var sqlValue: SQLValue { .integer(self) } }
extension Double: SQLArgument { public var sqlValue: SQLValue { .real(self) } }
extension Bool: SQLArgument { public var sqlValue: SQLValue { .integer(self ? 1 : 0) } }
extension Optional: SQLArgument where Wrapped: SQLArgument {
    public var sqlValue: SQLValue { self?.sqlValue ?? .null }
}

/// A Swift value a column is read as.
public protocol SQLColumn {
    /// nil when the stored value cannot be read as this type.
    static func read(_ value: SQLValue) -> Self?
}

extension String: SQLColumn {
    public static func read(_ value: SQLValue) -> String? {
        switch value {
        case let .text(text): text
        case let .integer(number): String(number)
        case let .real(number): String(number)
        case .null: nil
        }
    }
}

extension Int64: SQLColumn {
    public static func read(_ value: SQLValue) -> Int64? {
        switch value {
        case let .integer(number): number
        case let .real(number): number.isFinite ? Int64(exactly: number.rounded(.towardZero)) : nil
        case let .text(text): Int64(text)
        case .null: nil
        }
    }
}

extension Int: SQLColumn {
    public static func read(_ value: SQLValue) -> Int? { Int64.read(value).flatMap { Int(exactly: $0) } }
}

extension Double: SQLColumn {
    public static func read(_ value: SQLValue) -> Double? {
        switch value {
        case let .real(number): number
        case let .integer(number): Double(number)
        case let .text(text): Double(text)
        case .null: nil
        }
    }
}

extension Bool: SQLColumn {
    public static func read(_ value: SQLValue) -> Bool? { Int64.read(value).map { $0 != 0 } }
}

extension Optional: SQLColumn where Wrapped: SQLColumn {
    public static func read(_ value: SQLValue) -> Wrapped?? {
        if case .null = value { return .some(nil) }
        return Wrapped.read(value).map { .some($0) }
    }
}

/// One row of a result: its values by position and by column name.
public struct SQLRow: Sendable {
    public let columns: [String]
    public let values: [SQLValue]

    public init(columns: [String], values: [SQLValue]) {
        self.columns = columns
        self.values = values
    }

    /// The value at `index` as `T`. A NULL or a value of another kind read as a non-optional type
    /// is a schema bug (the column is NOT NULL and typed), so it stops with the column's name.
    public subscript<T: SQLColumn>(_ index: Int) -> T {
        let value = index < values.count ? values[index] : .null
        guard let read = T.read(value) else {
            preconditionFailure("column \(index < columns.count ? columns[index] : "#\(index)") holds \(value), not \(T.self)")
        }
        return read
    }

    public subscript<T: SQLColumn>(_ name: String) -> T {
        // The last column of that name wins, as `SELECT *, x AS name` means.
        guard let index = columns.lastIndex(of: name) else {
            if let absent = T.read(.null) { return absent }
            preconditionFailure("no column \(name)")
        }
        return self[index]
    }
}

/// Which SQL a backend speaks, where the two differ.
public enum SQLDialect: Sendable {
    case sqlite
    case postgres
}

/// One connection inside one transaction (`SpotterDatabase.write` or `read`). Queries use `?`
/// placeholders on both backends.
public protocol SQLConnection {
    var dialect: SQLDialect { get }
    /// Runs a statement; returns how many rows it changed.
    @discardableResult
    func execute(_ sql: String, _ arguments: [SQLValue]) throws -> Int
    /// Runs a query and returns its rows.
    func rows(_ sql: String, _ arguments: [SQLValue]) throws -> [SQLRow]
    /// Runs an INSERT into a table whose key is `id` and returns the new row's id.
    func insert(_ sql: String, _ arguments: [SQLValue]) throws -> Int64
}

extension SQLConnection {
    @discardableResult
    func execute(_ sql: String, _ arguments: any SQLArgument...) throws -> Int {
        try execute(sql, arguments.map(\.sqlValue))
    }

    func rows(_ sql: String, _ arguments: any SQLArgument...) throws -> [SQLRow] {
        try rows(sql, arguments.map(\.sqlValue))
    }

    func row(_ sql: String, _ arguments: any SQLArgument...) throws -> SQLRow? {
        try rows(sql, arguments.map(\.sqlValue)).first
    }

    /// The first column of the first row, nil when there is no row or it is NULL.
    func value<T: SQLColumn>(_ sql: String, _ arguments: any SQLArgument...) throws -> T? {
        guard let row = try rows(sql, arguments.map(\.sqlValue)).first, let first = row.values.first else { return nil }
        return T.read(first)
    }

    /// The first column of every row.
    func column<T: SQLColumn>(_ sql: String, _ arguments: any SQLArgument...) throws -> [T] {
        try rows(sql, arguments.map(\.sqlValue)).compactMap { $0.values.first.flatMap(T.read) }
    }

    func insert(_ sql: String, _ arguments: any SQLArgument...) throws -> Int64 {
        try insert(sql, arguments.map(\.sqlValue))
    }
}

/// A store's backend: where the data is and how a transaction runs there. ``SpotterDatabase`` is
/// the same on both; only this differs.
public protocol StoreBackend: Sendable {
    /// Where the data is, as said to people: a file path, or a PostgreSQL URL without its password.
    var location: String { get }
    /// Whether opening the store created it.
    var created: Bool { get }
    /// The migrations opening it applied, in order (none when its schema was current).
    var applied: [String] { get }
    var dialect: SQLDialect { get }
    /// Runs `work` in one write transaction: all of it is stored, or none.
    func write<T>(_ work: (any SQLConnection) throws -> T) throws -> T
    /// Runs `work` with read access.
    func read<T>(_ work: (any SQLConnection) throws -> T) throws -> T
    /// The store error an error of this backend means.
    func storeError(_ error: any Error) -> StoreError
    /// The storage failure (full, read-only, unreachable) an error of a write means, or nil.
    func storageFailure(_ error: any Error) -> WriteHealth.Failure?
}

/// One schema version: its identifier (the same on both backends) and what it runs.
public struct Migration: Sendable {
    public var identifier: String
    public var statements: [String]

    public init(_ identifier: String, _ statements: [String]) {
        self.identifier = identifier
        self.statements = statements
    }
}
