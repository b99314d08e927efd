import Foundation
import SpotterCore

/// A room's daily check-in time: a local time of day in an IANA time zone
/// (`!coach checkin at 07:30 Europe/Berlin`).
public struct CheckInSchedule: Sendable, Hashable {
    public var hour: Int
    public var minute: Int
    public var timeZone: TimeZone

    /// Parses "07:30" and "Europe/Berlin"; the error names what is wrong.
    public init(time: String, zone: String) throws(ScheduleError) {
        let parts = time.split(separator: ":")
        guard parts.count == 2, let hour = Int(parts[0]), let minute = Int(parts[1]), (0..<24).contains(hour), (0..<60).contains(minute)
        else {
            throw ScheduleError(code: "bad_time", message: "'\(time)' is not a time of day like 07:30")
        }
        guard let timeZone = TimeZone(identifier: zone) else {
            throw ScheduleError(code: "bad_zone", message: "'\(zone)' is not an IANA time zone such as Europe/Berlin")
        }
        self.hour = hour
        self.minute = minute
        self.timeZone = timeZone
    }

    var calendar: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar
    }

    /// The local calendar day of an instant, as "2026-03-29".
    public func day(of instant: Timestamp) -> String {
        let parts = calendar.dateComponents([.year, .month, .day], from: Date(timeIntervalSince1970: instant))
        return String(format: "%04d-%02d-%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
    }

    /// The first instant of the local day after the one containing `instant`.
    public func nextDayStart(after instant: Timestamp) -> Timestamp {
        let calendar = self.calendar
        let today = calendar.startOfDay(for: Date(timeIntervalSince1970: instant))
        return (calendar.date(byAdding: .day, value: 1, to: today) ?? today.addingTimeInterval(86400)).timeIntervalSince1970
    }

    /// An instant on the local day before the one containing `instant` (its noon).
    public func previousDayInstant(before instant: Timestamp) -> Timestamp {
        let calendar = self.calendar
        let today = calendar.startOfDay(for: Date(timeIntervalSince1970: instant))
        let yesterday = calendar.date(byAdding: .day, value: -1, to: today) ?? today.addingTimeInterval(-86400)
        return yesterday.timeIntervalSince1970 + 12 * 3600
    }

    /// The first instant of the local day containing `instant`.
    public func dayStart(of instant: Timestamp) -> Timestamp {
        calendar.startOfDay(for: Date(timeIntervalSince1970: instant)).timeIntervalSince1970
    }

    /// The local weekday of an instant, 1 = Sunday … 7 = Saturday.
    public func weekday(of instant: Timestamp) -> Int {
        calendar.component(.weekday, from: Date(timeIntervalSince1970: instant))
    }

    /// "Monday 23 November", for titles.
    public func title(of instant: Timestamp) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_GB")
        formatter.timeZone = timeZone
        formatter.dateFormat = "EEEE d MMMM"
        return formatter.string(from: Date(timeIntervalSince1970: instant))
    }

    /// The local time as written, "07:30".
    public var timeText: String { String(format: "%02d:%02d", hour, minute) }

    /// When the prompt is due on the local day of `instant`. On a day when the local time does
    /// not exist (clocks jump forward over it) the prompt is due at the first moment after the
    /// jump; when it happens twice (clocks go back) it is due the first time.
    public func promptTime(onDayOf instant: Timestamp) -> Timestamp {
        let calendar = self.calendar
        let day = calendar.startOfDay(for: Date(timeIntervalSince1970: instant))
        var wanted = calendar.dateComponents([.year, .month, .day], from: day)
        wanted.hour = hour
        wanted.minute = minute
        // Foundation resolves a skipped time forward and a repeated one to its first occurrence.
        if let exact = calendar.date(from: wanted), calendar.component(.hour, from: exact) == hour,
           calendar.component(.minute, from: exact) == minute {
            return exact.timeIntervalSince1970
        }
        // The local time does not exist today: the first instant after the gap.
        var probe = day.timeIntervalSince1970
        while true {
            let parts = calendar.dateComponents([.hour, .minute], from: Date(timeIntervalSince1970: probe))
            if (parts.hour ?? 0, parts.minute ?? 0) >= (hour, minute) { return probe }
            probe += 60
        }
    }
}

/// A schedule that cannot be read.
public struct ScheduleError: Error, Sendable, Hashable, CustomStringConvertible {
    public var code: String
    public var message: String
    public var description: String { message }
}

/// What the scheduler should do now.
public enum ScheduleDecision: Sendable, Hashable {
    /// Post the prompt for this local day (late when past the scheduled time).
    case post(day: String, scheduledAt: Timestamp, late: Bool)
    /// Too late for this day's prompt: record it as skipped and log it, do not post.
    case skip(day: String, scheduledAt: Timestamp)
    /// Nothing to do before this instant.
    case wait(until: Timestamp)
}

/// The pure decision behind scheduled check-ins: given the schedule, the last local day
/// already handled (posted or skipped, as recorded in the store), and the time, say what to do.
/// A restart neither posts twice (the day is recorded) nor silently skips (a prompt missed by
/// less than `lateWindow` is posted late); after a long outage only the current day is
/// considered, so nothing floods the room.
public enum CheckInScheduler {
    public static func decide(
        _ schedule: CheckInSchedule, lastHandledDay: String?, now: Timestamp, lateWindow: Double
    ) -> ScheduleDecision {
        let today = schedule.day(of: now)
        let dueToday = schedule.promptTime(onDayOf: now)
        let handledToday = lastHandledDay.map { $0 >= today } ?? false
        if !handledToday && now < dueToday { return .wait(until: dueToday) }
        if handledToday { return .wait(until: schedule.promptTime(onDayOf: schedule.nextDayStart(after: now))) }
        if now - dueToday <= lateWindow {
            return .post(day: today, scheduledAt: dueToday, late: now - dueToday > 60)
        }
        return .skip(day: today, scheduledAt: dueToday)
    }

    /// Local days strictly between the last handled day and the day of `now` whose prompt time
    /// passed while nothing ran (a long outage): they are recorded as skipped and logged, never
    /// posted. At most `limit` of the most recent are listed.
    public static func missedDays(
        _ schedule: CheckInSchedule, lastHandledDay: String?, now: Timestamp, limit: Int = 31
    ) -> [(day: String, scheduledAt: Timestamp)] {
        guard let lastHandledDay else { return [] }
        var missed: [(day: String, scheduledAt: Timestamp)] = []
        var probe = schedule.previousDayInstant(before: now)
        while missed.count < limit {
            let day = schedule.day(of: probe)
            if day <= lastHandledDay { break }
            missed.insert((day, schedule.promptTime(onDayOf: probe)), at: 0)
            probe = schedule.previousDayInstant(before: probe)
        }
        return missed
    }

}
