import Dispatch
import SpotterAdvisor
import SpotterCore
import SpotterRules
import SpotterUnderstanding
import Synchronization

/// Everything `spotter ask` needs, built once: understanding, advisor and reply writer.
public struct Coach: Sendable {
    public let understanding: MessageUnderstanding
    public let advisor: Advisor
    public var writer: ReplyWriter
    public let settings: CoachingSettings

    public init(rules: LoadedRules, settings: CoachingSettings = CoachingSettings()) throws(RulesFolderError) {
        understanding = MessageUnderstanding(catalogue: rules.catalogue)
        do {
            advisor = try Advisor(book: rules.book)
        } catch {
            throw .advisor(error.description)
        }
        writer = ReplyWriter(book: rules.book)
        self.settings = settings
    }

    /// Loads a rules folder and builds the coach over it, with the same checks and errors as
    /// ``init(rules:settings:)`` over ``RulesFolder/load(_:)``. The catalogue and the
    /// understanding built from it share nothing with the rule book, so they are built on a
    /// second thread while this one reads and validates the rules: start-up is most of a
    /// one-question process (`spotter ask`), and the two halves take about as long.
    public init(folder: String, settings: CoachingSettings = CoachingSettings()) throws(RulesFolderError) {
        let files = try RulesFolder.ruleFiles(in: folder)
        let built = Built()
        let group = DispatchGroup()
        DispatchQueue.global(qos: .userInitiated).async(group: group) {
            let result: Result<MessageUnderstanding, RulesFolderError>
            do throws(RulesFolderError) {
                result = .success(MessageUnderstanding(catalogue: try RulesFolder.loadCatalogue(folder)))
            } catch {
                result = .failure(error)
            }
            built.understanding.withLock { $0 = result }
        }
        let book: Result<RuleBook, RulesFolderError>
        do {
            book = .success(try RulesFolder.loadBook(files))
        } catch {
            book = .failure(error)
        }
        group.wait()
        // The rules' problems come first, as when the two are loaded one after the other.
        let rules = try book.get()
        guard let understood = built.understanding.withLock({ $0 }) else { throw .notFound(folder) }
        let understanding = try understood.get()
        self.understanding = understanding
        do {
            advisor = try Advisor(book: rules)
        } catch {
            throw .advisor(error.description)
        }
        writer = ReplyWriter(book: rules)
        self.settings = settings
    }

    /// What the second thread of ``init(folder:settings:)`` hands back.
    private final class Built: Sendable {
        let understanding = Mutex<Result<MessageUnderstanding, RulesFolderError>?>(nil)
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
