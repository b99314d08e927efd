import Foundation
import SpotterCore
import SpotterSchedule
import SpotterTesting
import Testing

/// Drives the scheduler with a mock clock, minute by minute, recording what it posts and skips,
/// and the "store" of the last handled day, which survives restarts.
private struct Simulation {
    let schedule: CheckInSchedule
    let lateWindow: Double
    var lastHandledDay: String?
    var posted: [(day: String, at: Timestamp, late: Bool)] = []
    var skipped: [String] = []

    mutating func run(from start: Timestamp, to end: Timestamp, step: Double = 60) {
        var now = start
        while now <= end {
            switch CheckInScheduler.decide(schedule, lastHandledDay: lastHandledDay, now: now, lateWindow: lateWindow) {
            case let .post(day, _, late):
                posted.append((day, now, late))
                lastHandledDay = day
            case let .skip(day, _):
                skipped.append(day)
                lastHandledDay = day
            case let .wait(until):
                #expect(until > now)
            }
            now += step
        }
    }
}

@Suite("Scheduled check-ins")
struct SchedulerTests {
    @Test("a normal day: one prompt at 07:30 local time, none twice")
    func normalDay() throws {
        var simulation = Simulation(schedule: try CheckInSchedule(time: "07:30", zone: "Europe/Berlin"), lateWindow: 3600)
        simulation.run(from: instant("2026-11-23T00:00:00Z"), to: instant("2026-11-24T23:59:00Z"))
        #expect(simulation.posted.map { localTime($0.at, "Europe/Berlin") } == ["2026-11-23 07:30", "2026-11-24 07:30"])
        #expect(simulation.posted.allSatisfy { !$0.late })
        #expect(simulation.skipped.isEmpty)
    }

    @Test("across daylight-saving changes in two zones the prompt stays at local 07:30",
          arguments: [("Europe/Berlin", "2026-03-28T00:00:00Z", "2026-03-31T00:00:00Z"),
                      ("America/New_York", "2026-03-07T00:00:00Z", "2026-03-10T10:00:00Z"),
                      ("Europe/Berlin", "2026-10-24T00:00:00Z", "2026-10-27T00:00:00Z"),
                      ("America/New_York", "2026-10-31T00:00:00Z", "2026-11-03T12:00:00Z")])
    func daylightSaving(_ case: (String, String, String)) throws {
        var simulation = Simulation(schedule: try CheckInSchedule(time: "07:30", zone: `case`.0), lateWindow: 3600)
        simulation.run(from: instant(`case`.1), to: instant(`case`.2))
        #expect(simulation.posted.count == 3)
        #expect(simulation.posted.allSatisfy { localTime($0.at, `case`.0).hasSuffix("07:30") })
        let gaps = zip(simulation.posted.dropFirst(), simulation.posted).map { ($0.at - $1.at) / 3600 }
        #expect(gaps.contains { $0 != 24 }, "one of the days is 23 or 25 hours long")
    }

    @Test("a time that does not exist on the spring-forward day is posted right after the gap")
    func skippedLocalTime() throws {
        let schedule = try CheckInSchedule(time: "02:30", zone: "Europe/Berlin")
        let due = schedule.promptTime(onDayOf: instant("2026-03-29T12:00:00Z"))
        #expect(localTime(due, "Europe/Berlin") == "2026-03-29 03:00")
    }

    @Test("a restart just before the prompt posts on time; just after, it posts late once")
    func restarts() throws {
        let schedule = try CheckInSchedule(time: "07:30", zone: "Europe/Berlin")
        // Down from 07:00 to 07:29 local (06:29 UTC): back before the time, posts on time.
        var before = Simulation(schedule: schedule, lateWindow: 3600)
        before.run(from: instant("2026-11-23T05:00:00Z"), to: instant("2026-11-23T06:00:00Z"))
        before.run(from: instant("2026-11-23T06:29:00Z"), to: instant("2026-11-23T08:00:00Z"))
        #expect(before.posted.count == 1 && before.posted[0].late == false)
        // Down across 07:30, back at 07:45: posted late, once; a second restart does not repost.
        var after = Simulation(schedule: schedule, lateWindow: 3600)
        after.run(from: instant("2026-11-23T05:00:00Z"), to: instant("2026-11-23T06:20:00Z"))
        after.run(from: instant("2026-11-23T06:45:00Z"), to: instant("2026-11-23T07:00:00Z"))
        after.run(from: instant("2026-11-23T07:05:00Z"), to: instant("2026-11-23T09:00:00Z"))
        #expect(after.posted.count == 1)
        #expect(after.posted[0].late)
        #expect(localTime(after.posted[0].at, "Europe/Berlin") == "2026-11-23 07:45")
    }

    @Test("a long outage skips and logs the missed prompt instead of flooding the room")
    func longOutage() throws {
        var simulation = Simulation(schedule: try CheckInSchedule(time: "07:30", zone: "Europe/Berlin"), lateWindow: 3600)
        simulation.lastHandledDay = "2026-11-20"
        // Back on the 23rd at noon local: three days missed, today's prompt 4.5 h late.
        simulation.run(from: instant("2026-11-23T11:00:00Z"), to: instant("2026-11-24T08:00:00Z"))
        #expect(simulation.skipped == ["2026-11-23"])
        #expect(simulation.posted.map(\.day) == ["2026-11-24"])
        // The days in between are listed to be recorded as skipped (and logged), never posted.
        let missed = CheckInScheduler.missedDays(simulation.schedule, lastHandledDay: "2026-11-20", now: instant("2026-11-23T11:00:00Z"))
        #expect(missed.map(\.day) == ["2026-11-21", "2026-11-22"])
        #expect(CheckInScheduler.missedDays(simulation.schedule, lastHandledDay: "2026-11-22", now: instant("2026-11-23T11:00:00Z")).isEmpty)
        #expect(CheckInScheduler.missedDays(simulation.schedule, lastHandledDay: nil, now: instant("2026-11-23T11:00:00Z")).isEmpty)
    }

    @Test("bad schedules name what is wrong")
    func badInput() {
        #expect(throws: ScheduleError.self) { try CheckInSchedule(time: "7.30", zone: "Europe/Berlin") }
        #expect(throws: ScheduleError.self) { try CheckInSchedule(time: "25:00", zone: "Europe/Berlin") }
        #expect(throws: ScheduleError.self) { try CheckInSchedule(time: "07:30", zone: "Mars/Olympus") }
    }
}
