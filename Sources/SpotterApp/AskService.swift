import SpotterAdvisor
import SpotterCore
import SpotterRules
import SpotterUnderstanding

/// Everything `spotter ask` needs, built once: understanding, advisor and reply writer.
public struct Coach: Sendable {
    public let understanding: MessageUnderstanding
    public let advisor: Advisor
    public var writer: ReplyWriter
    public let settings: CoachingSettings

    public init(rules: LoadedRules, settings: CoachingSettings = CoachingSettings()) throws(RulesFolderError) {
        try self.init(rules: rules, understanding: MessageUnderstanding(catalogue: rules.catalogue), settings: settings)
    }

    /// A coach over an understanding already built for `rules.catalogue` (read from a start-up snapshot).
    public init(rules: LoadedRules, understanding: MessageUnderstanding, settings: CoachingSettings = CoachingSettings()) throws(RulesFolderError) {
        self.understanding = understanding
        do {
            advisor = try Advisor(book: rules.book)
        } catch {
            throw .advisor(error.description)
        }
        writer = ReplyWriter(book: rules.book)
        self.settings = settings
    }

    /// Answers one message for a profile (flags or stored), with no day context.
    public func ask(_ message: String, profile: ResolvedProfile, tracing: Bool = false) -> (Consultation, String) {
        let utterance = understanding.understand(message)
        let context = TrainingContext(failureCap: settings.weeklyFailureCap)
        let consultation = advisor.consult(utterance, profile: profile, context: context, tracing: tracing)
        return (consultation, writer.reply(to: consultation))
    }
}

extension Coach {
    /// Short citations for a group deload hint (sources of the deload table's readiness rule).
    public var deloadCitation: String {
        ["bell2023", "saw2016"].compactMap { advisor.book.sources[$0]?.short }.joined(separator: "; ")
    }
}
