import Foundation
import SpotterCore
import SpotterSchedule

/// The coach's private digest at summary time, sent by direct message to each of the room's
/// coaches: by name only the lifters who agreed to share with the coach (`!coach share`), and
/// for them who is red today, who reported pain, and who has missed three days in a row.
/// Everyone else is only counted, and not even by readiness when fewer than three did not
/// share (a breakdown of one or two would name them).
public struct CoachDigest: Sendable, Hashable {
    public struct Flagged: Sendable, Hashable {
        public var red: [String] = []
        public var pain: [String] = []
        public var missedThreeDays: [String] = []
        public var checkedIn: [String] = []
    }

    public var sharing: Flagged
    public var sharers: Int
    /// Members who did not share: how many, and how many checked in today by readiness.
    public var others: Int
    public var othersToday: DayTally

    /// Fewer than this many non-sharers get no readiness breakdown.
    public static let anonymityFloor = 3

    /// - Parameters:
    ///   - members: the lifters taking part in the room.
    ///   - sharers: those of them who agreed to share with the coach.
    ///   - checkIns: check-ins of the members over at least the last three local days.
    ///   - quick: their one-tap ratings over those days: a rating is a check-in (a full one the
    ///     same day wins), red at 1-2; it says nothing about pain.
    public init(
        members: [String], sharers: Set<String>, checkIns: [CheckInRecord], quick: [QuickCheckIn] = [], now: Timestamp,
        schedule: CheckInSchedule
    ) {
        let today = schedule.day(of: now)
        let yesterday = schedule.day(of: schedule.previousDayInstant(before: now))
        let dayBefore = schedule.day(of: schedule.previousDayInstant(before: schedule.previousDayInstant(before: now)))
        let recentDays: Set<String> = [today, yesterday, dayBefore]
        var latestToday: [String: CheckInRecord] = [:]
        var checkedInRecently: Set<String> = []
        for record in checkIns {
            let day = schedule.day(of: record.completedAt)
            if recentDays.contains(day) { checkedInRecently.insert(record.userID) }
            if day == today, (latestToday[record.userID]?.completedAt ?? -.infinity) <= record.completedAt {
                latestToday[record.userID] = record
            }
        }
        var quickToday: [String: QuickRating] = [:]
        for rating in quick {
            if recentDays.contains(rating.day) { checkedInRecently.insert(rating.userID) }
            if rating.day == today { quickToday[rating.userID] = rating.rating }
        }
        var flagged = Flagged()
        let sharing = members.filter { sharers.contains($0) }.sorted()
        for user in sharing {
            if let record = latestToday[user] {
                flagged.checkedIn.append(user)
                if record.readiness == .red { flagged.red.append(user) }
                if record.answers.pain == true { flagged.pain.append(user) }
            } else if let rating = quickToday[user] {
                flagged.checkedIn.append(user)
                if rating.readiness == .red { flagged.red.append(user) }
            }
            if !checkedInRecently.contains(user) { flagged.missedThreeDays.append(user) }
        }
        self.sharing = flagged
        self.sharers = sharing.count
        let others = members.filter { !sharers.contains($0) }
        self.others = others.count
        let otherReadiness = others.compactMap { latestToday[$0]?.readiness ?? quickToday[$0]?.readiness }
        othersToday = DayTally(day: today, checkedIn: otherReadiness.count, green: otherReadiness.count { $0 == .green },
                               amber: otherReadiness.count { $0 == .amber }, red: otherReadiness.count { $0 == .red })
    }

    /// The direct message to a coach. `room` names the room ("!gym:example.org" or its name).
    public func text(room: String, title: String, prefix: String) -> String {
        func names(_ users: [String]) -> String { users.isEmpty ? "nobody" : users.joined(separator: ", ") }
        var lines = ["Coach digest for \(room), \(title) (private to you):"]
        if sharers == 0 {
            lines.append("No lifter here shares their check-ins with the coach yet (they can say \(prefix) share).")
        } else {
            lines.append("Sharing with you: \(sharers) lifter\(sharers == 1 ? "" : "s"), \(sharing.checkedIn.count) checked in today.")
            lines.append("• Red today: \(names(sharing.red))")
            lines.append("• Reported pain: \(names(sharing.pain))")
            lines.append("• No check-in for three days: \(names(sharing.missedThreeDays))")
        }
        if others > 0 {
            var line = "Not sharing: \(others) lifter\(others == 1 ? "" : "s"), \(othersToday.checkedIn) checked in today"
            if others >= Self.anonymityFloor && othersToday.checkedIn >= Self.anonymityFloor {
                line += " (\(othersToday.green) green, \(othersToday.amber) amber, \(othersToday.red) red)"
            }
            lines.append(line + ".")
        }
        return lines.joined(separator: "\n")
    }
}
