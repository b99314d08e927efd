import Foundation
import SpotterAdvisor
import SpotterCore
import SpotterUnderstanding
import Yams

/// Figures from timing understanding plus advice over a corpus of messages.
public struct ThroughputReport: Sendable {
    public var messages: Int
    public var rounds: Int
    public var medianNanoseconds: Double
    public var p99Nanoseconds: Double
    public var meanNanoseconds: Double

    public var description: String {
        String(format: "understanding+advice: %d messages x %d rounds: median %.2f µs, p99 %.2f µs, mean %.2f µs per message",
               messages, rounds, medianNanoseconds / 1000, p99Nanoseconds / 1000, meanNanoseconds / 1000)
    }
}

/// Measures (never asserts) how long understanding plus advice takes per message.
public enum CoachBenchmark {
    /// The `text` of every entry in a corpus file (a YAML list of mappings with `text`).
    public static func corpusMessages(_ path: String) throws -> [String] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        guard case let .sequence(items)? = try Yams.compose(yaml: text) else { return [] }
        return items.compactMap { $0["text"]?.string }
    }

    /// Times each message `rounds` times after one warm-up round; the reply text is not included.
    public static func run(_ coach: Coach, messages: [String], rounds: Int) -> ThroughputReport {
        let profile = ResolvedProfile(profile: .assumed)
        var samples: [Double] = []
        samples.reserveCapacity(messages.count * rounds)
        var sink = 0
        for message in messages {
            let utterance = coach.understanding.understand(message)
            sink &+= coach.advisor.consult(utterance, profile: profile).advice?.rules.count ?? 0
        }
        let clock = ContinuousClock()
        for _ in 0..<rounds {
            for message in messages {
                let start = clock.now
                let utterance = coach.understanding.understand(message)
                let consultation = coach.advisor.consult(utterance, profile: profile)
                let elapsed = clock.now - start
                sink &+= consultation.advice?.rules.count ?? 0
                samples.append(Double(elapsed.components.seconds) * 1e9 + Double(elapsed.components.attoseconds) / 1e9)
            }
        }
        samples.sort()
        let median = samples.isEmpty ? 0 : samples[samples.count / 2]
        let p99 = samples.isEmpty ? 0 : samples[min(samples.count - 1, Int(Double(samples.count) * 0.99))]
        let mean = samples.isEmpty ? 0 : samples.reduce(0, +) / Double(samples.count)
        if sink == Int.min { print(sink) }  // keeps the work from being optimised away
        return ThroughputReport(messages: messages.count, rounds: rounds, medianNanoseconds: median, p99Nanoseconds: p99,
                                meanNanoseconds: mean)
    }
}
