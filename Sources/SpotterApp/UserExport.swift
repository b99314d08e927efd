import Foundation
import SpotterCore

/// The data-rights export: everything stored about one user.
public enum UserExport {
    public static func json(user: String, tables: [(table: String, rows: [[(String, JSONValue)]])]) -> JSONValue {
        .object([("user", .string(user))] + tables.map { table in
            (table.table, JSONValue.array(table.rows.map { row in .object(row.map { (key: $0.0, value: $0.1) }) }))
        })
    }

    /// One CSV section per table: a `# table` line, a header, then rows (RFC 4180 quoting).
    public static func csv(_ tables: [(table: String, rows: [[(String, JSONValue)]])]) -> String {
        var out = ""
        for table in tables {
            out += "# \(table.table)\n"
            guard let first = table.rows.first else { continue }
            out += first.map { quote($0.0) }.joined(separator: ",") + "\n"
            for row in table.rows {
                out += row.map { cell in
                    switch cell.1 {
                    case .null: ""
                    case let .string(text): quote(text)
                    case let .number(number):
                        quote(number.rounded() == number && abs(number) < 1e15 ? String(Int64(number)) : String(number))
                    case let .bool(flag): flag ? "true" : "false"
                    default: quote(cell.1.serialized())
                    }
                }.joined(separator: ",") + "\n"
            }
        }
        return out
    }

    /// One cell: neutralised against formula injection, then quoted (RFC 4180) where needed.
    static func quote(_ text: String) -> String {
        let text = neutralised(text)
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// A spreadsheet runs a cell starting with `=`, `+`, `-`, `@`, tab or CR as a formula
    /// (OWASP "CSV injection"); a leading `'` makes it text and keeps what was stored readable.
    static func neutralised(_ text: String) -> String {
        guard let first = text.unicodeScalars.first, ["=", "+", "-", "@", "\t", "\r"].contains(first) else { return text }
        return "'" + text
    }

    /// The sets as a lifter reads them, for a spreadsheet: one row per logged entry, oldest first,
    /// ISO 8601 times (UTC), loads in the user's unit (the unit they log in most).
    public static func setLog(_ sets: [(set: SetRecord, importID: Int64?, source: String?)], catalogue: ExerciseCatalogue)
        -> (table: String, rows: [[(String, JSONValue)]]) {
        let units = sets.compactMap(\.set.unit)
        let unit: LoadUnit = units.count(where: { $0 == .pounds }) > units.count / 2 ? .pounds : .kilograms
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        func amount(_ kilograms: Double?) -> JSONValue {
            guard let kilograms else { return .null }
            return .number(((kilograms / unit.kilograms) * 100).rounded() / 100)
        }
        let rows: [[(String, JSONValue)]] = sets.map { entry in
            let set = entry.set
            return [
                ("time", .string(formatter.string(from: Date(timeIntervalSince1970: set.loggedAt.rounded(.down))))),
                ("exercise", .string(catalogue[set.exerciseID]?.name ?? set.exerciseID)), ("exercise_id", .string(set.exerciseID)),
                ("load", amount(set.loadKilograms)), ("unit", .string(unit.rawValue)), ("sets", .number(Double(set.sets))),
                ("reps", .number(Double(set.reps))), ("rir", set.repsInReserve.map(JSONValue.number) ?? .null),
                ("to_failure", .bool(set.isFailure)), ("e1rm", amount(set.estimatedOneRepMaxKilograms)),
                ("source", .string(entry.importID.map { "import \($0) (\(entry.source ?? "file"))" } ?? "chat")),
            ]
        }
        return ("set_log", rows)
    }
}
