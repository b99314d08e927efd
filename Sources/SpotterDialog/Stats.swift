import SpotterAdvisor
import SpotterCore

/// The weekly report ("my week", "stats"): volume and failure sets per muscle against the
/// 10-20 target, e1RM per lift with a trend, readiness trend, and RIR calibration.
struct Stats {
    let engine: DialogEngine
    let context: DialogContext

    static let day: Double = 86400
    static let sparks: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]

    func report() -> String {
        let week = context.recentSets.filter { context.now - $0.loggedAt < 7 * Self.day }
        var lines = ["Your last 7 days:"]
        if week.isEmpty {
            lines.append("No sets logged yet. Log one like \"bench 100kg x 8 @ RIR 1\".")
        } else {
            var hard: [String: Int] = [:]
            var failure: [String: Int] = [:]
            for set in week {
                if set.isHard { hard[set.muscle, default: 0] += set.sets }
                if set.isFailure { failure[set.muscle, default: 0] += set.sets }
            }
            let muscles = Set(hard.keys).union(failure.keys).sorted { (hard[$0] ?? 0, $1) > (hard[$1] ?? 0, $0) }
            lines.append("Hard sets per muscle (target 10-20):")
            for muscle in muscles {
                let count = hard[muscle] ?? 0
                let mark = count < 10 ? "below target" : count > 20 ? "above target" : "on target"
                var line = "• \(muscle): \(plural(count, "hard set")), \(mark)"
                let failures = failure[muscle] ?? 0
                if failures > 0 {
                    line += "; \(failures) to failure"
                    if failures >= engine.settings.failureCap { line += " (weekly cap of \(engine.settings.failureCap) reached)" }
                }
                lines.append(line)
            }
        }
        lines += oneRepMaxes()
        if let trend = readinessTrend() { lines.append(trend) }
        lines += deload()
        if let calibration = rirCalibration() { lines.append(calibration) }
        return lines.joined(separator: "\n")
    }

    /// Best e1RM per lift over the last 7 days, with a weekly sparkline over 4 weeks.
    func oneRepMaxes() -> [String] {
        var byExercise: [String: [SetRecord]] = [:]
        for set in context.recentSets where set.estimatedOneRepMaxKilograms != nil {
            byExercise[set.exerciseID, default: []].append(set)
        }
        guard !byExercise.isEmpty else { return [] }
        let unit = context.unitPreference ?? context.inferredUnit ?? .kilograms
        var lines = ["Estimated 1RM (best this week; trend over 4 weeks, oldest to newest, a gap where nothing was logged):"]
        for (exerciseID, sets) in byExercise.sorted(by: { $0.key < $1.key }) {
            let name = engine.catalogue[exerciseID]?.name ?? exerciseID
            var weekly: [Double?] = [nil, nil, nil, nil]
            for set in sets {
                let age = Int((context.now - set.loggedAt) / (7 * Self.day))
                guard (0..<4).contains(age), let e1rm = set.estimatedOneRepMaxKilograms else { continue }
                let slot = 3 - age
                weekly[slot] = max(weekly[slot] ?? 0, e1rm)
            }
            guard let current = weekly[3] ?? weekly.compactMap({ $0 }).last else { continue }
            let known = weekly.compactMap { $0 }
            // The trend is always drawn: with one week logged it is one bar, and says so.
            var line = "• \(name): \(Turn.weight(current, in: unit)) [\(sparkline(weekly))]"
            if known.count >= 2, let first = known.first, let last = known.last {
                let change = (last - first) / unit.kilograms
                let amount = format(abs(change))
                line += change > 0.25 ? " up \(amount) \(unit.rawValue) over \(known.count) weeks"
                    : change < -0.25 ? " down \(amount) \(unit.rawValue) over \(known.count) weeks" : " flat over \(known.count) weeks"
            } else {
                line += " (one week logged so far: the trend grows as you log)"
            }
            lines.append(line)
        }
        return lines
    }

    func sparkline(_ values: [Double?]) -> String {
        let known = values.compactMap { $0 }
        guard let low = known.min(), let high = known.max() else { return "" }
        return String(values.map { value -> Character in
            guard let value else { return " " }
            if high == low { return Self.sparks[3] }
            return Self.sparks[Int(((value - low) / (high - low) * 7).rounded())]
        })
    }

    func readinessTrend() -> String? {
        let recent = context.recentCheckIns.prefix(7).reversed()
        guard !recent.isEmpty else { return nil }
        let symbols = recent.map { $0.readiness == .green ? "G" : $0.readiness == .amber ? "A" : "R" }.joined(separator: " ")
        let counts = Dictionary(grouping: recent, by: \.readiness).mapValues(\.count)
        return "Readiness, oldest to newest: \(symbols) (green \(counts[.green] ?? 0), amber \(counts[.amber] ?? 0), "
            + "red \(counts[.red] ?? 0))."
    }

    /// The deload table's view of the last 7 check-ins: a suggestion (and a referral) or nothing.
    func deload() -> [String] {
        let week = context.recentCheckIns.filter { context.now - $0.completedAt < 7 * Self.day }.prefix(7)
        guard !week.isEmpty else { return [] }
        let review = engine.advisor.deloadReview(
            TrainingContext(amberOrRedCheckins: week.count { $0.readiness != .green }),
            lowEnergyCheckins: week.count { ($0.answers.energy ?? 5) <= 2 })
        guard review.suggested || review.refer else { return ["Deload: not needed on this week's check-ins."] }
        return review.notes.map { "Deload: " + $0 }
    }

    /// When a failure set follows an earlier set at the same load with a stated RIR, the
    /// predicted reps (reps + RIR) can be checked against the reps actually done.
    func rirCalibration() -> String? {
        let sets = context.recentSets.sorted { $0.loggedAt < $1.loggedAt }
        var errors: [Double] = []
        for (index, amrap) in sets.enumerated() where amrap.isFailure {
            guard let load = amrap.loadKilograms else { continue }
            let earlier = sets[..<index].last {
                $0.exerciseID == amrap.exerciseID && !$0.isFailure && $0.repsInReserve != nil
                    && abs(($0.loadKilograms ?? -1) - load) <= load * 0.025
            }
            guard let earlier, let rir = earlier.repsInReserve else { continue }
            errors.append(Double(amrap.reps) - (Double(earlier.reps) + rir))
        }
        guard !errors.isEmpty else { return nil }
        let mean = errors.reduce(0, +) / Double(errors.count)
        let amount = format(abs(mean))
        if abs(mean) < 0.5 {
            return "RIR calibration: your reps in reserve match your AMRAPs within half a rep (\(errors.count) check\(errors.count == 1 ? "" : "s"))."
        }
        return mean > 0
            ? "RIR calibration: your AMRAPs beat your predictions by about \(amount) rep(s), so you underestimate your reps in reserve."
            : "RIR calibration: your AMRAPs fell short of your predictions by about \(amount) rep(s), so you overestimate your reps in reserve."
    }

    func format(_ value: Double) -> String {
        let rounded = (value * 10).rounded() / 10
        return rounded.rounded() == rounded ? String(Int(rounded)) : String(rounded)
    }
}
