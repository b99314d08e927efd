import Foundation
import SpotterApp
import SpotterCore
import SpotterTesting
import SpotterUnderstanding
import Testing
import Yams

/// One entry of `Tests/Corpus/sets.yml`: a set log as lifters write it and the exact records it must give.
struct SetCorpusEntry: Decodable, Sendable, CustomTestStringConvertible {
    struct Record: Decodable, Sendable, Hashable {
        var exercise: String
        var load: Double?
        var unit: String
        var sets: Int
        var reps: Int
        var added_load: Double?
        var rir: Double?
        var rpe: Double?
        var to_failure: Bool?
        var unit_stated: Bool?
    }

    var text: String
    var why: String?
    var sets: [Record]?
    var refused: String?
    var ask: String?

    var testDescription: String { text }

    static let all: [SetCorpusEntry] = {
        let url = ProjectFixtures.root.appendingPathComponent("Tests/Corpus/sets.yml")
        guard let text = try? String(contentsOf: url, encoding: .utf8),
              let entries = try? YAMLDecoder().decode([SetCorpusEntry].self, from: text) else { return [] }
        return entries
    }()
}

extension SetCorpusEntry.Record {
    init(_ set: LoggedSet) {
        self.init(exercise: set.exerciseID, load: set.load, unit: (set.unit ?? .kilograms).rawValue, sets: set.sets, reps: set.reps,
                  added_load: set.addedLoad, rir: set.rir, rpe: set.rpe, to_failure: set.toFailure ? true : nil,
                  unit_stated: set.unitStated || (set.load == nil && set.addedLoad == nil) ? nil : false)
    }

    /// Absent fields in the corpus mean "not said"; a bodyweight set has no unit to state.
    var normalised: Self {
        var copy = self
        if copy.to_failure == false { copy.to_failure = nil }
        if copy.load == nil && copy.added_load == nil { copy.unit_stated = nil }
        if copy.unit_stated == true { copy.unit_stated = nil }
        return copy
    }
}

@Suite("Set-log corpus")
struct SetCorpusTests {
    @Test("the corpus holds at least 300 phrasings, the issue's table among them")
    func corpusIsBigEnough() {
        let texts = Set(SetCorpusEntry.all.map(\.text))
        #expect(texts.count >= 300)
        for row in ["squat 100kg x 5 @ rpe 11", "incline db press 30s x 10 x 3 @8", "ohp 60 x 5, 5, 4", "deadlift 180kg x 3 @9",
                    "bench 100 x 5 @8", "bench 80kg 10,8,6", "squats 315 for 3"] {
            #expect(texts.contains(row), "\(row)")
        }
    }

    @Test("each phrasing gives exactly its records, its refusal or its question", arguments: SetCorpusEntry.all)
    func phrasing(_ entry: SetCorpusEntry) {
        let utterance = ProjectFixtures.coach.understanding.understand(entry.text)
        if let expected = entry.sets {
            #expect(utterance.intent == .logSet)
            #expect(utterance.loggedSets.map { SetCorpusEntry.Record($0).normalised } == expected.map(\.normalised))
        } else if let reason = entry.refused {
            #expect(utterance.intent == .unknown)
            #expect(utterance.loggedSets.isEmpty && utterance.loggedSet == nil)
            #expect(utterance.implausibleSet?.lowercased().contains(reason.lowercased()) == true,
                    "refused with \(utterance.implausibleSet ?? "no reason")")
        } else if let question = entry.ask {
            #expect(utterance.intent == .clarify)
            #expect(utterance.loggedSets.isEmpty)
            #expect(utterance.clarification?.lowercased().contains(question.lowercased()) == true,
                    "asked \(utterance.clarification ?? "nothing")")
        } else {
            Issue.record("entry has neither sets, refused nor ask")
        }
    }
}
