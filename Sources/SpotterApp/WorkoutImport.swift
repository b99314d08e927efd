import Foundation
import SpotterCore
import SpotterStore
import SpotterUnderstanding

/// Reads the CSV exports of Strong and Hevy into sets, maps their exercise names to the
/// catalogue, and stores them as one import (one transaction) that can be undone.
///
/// The layouts, one row per set, found in public code that reads these exports:
/// - Strong (current, comma-separated):
///   `Date,Workout Name,Duration,Exercise Name,Set Order,Weight,Reps,Distance,Seconds,Notes,Workout Notes,RPE`
///   (some versions without the Notes columns); `Date` is the workout's start ("2024-03-05 18:01:12", or
///   "2024-03-05 6:01:12 PM" with a narrow no-break space), repeated on each of its rows; `Set Order` is a
///   number, "W" for a warm-up, "D" a drop set, "F" a failure set, or "Rest Timer" for a rest row; the
///   weight's unit is the app's setting, not in the file (hence `--unit`). Seen in the Strong adapters of
///   workout-converter projects and in Strong CSV parser tests on GitHub.
/// - Strong (older, semicolon-separated): `Date;Workout Name;Exercise Name;Set Order;Weight;Weight Unit;Reps;RPE;
///   Distance;Distance Unit;Seconds;Notes;Workout Notes` (mtanzim/vis-strong-go README), with the unit per row.
/// - Hevy: `title,start_time,end_time,description,exercise_title,superset_id,exercise_notes,set_index,set_type,
///   weight_kg,reps,distance_km,duration_seconds,rpe`, or `weight_lbs` and `distance_miles` in imperial exports
///   (adrianbb05/training_charts, Jake-Leicht/Hevy-Dashboard-App, multiplex55/Multi_Hevy_Workout_Dashboard);
///   `start_time` like "26 Jul 2025, 07:06"; `set_type` is normal, warmup, failure or dropset.
/// Columns are found by name, so extra or missing optional columns do not matter.
public enum WorkoutImport {
    public enum Source: String, Sendable, CaseIterable {
        case strong, hevy
    }

    /// Why a file cannot be imported at all (a row that cannot be read is listed instead).
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var code: String
        public var message: String
        public var description: String { message }
    }

    /// One set read from the file.
    public struct ImportedSet: Sendable, Hashable {
        public var row: Int
        public var workout: String
        public var start: Timestamp
        public var exerciseName: String
        public var exerciseID: String?
        public var load: Double?
        public var unit: LoadUnit
        public var reps: Int
        public var rpe: Double?
        public var toFailure: Bool
    }

    /// What a file holds, before anything is stored.
    public struct Plan: Sendable {
        public var source: Source
        public var fileName: String
        /// Sets whose exercise is in the catalogue: these are imported.
        public var sets: [ImportedSet] = []
        /// Exercise names not in the catalogue, with how many sets each has: listed, not imported.
        public var unmapped: [(name: String, sets: Int)] = []
        /// How each exercise name was mapped, with its set count.
        public var mapped: [(name: String, exercise: String, sets: Int)] = []
        /// Rows that cannot be read, with the reason (row numbers count the header as row 1).
        public var problems: [(row: Int, reason: String)] = []
        /// Warm-up sets, left out (they are not working sets).
        public var warmups = 0
        /// Rows that are not lifting sets (rest timers, cardio with no reps).
        public var notSets = 0

        public var workouts: Int { Set(sets.map { "\($0.start)|\($0.workout)" }).count }
        public var range: (first: Timestamp, last: Timestamp)? {
            guard let first = sets.map(\.start).min(), let last = sets.map(\.start).max() else { return nil }
            return (first, last)
        }

        /// The preview: workouts, sets, date range, how names were mapped, what is left out.
        public var preview: String {
            var lines = ["\(source == .strong ? "Strong" : "Hevy") export \(fileName):"]
            if let range {
                let first = CheckInRecord.day(of: range.first), last = CheckInRecord.day(of: range.last)
                lines.append("  \(workouts) workout\(workouts == 1 ? "" : "s"), \(sets.count) set\(sets.count == 1 ? "" : "s"), "
                    + (first == last ? first : "\(first) to \(last)"))
            } else {
                lines.append("  no sets to import")
            }
            for entry in mapped { lines.append("  \(entry.name) → \(entry.exercise) (\(entry.sets) set\(entry.sets == 1 ? "" : "s"))") }
            if !unmapped.isEmpty {
                lines.append("  Not in the catalogue, not imported: "
                    + unmapped.map { "\($0.name) (\($0.sets) set\($0.sets == 1 ? "" : "s"))" }.joined(separator: ", "))
            }
            if warmups > 0 { lines.append("  Warm-up sets left out: \(warmups)") }
            if notSets > 0 { lines.append("  Rows that are not lifting sets (rest timers, cardio): \(notSets)") }
            for problem in problems { lines.append("  Row \(problem.row) left out: \(problem.reason)") }
            return lines.joined(separator: "\n")
        }
    }

    // MARK: Reading

    /// Reads `text` (the file's contents) as an export of `source`. `unit` is the weight unit
    /// when the file does not say (Strong's current export).
    public static func read(
        _ text: String, source: Source, fileName: String, unit: LoadUnit, understanding: MessageUnderstanding
    ) throws(Failure) -> Plan {
        let table = try CSV.parse(text)
        guard let header = table.first else { throw Failure(code: "empty_file", message: "\(fileName): the file is empty.") }
        let columns = Dictionary(header.enumerated().map { ($1.trimmingCharacters(in: .whitespaces).lowercased(), $0) },
                                 uniquingKeysWith: { first, _ in first })
        let layout = try Layout(source: source, columns: columns, fileName: fileName)
        var plan = Plan(source: source, fileName: fileName)
        var exerciseFor: [String: String?] = [:]
        var counts: [String: Int] = [:]
        for (offset, cells) in table.dropFirst().enumerated() {
            let row = offset + 2
            if cells.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) { continue }
            guard cells.count >= layout.required else {
                plan.problems.append((row, "it has \(cells.count) columns, the header has \(header.count)"))
                continue
            }
            func cell(_ index: Int?) -> String {
                guard let index, index < cells.count else { return "" }
                return cells[index].trimmingCharacters(in: .whitespacesAndNewlines)
            }
            let kind = cell(layout.setKind).lowercased()
            if ["w", "warmup", "warm-up", "warm up"].contains(kind) { plan.warmups += 1; continue }
            if kind == "rest timer" { plan.notSets += 1; continue }
            let name = cell(layout.exercise)
            guard !name.isEmpty else { plan.problems.append((row, "no exercise name")); continue }
            guard let start = Dates.parse(cell(layout.start)) else {
                plan.problems.append((row, "\"\(cell(layout.start))\" is not a date and time I can read"))
                continue
            }
            let repsText = cell(layout.reps)
            let weightText = cell(layout.weight)
            guard let repsValue = repsText.isEmpty ? 0 : Double(repsText.replacingOccurrences(of: ",", with: ".")),
                  repsValue.rounded() == repsValue else {
                plan.problems.append((row, "reps \"\(repsText)\" is not a whole number"))
                continue
            }
            guard let weight = weightText.isEmpty ? 0 : Double(weightText.replacingOccurrences(of: ",", with: ".")),
                  weight.isFinite else {
                plan.problems.append((row, "weight \"\(weightText)\" is not a number"))
                continue
            }
            if repsValue == 0 { plan.notSets += 1; continue }
            let rpeText = cell(layout.rpe)
            var rpe: Double?
            if !rpeText.isEmpty {
                guard let value = Double(rpeText.replacingOccurrences(of: ",", with: ".")), (1...10).contains(value) else {
                    plan.problems.append((row, "RPE \"\(rpeText)\" is not between 1 and 10"))
                    continue
                }
                rpe = value
            }
            let rowUnit = layout.unit(cell(layout.unitColumn)) ?? unit
            let reps = repsValue > Double(LoggedSet.maxReps) ? LoggedSet.maxReps + 1 : Int(repsValue)
            let check = LoggedSet(exerciseID: "", load: weight > 0 ? weight : nil, unit: rowUnit, reps: reps, rpe: rpe)
            if weight < 0 { plan.problems.append((row, "a negative weight (\(weightText))")); continue }
            if let problem = check.implausibility { plan.problems.append((row, "no set can have \(problem)")); continue }
            let exerciseID: String?
            if let known = exerciseFor[name] {
                exerciseID = known
            } else {
                exerciseID = Self.exercise(named: name, understanding: understanding)
                exerciseFor[name] = exerciseID
            }
            counts[name, default: 0] += 1
            let set = ImportedSet(
                row: row, workout: cell(layout.workout), start: start, exerciseName: name, exerciseID: exerciseID,
                load: weight > 0 ? weight : nil, unit: rowUnit, reps: reps, rpe: rpe,
                toFailure: ["f", "failure"].contains(kind))
            if exerciseID != nil { plan.sets.append(set) }
        }
        for (name, id) in exerciseFor.sorted(by: { $0.key < $1.key }) {
            if let id {
                plan.mapped.append((name, understanding.catalogue[id]?.name ?? id, counts[name] ?? 0))
            } else {
                plan.unmapped.append((name, counts[name] ?? 0))
            }
        }
        return plan
    }

    /// The catalogue exercise for an app's name: "Bench Press (Barbell)" is read as
    /// "barbell bench press", the way a lifter would say it.
    static func exercise(named name: String, understanding: MessageUnderstanding) -> String? {
        var words = name
        if let open = name.firstIndex(of: "("), let close = name[open...].firstIndex(of: ")") {
            let equipment = name[name.index(after: open)..<close]
            words = equipment + " " + name[..<open] + name[name.index(after: close)...]
        }
        guard let exercise = understanding.understand("should I go to failure on \(words)?").exercise else { return nil }
        // Understanding finds an exercise anywhere in a sentence ("Zercher Yoke Carry Thing" names
        // the yoke walk); an import needs the whole name: every word of it (equipment aside) must
        // be in the catalogue's name, so a near miss is listed as unknown rather than stored wrong.
        let base = name.firstIndex(of: "(").map { String(name[..<$0]) } ?? name
        let target = String(exercise.name.lowercased().unicodeScalars.filter { CharacterSet.lowercaseLetters.contains($0) })
        let wordsOfName = base.lowercased().split(whereSeparator: { !$0.isLetter }).map(String.init).filter { $0.count > 1 }
        guard !wordsOfName.isEmpty, wordsOfName.allSatisfy({ target.contains($0.hasSuffix("s") ? String($0.dropLast()) : $0) })
        else { return nil }
        return exercise.id
    }

    /// Where each field is in one source's header.
    struct Layout {
        var start: Int
        var workout: Int?
        var exercise: Int
        var setKind: Int?
        var weight: Int?
        var reps: Int
        var rpe: Int?
        var unitColumn: Int?
        /// The weight's unit when a column names it (Hevy's weight_kg / weight_lbs).
        var fixedUnit: LoadUnit?
        /// Cells a row needs to reach its last required column.
        var required: Int

        init(source: Source, columns: [String: Int], fileName: String) throws(Failure) {
            func need(_ name: String) throws(Failure) -> Int {
                guard let index = columns[name] else {
                    throw Failure(code: "not_\(source.rawValue)_export", message: "\(fileName): this is not a "
                        + "\(source == .strong ? "Strong" : "Hevy") export (no \"\(name)\" column). Export it again from the app, "
                        + "or pass --from \(source == .strong ? "hevy" : "strong") if it comes from the other one.")
                }
                return index
            }
            switch source {
            case .strong:
                start = try need("date")
                workout = columns["workout name"]
                exercise = try need("exercise name")
                setKind = columns["set order"]
                weight = columns["weight"]
                reps = try need("reps")
                rpe = columns["rpe"]
                unitColumn = columns["weight unit"]
            case .hevy:
                start = try need("start_time")
                workout = columns["title"]
                exercise = try need("exercise_title")
                setKind = columns["set_type"]
                if let kilograms = columns["weight_kg"] {
                    weight = kilograms
                    fixedUnit = .kilograms
                } else if let pounds = columns["weight_lbs"] {
                    weight = pounds
                    fixedUnit = .pounds
                }
                reps = try need("reps")
                rpe = columns["rpe"]
            }
            required = [start, exercise, reps].max()! + 1
        }

        func unit(_ text: String) -> LoadUnit? {
            if let fixedUnit { return fixedUnit }
            switch text.lowercased() {
            case "kg", "kgs": return .kilograms
            case "lb", "lbs": return .pounds
            default: return nil
            }
        }
    }

    // MARK: Storing

    /// Stores the plan's sets for `user` as one import, in one transaction: all of it or none.
    /// Returns the import's id.
    public static func store(_ plan: Plan, user: String, catalogue: ExerciseCatalogue, database: SpotterDatabase,
                             now: Timestamp) throws(StoreError) -> Int64 {
        try database.write { session in
            let id = try session.beginImport(user: user, source: plan.source.rawValue, fileName: plan.fileName, at: now,
                                             workouts: plan.workouts, sets: plan.sets.count)
            for (index, set) in plan.sets.enumerated() {
                guard let exerciseID = set.exerciseID, let exercise = catalogue[exerciseID] else { continue }
                let logged = LoggedSet(exerciseID: exerciseID, load: set.load, unit: set.unit, reps: set.reps, rpe: set.rpe,
                                       toFailure: set.toFailure)
                // Sets of one workout share its start; a millisecond apart keeps their order.
                let record = SetRecord(
                    userID: user, roomID: "import:\(plan.source.rawValue)", loggedAt: set.start + Double(index) / 1000,
                    exerciseID: exerciseID, muscle: exercise.primary.first ?? "other",
                    loadKilograms: set.load.map { $0 * set.unit.kilograms }, unit: set.unit, reps: set.reps, sets: 1,
                    repsInReserve: logged.repsInReserve, toFailure: set.toFailure,
                    estimatedOneRepMaxKilograms: logged.estimatedOneRepMax.map { $0 * set.unit.kilograms })
                try session.logImportedSet(record, importID: id)
            }
            return id
        }
    }

    // MARK: Dates

    enum Dates {
        static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

        /// "2024-03-05 18:01:12", "2024-03-05 6:01:12 PM", "2024-03-05T18:01:12Z", "26 Jul 2025, 07:06",
        /// "Jul 26, 2025, 7:06 AM"; read as UTC (the exports carry no zone).
        static func parse(_ raw: String) -> Timestamp? {
            let text = raw.replacingOccurrences(of: "\u{202F}", with: " ").replacingOccurrences(of: "\u{00A0}", with: " ")
                .replacingOccurrences(of: ",", with: " ").replacingOccurrences(of: "T", with: " ")
                .replacingOccurrences(of: "Z", with: "").lowercased()
            var parts = text.split(separator: " ").map(String.init)
            var pm: Bool?
            if let last = parts.last, last == "am" || last == "pm" { pm = last == "pm"; parts.removeLast() }
            var year: Int?, month: Int?, day: Int?
            var clock: [Int] = []
            for part in parts {
                if part.contains("-") {
                    let pieces = part.split(separator: "-").compactMap { Int($0) }
                    guard pieces.count == 3 else { return nil }
                    (year, month, day) = (pieces[0], pieces[1], pieces[2])
                } else if part.contains(":") {
                    clock = part.split(separator: ":").compactMap { Int($0.prefix(2)) }
                } else if let index = months.firstIndex(where: { part.hasPrefix($0) }) {
                    month = index + 1
                } else if let number = Int(part) {
                    if number > 31 { year = number } else { day = number }
                } else {
                    return nil
                }
            }
            guard let year, let month, let day, (1...12).contains(month), (1...31).contains(day), (1970...2100).contains(year),
                  clock.count >= 2, clock.count <= 3 else { return nil }
            var hour = clock[0]
            if let pm {
                guard (1...12).contains(hour) else { return nil }
                hour = hour % 12 + (pm ? 12 : 0)
            }
            guard (0...23).contains(hour), (0...59).contains(clock[1]), clock.count < 3 || (0...59).contains(clock[2]) else { return nil }
            let seconds = clock.count == 3 ? clock[2] : 0
            return Double(daysFromCivil(year, month, day)) * 86400 + Double(hour * 3600 + clock[1] * 60 + seconds)
        }

        /// Days since 1970-01-01 of a civil date (H. Hinnant's algorithm).
        static func daysFromCivil(_ year: Int, _ month: Int, _ day: Int) -> Int {
            let y = month <= 2 ? year - 1 : year
            let era = (y >= 0 ? y : y - 399) / 400
            let yearOfEra = y - era * 400
            let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
            let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
            return era * 146_097 + dayOfEra - 719_468
        }
    }
}

/// RFC 4180 CSV, as the apps write it: quoted cells with doubled quotes, CRLF or LF, an optional
/// byte-order mark, and commas or (older Strong) semicolons, whichever the header uses.
enum CSV {
    static func parse(_ input: String) throws(WorkoutImport.Failure) -> [[String]] {
        var text = Substring(input)
        if text.hasPrefix("\u{FEFF}") { text = text.dropFirst() }
        let headerLine = text.prefix { $0 != "\n" && $0 != "\r\n" }
        let delimiter: Character = headerLine.count(where: { $0 == ";" }) > headerLine.count(where: { $0 == "," }) ? ";" : ","
        var rows: [[String]] = []
        var row: [String] = []
        var cell = ""
        var quoted = false
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            let next = text.index(after: index)
            if quoted {
                if character == "\"" {
                    if next < text.endIndex, text[next] == "\"" {
                        cell.append("\"")
                        index = text.index(after: next)
                        continue
                    }
                    quoted = false
                } else {
                    cell.append(character)
                }
            } else if character == "\"" && cell.isEmpty {
                quoted = true
            } else if character == delimiter {
                row.append(cell)
                cell = ""
            } else if character == "\n" || character == "\r\n" || character == "\r" {
                row.append(cell)
                rows.append(row)
                row = []
                cell = ""
            } else {
                cell.append(character)
            }
            index = next
        }
        if quoted {
            throw WorkoutImport.Failure(code: "malformed_csv", message: "the file ends inside a quoted cell (row \(rows.count + 1)); "
                + "it is cut off or not a CSV export.")
        }
        if !cell.isEmpty || !row.isEmpty {
            row.append(cell)
            rows.append(row)
        }
        return rows
    }
}

extension Coach {
    /// The exercise catalogue the coach understands.
    public var catalogue: ExerciseCatalogue { understanding.catalogue }
}
