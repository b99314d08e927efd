import Foundation

/// Copies a whole store into an empty one of the same schema version, on either backend
/// (`spotter copy-store`: a SQLite deployment moving to PostgreSQL). Every table is copied row
/// for row with its ids, in one read of the source and one transaction on the target, so the
/// target holds all of it or nothing; derived rows (the weekly volume) are rebuilt by the
/// target's own triggers and then compared with the source's.
public enum StoreCopy {
    /// What was copied: rows per table, in the order copied.
    public struct Report: Sendable {
        public var tables: [(name: String, rows: Int)] = []
        public var totalRows: Int { tables.reduce(0) { $0 + $1.rows } }
    }

    /// Why a copy was refused or failed; nothing was written to the target.
    public enum Failure: Error, Sendable, CustomStringConvertible {
        /// The target already holds data (`copy_target_not_empty`).
        case targetNotEmpty(path: String, table: String, rows: Int)
        /// The two stores are not at the same schema version (`copy_schema_mismatch`).
        case schemaMismatch(source: [String], target: [String])
        /// After copying, a derived table differs (`copy_mismatch`).
        case mismatch(table: String, detail: String)
        case store(StoreError)

        public var code: String {
            switch self {
            case .targetNotEmpty: "copy_target_not_empty"
            case .schemaMismatch: "copy_schema_mismatch"
            case .mismatch: "copy_mismatch"
            case let .store(error): error.code
            }
        }

        public var description: String {
            switch self {
            case let .targetNotEmpty(path, table, rows):
                "\(path) already holds data (\(rows) row\(rows == 1 ? "" : "s") in \(table)); copy into a new, empty database "
                    + "(after `spotter migrate --db URL`), so nothing there is overwritten."
            case let .schemaMismatch(source, target):
                "the stores have different tables (only in the source: \(source.joined(separator: ", ")); "
                    + "only in the target: \(target.joined(separator: ", "))); open the source with this Spotter first, "
                    + "and run `spotter migrate` on the target."
            case let .mismatch(table, detail):
                "after copying, \(table) differs between the stores (\(detail)); nothing was stored in the target."
            case let .store(error):
                "\(error)"
            }
        }
    }

    /// Tables that are bookkeeping of the backend or of this copy, not data.
    static let skipped: Set<String> = ["grdb_migrations", "spotter_migrations", "sqlite_sequence", "sqlite_stat1", "set_volume"]
    /// Rows derived from others by triggers: rebuilt on the target, then compared.
    static let derived = ["set_volume"]

    /// Copies every row of `source` into `target`, which must be empty and at the same schema.
    public static func copy(from source: SpotterDatabase, to target: SpotterDatabase) throws(Failure) -> Report {
        // A refusal found inside the target's transaction rolls it back; the store reports it as its own error.
        var refusal: Failure?
        do {
            return try source.read { from in
                try target.write { to in
                    do {
                        return try copy(from.sql, to.sql, targetPath: target.path)
                    } catch let failure as Failure {
                        refusal = failure
                        throw failure
                    }
                }
            }
        } catch {
            throw refusal ?? .store(error)
        }
    }

    static func copy(_ from: any SQLConnection, _ to: any SQLConnection, targetPath: String) throws -> Report {
        let sourceTables = try tables(from), targetTables = try tables(to)
        guard sourceTables == targetTables else {
            throw Failure.schemaMismatch(source: sourceTables.subtracting(targetTables).sorted(),
                                         target: targetTables.subtracting(sourceTables).sorted())
        }
        let names = sourceTables.subtracting(skipped).sorted()
        for name in names + derived {
            let rows: Int = try to.rows("SELECT COUNT(*) FROM \(name)", []).first?[0] ?? 0
            if rows > 0 { throw Failure.targetNotEmpty(path: targetPath, table: name, rows: rows) }
        }
        var report = Report()
        for name in names {
            var copied = 0
            let page = 1000
            while true {
                let rows = try from.rows("SELECT * FROM \(name) LIMIT \(page) OFFSET \(copied)", [])
                for row in rows {
                    let placeholders = Array(repeating: "?", count: row.columns.count).joined(separator: ", ")
                    try to.execute("INSERT INTO \(name) (\(row.columns.joined(separator: ", "))) VALUES (\(placeholders))", row.values)
                }
                copied += rows.count
                if rows.count < page { break }
            }
            report.tables.append((name, copied))
        }
        if to.dialect == .postgres {
            // Rows came with their ids: each identity continues after the highest copied.
            for row in try to.rows("""
                SELECT table_name::text, column_name::text FROM information_schema.columns
                WHERE table_schema = current_schema() AND is_identity = 'YES'
                """, []) {
                let table: String = row[0], column: String = row[1]
                try to.execute("""
                    SELECT setval(pg_get_serial_sequence('\(table)', '\(column)'), COALESCE(MAX(\(column)), 0) + 1, false) FROM \(table)
                    """, [])
            }
        }
        for name in derived {
            let query = "SELECT * FROM \(name)"
            let expected = try from.rows(query, []).map(normalized).sorted()
            let rebuilt = try to.rows(query, []).map(normalized).sorted()
            if expected != rebuilt {
                throw Failure.mismatch(table: name, detail: "\(expected.count) rows in the source, \(rebuilt.count) rebuilt in the target")
            }
        }
        return report
    }

    /// A row as text to compare across backends: numbers to six decimals (sums of floats may
    /// differ in their last bits when added in another order).
    static func normalized(_ row: SQLRow) -> String {
        row.values.map { value in
            switch value {
            case .null: "null"
            case let .integer(number): String(format: "%.6f", Double(number))
            case let .real(number): String(format: "%.6f", number)
            case let .text(text): text.debugDescription
            }
        }.joined(separator: "|")
    }

    /// The store's tables.
    static func tables(_ sql: any SQLConnection) throws -> Set<String> {
        let query = switch sql.dialect {
        case .sqlite: "SELECT name FROM sqlite_master WHERE type = 'table'"
        case .postgres: "SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema()"
        }
        return Set(try sql.rows(query, []).map { $0[0] as String }).subtracting(skipped)
    }
}
