import SpotterCore

/// Reads a "what weight should I use?" message (COACHING.md section 8): the set stated as a
/// reference ("my best is 100x5", "I did 80 for 10 last week at RPE 8") and the target
/// ("3x8 at RIR 2", "sets of 5"). Also reads reps in reserve said in words ("stop with 2 reps
/// left", "2 in the tank"), which are not a set of 2.
enum LoadQuestion {
    struct Reading: Sendable, Hashable {
        var reference: ReferenceSet?
        var target = TargetSet()
        var unit: LoadUnit?
    }

    /// Reps in reserve said in words: "2 reps left", "2 in the tank", "2 in reserve", "leave 2".
    /// Returns the value and the index of its number.
    static func wordedRIR(_ tokens: [Token]) -> (value: Double, index: Int)? {
        let count = tokens.count
        func stem(_ i: Int) -> String { i >= 0 && i < count ? tokens[i].stem : "" }
        for i in 0..<count {
            guard let value = tokens[i].number, value <= 10 else { continue }
            var j = i + 1
            if stem(j) == "rep" || stem(j) == "more" { j += 1 }
            if stem(j) == "left" || (stem(j) == "in" && (stem(j + 1) == "reserve" || stem(j + 2) == "tank"))
                || stem(j) == "short" || stem(j) == "shy" {
                return (value, i)
            }
            if stem(i - 1) == "leave" || (stem(i - 1) == "with" && stem(i - 2) == "stop" && stem(j) == "left") {
                return (value, i)
            }
        }
        return nil
    }

    static func read(_ tokens: [Token], skip: Range<Int>?) -> Reading {
        var reading = Reading()
        let count = tokens.count
        func stem(_ i: Int) -> String { i >= 0 && i < count ? tokens[i].stem : "" }
        func number(_ i: Int) -> Double? { i >= 0 && i < count ? tokens[i].number : nil }
        var used = Set<Int>()
        if let skip { used.formUnion(skip) }

        for token in tokens where token.kind == .word {
            if let unit = SetParser.units(token.stem) { reading.unit = unit; break }
            if token.stem == "kgx" { reading.unit = .kilograms; break }
            if token.stem == "lbx" { reading.unit = .pounds; break }
        }

        /// RIR stated right after the reference set: "at RPE 8", "@ rir 2", "to failure".
        func rir(after index: Int) -> Double? {
            var k = index + 1
            while k < min(count, index + 7) {
                if stem(k) == "rpe", let value = number(k + 1), value <= 10 { used.insert(k + 1); return max(0, 10 - value) }
                if stem(k) == "rir", let value = number(k + 1), value <= 10 { used.insert(k + 1); return value }
                if let value = number(k), value <= 10, stem(k + 1) == "rir" { used.insert(k); return value }
                if stem(k) == "failure" || stem(k) == "amrap" { return 0 }
                if ["what", "how", "which", "should", "can"].contains(stem(k)) { return nil }
                k += 1
            }
            return nil
        }

        // Pairs: "100x5", "100 kg x 5", "80 for 10", "3x8".
        var i = 0
        while i < count {
            guard let first = number(i), !used.contains(i) else { i += 1; continue }
            var j = i + 1
            var unit = SetParser.units(stem(j))
            var separator = ""
            if unit != nil { j += 1 }
            if stem(j) == "kgx" { unit = .kilograms; separator = "x" } else if stem(j) == "lbx" { unit = .pounds; separator = "x" }
            if separator.isEmpty, ["x", "for", "by"].contains(stem(j)) { separator = stem(j) }
            guard !separator.isEmpty, let second = number(j + 1), second >= 1, second <= 50 else {
                // "5 reps at 100 kg", "8 reps with 60".
                if first >= 1, first <= 30, stem(i + 1) == "rep", ["at", "with"].contains(stem(i + 2)), let load = number(i + 3),
                   reading.reference == nil {
                    let unit3 = SetParser.units(stem(i + 4)) ?? reading.unit ?? .kilograms
                    reading.reference = ReferenceSet(load: load, unit: unit3, reps: Int(first), rir: rir(after: i + 4) ?? 0)
                    used.formUnion(i...(i + 3))
                    i += 4
                    continue
                }
                i += 1
                continue
            }
            let end = j + 1
            if separator == "x", unit == nil, first <= 12 {
                // "3x8": sets by reps.
                if reading.target.reps == nil {
                    reading.target.sets = Int(first)
                    reading.target.reps = Int(second)
                }
            } else if reading.reference == nil, first > 0 {
                let referenceUnit = unit ?? reading.unit ?? .kilograms
                reading.reference = ReferenceSet(load: first, unit: referenceUnit, reps: Int(second), rir: rir(after: end) ?? 0)
            } else if reading.target.reps == nil {
                reading.target.reps = Int(second)
            }
            used.formUnion(i...end)
            i = end + 1
        }

        // The target: reps ("sets of 5", "for 8 reps", "triples") and RIR ("at RIR 2", "RPE 8", "2 in reserve").
        for k in 0..<count where !used.contains(k) {
            if reading.target.reps == nil {
                if stem(k) == "of", stem(k - 1) == "set", let value = number(k + 1), value >= 1, value <= 50 {
                    reading.target.reps = Int(value); used.insert(k + 1)
                } else if let value = number(k), value >= 1, value <= 50, stem(k + 1) == "rep", stem(k + 2) != "left",
                          !(stem(k + 2) == "in" && stem(k + 3) == "reserve") {
                    reading.target.reps = Int(value); used.insert(k)
                } else if let value = number(k), value >= 1, value <= 50, stem(k + 1) == "s" {
                    reading.target.reps = Int(value); used.insert(k)
                } else if let reps = SetParser.repWords[stem(k)] {
                    reading.target.reps = reps
                }
            }
            if reading.target.rir == nil {
                if stem(k) == "rir", let low = number(k + 1), low <= 10 {
                    reading.target.rir = range(low, number(k + 2))
                } else if stem(k) == "rpe", let low = number(k + 1), low <= 10, low >= 5 {
                    let high = number(k + 2).flatMap { $0 <= 10 && $0 > low ? $0 : nil }
                    reading.target.rir = range(10 - (high ?? low), high.map { _ in 10 - low })
                } else if let value = number(k), value <= 10, stem(k + 1) == "rir" {
                    reading.target.rir = range(value, nil)
                }
            }
        }
        if reading.target.rir == nil, let worded = wordedRIR(tokens), !used.contains(worded.index) {
            reading.target.rir = range(worded.value, nil)
            if reading.target.reps == Int(worded.value) { reading.target.reps = nil }
        }
        return reading
    }

    /// A stated RIR becomes a range a rep either side (people misjudge RIR by about a rep);
    /// "RIR 1-3" stays as said.
    static func range(_ low: Double, _ high: Double?) -> IntRange {
        let low = Int(low.rounded())
        if let high, high > Double(low), high <= 10 { return IntRange(low, Int(high.rounded())) }
        return IntRange(max(0, low - 1), low + 1)
    }
}
