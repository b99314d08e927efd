import Foundation
import SpotterAdvisor
import SpotterApp
import SpotterCore
import SpotterTesting
import Testing

/// Issue 13: replies that answer what was asked, over the whole question corpus.
@Suite("Answers a lifter would act on")
struct AnswerQualityTests {
    @Test("the corpus has at least 300 issue-13 phrasings and covers the new intents")
    func corpusCoversIssue13() {
        let entries = CorpusEntry.all
        #expect(entries.count >= 385 + 300)
        for intent in ["ask_frequency", "ask_volume", "ask_load", "red_flag", "out_of_scope"] {
            #expect(entries.contains { $0.intent == intent }, "\(intent)")
        }
        #expect(entries.contains { $0.loadUnit == .some("lb") } && entries.contains { $0.loadUnit == .some("kg") })
        #expect(Set(entries.compactMap(\.consecutiveDays)) == ["yes", "light_only", "no"])
    }

    @Test("muscle group, consecutive days and load are as the corpus states", arguments: CorpusEntry.all.filter {
        $0.muscleGroup != nil || $0.consecutiveDays != nil || $0.loadUnit != nil
    })
    func issue13Fields(_ entry: CorpusEntry) {
        let (consultation, _) = ProjectFixtures.coach.ask(entry.text, profile: entry.profile)
        if let group = entry.muscleGroup { #expect(consultation.utterance.muscleGroup?.id == group, "muscle_group") }
        if let days = entry.consecutiveDays { #expect(consultation.shownPlan?.consecutiveDays?.rawValue == days, "consecutive_days") }
        if let unit = entry.loadUnit {
            let load = consultation.plan?.load
            #expect(load?.unit.rawValue == unit, "load unit")
            if let min = entry.loadMin { #expect(load?.min == min, "load min") }
            if let max = entry.loadMax { #expect(load?.max == max, "load max") }
        }
    }

    @Test("every reply: at most three sources, no sentence twice, a first line that answers the intent",
          arguments: CorpusEntry.all)
    func replyReads(_ entry: CorpusEntry) {
        let (consultation, reply) = ProjectFixtures.coach.ask(entry.text, profile: entry.profile)
        let problems = AnswerQuality.problems(reply, intent: consultation.utterance.intent, consultation: consultation)
        #expect(problems.isEmpty, "\(problems): \(reply)")
    }

    @Test("the checker catches what the issue lists: 9 sources, a repeated sentence, rest on line 2")
    func checkerCanFail() {
        let many = "Bench: avoid failure.\nSources: a [M]; b [M]; c [M]; d [M]. Say \"why\" for the full trace."
        #expect(AnswerQuality.sourceCount(many) == 4)
        #expect(AnswerQuality.repeatedSentence("A deload is a week. Take one.\nA deload is a week.") != nil)
        let (consultation, _) = ProjectFixtures.coach.ask("how long should I rest between sets of curls?", profile: ResolvedProfile(profile: .assumed))
        let restOnSecondLine = "Barbell Curl: failure is fine here.\nRest: 1-2 min between sets."
        #expect(!AnswerQuality.problems(restOnSecondLine, intent: .askRest, consultation: consultation).isEmpty)
    }

    @Test("a red flag gives no training advice and no advice object")
    func redFlag() {
        let (consultation, reply) = ProjectFixtures.coach.ask("should I go to failure on squats? my chest feels tight and my left arm is tingling",
                                                              profile: ResolvedProfile(profile: .assumed))
        #expect(consultation.utterance.intent == .redFlag)
        #expect(consultation.advice == nil && consultation.shownPlan == nil)
        let first = reply.split(separator: "\n").first.map(String.init) ?? ""
        #expect(first.lowercased().contains("stop") && first.lowercased().contains("medical help"))
        #expect(!reply.contains("Reps in reserve") && !reply.contains("failure"))
    }

    @Test("the deload answer says each sentence once and no exercise verdict")
    func deloadOnce() {
        let (_, reply) = ProjectFixtures.coach.ask("deload on bench?", profile: ResolvedProfile(profile: .assumed))
        #expect(AnswerQuality.repeatedSentence(reply) == nil, "\(reply)")
        #expect(reply.components(separatedBy: "Sources:").count == 2)
        #expect(!reply.contains("avoid failure"))
    }
}

/// The checks a good coach's reply passes (COACHING.md section 10).
enum AnswerQuality {
    static func sourceCount(_ reply: String) -> Int {
        guard let line = reply.split(separator: "\n").first(where: { $0.hasPrefix("Sources: ") }) else { return 0 }
        let list = line.dropFirst("Sources: ".count).split(separator: ".").first ?? ""
        return list.split(separator: ";").count
    }

    static func repeatedSentence(_ reply: String) -> String? {
        var seen = Set<String>()
        for line in reply.split(separator: "\n") {
            for sentence in ReplyWriterSentences.split(String(line)) {
                let key = sentence.lowercased()
                if key.count > 3, !seen.insert(key).inserted { return sentence }
            }
        }
        return nil
    }

    static func problems(_ reply: String, intent: Intent, consultation: Consultation) -> [String] {
        var problems: [String] = []
        if sourceCount(reply) > 3 { problems.append("more than three sources") }
        if let repeated = repeatedSentence(reply) { problems.append("repeated: \(repeated)") }
        let first = (reply.split(separator: "\n").first.map(String.init) ?? "").lowercased()
        let answers: Bool
        switch intent {
        case .askFailure:
            answers = ["avoid failure", "failure on the last set only", "failure is fine", "does not apply", "it depends on the lift"]
                .contains { first.contains($0) }
        case .askRIR: answers = first.contains("reps in reserve") || first.contains("reps short of failure")
        case .askRest: answers = first.contains("rest")
        case .askRecovery:
            answers = first.contains(" h") && (consultation.plan?.consecutiveDays == nil
                || ["yes:", "no:", "only light:"].contains { first.hasPrefix($0) })
        case .askDeload: answers = first.contains("deload") || first.contains("lighter week")
        case .askVolume: answers = first.contains("hard sets a week")
        case .askFrequency: answers = first.contains("sessions a week")
        case .askLoad:
            answers = consultation.plan?.load != nil ? (first.contains(" kg ") || first.contains(" lb ")) : first.contains("tell me a recent set, e.g. 100x5")
        case .redFlag: answers = first.contains("stop") && first.contains("medical help")
        case .outOfScope: answers = first.contains("outside what i can advise on")
        default: answers = true
        }
        if !answers { problems.append("the first line does not answer \(intent.rawValue)") }
        return problems
    }
}

/// Sentence splitting as a reader does it: after ". ".
enum ReplyWriterSentences {
    static func split(_ line: String) -> [String] {
        var parts: [String] = []
        var current = ""
        var previous: Character = " "
        for character in line {
            if previous == ".", character == " " {
                parts.append(current.trimmingCharacters(in: .whitespaces))
                current = ""
            }
            current.append(character)
            previous = character
        }
        let last = current.trimmingCharacters(in: .whitespaces)
        if !last.isEmpty { parts.append(last) }
        return parts
    }
}
