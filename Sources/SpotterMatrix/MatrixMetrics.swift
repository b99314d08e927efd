import Foundation

/// Counters and a latency histogram for `GET /metrics`, in the Prometheus text format.
public final class MatrixMetrics: @unchecked Sendable {
    private let lock = NSLock()
    private var counters: [String: Double] = [:]
    private var gauges: [String: Double] = [:]
    static let buckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
    private var latencyCounts = [Int](repeating: 0, count: MatrixMetrics.buckets.count)
    private var latencySum = 0.0
    private var latencyTotal = 0

    static let help: [String: (type: String, help: String)] = [
        "spotter_transactions_total": ("counter", "Transactions received from the homeserver."),
        "spotter_transactions_duplicate_total": ("counter", "Transactions acknowledged again without reprocessing."),
        "spotter_events_total": ("counter", "Events journaled (new event ids)."),
        "spotter_events_duplicate_total": ("counter", "Events seen again under another transaction."),
        "spotter_events_handled_total": ("counter", "Journaled events handled."),
        "spotter_events_invalid_total": ("counter", "Events skipped for an invalid sender or room id (NUL, control characters, too long)."),
        "spotter_replies_total": ("counter", "Replies and actions delivered to the homeserver."),
        "spotter_send_failures_total": ("counter", "Deliveries the homeserver refused for good (4xx)."),
        "spotter_send_retries_total": ("counter", "Deliveries scheduled again after 429, 5xx or a network error."),
        "spotter_outbox_depth": ("gauge", "Replies and actions waiting to be delivered."),
        "spotter_journal_pending": ("gauge", "Journaled events waiting to be handled."),
        "spotter_webhook_requests_total": ("counter", "Webhook messages handled."),
        "spotter_webhook_replays_total": ("counter", "Webhook deliveries answered again without reprocessing."),
        "spotter_room_commands_total": ("counter", "Room commands applied (!coach checkin at …, join, summary …)."),
        "spotter_scheduled_posts_total": ("counter", "Scheduled posts queued: check-in prompts, reminders, summaries, weekly reports."),
        "spotter_scheduled_skipped_total": ("counter", "Scheduled posts recorded as skipped (missed by more than the late window)."),
        "spotter_quick_checkins_total": ("counter", "One-tap check-ins: rating reactions on a check-in prompt recorded."),
    ]

    public init() {}

    public func increment(_ name: String, by amount: Double = 1) {
        lock.withLock { counters[name, default: 0] += amount }
    }

    public func set(_ name: String, _ value: Double) {
        lock.withLock { gauges[name] = value }
    }

    public func value(_ name: String) -> Double {
        lock.withLock { counters[name] ?? gauges[name] ?? 0 }
    }

    /// Records the time from receiving an event to queuing its answer.
    public func observeHandling(seconds: Double) {
        lock.withLock {
            latencySum += seconds
            latencyTotal += 1
            for (index, bound) in Self.buckets.enumerated() where seconds <= bound { latencyCounts[index] += 1 }
        }
    }

    public func exposition() -> String {
        lock.withLock {
            var out = ""
            for name in Self.help.keys.sorted() {
                let (type, help) = Self.help[name]!
                out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
                out += "\(name) \(format(type == "gauge" ? gauges[name] ?? 0 : counters[name] ?? 0))\n"
            }
            let name = "spotter_handling_seconds"
            out += "# HELP \(name) Time from receiving a message to queuing its reply.\n# TYPE \(name) histogram\n"
            for (index, bound) in Self.buckets.enumerated() {
                out += "\(name)_bucket{le=\"\(bound)\"} \(latencyCounts[index])\n"
            }
            out += "\(name)_bucket{le=\"+Inf\"} \(latencyTotal)\n\(name)_sum \(latencySum)\n\(name)_count \(latencyTotal)\n"
            return out
        }
    }

    private func format(_ value: Double) -> String {
        value.rounded() == value ? String(Int64(value)) : String(value)
    }
}
