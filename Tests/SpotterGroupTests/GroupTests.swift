import Foundation
import SpotterCore
import SpotterGroup
import SpotterSchedule
import SpotterTesting
import Testing

@Suite("Room commands")
struct RoomCommandTests {
    @Test("the documented forms are read; a lifter's own check-in and other text are not commands")
    func parse() {
        #expect(RoomCommand.parse("checkin at 07:30 Europe/Berlin") == .checkInAt(time: "07:30", zone: "Europe/Berlin"))
        #expect(RoomCommand.parse(" Check-in at 06:15 America/New_York") == .checkInAt(time: "06:15", zone: "America/New_York"))
        #expect(RoomCommand.parse("checkin at 07:30") == .checkInAt(time: "07:30", zone: nil))
        #expect(RoomCommand.parse("checkin off") == .checkInOff)
        #expect(RoomCommand.parse("reminder at 10:00") == .reminderAt(time: "10:00"))
        #expect(RoomCommand.parse("reminder off") == .reminderOff)
        #expect(RoomCommand.parse("summary") == .summaryNow)
        #expect(RoomCommand.parse("summary at 20:00") == .summaryAt(time: "20:00"))
        #expect(RoomCommand.parse("join") == .join)
        #expect(RoomCommand.parse("leave") == .leave)
        #expect(RoomCommand.parse("schedule") == .schedule)
        for text in ["check in", "checkin", "should I go to failure on squats?", "join the gym?", "summary of my week please now",
                     "leave it", "checkin: slept 7h"] {
            #expect(RoomCommand.parse(text) == nil, "\(text)")
        }
    }

    @Test("times as people write them, zones by IANA name or city", arguments: [
        ("checkin at 7.30am", RoomCommand.checkInAt(time: "07:30", zone: nil)),
        ("checkin at 7:30", .checkInAt(time: "07:30", zone: nil)),
        ("checkin at 7:30 pm Europe/Berlin", .checkInAt(time: "19:30", zone: "Europe/Berlin")),
        ("checkin at 06:45 new york", .checkInAt(time: "06:45", zone: "America/New_York")),
        ("checkin at 6am London", .checkInAt(time: "06:00", zone: "Europe/London")),
        ("checkin at 07:30 europe/berlin", .checkInAt(time: "07:30", zone: "Europe/Berlin")),
        ("checkin at noon UTC", .checkInAt(time: "12:00", zone: "UTC")),
        ("summary at 9pm", .summaryAt(time: "21:00")),
        ("summary at 21:00", .summaryAt(time: "21:00")),
        ("reminder at 12am", .reminderAt(time: "00:00")),
        ("reminder at 10.15", .reminderAt(time: "10:15")),
    ])
    func timeForms(text: String, command: RoomCommand) {
        #expect(RoomCommand.parse(text) == command)
    }

    @Test("a command-shaped message that does not fit is malformed, with the form expected, never another intent", arguments: [
        ("checkin at", "needs a time"), ("checkin at 25:00", "not a time of day"), ("checkin at 7", "not a time of day"),
        ("checkin at 7:30 Atlantis", "not a time zone"), ("summary at 9pm Europe/Berlin", "room's time zone"),
        ("reminder on", "needs a time"), ("summary at tonight", "not a time of day"), ("checkin at 13pm", "not a time of day"),
    ])
    func malformed(text: String, problem: String) throws {
        guard case let .malformed(found, expected)? = RoomCommand.parse(text) else {
            Issue.record("\(text) -> \(String(describing: RoomCommand.parse(text)))")
            return
        }
        #expect(found.contains(problem), "\(text): \(found)")
        #expect(expected.contains(" at "))
    }
}

@Suite("Room summary")
struct GroupSummaryTests {
    static let schedule = try! CheckInSchedule(time: "07:30", zone: "Europe/Berlin")

    static func checkIn(_ user: String, _ time: String, _ readiness: Readiness, pain: Bool = false) -> CheckInRecord {
        CheckInRecord(userID: user, roomID: "!gym", completedAt: instant(time),
                      answers: CheckInAnswers(sleepHours: 4.5, soreness: 5, energy: 1, stress: 5, motivation: 1, pain: pain),
                      readiness: readiness)
    }

    @Test("counts today's latest check-in per member; never names, answers or pain")
    func countsOnly() {
        let records = [
            Self.checkIn("@ann:t", "2026-11-23T06:40:00Z", .amber),
            Self.checkIn("@ann:t", "2026-11-23T08:00:00Z", .green),  // a later check-in the same day replaces the first
            Self.checkIn("@bob:t", "2026-11-23T07:00:00Z", .red, pain: true),
            Self.checkIn("@outsider:t", "2026-11-23T07:00:00Z", .red),  // not a member: not counted
            Self.checkIn("@bob:t", "2026-11-21T07:00:00Z", .amber),
        ]
        let summary = GroupSummary(members: ["@ann:t", "@bob:t", "@cy:t"], checkIns: records, now: instant("2026-11-23T19:00:00Z"),
                                   schedule: Self.schedule)
        #expect(summary.today.checkedIn == 2)
        #expect(summary.today.green == 1 && summary.today.red == 1 && summary.today.amber == 0)
        #expect(summary.days.map(\.checkedIn) == [0, 0, 0, 0, 1, 0, 2])
        let text = summary.text(title: "Monday 23 November", deloadSources: "Bell 2023")
        #expect(text.contains("2 of 3 lifters checked in"))
        // Two check-ins would tell each of them the other's readiness (issue 10): no breakdown.
        #expect(!text.contains("1 green, 0 amber, 1 red"))
        #expect(text.contains("Too few check-ins today"))
        for secret in ["ann", "bob", "outsider", "pain", "4.5", "sleep", "sore", "energy"] {
            #expect(!text.lowercased().contains(secret), "\(secret)")
        }
    }

    @Test("a deload hint when half or more of the group is amber or red, with its sources; none otherwise")
    func deloadHint() {
        let strained = GroupSummary(
            members: ["@a", "@b", "@c"],
            checkIns: [Self.checkIn("@a", "2026-11-23T07:00:00Z", .red), Self.checkIn("@b", "2026-11-23T07:00:00Z", .amber),
                       Self.checkIn("@c", "2026-11-23T07:00:00Z", .green)],
            now: instant("2026-11-23T19:00:00Z"), schedule: Self.schedule)
        #expect(strained.suggestsDeload)
        #expect(strained.text(title: "Monday", deloadSources: "Bell 2023").contains("lighter week for the group"))
        #expect(strained.text(title: "Monday", deloadSources: "Bell 2023").contains("Bell 2023"))
        let fresh = GroupSummary(
            members: ["@a", "@b", "@c"],
            checkIns: [Self.checkIn("@a", "2026-11-23T07:00:00Z", .green), Self.checkIn("@b", "2026-11-23T07:00:00Z", .amber),
                       Self.checkIn("@c", "2026-11-23T07:00:00Z", .green)],
            now: instant("2026-11-23T19:00:00Z"), schedule: Self.schedule)
        #expect(!fresh.suggestsDeload)
        #expect(!fresh.text(title: "Monday", deloadSources: "Bell 2023").contains("lighter week"))
    }

    @Test("the week's trend: more strain lately when the last days are worse")
    func trend() {
        var records: [CheckInRecord] = []
        // Three lifters a day: fewer would not show readiness at all (issue 10).
        for (day, readiness) in [("17", Readiness.green), ("18", .green), ("19", .green), ("20", .green), ("21", .red), ("22", .red),
                                 ("23", .amber)] {
            for lifter in ["@a", "@b", "@c"] { records.append(Self.checkIn(lifter, "2026-11-\(day)T07:00:00Z", readiness)) }
        }
        let summary = GroupSummary(members: ["@a", "@b", "@c"], checkIns: records, now: instant("2026-11-23T19:00:00Z"),
                                   schedule: Self.schedule)
        let text = summary.text(title: "Monday", deloadSources: "")
        #expect(text.contains("▁▁▁▁███"))
        #expect(text.contains("more strain lately"))
    }
}

@Suite("One-tap rating")
struct QuickRatingTests {
    @Test("the five keycaps map to 1-5, and to readiness: 1-2 red, 3 amber, 4-5 green")
    func mapping() throws {
        let readiness = try QuickRating.keys.map { try #require(QuickRating(key: $0)).readiness }
        #expect(readiness == [.red, .red, .amber, .green, .green])
        #expect(try QuickRating.keys.map { try #require(QuickRating(key: $0)).value } == [1, 2, 3, 4, 5])
        #expect(QuickRating.keys.compactMap(QuickRating.init(key:)).filter(\.leansRed).map(\.value) == [1, 2])
        #expect(QuickRating(key: "3\u{20E3}")?.value == 3, "a keycap without the presentation selector is the same key")
        for other in ["👍", "1", "6\u{FE0F}\u{20E3}", "0\u{FE0F}\u{20E3}", "", "1\u{FE0F}\u{20E3}1\u{FE0F}\u{20E3}"] {
            #expect(QuickRating(key: other) == nil, "\(other)")
        }
        #expect(QuickRating(value: 0) == nil && QuickRating(value: 6) == nil)
    }

    @Test("the summary counts quick ratings beside full check-ins, a full check-in the same day wins, members only")
    func summaryCounts() throws {
        let schedule = GroupSummaryTests.schedule
        let rating = { (value: Int) in try #require(QuickRating(value: value)) }
        let quick = [
            QuickCheckIn(userID: "@cy:t", day: "2026-11-23", rating: try rating(4)),
            QuickCheckIn(userID: "@ann:t", day: "2026-11-23", rating: try rating(1)),  // ann's full check-in wins
            QuickCheckIn(userID: "@dee:t", day: "2026-11-22", rating: try rating(2)),  // yesterday
            QuickCheckIn(userID: "@outsider:t", day: "2026-11-23", rating: try rating(5)),
        ]
        let summary = GroupSummary(members: ["@ann:t", "@bob:t", "@cy:t", "@dee:t"],
                                   checkIns: [GroupSummaryTests.checkIn("@ann:t", "2026-11-23T07:00:00Z", .green)],
                                   quick: quick, now: instant("2026-11-23T19:00:00Z"), schedule: schedule)
        #expect(summary.today.checkedIn == 2 && summary.today.quick == 1)
        #expect(summary.today.green == 2 && summary.today.red == 0)
        #expect(summary.days.map(\.checkedIn) == [0, 0, 0, 0, 0, 1, 2])
        #expect(summary.days[5].red == 1 && summary.days[5].quick == 1)
        let text = summary.text(title: "Monday 23 November", deloadSources: "")
        #expect(text.contains("2 of 4 lifters checked in (1 by a quick rating)."))
        #expect(!text.contains("cy") && !text.contains("ann"))
        let none = GroupSummary(members: ["@ann:t"], checkIns: [], quick: [], now: instant("2026-11-23T19:00:00Z"), schedule: schedule)
        #expect(none.text(title: "Monday", deloadSources: "").contains("0 of 1 lifter checked in."))
    }

    @Test("the prompt offers the rating only where lifters can react, saying what 1 and 5 mean")
    func prompt() {
        let matrix = GroupPrompts.checkIn(prefix: "!coach", reactions: true)
        #expect(matrix.contains("1\u{FE0F}\u{20E3} not recovered at all") && matrix.contains("5\u{FE0F}\u{20E3} fully recovered"))
        #expect(!GroupPrompts.checkIn(prefix: "!coach").contains("reaction"))
    }
}
