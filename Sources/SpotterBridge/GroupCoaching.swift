import Foundation
import Logging
import SpotterApp
import SpotterCore
import SpotterGroup
import SpotterMatrix
import SpotterSchedule
import SpotterStore
import SpotterWebhook

/// The channels a room can belong to.
enum RoomChannel: String {
    case matrix = "Matrix"
    case webhook
}

/// A room's effective group-coaching schedule: Config/ with what room commands changed on top.
struct RoomPlan {
    var zone: String
    var checkIn: CheckInSchedule?
    var reminder: CheckInSchedule?
    var summary: CheckInSchedule?
    var weekly: (weekday: Int, schedule: CheckInSchedule)?
    var outbound: OutboundHook?
    /// Who gets the private coach digest (a command's list wins over Config/).
    var coaches: [String] = []

    /// The schedule the room's days are counted in (its check-in zone).
    var days: CheckInSchedule { checkIn ?? summary ?? reminder ?? (try? CheckInSchedule(time: "00:00", zone: zone))! }

    /// A summary is posted at 20:00 when a room has check-ins and no summary time of its own.
    static let defaultSummary = "20:00"

    init(config: RoomConfig?, overrides: RoomSettingsRow?) {
        zone = overrides?.zone ?? config?.checkIn?.timeZone.identifier ?? "UTC"
        let zone = self.zone
        func schedule(_ override: String?, _ configured: String?) -> CheckInSchedule? {
            if override == "off" { return nil }
            guard let time = override ?? configured else { return nil }
            return try? CheckInSchedule(time: time, zone: zone)
        }
        checkIn = schedule(overrides?.checkIn, config?.checkIn?.timeText)
        reminder = schedule(overrides?.reminder, config?.reminder)
        summary = schedule(overrides?.summary, config?.summary ?? (checkIn == nil ? nil : Self.defaultSummary))
        if let weekly = config?.weeklyReport, let at = try? CheckInSchedule(time: weekly.time, zone: zone) {
            self.weekly = (weekly.weekday, at)
        }
        outbound = config?.outbound
        coaches = overrides?.coaches ?? config?.coaches ?? []
    }

    var description: String {
        var parts: [String] = []
        parts.append(checkIn.map { "check-in prompt at \($0.timeText)" } ?? "no check-in prompt")
        parts.append(reminder.map { "reminder at \($0.timeText)" } ?? "no reminder")
        parts.append(summary.map { "summary at \($0.timeText)" } ?? "no scheduled summary")
        if let weekly { parts.append("weekly reports \(GroupSettings.weekdays[weekly.weekday - 1].capitalized)s at \(weekly.schedule.timeText)") }
        return parts.joined(separator: ", ") + " (\(zone))"
    }
}

/// Group coaching, as a type of its own: room commands, the daily schedules (prompt, reminder,
/// summary, weekly reports), the coach's digest and one-tap ratings. The bridge hands it what
/// arrives; it queues what it posts in the caller's transaction (or its own), through the outbox.
final class GroupCoach: Sendable {
    let settings: MatrixSettings
    let bot: BotIdentity
    let runtime: ChatRuntime
    let metrics: MatrixMetrics
    let logger: Logger
    let clock: @Sendable () -> Timestamp

    init(settings: MatrixSettings, bot: BotIdentity, runtime: ChatRuntime, metrics: MatrixMetrics, logger: Logger,
         clock: @escaping @Sendable () -> Timestamp) {
        self.settings = settings
        self.bot = bot
        self.runtime = runtime
        self.metrics = metrics
        self.logger = logger
        self.clock = clock
    }

    var database: SpotterDatabase { runtime.database }
}

extension GroupCoach {
    // MARK: Plans

    func plan(for room: String, _ session: StoreSession) throws -> RoomPlan {
        RoomPlan(config: settings.group.rooms[room], overrides: try session.roomSettings(room))
    }

    /// Whether a room is a group: anything but a room the homeserver says has two members.
    func isGroup(_ room: RoomInfo) -> Bool { RoomAudience(verifiedMembers: room.memberCount).isGroup }

    // MARK: Posting to a room, whichever channel it is

    /// Queues a post to a room: a Matrix message, or a POST to the room's outbound webhook.
    func enqueueRoomPost(
        _ session: StoreSession, room: String, text: String, dedupeKey: String, purpose: String? = nil, threadRoot: String? = nil,
        mentions: [String] = [], now: Timestamp
    ) throws {
        let transactionID = ReplyContent.transactionID(replyingTo: dedupeKey)
        if let hook = settings.group.rooms[room]?.outbound {
            try session.enqueue(kind: .webhook, dedupeKey: dedupeKey, roomID: room, transactionID: transactionID,
                                content: hook.template.payload(text: text, html: ReplyContent.html(text)), recipient: nil,
                                target: hook.url, purpose: purpose, at: now)
        } else {
            let content = ReplyContent.post(text, msgtype: settings.msgtype(for: room), threadRoot: threadRoot, mentions: mentions)
            try session.enqueue(kind: .message, dedupeKey: dedupeKey, roomID: room, transactionID: transactionID,
                                content: content.serialized(), recipient: nil, purpose: purpose, at: now)
        }
    }

    /// Queues a direct message to a lifter (their direct room is created when there is none).
    func enqueueDirect(_ session: StoreSession, user: String, text: String, dedupeKey: String, now: Timestamp) throws {
        let content = ReplyContent.post(text, msgtype: settings.defaultMsgtype, threadRoot: nil, mentions: [])
        try session.enqueue(kind: .direct, dedupeKey: dedupeKey, roomID: "", transactionID: ReplyContent.transactionID(replyingTo: dedupeKey),
                            content: content.serialized(), recipient: user, at: now)
    }

    // MARK: Which channel owns a room

    /// The channel a room belongs to. Rooms share one key space (`room_settings`, conversations),
    /// so who may speak for a room is decided here: a room with an outbound webhook in Config/
    /// belongs to the webhook channel; a Matrix room id (`!opaque:server`, or `!opaque` from room
    /// version 12 on) to Matrix; any other name to the webhook channel.
    func channel(of room: String) -> RoomChannel {
        if settings.group.rooms[room]?.outbound != nil { return .webhook }
        return Self.isMatrixRoomID(room) ? .matrix : .webhook
    }

    static func isMatrixRoomID(_ room: String) -> Bool { room.hasPrefix("!") && room.count > 1 }

    // MARK: Room commands

    /// Applies a room command inside the caller's transaction; returns the reply. A command from
    /// a channel that does not own the room changes nothing.
    func apply(
        _ command: RoomCommand, room: String, user: String, from channel: RoomChannel, session: StoreSession, now: Timestamp
    ) throws -> String {
        guard self.channel(of: room) == channel else {
            return "This room's settings belong to its \(self.channel(of: room).rawValue) channel: change them from there."
        }
        var overrides = try session.roomSettings(room) ?? RoomSettingsRow()
        let plan = try self.plan(for: room, session)
        func save() throws { try session.saveRoomSettings(room, overrides, by: user, at: now) }
        func checkTime(_ time: String, zone: String) -> String? {
            do {
                _ = try CheckInSchedule(time: time, zone: zone)
                return nil
            } catch {
                return "I couldn't set that: \(error.message)."
            }
        }
        switch command {
        case let .malformed(problem, expected):
            return "I couldn't read that room command: \(problem). The form is: \(bot.commandPrefix) \(expected)."
        case let .checkInAt(time, zone):
            let zoneName = zone ?? plan.zone
            if let problem = checkTime(time, zone: zoneName) { return problem }
            overrides.checkIn = time
            overrides.zone = zoneName
            try save()
            let updated = try self.plan(for: room, session)
            var text = "Daily check-in set for \(time) \(zoneName)."
            if zone == nil && zoneName == "UTC" { text += " (Add a time zone, like \"checkin at \(time) Europe/Berlin\", for local time.)" }
            if let schedule = updated.checkIn {
                let next = Self.nextPrompt(schedule, after: now)
                text += " Next prompt: \(schedule.title(of: next)) at \(schedule.timeText)."
            }
            if let summary = updated.summary { text += " Room summary at \(summary.timeText)." }
            return text + " Lifters: \(bot.commandPrefix) join to take part."
        case .checkInOff:
            overrides.checkIn = "off"
            try save()
            return "Daily check-in prompts are off for this room. Lifters can still check in any time by saying \"check in\"."
        case let .reminderAt(time):
            if let problem = checkTime(time, zone: plan.zone) { return problem }
            overrides.reminder = time
            try save()
            return "I'll remind those who haven't checked in by \(time) (\(plan.zone))."
        case .reminderOff:
            overrides.reminder = "off"
            try save()
            return "Reminders are off for this room."
        case let .summaryAt(time):
            if let problem = checkTime(time, zone: plan.zone) { return problem }
            overrides.summary = time
            try save()
            return "I'll post the group summary every day at \(time) (\(plan.zone))."
        case .summaryOff:
            overrides.summary = "off"
            try save()
            return "Scheduled summaries are off for this room; \(bot.commandPrefix) summary still posts one."
        case .summaryNow:
            return try summaryText(room: room, plan: plan, session: session, now: now)
        case .join:
            try session.setMembership(room: room, user: user, .joined, at: now)
            return "You're in: your check-ins count in this room's summary (as numbers only; your answers stay private)."
        case .leave:
            try session.setMembership(room: room, user: user, .left, at: now)
            return "You're out of this room's check-ins: no reminders, and you're not counted. \(bot.commandPrefix) join to come back."
        case .schedule:
            let members = try session.joinedMembers(room: room).count
            return "This room: \(plan.description). \(members) lifter\(members == 1 ? "" : "s") taking part."
        case let .coaches(ids):
            overrides.coaches = ids
            try save()
            return "Coaches of this room: \(ids.joined(separator: ", ")). At summary time each gets a private digest by direct "
                + "message naming only the lifters who say \(bot.commandPrefix) share; everyone else is only counted."
        case .share:
            try session.setSharesWithCoach(room: room, user: user, true, at: now)
            return "Thanks: this room's coaches will see by name when you're red, report pain or miss three days. "
                + "\(bot.commandPrefix) unshare stops it."
        case .unshare:
            try session.setSharesWithCoach(room: room, user: user, false, at: now)
            return "Done: the coaches' digest no longer names you; you're only counted."
        }
    }

    static func nextPrompt(_ schedule: CheckInSchedule, after now: Timestamp) -> Timestamp {
        let today = schedule.promptTime(onDayOf: now)
        return today > now ? today : schedule.promptTime(onDayOf: schedule.nextDayStart(after: now))
    }

    /// The room summary for the local day of `now`: counts only.
    func summaryText(room: String, plan: RoomPlan, session: StoreSession, now: Timestamp) throws -> String {
        let days = plan.days
        let members = try session.joinedMembers(room: room)
        var weekStart = now
        for _ in 0..<6 { weekStart = days.previousDayInstant(before: weekStart) }
        let checkIns = try session.checkIns(users: members, from: days.dayStart(of: weekStart), to: days.nextDayStart(after: now))
        let quick = try quickCheckIns(session, room: room, fromDay: days.day(of: weekStart), toDay: days.day(of: now))
        let summary = GroupSummary(members: members, checkIns: checkIns, quick: quick, now: now, schedule: days)
        if members.isEmpty {
            return "Nobody in this room takes part in check-ins yet: \(bot.commandPrefix) join to be counted."
        }
        return summary.text(title: days.title(of: now), deloadSources: runtime.coach.deloadCitation)
    }

    /// Each coach's private digest, by direct message (Matrix rooms only: coaches are Matrix users).
    func enqueueCoachDigests(_ session: StoreSession, room: String, plan: RoomPlan, day: String, now: Timestamp) throws {
        guard !plan.coaches.isEmpty, plan.outbound == nil else { return }
        let days = plan.days
        let members = try session.joinedMembers(room: room)
        let since = days.dayStart(of: days.previousDayInstant(before: days.previousDayInstant(before: now)))
        let quick = try quickCheckIns(session, room: room, fromDay: days.day(of: since), toDay: days.day(of: now))
        let digest = CoachDigest(members: members, sharers: try session.coachSharers(room: room),
                                 checkIns: try session.checkIns(users: members, from: since, to: days.nextDayStart(after: now)),
                                 quick: quick, now: now, schedule: days)
        let text = digest.text(room: room, title: days.title(of: now), prefix: bot.commandPrefix)
        for coach in plan.coaches {
            try enqueueDirect(session, user: coach, text: text, dedupeKey: "digest:\(room):\(coach):\(day)", now: now)
        }
    }

    // MARK: One-tap check-ins

    /// The room's quick check-ins on local days fromDay...toDay.
    func quickCheckIns(_ session: StoreSession, room: String, fromDay: String, toDay: String) throws -> [QuickCheckIn] {
        try session.quickCheckIns(room: room, fromDay: fromDay, toDay: toDay).compactMap { row in
            QuickRating(value: row.rating).map { QuickCheckIn(userID: row.userID, day: row.day, rating: $0) }
        }
    }

    /// Queues Spotter's own five rating reactions on a prompt it posted. The dedupe key and the
    /// transaction id both derive from the prompt and the key, so a restart neither loses nor
    /// doubles them (the homeserver drops a repeated transaction id).
    func enqueueRatingReactions(_ session: StoreSession, room: String, prompt: String, now: Timestamp) throws {
        for key in QuickRating.keys {
            let content = JSONValue.object([("m.relates_to", .object([
                ("rel_type", "m.annotation"), ("event_id", .string(prompt)), ("key", .string(key)),
            ]))])
            try session.enqueue(kind: .reaction, dedupeKey: "reaction:\(prompt):\(key)", roomID: room,
                                transactionID: ReplyContent.transactionID(replyingTo: "reaction:\(prompt):\(key)"),
                                content: content.serialized(), recipient: nil, at: now)
        }
    }

    /// A lifter's rating reaction on a prompt: recorded as that day's quick check-in (the latest
    /// one wins). A red-leaning one on today's prompt offers the full check-in by direct message,
    /// once a day, unless the lifter already did it; the room hears nothing about it.
    func recordQuickRating(_ entry: JournalEntry, prompt: String, rating value: Int, now: Timestamp) throws {
        let outcome = try database.write { session -> String in
            guard let rating = QuickRating(value: value), let (room, day) = try session.checkInPrompt(prompt), room == entry.roomID else {
                try session.markJournal(entry.seq, status: "ignored", note: "reaction on another room's prompt")
                return "ignored"
            }
            let user = entry.sender
            try session.recordQuickRating(reactionEventID: entry.eventID, room: room, user: user, day: day, rating: rating.value,
                                          at: entry.originTimestamp ?? now)
            if try session.membership(room: room, user: user) == nil {
                // Rating the room's prompt is taking part, as answering it is, unless the lifter has left.
                try session.setMembership(room: room, user: user, .joined, at: now)
            }
            if rating.leansRed, let scheduled = try session.scheduleEntry(room: room, kind: "prompt", day: day)?.scheduledAt {
                let days = try self.plan(for: room, session).days
                let full = try session.checkIns(users: [user], from: days.dayStart(of: scheduled), to: days.nextDayStart(after: scheduled))
                // Today's advice only helps today: a rating on an earlier day's prompt (a backlog
                // after an outage) is recorded without the offer.
                if full.isEmpty, days.day(of: now) == day {
                    try self.enqueueDirect(session, user: user, text: GroupPrompts.lowRatingOffer(rating: rating),
                                           dedupeKey: "quick-red:\(room):\(user):\(day)", now: now)
                }
            }
            try session.markJournal(entry.seq, status: "handled")
            return "recorded"
        }
        if outcome == "recorded" { metrics.increment("spotter_quick_checkins_total") }
        logger.info("handled event", metadata: ["room": "\(entry.roomID)", "event_id": "\(entry.eventID)",
                                                "intent": "quick_checkin", "outcome": "\(outcome)"])
    }

    /// A redaction: when it removes a recorded rating reaction, that quick check-in is gone
    /// (an earlier rating of the lifter's that day, still in the room, counts again).
    func forgetQuickRating(_ entry: JournalEntry, redacts: String) throws {
        let removed = try database.write { session -> Bool in
            let removed = try session.removeQuickRating(reactionEventID: redacts, room: entry.roomID) != nil
            try session.markJournal(entry.seq, status: removed ? "handled" : "ignored", note: removed ? nil : "redaction of an event that is not a rating")
            return removed
        }
        logger.info("handled event", metadata: ["room": "\(entry.roomID)", "event_id": "\(entry.eventID)",
                                                "intent": "redaction", "outcome": removed ? "quick check-in removed" : "ignored"])
    }

    // MARK: The scheduler

    /// Posts what is due in every room with a schedule. Each kind of post is recorded per local
    /// day in the same transaction that queues it, so a restart neither posts twice nor
    /// forgets a day; a post missed by more than the late window is skipped and logged.
    public func runSchedules() throws {
        let now = clock()
        let rooms = try database.read { session in Set(settings.group.rooms.keys).union(try session.roomsWithSettings()) }
        for room in rooms.sorted() {
            let plan = try database.read { try self.plan(for: room, $0) }
            if let schedule = plan.checkIn {
                try run("prompt", room: room, schedule: schedule, now: now) { session, day, _ in
                    try self.enqueueRoomPost(session, room: room, text: GroupPrompts.checkIn(prefix: self.bot.commandPrefix, reactions: plan.outbound == nil),
                                             dedupeKey: "prompt:\(room):\(day)", purpose: "prompt:\(day)", now: now)
                    return "posted"
                }
            }
            if let schedule = plan.reminder {
                try run("reminder", room: room, schedule: schedule, now: now) { session, day, _ in
                    let members = try session.joinedMembers(room: room)
                    let days = plan.days
                    let done = Set(try session.checkIns(users: members, from: days.dayStart(of: now), to: days.nextDayStart(after: now))
                        .map(\.userID))
                        .union(try session.quickCheckIns(room: room, fromDay: day, toDay: day).map(\.userID))
                    let missing = members.filter { !done.contains($0) }
                    guard !missing.isEmpty else { return "nothing_to_post" }
                    let root = try session.scheduleEntry(room: room, kind: "prompt", day: day)?.eventID
                    try self.enqueueRoomPost(session, room: room, text: GroupPrompts.reminder(names: missing),
                                             dedupeKey: "reminder:\(room):\(day)", threadRoot: root, mentions: missing, now: now)
                    return "posted"
                }
            }
            if let schedule = plan.summary {
                try run("summary", room: room, schedule: schedule, now: now) { session, day, _ in
                    let text = try self.summaryText(room: room, plan: plan, session: session, now: now)
                    try self.enqueueRoomPost(session, room: room, text: text, dedupeKey: "summary:\(room):\(day)", now: now)
                    try self.enqueueCoachDigests(session, room: room, plan: plan, day: day, now: now)
                    return "posted"
                }
            }
            if let weekly = plan.weekly, weekly.schedule.weekday(of: now) == weekly.weekday, plan.outbound == nil {
                try run("weekly", room: room, schedule: weekly.schedule, now: now) { session, day, _ in
                    for user in try session.joinedMembers(room: room) {
                        let report = try self.runtime.weeklyReport(user: user, session: session)
                        try self.enqueueDirect(session, user: user, text: "Your weekly report.\n" + report,
                                               dedupeKey: "weekly:\(user):\(day)", now: now)
                    }
                    return "posted"
                }
            }
        }
    }

    /// One kind of daily post in one room: decides, and records the decision with what it queued.
    private func run(
        _ kind: String, room: String, schedule: CheckInSchedule, now: Timestamp,
        post: @escaping (StoreSession, String, Timestamp) throws -> String
    ) throws {
        let last = try database.read { try $0.lastScheduledDay(room: room, kind: kind) }
        let missed = CheckInScheduler.missedDays(schedule, lastHandledDay: last, now: now)
        if !missed.isEmpty {
            try database.write { session in
                for day in missed {
                    try session.recordSchedule(room: room, kind: kind, day: day.day, status: "skipped", scheduledAt: day.scheduledAt, at: now)
                }
            }
            logger.warning("\(kind) for \(room): skipped \(missed.count) day(s) missed while Spotter was not running: \(missed.map(\.day).joined(separator: ", "))",
                           metadata: ["room": "\(room)", "kind": "\(kind)", "status": "skipped"])
        }
        switch CheckInScheduler.decide(schedule, lastHandledDay: missed.last?.day ?? last, now: now,
                                       lateWindow: settings.group.lateWindowSeconds) {
        case let .post(day, scheduledAt, late):
            let status: String
            do {
                status = try database.write { session -> String in
                    let outcome = try post(session, day, scheduledAt)
                    // Recorded already: another instance's scheduler got there first, and what
                    // this one queued is rolled back with the record.
                    guard try session.recordSchedule(room: room, kind: kind, day: day, status: outcome == "posted" && late ? "late" : outcome,
                                                     scheduledAt: scheduledAt, at: now)
                    else { throw StoreError.conflict(detail: "the \(kind) for \(room) on \(day) was decided already") }
                    return outcome
                }
            } catch {
                guard case .conflict = error else { throw error }
                logger.debug("\(error)", metadata: ["room": "\(room)", "kind": "\(kind)", "day": "\(day)"])
                return
            }
            metrics.increment("spotter_scheduled_posts_total")
            let metadata: Logger.Metadata = ["room": "\(room)", "kind": "\(kind)", "day": "\(day)", "status": "\(status)"]
            if late { logger.info("\(kind) for \(room) on \(day): posted late (due \(Int(now - scheduledAt)) s ago)", metadata: metadata) }
            logger.debug("\(kind) for \(room) on \(day): \(status)", metadata: metadata)
        case let .skip(day, scheduledAt):
            try database.write { session in
                try session.recordSchedule(room: room, kind: kind, day: day, status: "skipped", scheduledAt: scheduledAt, at: now)
            }
            metrics.increment("spotter_scheduled_skipped_total")
            logger.warning("\(kind) for \(room) on \(day): skipped, it was due \(Int((now - scheduledAt) / 60)) min ago (late window \(Int(settings.group.lateWindowSeconds / 60)) min)",
                           metadata: ["room": "\(room)", "kind": "\(kind)", "day": "\(day)", "status": "skipped"])
        case .wait:
            break
        }
    }
}
