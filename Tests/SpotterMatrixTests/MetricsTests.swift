import Foundation
import SpotterBridge
import SpotterCore
import SpotterMatrix
import SpotterServer
import SpotterTesting
import Testing

/// A `/metrics` body read back: each family's HELP and TYPE, and each sample's value by its
/// line key (`name` or `name{labels}`). Lines that are not valid Prometheus text are kept as problems.
struct Exposition {
    var help: [String: String] = [:]
    var type: [String: String] = [:]
    var samples: [String: Double] = [:]
    /// Sample keys in the order they came.
    var order: [String] = []
    var problems: [String] = []

    init(_ text: String) {
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) where !line.isEmpty {
            if line.hasPrefix("# HELP ") {
                let rest = line.dropFirst("# HELP ".count)
                guard let space = rest.firstIndex(of: " ") else { problems.append("HELP without text: \(line)"); continue }
                help[String(rest[..<space])] = String(rest[rest.index(after: space)...])
            } else if line.hasPrefix("# TYPE ") {
                let parts = line.dropFirst("# TYPE ".count).split(separator: " ")
                guard parts.count == 2, ["counter", "gauge", "histogram", "summary", "untyped"].contains(parts[1]) else {
                    problems.append("bad TYPE line: \(line)")
                    continue
                }
                type[String(parts[0])] = String(parts[1])
            } else if line.hasPrefix("#") {
                continue
            } else {
                guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else {
                    problems.append("sample without a number: \(line)")
                    continue
                }
                let key = String(line[..<space])
                let name = String(key.prefix { $0 != "{" })
                let family = ["_bucket", "_sum", "_count"].first { name.hasSuffix($0) && type[String(name.dropLast($0.count))] == "histogram" }
                    .map { String(name.dropLast($0.count)) } ?? name
                if type[family] == nil { problems.append("sample before its TYPE: \(line)") }
                samples[key] = value
                order.append(key)
            }
        }
    }
}

/// The metric names the code records, from its call sites: `increment("…"` and `set("…"` on the
/// bridge's metrics. A call whose name is not a literal cannot be checked, so it is reported.
func metricNamesInSources() throws -> (counters: Set<String>, gauges: Set<String>, unchecked: [String]) {
    let sources = ProjectFixtures.root.appendingPathComponent("Sources")
    var counters: Set<String> = []
    var gauges: Set<String> = []
    var unchecked: [String] = []
    let files = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)
    while let file = files?.nextObject() as? URL {
        guard file.pathExtension == "swift" else { continue }
        let text = try String(contentsOf: file, encoding: .utf8)
        for match in text.matches(of: /metrics\.(increment|set)\(([^,)]*)/) {
            let argument = match.2.trimmingCharacters(in: .whitespaces)
            guard let name = argument.wholeMatch(of: /"(spotter_[a-z_]+)"/)?.1 else {
                unchecked.append("\(file.lastPathComponent): metrics.\(match.1)(\(argument)")
                continue
            }
            if match.1 == "increment" { counters.insert(String(name)) } else { gauges.insert(String(name)) }
        }
    }
    return (counters, gauges, unchecked)
}

@Suite("/metrics")
struct MetricsTests {
    @Test("every counter the server increments is exported with its HELP and TYPE")
    func everyIncrementedCounterIsExported() throws {
        let sources = ProjectFixtures.root.appendingPathComponent("Sources")
        var names: Set<String> = []
        let files = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)
        while let file = files?.nextObject() as? URL {
            guard file.pathExtension == "swift" else { continue }
            let text = try String(contentsOf: file, encoding: .utf8)
            for match in text.matches(of: /increment\("(spotter_[a-z_]+)"/) { names.insert(String(match.1)) }
        }
        #expect(names.count >= 10, "the scan finds the counters")
        let metrics = MatrixMetrics()
        for name in names { metrics.increment(name, by: 3) }
        let exposition = metrics.exposition()
        for name in names.sorted() {
            #expect(exposition.contains("# TYPE \(name) counter"), "\(name) is counted but not exported")
            #expect(exposition.contains("\n\(name) 3\n"), "\(name) is counted but not exported")
        }
    }

    @Test("every name the code counts or sets is served at GET /metrics with HELP and TYPE, at zero before anything happened")
    func everyRecordedNameIsServed() async throws {
        let (counters, gauges, unchecked) = try metricNamesInSources()
        #expect(unchecked.isEmpty, "metric names must be literals so this check sees them: \(unchecked)")
        #expect(counters.count >= 15 && gauges.count >= 2, "the scan finds the call sites")
        let fixture = try BridgeFixture(homeserver: "http://127.0.0.1:9")
        let response = await fixture.api.handle(APIRequest(method: "GET", path: "/metrics"))
        #expect(response.status == 200)
        #expect(response.contentType == "text/plain; version=0.0.4")
        let exposition = Exposition(response.body)
        #expect(exposition.problems.isEmpty, "\(exposition.problems)")
        for (names, type) in [(counters, "counter"), (gauges, "gauge")] {
            for name in names.sorted() {
                #expect(exposition.type[name] == type, "\(name) is recorded in the code but /metrics has no `# TYPE \(name) \(type)`")
                #expect(exposition.help[name]?.isEmpty == false, "\(name) has no HELP at /metrics")
                #expect(exposition.samples[name] == 0, "\(name) is not served before it is first recorded")
            }
        }
        #expect(exposition.type["spotter_handling_seconds"] == "histogram")
    }

    @Test("/metrics counts what the server did: transactions, events, a room command, replies and the handling time")
    func countsWhatHappened() async throws {
        let homeserver = FakeHomeserver()
        try await homeserver.start()
        defer { Task { await homeserver.stop() } }
        let fixture = try BridgeFixture(homeserver: homeserver.url)
        let events = [BridgeFixture.event("$q1", body: "should I go to failure on my squats?"),
                      BridgeFixture.event("$c1", body: "!coach schedule")]
        #expect(await fixture.put("txn-1", events).status == 200)
        #expect(await fixture.put("txn-1", events).status == 200)
        try await fixture.drain()
        let response = await fixture.api.handle(APIRequest(method: "GET", path: "/metrics"))
        let exposition = Exposition(response.body)
        #expect(exposition.problems.isEmpty, "\(exposition.problems)")
        #expect(exposition.samples["spotter_transactions_total"] == 1)
        #expect(exposition.samples["spotter_transactions_duplicate_total"] == 1)
        #expect(exposition.samples["spotter_events_total"] == 2)
        #expect(exposition.samples["spotter_events_handled_total"] == 2)
        #expect(exposition.samples["spotter_room_commands_total"] == 1, "the room command is counted at /metrics")
        #expect(exposition.samples["spotter_replies_total"] == 2)
        #expect(exposition.samples["spotter_journal_pending"] == 0)
        // The latency histogram keeps its name and buckets; the room command is not an answer.
        let buckets = exposition.order.filter { $0.hasPrefix("spotter_handling_seconds_bucket{") }
        #expect(buckets == ["0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1.0", "2.5", "5.0", "10.0", "+Inf"]
            .map { "spotter_handling_seconds_bucket{le=\"\($0)\"}" })
        #expect(exposition.samples["spotter_handling_seconds_count"] == 1)
        #expect(exposition.samples["spotter_handling_seconds_bucket{le=\"+Inf\"}"] == 1)
        #expect(exposition.samples["spotter_handling_seconds_sum"].map { $0 >= 0 } == true)
        // What tests read is what /metrics serves.
        #expect(fixture.bridge.metrics.value("spotter_replies_total") == 2)
        #expect(fixture.bridge.metrics.value("spotter_room_commands_total") == 1)
    }

    @Test("two bridges in one process count apart")
    func bridgesCountApart() async throws {
        let first = try BridgeFixture(homeserver: "http://127.0.0.1:9")
        let second = try BridgeFixture(homeserver: "http://127.0.0.1:9")
        #expect(await first.put("t1", [BridgeFixture.event("$a", body: "hi")]).status == 200)
        #expect(first.bridge.metrics.value("spotter_transactions_total") == 1)
        #expect(second.bridge.metrics.value("spotter_transactions_total") == 0)
        let served = Exposition(await second.api.handle(APIRequest(method: "GET", path: "/metrics")).body)
        #expect(served.samples["spotter_transactions_total"] == 0)
    }

    @Test("a name missing from the catalogue is still exported, never dropped; a counter never goes down")
    func uncataloguedNameIsKept() {
        let metrics = MatrixMetrics()
        metrics.increment("spotter_new_thing_total", by: 2)
        metrics.increment("spotter_new_thing_total", by: -5)
        metrics.increment("spotter_replies_total", by: 0.5)
        let exposition = Exposition(metrics.exposition())
        #expect(exposition.problems.isEmpty, "\(exposition.problems)")
        #expect(exposition.type["spotter_new_thing_total"] == "counter")
        #expect(exposition.samples["spotter_new_thing_total"] == 2)
        #expect(metrics.value("spotter_replies_total") == 0.5)
    }
}
