import Foundation
import SpotterCore
import SpotterSchedule

/// One local day of a group's check-ins, counted (never who said what).
public struct DayTally: Sendable, Hashable {
    public var day: String
    public var checkedIn: Int
    public var green: Int
    public var amber: Int
    public var red: Int
    /// Of `checkedIn`, how many by a quick rating only (a one-tap reaction, no full check-in that day).
    public var quick: Int = 0

    /// The share of check-ins that were amber or red (nil when nobody checked in).
    public var strained: Double? { checkedIn == 0 ? nil : Double(amber + red) / Double(checkedIn) }
}

/// The room summary: how many checked in, readiness counts, the week's trend and a deload hint.
/// Built from counts only: no answers, no pain reports, no names, so it is safe to post to the room.
public struct GroupSummary: Sendable, Hashable {
    public var members: Int
    /// Oldest first; the last one is the day summarised.
    public var days: [DayTally]

    public var today: DayTally { days.last ?? DayTally(day: "", checkedIn: 0, green: 0, amber: 0, red: 0) }

    /// Counts each member's latest check-in per local day over the 7 days ending with the day of `now`.
    /// A quick rating counts a member only on a day without a full check-in from them: the full
    /// check-in supersedes it, so nobody is counted twice.
    public init(members: [String], checkIns: [CheckInRecord], quick: [QuickCheckIn] = [], now: Timestamp, schedule: CheckInSchedule) {
        self.members = members.count
        let memberSet = Set(members)
        var latest: [String: [String: CheckInRecord]] = [:]  // day → user → record
        for record in checkIns where memberSet.contains(record.userID) {
            let day = schedule.day(of: record.completedAt)
            if let earlier = latest[day]?[record.userID], earlier.completedAt > record.completedAt { continue }
            latest[day, default: [:]][record.userID] = record
        }
        var dayStart = now
        var labels: [String] = []
        for _ in 0..<7 {
            labels.insert(schedule.day(of: dayStart), at: 0)
            dayStart = schedule.previousDayInstant(before: dayStart)
        }
        var quickOnly: [String: [String: Readiness]] = [:]  // day → user → readiness
        for rating in quick where memberSet.contains(rating.userID) && latest[rating.day]?[rating.userID] == nil {
            quickOnly[rating.day, default: [:]][rating.userID] = rating.rating.readiness
        }
        days = labels.map { day in
            let full = latest[day].map { $0.values.map(\.readiness) } ?? []
            let quick = quickOnly[day].map { Array($0.values) } ?? []
            let all = full + quick
            return DayTally(day: day, checkedIn: all.count, green: all.count { $0 == .green },
                            amber: all.count { $0 == .amber }, red: all.count { $0 == .red }, quick: quick.count)
        }
    }

    static let sparks: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]

    /// The fewest check-ins whose readiness counts are shown: with one or two, everyone who saw
    /// who answered could tell who is red.
    public static let minimumForBreakdown = 3

    /// A day whose readiness may be shown: enough check-ins that no lifter is identified.
    static func showsReadiness(_ day: DayTally) -> Bool { day.checkedIn >= minimumForBreakdown }

    /// Whether much of the group is strained: half or more of today's check-ins (at least two),
    /// or of the week's, were amber or red.
    public var suggestsDeload: Bool {
        // Only days with enough check-ins count, so the hint never speaks for one or two lifters.
        let week = days.filter(Self.showsReadiness)
            .reduce(into: (all: 0, strained: 0)) { $0.all += $1.checkedIn; $0.strained += $1.amber + $1.red }
        let todayStrained = Self.showsReadiness(today) && (today.strained ?? 0) >= 0.5
        let weekStrained = week.all >= 4 && Double(week.strained) / Double(week.all) >= 0.5
        return todayStrained || weekStrained
    }

    /// The summary as posted. `title` names the room's day ("Monday 23 November").
    public func text(title: String, deloadSources: String) -> String {
        var lines: [String] = []
        let today = self.today
        let byQuick = today.quick > 0 ? " (\(today.quick) by a quick rating)" : ""
        lines.append("Group check-in, \(title): \(today.checkedIn) of \(members) lifter\(members == 1 ? "" : "s") checked in\(byQuick).")
        if Self.showsReadiness(today) {
            lines.append("Readiness: \(today.green) green, \(today.amber) amber, \(today.red) red.")
        } else if today.checkedIn > 0 {
            lines.append("Too few check-ins today to show readiness without pointing at someone "
                + "(it is shown from \(Self.minimumForBreakdown) check-ins).")
        }
        let counts = days.map { String($0.checkedIn) }.joined(separator: " ")
        lines.append("Check-ins over the last 7 days, oldest first: \(counts).")
        let shares = days.map { Self.showsReadiness($0) ? $0.strained : nil }
        if shares.contains(where: { $0 != nil }) {
            let line = shares.map { share -> String in
                guard let share else { return "·" }
                return String(Self.sparks[min(Self.sparks.count - 1, Int(share * Double(Self.sparks.count - 1) + 0.5))])
            }.joined()
            lines.append("Share amber or red, oldest first (▁ none, █ all, · fewer than \(Self.minimumForBreakdown) check-ins): \(line) — \(trendWord).")
        }
        if suggestsDeload {
            lines.append("Much of the group is amber or red. Consider a lighter week for the group: about half the usual sets at "
                + "3-4 reps in reserve, same exercises (\(deloadSources)).")
        }
        lines.append("Individual answers stay private; anyone who needs a follow-up hears from me directly.")
        return lines.joined(separator: "\n")
    }

    /// Compares the strained share of the first and the second half of the week.
    var trendWord: String {
        func mean(_ tallies: ArraySlice<DayTally>) -> Double? {
            let tallies = tallies.filter(Self.showsReadiness)
            let all = tallies.reduce(0) { $0 + $1.checkedIn }
            return all == 0 ? nil : Double(tallies.reduce(0) { $0 + $1.amber + $1.red }) / Double(all)
        }
        guard let early = mean(days.prefix(4)), let late = mean(days.suffix(3)) else { return "too few check-ins for a trend" }
        if late - early >= 0.2 { return "more strain lately" }
        if early - late >= 0.2 { return "less strain lately" }
        return "steady"
    }
}

/// The text of the daily check-in prompt and the reminder.
public enum GroupPrompts {
    /// The morning prompt. `reactions`: the room can react (Matrix), so it offers the one-tap rating.
    public static func checkIn(prefix: String, reactions: Bool = false) -> String {
        var text = "Good morning! Time for today's check-in. Reply in this thread (or message me directly) with how you slept, "
            + "your soreness, energy, stress and motivation (1-5), and any pain: for example \"slept 7h, soreness 2, energy 4, "
            + "stress 2, motivation 4, no pain\". "
        if reactions {
            text += "In a hurry? Tap one reaction instead: how recovered do you feel, from \(QuickRating.keys[0]) not recovered "
                + "at all to \(QuickRating.keys[4]) fully recovered. "
        }
        return text + "Your answers stay private; the room only sees counts. (\(prefix) join to be counted, \(prefix) leave to stop.)"
    }

    /// The direct message after a red-leaning quick rating: the full check-in, offered.
    public static func lowRatingOffer(rating: QuickRating) -> String {
        "You rated your recovery \(rating.value) of 5 on today's check-in, so today may call for a lighter session. "
            + "Reply 'check in' here for today's advice: a few short questions (sleep, soreness, energy, stress, motivation "
            + "and any pain) and I'll suggest how to train."
    }

        public static func reminder(names: [String]) -> String {
        "Reminder: \(names.joined(separator: ", ")), today's check-in is still open. Reply in this thread or message me directly."
    }
}
