import Prometheus

/// The server's counters, gauges and handling-latency histogram, served at `GET /metrics` in the
/// Prometheus text format by swift-prometheus.
///
/// Each instance has its own registry (never the process-wide default), so bridges in one test
/// process count apart. Every metric in the catalogue is registered up front: `/metrics` shows
/// each name, with its HELP and TYPE, from the first scrape on, before it is first recorded.
public final class MatrixMetrics: Sendable {
    /// What `GET /metrics` serves.
    public let registry: PrometheusCollectorRegistry
    private let counters: [String: Counter]
    private let gauges: [String: Gauge]
    private let handling: ValueHistogram

    enum Kind { case counter, gauge }

    /// Every name, type and HELP text: the names are a contract that outside checks scrape.
    static let catalogue: [(name: String, kind: Kind, help: String)] = [
        ("spotter_transactions_total", .counter, "Transactions received from the homeserver."),
        ("spotter_transactions_duplicate_total", .counter, "Transactions acknowledged again without reprocessing."),
        ("spotter_events_total", .counter, "Events journaled (new event ids)."),
        ("spotter_events_duplicate_total", .counter, "Events seen again under another transaction."),
        ("spotter_events_handled_total", .counter, "Journaled events handled."),
        ("spotter_events_invalid_total", .counter, "Events skipped for an invalid sender or room id (NUL, control characters, too long)."),
        ("spotter_replies_total", .counter, "Replies and actions delivered to the homeserver."),
        ("spotter_send_failures_total", .counter, "Deliveries the homeserver refused for good (4xx)."),
        ("spotter_send_retries_total", .counter, "Deliveries scheduled again after 429, 5xx or a network error."),
        ("spotter_outbox_depth", .gauge, "Replies and actions waiting to be delivered."),
        ("spotter_journal_pending", .gauge, "Journaled events waiting to be handled."),
        ("spotter_webhook_requests_total", .counter, "Webhook messages handled."),
        ("spotter_webhook_replays_total", .counter, "Webhook deliveries answered again without reprocessing."),
        ("spotter_room_commands_total", .counter, "Room commands applied (!coach checkin at …, join, summary …)."),
        ("spotter_scheduled_posts_total", .counter, "Scheduled posts queued: check-in prompts, reminders, summaries, weekly reports."),
        ("spotter_scheduled_skipped_total", .counter, "Scheduled posts recorded as skipped (missed by more than the late window)."),
        ("spotter_quick_checkins_total", .counter, "One-tap check-ins: rating reactions on a check-in prompt recorded."),
    ]
    static let handlingName = "spotter_handling_seconds"
    static let buckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    /// The whole name as given (no namespace or unit parts added), with its HELP text.
    static func descriptor(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        var counters: [String: Counter] = [:]
        var gauges: [String: Gauge] = [:]
        for (name, kind, help) in Self.catalogue {
            switch kind {
            case .counter: counters[name] = registry.makeCounter(descriptor: Self.descriptor(name, help))
            case .gauge: gauges[name] = registry.makeGauge(descriptor: Self.descriptor(name, help))
            }
        }
        self.counters = counters
        self.gauges = gauges
        handling = registry.makeValueHistogram(
            descriptor: Self.descriptor(Self.handlingName, "Time from receiving a message to queuing its reply."), buckets: Self.buckets)
    }

    public func increment(_ name: String, by amount: Double = 1) {
        // Counters only go up (swift-prometheus traps on a negative step).
        guard amount > 0 else { return }
        // A name missing from the catalogue is still exported (without HELP) rather than lost;
        // MetricsTests fails on it, so it gets its catalogue entry.
        guard let counter = counters[name] ?? (gauges[name] == nil ? registry.makeCounter(descriptor: Self.descriptor(name, "")) : nil) else { return }
        // Whole steps stay integers, so the sample reads `3`, not `3.0`.
        if amount.rounded() == amount, amount < 0x1p53 {
            counter.increment(by: Int64(amount))
        } else {
            counter.increment(by: amount)
        }
    }

    public func set(_ name: String, _ value: Double) {
        guard let gauge = gauges[name] ?? (counters[name] == nil ? registry.makeGauge(descriptor: Self.descriptor(name, "")) : nil) else { return }
        gauge.set(to: value)
    }

    /// A counter's or gauge's current value, as `/metrics` serves it (0 when never recorded).
    public func value(_ name: String) -> Double {
        let prefix = name + " "
        for line in exposition().split(separator: "\n") where line.hasPrefix(prefix) {
            return Double(line.dropFirst(prefix.count)) ?? 0
        }
        return 0
    }

    /// Records the time from receiving an event to queuing its answer.
    public func observeHandling(seconds: Double) {
        handling.record(seconds)
    }

    /// The `GET /metrics` body.
    public func exposition() -> String {
        registry.emitToString()
    }
}
