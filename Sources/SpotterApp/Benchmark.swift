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

/// Why a benchmark corpus cannot be read; each says what to pass instead.
public enum CorpusError: Error, Sendable, CustomStringConvertible {
    case notFound(String)
    case notYAML(String, String)
    case empty(String)

    public var code: String {
        switch self {
        case .notFound: "corpus_missing"
        case .notYAML: "corpus_invalid"
        case .empty: "corpus_empty"
        }
    }

    public var description: String {
        switch self {
        case let .notFound(path):
            "\(path): no such corpus file; run from the Spotter checkout or pass --corpus FILE (a YAML list of entries with `text`)."
        case let .notYAML(path, detail):
            "\(path): not valid YAML (\(detail)); pass --corpus FILE (a YAML list of entries with `text`)."
        case let .empty(path):
            "\(path): no messages (expected a YAML list of entries with `text`); pass --corpus FILE with some."
        }
    }
}

/// Measures (never asserts) how long understanding plus advice takes per message.
public enum CoachBenchmark {
    /// The `text` of every entry in a corpus file (a YAML list of mappings with `text`).
    public static func corpusMessages(_ path: String) throws(CorpusError) -> [String] {
        guard let data = FileManager.default.contents(atPath: path) else { throw .notFound(path) }
        let items: Node?
        do {
            items = try Yams.compose(yaml: String(decoding: data, as: UTF8.self))
        } catch {
            throw .notYAML(path, "\(error)".split(separator: "\n").first.map(String.init) ?? "")
        }
        guard case let .sequence(list)? = items else { throw .empty(path) }
        let messages = list.compactMap { $0["text"]?.string }
        if messages.isEmpty { throw .empty(path) }
        return messages
    }

    /// The project's question corpus, found like the rules folder (from the working folder or
    /// beside the executable), so `spotter bench` works from anywhere in a checkout.
    public static var defaultCorpus: String {
        ProjectPaths.find("Tests/Corpus").map { ($0 as NSString).appendingPathComponent("questions.yml") }
            ?? "Tests/Corpus/questions.yml"
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
