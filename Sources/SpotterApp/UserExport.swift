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
                    case let .number(number): number.rounded() == number && abs(number) < 1e15 ? String(Int64(number)) : String(number)
                    default: quote(cell.1.serialized())
                    }
                }.joined(separator: ",") + "\n"
            }
        }
        return out
    }

    static func quote(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
