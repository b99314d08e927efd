import SpotterCore

/// Reads a set log the way lifters write it. The rules, in the order they apply:
///
/// 1. **Exercises split the message.** Each exercise named owns the numbers after it up to the
///    next one ("squat 140kg 3x5, then leg press 200 3x10" is two entries); numbers before the
///    first exercise are its own ("3x10 lat pulldown 60kg", "hit 315x3 on squat"); numbers just
///    before a later exercise, after a separator ("," "then" "and" ";"), are that exercise's.
/// 2. **Effort.** `@8`, `@ 8`, `rpe 7.5`, `8 rpe`, `at rpe 8` are RPE; `@ rir 2`, `rir 2`, `2 rir`,
///    `@ 0 rir`, `2 in reserve`, `2 in the tank` are RIR; "to failure", "amrap" mark failure.
/// 3. **Loads.** A number with a unit (`100kg`, `225 lbs`, `100 kilos`) is a load; `30s` after a
///    dumbbell or kettlebell exercise is the weight of each bell; `+10 kg` is load added to
///    bodyweight; "bodyweight"/"bw" is no load. A load on a bodyweight exercise is added load.
/// 4. **Counts.** `load x reps` (`100 x 5`, `100kg x 8`), `load x reps x sets` (`30s x 10 x 3`),
///    `sets x reps` when no load comes first (`3x10`, `5x5`; a first number over 10 is a load),
///    `N reps x M sets`, `N sets of M`, `sets of M`, `N sets`, `N reps`, `for N` (reps), `single`,
///    `double`, `triple`. A rep list (`5, 5, 4`, `10/8/6`, `10,8,6`) is one set per number.
/// 5. **Bare numbers.** The first bare number over 10 is the load ("squat 140 5x5"); one after a
///    load is reps ("squat 140 5"); on a bodyweight exercise a bare number is reps ("pushups 20").
///    A bare load takes the lifter's unit (`unitStated` false).
/// 6. **Refused** (with the reason, never stored): a load in scientific notation (`5e3kg`,
///    `1e400kg`), a load with a thousands comma (`1,500kg`: 1500 or 1.5?), a negative load, RPE
///    outside 1-10, RIR below 0, and the limits of ``LoggedSet/implausibility``.
/// 7. **Asked about** (intent `clarify`, nothing stored): plates ("3 plates": how much?), ranges
///    ("3x8-10": how many?), two different loads for one set.
///
/// The corpus `Tests/Corpus/sets.yml` holds the phrasings these rules are tested on.
enum SetLogGrammar {
    /// What a message says as a set log.
    enum Reading: Equatable {
        /// Not a set log.
        case none
        case sets([LoggedSet])
        /// A set no lifter can have done: why.
        case refused(String)
        /// Unclear: the question to ask before storing anything.
        case ask(String)
    }

    /// One exercise named in the message: the catalogue entry and where its words lie in `tokens`.
    struct Named {
        var exercise: Exercise
        var range: Range<Int>
    }

    static func read(_ tokens: [Token], named: [Named]) -> Reading {
        if named.isEmpty {
            // Without an exercise a message is a set log only when it clearly gives a load and
            // reps ("100kg x 5"); the dialog then asks which exercise.
            let reading = readSegment(Array(tokens), exercise: nil)
            if case let .sets(sets) = reading, !sets.contains(where: { $0.load != nil }) { return .none }
            return reading
        }
        var segments: [(Exercise, [Token])] = []
        for (k, name) in named.enumerated() {
            var start = k == 0 ? 0 : name.range.lowerBound
            if k > 0 {
                // Numbers between the previous exercise and this one, after the last separator, are this one's.
                let previous = named[k - 1].range.upperBound
                if let cut = lastSeparator(tokens, in: previous..<name.range.lowerBound) { start = cut + 1 }
            }
            var end = tokens.count
            if k + 1 < named.count {
                let next = named[k + 1].range.lowerBound
                end = lastSeparator(tokens, in: name.range.upperBound..<next).map { $0 + 1 } ?? next
            }
            var own: [Token] = []
            if start < name.range.lowerBound { own += tokens[start..<name.range.lowerBound] }
            if name.range.upperBound < end { own += tokens[name.range.upperBound..<end] }
            segments.append((name.exercise, own))
        }
        var sets: [LoggedSet] = []
        var question: String?
        for (exercise, own) in segments {
            switch readSegment(own, exercise: exercise) {
            case .none: continue
            case let .sets(found): sets += found
            case let .refused(reason): return .refused(reason)
            case let .ask(text): question = question ?? text
            }
        }
        if let question { return .ask(question) }
        return sets.isEmpty ? .none : .sets(sets)
    }

    static let separatorWords: Set<String> = ["then", "and", "also", "next", "followed", "plus", "after"]

    /// The last separator in `range`: a word like "then", a ";", or a comma that is not inside a
    /// list of numbers ("5, 5, 4" is a list; "60kg, 3x12 curls" separates).
    static func lastSeparator(_ tokens: [Token], in range: Range<Int>) -> Int? {
        for i in range.reversed() {
            let token = tokens[i]
            if token.kind == .word, separatorWords.contains(token.stem) { return i }
            if token.kind == .symbol, token.text == ";" { return i }
            if token.kind == .symbol, token.text == "," {
                let listed = i > 0 && tokens[i - 1].kind == .number && i + 1 < tokens.count && tokens[i + 1].kind == .number
                if !listed { return i }
            }
        }
        return nil
    }

    // MARK: One exercise's numbers

    static func unit(_ stem: String) -> LoadUnit? { unitWords[stem] }

    /// One look-up instead of a string switch, which compared the word with every case in turn.
    private static let unitWords = WordTable<LoadUnit>([
        ("kg", .kilograms), ("kgs", .kilograms), ("kilo", .kilograms), ("kilogram", .kilograms), ("k", .kilograms),
        ("lb", .pounds), ("lbs", .pounds), ("pound", .pounds), ("#", .pounds),
    ])

    /// What the numbers of one exercise say, before they are checked and grouped.
    enum Item: Equatable {
        case number(Double, typed: String)
        case list([Double])
        case range(Double, Double)
        case load(Double, LoadUnit?, typed: String)
        case added(Double, LoadUnit?)
        case bodyweight
        case times
        case reps([Double])
        case sets(Double)
        case setsOf
        case forWord
        case rpe(Double)
        case rir(Double)
        case failure
        case plates(Double)
        case refused(String)
    }

    static let smallNumbers: [String: Double] = [
        "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
        "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
        "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
        "eighty": 80, "ninety": 90,
    ]
    static let multipliers: [String: Double] = ["hundred": 100, "thousand": 1000, "million": 1e6, "billion": 1e9, "trillion": 1e12]

    /// Number words where a count belongs ("for five", "five reps", "a billion reps", "three
    /// plates"): written out, they become number tokens. Elsewhere ("one arm row") they stay words.
    static func numberWords(_ tokens: [Token]) -> [Token] {
        var result: [Token] = []
        var i = 0
        while i < tokens.count {
            var j = i
            var total: Double = 0
            var current: Double = 0
            var read = false
            while j < tokens.count, tokens[j].kind == .word {
                let stem = tokens[j].stem
                if let value = smallNumbers[stem] {
                    current += value
                } else if let value = multipliers[stem] {
                    current = max(current, 1) * value
                    if value >= 1000 { total += current; current = 0 }
                } else if (stem == "a" || stem == "an"), j + 1 < tokens.count, multipliers[tokens[j + 1].stem] != nil {
                    current = 1
                } else {
                    break
                }
                read = true
                j += 1
            }
            let value = total + current
            if read, value > 0 {
                let before = result.last?.stem
                let after = j < tokens.count ? tokens[j].stem : nil
                let countContext = before == "for" || before == "x" || before == "of"
                    || ["rep", "repetition", "set", "plate", "time"].contains(after ?? "")
                if countContext {
                    let text = LoggedSet.number(value)
                    result.append(Token(kind: .number, text: text, stem: text, number: value, typed: text))
                    i = j
                    continue
                }
            }
            result.append(tokens[i])
            i += 1
        }
        return result
    }

    static func lex(_ raw: [Token], exercise: Exercise?) -> [Item] {
        let tokens = numberWords(raw)
        var items: [Item] = []
        let count = tokens.count
        func stem(_ i: Int) -> String? { i >= 0 && i < count ? tokens[i].stem : nil }
        func isNumber(_ i: Int) -> Bool { i >= 0 && i < count && tokens[i].kind == .number }
        /// A number at `i`, with a "-" joined before it making it negative; returns the value and the next index.
        func signed(_ i: Int) -> (Double, Int)? {
            if stem(i) == "-", isNumber(i + 1), tokens[i + 1].joined, let value = tokens[i + 1].number { return (-value, i + 2) }
            if isNumber(i), let value = tokens[i].number { return (value, i + 1) }
            return nil
        }
        /// Skips "e308" after a number in scientific notation ("rir 1e308" reads as RIR 1, as it always did).
        func skipExponent(_ i: Int) -> Int {
            if stem(i) == "e", i < count, tokens[i].joined, isNumber(i + 1), tokens[i + 1].joined { return i + 2 }
            return i
        }
        let bells = exercise.map { $0.equipment == .dumbbell || $0.equipment == .kettlebell } ?? false

        var i = 0
        while i < count {
            let token = tokens[i]
            // Effort: "@8", "@ rpe 8", "@ rir 2", "@ 0 rir", "rpe 7.5", "rir 2", "at rpe 8".
            if token.kind == .symbol, token.text == "@" {
                if stem(i + 1) == "rir", let (value, next) = signed(i + 2) {
                    items.append(.rir(value)); i = skipExponent(next); continue
                }
                if stem(i + 1) == "rpe", let (value, next) = signed(i + 2) {
                    items.append(.rpe(value)); i = skipExponent(next); continue
                }
                if let (value, next) = signed(i + 1) {
                    if stem(next) == "rir" { items.append(.rir(value)); i = next + 1; continue }
                    if stem(next) == "rpe" { items.append(.rpe(value)); i = next + 1; continue }
                    if let unit = stem(next).flatMap(unit) {
                        // "3x10 @ 60kg": a load, not an RPE.
                        items.append(.load(value, unit, typed: tokens[next - 1].typed)); i = next + 1; continue
                    }
                    if value > 20, stem(next) != "-" {
                        // "3x10 @ 60": a load after "at" (no RPE is that high; "@ 12" is an RPE that does not exist).
                        items.append(.number(value, typed: tokens[next - 1].typed)); i = next; continue
                    }
                    if stem(next) == "-", let (high, after) = signed(next + 1), high > value {
                        items.append(.range(value, high)); i = after; continue
                    }
                    items.append(.rpe(value)); i = skipExponent(next); continue
                }
                i += 1; continue
            }
            if token.kind == .word, token.stem == "rpe" || token.stem == "rir" {
                if let (value, next) = signed(i + 1) {
                    if stem(next) == "-", let (high, after) = signed(next + 1), high > value {
                        items.append(.range(value, high)); i = after; continue
                    }
                    items.append(token.stem == "rpe" ? .rpe(value) : .rir(value)); i = skipExponent(next); continue
                }
                i += 1; continue
            }
            if token.kind == .word {
                switch token.stem {
                case "x":
                    items.append(.times)
                case "by" where isNumber(i - 1) && isNumber(i + 1):
                    items.append(.times)
                case "failure", "amrap", "fail":
                    items.append(.failure)
                case "bodyweight", "bw":
                    items.append(.bodyweight)
                case "body" where stem(i + 1) == "weight":
                    items.append(.bodyweight); i += 1
                case "set" where stem(i + 1) == "of":
                    items.append(.setsOf); i += 1
                case "for":
                    items.append(.forWord)
                case "single", "double", "triple":
                    items.append(.reps([token.stem == "single" ? 1 : token.stem == "double" ? 2 : 3]))
                case "plate" where !isNumber(i - 1):
                    items.append(.plates(1))
                default: break
                }
                i += 1; continue
            }
            if token.kind == .symbol, token.text == "+", isNumber(i + 1), let value = tokens[i + 1].number {
                // "+10 kg", "+20": weight added to bodyweight.
                let unit = stem(i + 2).flatMap(unit)
                items.append(.added(value, unit)); i += unit == nil ? 2 : 3; continue
            }
            guard token.kind == .number || (token.text == "-" && isNumber(i + 1) && tokens[i + 1].joined) else { i += 1; continue }
            guard let (value, afterNumber) = signed(i) else { i += 1; continue }
            let numberToken = tokens[afterNumber - 1]
            // Scientific notation ("5e3kg", "1e400kg"): not how a load is written; refused.
            if stem(afterNumber) == "e", tokens[afterNumber].joined, isNumber(afterNumber + 1), tokens[afterNumber + 1].joined {
                let shown = numberToken.typed + "e" + tokens[afterNumber + 1].typed
                items.append(.refused("\(shown) is scientific notation, not a load; write it in plain digits"))
                i = afterNumber + 2; continue
            }
            var next = afterNumber
            if let unit = stem(next).flatMap(unit) {
                items.append(.load(value, unit, typed: numberToken.typed)); i = next + 1; continue
            }
            if bells, stem(next) == "s", tokens[next].joined {
                // "30s" after a dumbbell exercise: a pair of 30s.
                items.append(.load(value, nil, typed: numberToken.typed)); i = next + 1; continue
            }
            if stem(next) == "plate" {
                items.append(.plates(value)); i = next + 1; continue
            }
            // "8 rpe", "2 rir" (but "x 5 rpe 8": the 5 is reps and the 8 the RPE).
            let effortFollows = isNumber(next + 1) || stem(next + 1) == "-" && isNumber(next + 2)
            if stem(next) == "rpe", !effortFollows { items.append(.rpe(value)); i = next + 1; continue }
            if stem(next) == "rir", !effortFollows { items.append(.rir(value)); i = next + 1; continue }
            if stem(next) == "in", stem(next + 1) == "reserve" || (stem(next + 1) == "the" && stem(next + 2) == "tank") {
                items.append(.rir(value)); i = next + (stem(next + 1) == "reserve" ? 2 : 3); continue
            }
            // Ranges: "8-10", "8 - 10", "8 to 10 reps".
            if stem(next) == "-", isNumber(next + 1), let high = tokens[next + 1].number, high > value {
                items.append(.range(value, high)); i = next + 2
                if ["rep", "repetition"].contains(stem(i) ?? "") { i += 1 }
                continue
            }
            if stem(next) == "to", isNumber(next + 1), let high = tokens[next + 1].number,
               ["rep", "repetition"].contains(stem(next + 2) ?? "") {
                items.append(.range(value, high)); i = next + 3; continue
            }
            // Lists: "5, 5, 4", "10/8/6", "10,8,6"; a number followed by "x" or a unit starts a new set, not the list.
            var values = [value]
            let typedList = numberToken.typed.split(separator: ",")
            if typedList.count == 2, typedList[1].count != 3, let a = Double(typedList[0]), let b = Double(typedList[1]),
               a == a.rounded(), b == b.rounded(), !typedList[1].hasPrefix("0"), stem(next) != "x" {
                // "5,5": two sets of 5 where a count is expected; where a load is, 60,5 is 60.5 (read below).
                values = [a, b]
            }
            while (stem(next) == "," || stem(next) == "/"), isNumber(next + 1), let more = tokens[next + 1].number,
                  stem(next + 2) != "x", stem(next + 2).flatMap(unit) == nil, !(stem(next) == "/" && stem(next + 2) == "%") {
                values.append(more)
                next += 2
            }
            if values.count > 1 {
                if ["rep", "repetition"].contains(stem(next) ?? "") { next += 1 }
                items.append(.list(values))
                i = next; continue
            }
            if ["rep", "repetition"].contains(stem(next) ?? "") { items.append(.reps([value])); i = next + 1; continue }
            if stem(next) == "set" {
                items.append(.sets(value))
                i = next + 1
                if stem(i) == "of" { items.append(.setsOf); i += 1 }
                continue
            }
            if ["year", "month", "week", "day", "hour", "minute", "min", "second", "sec", "time", "%", "percent"]
                .contains(stem(next) ?? "") {
                // "for 3 weeks", "90 seconds", "at 90%": not a set's numbers.
                i = next + 1; continue
            }
            items.append(.number(value, typed: numberToken.typed))
            i = next
        }
        return items
    }

    /// A group being read: one load with its reps.
    struct Draft {
        var load: Double?
        var unit: LoadUnit?
        var unitStated = false
        var loadTyped = ""
        var added: Double?
        var addedUnit: LoadUnit?
        var bodyweight = false
        var reps: [Double] = []
        var sets: Double?
        var rpe: Double?
        var rir: Double?
        var failure = false

        var isEmpty: Bool { load == nil && reps.isEmpty && added == nil && !bodyweight }
        var hasLoad: Bool { load != nil || added != nil || bodyweight }
    }

    static func readSegment(_ tokens: [Token], exercise: Exercise?) -> Reading {
        let items = lex(tokens, exercise: exercise)
        let bodyweightExercise = exercise?.equipment == .bodyweight
        var drafts: [Draft] = []
        var current = Draft()
        var question: String?
        /// Effort said before any set ("@8 bench 100 x 5") goes to the first set.
        var leadingEffort: (rpe: Double?, rir: Double?, failure: Bool) = (nil, nil, false)

        func flush() {
            if !current.isEmpty { drafts.append(current) }
            current = Draft()
        }
        func setLoad(_ value: Double, _ unit: LoadUnit?, typed: String) {
            if current.load != nil || current.bodyweight {
                if !current.reps.isEmpty {
                    flush()
                } else if current.load == value {
                    return
                } else {
                    question = question ?? "Which load was it: \(LoggedSet.number(current.load ?? 0)) or \(LoggedSet.number(value))?"
                    return
                }
            }
            current.load = value
            current.unit = unit
            current.unitStated = unit != nil
            current.loadTyped = typed
        }
        func setReps(_ values: [Double]) {
            if !current.reps.isEmpty {
                // A second count for the same load: "100 x 5, 5" is handled as a list; otherwise a new set of the same load.
                let load = current.load, unit = current.unit, stated = current.unitStated, typed = current.loadTyped
                flush()
                current.load = load; current.unit = unit; current.unitStated = stated; current.loadTyped = typed
            }
            current.reps = values
        }
        func addEffort(rpe: Double? = nil, rir: Double? = nil, failure: Bool = false) {
            if current.isEmpty, let lastIndex = drafts.indices.last {
                if let rpe { drafts[lastIndex].rpe = rpe }
                if let rir { drafts[lastIndex].rir = rir }
                if failure { drafts[lastIndex].failure = true }
            } else if current.isEmpty {
                if let rpe { leadingEffort.rpe = rpe }
                if let rir { leadingEffort.rir = rir }
                if failure { leadingEffort.failure = true }
            } else {
                if let rpe { current.rpe = rpe }
                if let rir { current.rir = rir }
                if failure { current.failure = true }
            }
        }
        func count(_ item: Item?) -> [Double]? {
            switch item {
            case let .number(value, _): [value]
            case let .list(values): values
            case let .reps(values): values
            default: nil
            }
        }

        var k = 0
        while k < items.count {
            let item = items[k]
            let next = k + 1 < items.count ? items[k + 1] : nil
            let afterNext = k + 2 < items.count ? items[k + 2] : nil
            switch item {
            case let .refused(reason):
                return .refused(reason)
            case let .plates(count):
                let plates = LoggedSet.number(count)
                let kilograms = LoggedSet.number(20 + 2 * 20 * count), pounds = LoggedSet.number(45 + 2 * 45 * count)
                return .ask("How much is \(plates) plate\(count == 1 ? "" : "s")? \(plates) a side on a standard bar is "
                    + "\(kilograms) kg with 20 kg plates or \(pounds) lb with 45s. Log it with the load, "
                    + "like \"squat \(kilograms)kg x 5\".")
            case let .range(low, high):
                return .ask("\(LoggedSet.number(low))-\(LoggedSet.number(high)): how many did you do? I log what was done, "
                    + "so give the number, like \"3x\(LoggedSet.number(low))\".")
            case let .load(value, unit, typed):
                if let problem = thousandsComma(typed) { return .refused(problem(unit)) }
                setLoad(value, unit, typed: typed)
                if next == .times, let reps = count(afterNext) {
                    setReps(reps)
                    k += 3
                    // "30s x 10 x 3", "100kg x 5 x 3": load × reps × sets.
                    if k + 1 < items.count, items[k] == .times, let sets = count(items[k + 1]), sets.count == 1 {
                        Self.assignRepsAndSets(&current, sets[0]); k += 2
                    }
                    continue
                }
            case let .added(value, unit):
                current.added = value
                current.addedUnit = unit
                if next == .times, let reps = count(afterNext) { setReps(reps); k += 3; continue }
            case .bodyweight:
                if current.hasLoad && !current.reps.isEmpty { flush() }
                current.bodyweight = true
                if next == .times, let reps = count(afterNext) { setReps(reps); k += 3; continue }
            case let .number(value, typed):
                if next == .times, let right = count(afterNext) {
                    let loadFirst = current.load != nil || current.bodyweight || current.added != nil
                    if case .list = afterNext! {
                        // "60 x 5, 5, 4": a load and a rep list.
                        if let problem = thousandsComma(typed) { return .refused(problem(nil)) }
                        setLoad(value, nil, typed: typed); setReps(right); k += 3; continue
                    }
                    if !loadFirst, value > 10 || value != value.rounded() {
                        if let problem = thousandsComma(typed) { return .refused(problem(nil)) }
                        setLoad(value, nil, typed: typed)
                        setReps(right)
                        k += 3
                        if k + 1 < items.count, items[k] == .times, let sets = count(items[k + 1]), sets.count == 1 {
                            Self.assignRepsAndSets(&current, sets[0]); k += 2
                        }
                        continue
                    }
                    // "3x10", "5x5": sets × reps; "3 x 10 reps".
                    if !current.reps.isEmpty {
                        let load = current.load, unit = current.unit, stated = current.unitStated
                        flush()
                        current.load = load; current.unit = unit; current.unitStated = stated
                    }
                    current.sets = value
                    current.reps = right
                    k += 3
                    continue
                }
                if next == .times, case let .sets(sets) = afterNext {
                    // "10 x 3 sets".
                    setReps([value]); current.sets = sets; k += 3; continue
                }
                let previous = k > 0 ? items[k - 1] : nil
                if previous == .forWord || previous == .setsOf {
                    if previous == .forWord, value > 50, !current.hasLoad {
                        setLoad(value, nil, typed: typed)  // "did 225 for 5" reads the other way round only with a load first
                    } else {
                        setReps([value])
                    }
                } else if previous == .times {
                    setReps([value])
                } else if !current.hasLoad && !bodyweightExercise && (value > 10 || value != value.rounded()) {
                    if let problem = thousandsComma(typed) { return .refused(problem(nil)) }
                    setLoad(value, nil, typed: typed)
                } else if current.hasLoad || bodyweightExercise || current.sets != nil {
                    if current.reps.isEmpty, value <= 50 || bodyweightExercise {
                        current.reps = [value]
                    }
                }
            case let .list(values):
                if (k > 0 && items[k - 1] == .times) || current.reps.isEmpty {
                    setReps(values)
                }
            case let .reps(values):
                if next == .times, case let .number(sets, _)? = afterNext {
                    setReps(values); current.sets = sets; k += 3; continue
                }
                if next == .times, case let .sets(sets)? = afterNext {
                    setReps(values); current.sets = sets; k += 3; continue
                }
                if current.reps.isEmpty || k > 0 && items[k - 1] == .forWord {
                    current.reps = values
                } else if current.sets != nil && current.reps.count == 1 && values.count == 1 && current.reps == values {
                    // "3x10 10 reps": said twice.
                } else {
                    setReps(values)
                }
            case let .sets(value):
                if next == .setsOf, let reps = count(afterNext) {
                    if !current.reps.isEmpty { flush() }
                    current.sets = value; current.reps = reps; k += 3; continue
                }
                if next == .times, let reps = count(afterNext) {
                    current.sets = value; setReps(reps); k += 3; continue
                }
                if current.isEmpty, let lastIndex = drafts.indices.last, drafts[lastIndex].sets == nil {
                    drafts[lastIndex].sets = value
                } else {
                    current.sets = value
                }
            case .setsOf:
                if let reps = count(next) { setReps(reps); k += 2; continue }
            case .times:
                // "pullups x 12": reps with no load before.
                if let reps = count(next), current.reps.isEmpty {
                    current.reps = reps
                    if bodyweightExercise && !current.hasLoad { current.bodyweight = true }
                    k += 2; continue
                }
            case .forWord:
                break
            case let .rpe(value):
                addEffort(rpe: value)
            case let .rir(value):
                addEffort(rir: value)
            case .failure:
                addEffort(failure: true)
            }
            k += 1
        }
        flush()
        if let question { return .ask(question) }
        if let first = drafts.indices.first {
            if let rpe = leadingEffort.rpe, drafts[first].rpe == nil { drafts[first].rpe = rpe }
            if let rir = leadingEffort.rir, drafts[first].rir == nil { drafts[first].rir = rir }
            if leadingEffort.failure { drafts[first].failure = true }
        }
        // A draft with a load but no reps is not a set ("my squat max is 140kg"); without any set, not a log.
        let complete = drafts.filter { !$0.reps.isEmpty }
        guard !complete.isEmpty else { return .none }
        if complete.contains(where: { !$0.hasLoad && !bodyweightExercise && $0.sets == nil }), exercise == nil {
            return .none
        }
        var result: [LoggedSet] = []
        for draft in complete {
            let load: Double?
            var added = draft.added
            var unit = draft.unit ?? draft.addedUnit
            var stated = draft.unitStated || draft.addedUnit != nil
            if bodyweightExercise, let value = draft.load, added == nil {
                // A load on pull-ups or dips is worn on a belt: added to bodyweight.
                added = value
                load = nil
            } else {
                load = draft.bodyweight ? nil : draft.load
            }
            if load == nil && added == nil { stated = false }
            if unit == nil { unit = .kilograms }
            var sets = draft.sets
            let reps = draft.reps
            if reps.count > 1, let count = sets, count == Double(reps.count) { sets = nil }
            if reps.count > 1, let count = sets, count != Double(reps.count) {
                return .ask("\(LoggedSet.number(count)) sets, but \(reps.count) rep counts (\(reps.map(LoggedSet.number).joined(separator: ", "))): "
                    + "which is it? Write one count per set, like \"5, 5, 4\".")
            }
            if let fraction = (reps + [sets ?? 1]).first(where: { $0 != $0.rounded() }) {
                return .refused("\(LoggedSet.number(fraction)) is not a whole number of reps or sets")
            }
            // Equal reps next to each other are one group: 5, 5, 4 is 2 × 5 and 1 × 4.
            var groups: [(reps: Double, sets: Double)] = []
            if reps.count == 1 {
                groups = [(reps[0], sets ?? 1)]
            } else {
                for value in reps {
                    if let last = groups.last, last.reps == value {
                        groups[groups.count - 1].sets += 1
                    } else {
                        groups.append((value, 1))
                    }
                }
            }
            for group in groups {
                let set = LoggedSet(
                    exerciseID: exercise?.id ?? "", load: load, unit: unit, reps: SetParser.whole(max(group.reps, -1)),
                    sets: SetParser.whole(max(group.sets, -1)), rir: draft.rir, rpe: draft.rpe, toFailure: draft.failure,
                    addedLoad: added, unitStated: stated)
                if let problem = set.implausibility { return .refused(problem) }
                result.append(set)
            }
        }
        return .sets(result)
    }

    /// The third number of `load x a x b` is the set count, unless no set count can be that
    /// high (over 20) while the middle one can: then it is `load x sets x reps`.
    static func assignRepsAndSets(_ draft: inout Draft, _ third: Double) {
        if third > 20, draft.reps.count == 1, draft.reps[0] <= 20 {
            draft.sets = draft.reps[0]
            draft.reps = [third]
        } else {
            draft.sets = third
        }
    }

    /// "1,500": a comma before three digits may be a thousands separator (1500) or a decimal
    /// comma (1.5); a load is never stored on that guess.
    static func thousandsComma(_ typed: String) -> ((LoadUnit?) -> String)? {
        let parts = typed.split(separator: ",", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[1].count == 3, parts[1].allSatisfy(\.isNumber) else { return nil }
        let whole = parts[0] + parts[1]
        let decimal = Double(parts[0] + "." + parts[1]).map(LoggedSet.number) ?? ""
        return { unit in
            let name = unit?.rawValue ?? ""
            return "\(typed)\(name.isEmpty ? "" : " " + name) could be \(whole) or \(decimal); write it without the comma"
        }
    }
}
