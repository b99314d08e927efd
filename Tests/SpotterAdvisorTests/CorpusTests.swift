import Foundation
import SpotterAdvisor
import SpotterApp
import SpotterCore
import SpotterRules
import SpotterTesting
import SpotterUnderstanding
import Testing
import Yams

/// One entry of `Tests/Corpus/questions.yml`: a real-world phrasing and what Spotter must make of it.
struct CorpusEntry: Decodable, Sendable, CustomTestStringConvertible {
    var text: String
    var flags: [String: String]?
    var intent: String
    var exercise: String?
    var verdict: String?
    var why: String?
    // Issue 13 additions, each checked only where an entry states it.
    var muscleGroup: String??
    var consecutiveDays: String?
    var loadUnit: String??
    var loadMin: Double?
    var loadMax: Double?

    enum CodingKeys: String, CodingKey {
        case text, flags, intent, exercise, verdict, why
        case muscleGroup = "muscle_group", consecutiveDays = "consecutive_days", loadUnit = "load_unit"
        case loadMin = "load_min", loadMax = "load_max"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        text = try container.decode(String.self, forKey: .text)
        flags = try container.decodeIfPresent([String: String].self, forKey: .flags)
        intent = try container.decode(String.self, forKey: .intent)
        exercise = try container.decodeIfPresent(String.self, forKey: .exercise)
        verdict = try container.decodeIfPresent(String.self, forKey: .verdict)
        why = try container.decodeIfPresent(String.self, forKey: .why)
        if container.contains(.muscleGroup) { muscleGroup = .some(try container.decodeIfPresent(String.self, forKey: .muscleGroup)) }
        consecutiveDays = try container.decodeIfPresent(String.self, forKey: .consecutiveDays)
        if container.contains(.loadUnit) { loadUnit = .some(try container.decodeIfPresent(String.self, forKey: .loadUnit)) }
        loadMin = try container.decodeIfPresent(Double.self, forKey: .loadMin)
        loadMax = try container.decodeIfPresent(Double.self, forKey: .loadMax)
    }

    var testDescription: String { text }

    static let all: [CorpusEntry] = {
        let url = ProjectFixtures.root.appendingPathComponent("Tests/Corpus/questions.yml")
        guard let text = try? String(contentsOf: url, encoding: .utf8),
              let entries = try? YAMLDecoder().decode([CorpusEntry].self, from: text) else {
            return []
        }
        return entries
    }()

    var profile: ResolvedProfile {
        var profile = ResolvedProfile(profile: .assumed)
        if let value = flags?["experience"].flatMap(Experience.init(rawValue:)) {
            profile.profile.experience = value
            profile.experienceOrigin = .profile
        }
        if let value = flags?["goal"].flatMap(TrainingGoal.init(rawValue:)) {
            profile.profile.goal = value
            profile.goalOrigin = .profile
        }
        if let value = flags?["spotter"] {
            profile.profile.spotter = value == "yes" || value == "true"
            profile.spotterOrigin = .profile
        }
        return profile
    }
}

@Suite("Question corpus")
struct CorpusTests {
    @Test("the corpus holds at least 200 phrasings covering every intent and verdict")
    func corpusIsBigEnough() {
        let entries = CorpusEntry.all
        #expect(entries.count >= 200)
        #expect(Set(entries.map(\.intent)) == Set(Intent.askIntents.map(\.rawValue)))
        #expect(Set(entries.compactMap(\.verdict)) == Set(FailureVerdict.allCases.map(\.rawValue)))
    }

    @Test("each phrasing gets its expected intent, exercise and verdict", arguments: CorpusEntry.all)
    func phrasing(_ entry: CorpusEntry) {
        let (consultation, reply) = ProjectFixtures.coach.ask(entry.text, profile: entry.profile)
        let intent = consultation.utterance.intent
        #expect((intent.isChatOnly ? Intent.unknown : intent).rawValue == entry.intent, "intent")
        #expect(consultation.utterance.exercise?.id == entry.exercise, "exercise")
        #expect(consultation.advice?.failure.rawValue == entry.verdict, "verdict")
        #expect(!reply.isEmpty)
    }
}

@Suite("Compiled rule walk")
struct CompiledRuleWalkTests {
    /// The evaluator walks a compiled form of the tables, comparing facts by their numbered
    /// strings; tracing walks the rules themselves, by value. Both must fire the same rules and
    /// leave the same facts for every phrasing, in every pipeline.
    @Test("fires what the rules themselves fire, for every corpus phrasing and pipeline", arguments: CorpusEntry.all)
    func sameDecisions(_ entry: CorpusEntry) {
        let coach = ProjectFixtures.coach
        let book = coach.advisor.book
        let facts = Self.facts(entry, coach)
        for pipeline in book.pipelines.keys.sorted() {
            let compiled = book.evaluate(facts, pipeline: pipeline)
            let walked = book.evaluate(facts, pipeline: pipeline, tracing: true)
            #expect(compiled.firings == walked.firings, "\(pipeline): fired rules")
            #expect(compiled.facts == walked.facts, "\(pipeline): facts")
        }
    }

    /// A fact set from another rule book numbers its strings in another table, so that book
    /// compares its facts by value: it must decide exactly as the book the facts came from. (The
    /// second book is loaded here and freed at the end, not kept for the whole run.)
    @Test("a fact set from another loaded book decides the same, for every corpus phrasing and pipeline")
    func sameDecisionsByValue() throws {
        let coach = ProjectFixtures.coach
        let book = coach.advisor.book
        let other = try RulesFolder.load(ProjectFixtures.rulesFolder).book
        for entry in CorpusEntry.all {
            let facts = Self.facts(entry, coach)
            for pipeline in book.pipelines.keys.sorted() {
                let compiled = book.evaluate(facts, pipeline: pipeline)
                let byValue = other.evaluate(facts, pipeline: pipeline)
                #expect(byValue.firings == compiled.firings, "\(entry.text), \(pipeline): fired rules")
                #expect(byValue.facts == compiled.facts, "\(entry.text), \(pipeline): facts")
            }
        }
    }

    private static func facts(_ entry: CorpusEntry, _ coach: Coach) -> FactSet {
        let utterance = coach.understanding.understand(entry.text)
        return coach.advisor.facts(for: utterance, profile: entry.profile.applying(utterance.hints).profile,
                                   context: TrainingContext(failureCap: coach.settings.weeklyFailureCap))
    }
}
