import Foundation
import SpotterTesting
import Testing

/// Cells of an RFC 4180 CSV text (quoted cells unquoted), row by row; `#` section lines kept as one cell.
func csvCells(_ text: String) -> [[String]] {
    var rows: [[String]] = []
    var row: [String] = []
    var cell = ""
    var quoted = false
    var index = text.startIndex
    while index < text.endIndex {
        let character = text[index]
        if quoted {
            if character == "\"" {
                let next = text.index(after: index)
                if next < text.endIndex, text[next] == "\"" { cell.append("\""); index = next } else { quoted = false }
            } else {
                cell.append(character)
            }
        } else if character == "\"" {
            quoted = true
        } else if character == "," {
            row.append(cell); cell = ""
        } else if character == "\n" {
            row.append(cell); rows.append(row); row = []; cell = ""
        } else {
            cell.append(character)
        }
        index = text.index(after: index)
    }
    if !cell.isEmpty || !row.isEmpty { row.append(cell); rows.append(row) }
    return rows
}

@Suite("spotter export --format csv")
struct ExportCSVTests {
    @Test("every CSV cell is neutralised against formula injection")
    func csvCellsAreNeutralisedAgainstFormulaInjection() throws {
        let folder = try temporaryFolder("spotter-csv")
        defer { try? FileManager.default.removeItem(at: folder) }
        let db = folder.appendingPathComponent("s.sqlite").path
        let user = "=HYPERLINK(\\\"http://evil.example\\\",\\\"x\\\")"
        let input = ["skip", "bench 60kg x 8 @ rir 2", "check in"]
            .map { "{\"user\": \"\(user)\", \"room\": \"+SUM(A1:A9)\", \"text\": \"\($0)\"}" }.joined(separator: "\n") + "\n"
        let chat = try runSpotter(["chat", "--jsonl", "--db", db], stdin: input)
        #expect(chat.status == 0)
        let export = try runSpotter(["export", "--user", "=HYPERLINK(\"http://evil.example\",\"x\")", "--format", "csv", "--db", db])
        #expect(export.status == 0, "\(export.stderr)")
        let rows = csvCells(export.stdout).filter { !($0.first?.hasPrefix("# ") ?? false) }
        #expect(rows.count > 4)
        for row in rows {
            for cell in row {
                let first = cell.unicodeScalars.first
                #expect(first == nil || !["=", "+", "-", "@", "\t", "\r"].contains(first!), "cell \(cell) starts a formula")
            }
        }
        // What was stored is still all there, behind the leading quote.
        #expect(rows.contains { $0.contains("'=HYPERLINK(\"http://evil.example\",\"x\")") })
        #expect(rows.contains { $0.contains("'+SUM(A1:A9)") })
    }

    @Test("the CSV export has a table of sets with ISO 8601 times and the user's unit")
    func setTable() throws {
        let folder = try temporaryFolder("spotter-csv")
        defer { try? FileManager.default.removeItem(at: folder) }
        let db = folder.appendingPathComponent("s.sqlite").path
        let input = ["skip", "bench 135 lb x 8 @ rir 2", "squat 225 lb 5x5"]
            .map { "{\"user\": \"gail\", \"text\": \"\($0)\"}" }.joined(separator: "\n") + "\n"
        _ = try runSpotter(["chat", "--jsonl", "--db", db], stdin: input)
        let export = try runSpotter(["export", "--user", "gail", "--format", "csv", "--db", db])
        let rows = csvCells(export.stdout)
        let start = try #require(rows.firstIndex { $0 == ["# set_log"] })
        let header = rows[start + 1]
        #expect(header == ["time", "exercise", "exercise_id", "load", "unit", "sets", "reps", "rir", "to_failure", "e1rm", "source"])
        let bench = rows[start + 2]
        #expect(bench[0].range(of: #"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$"#, options: .regularExpression) != nil, "\(bench[0])")
        #expect(bench[1] == "Barbell Bench Press - Medium Grip")
        #expect(bench[3] == "135" && bench[4] == "lb" && bench[5] == "1" && bench[6] == "8" && bench[7] == "2")
        let squat = rows[start + 3]
        #expect(squat[3] == "225" && squat[4] == "lb" && squat[5] == "5" && squat[6] == "5")
        #expect(squat[10] == "chat")
    }
}
