import SpotterAdvisor
import SpotterApp
import SpotterRules
import SpotterUnderstanding
import SpotterCore
import SpotterTesting
import Testing

private let coach = ProjectFixtures.coach

private func consult(
    _ text: String, profile: Profile = .assumed, context: TrainingContext = TrainingContext(), tracing: Bool = false
) -> Consultation {
    coach.advisor.consult(coach.understanding.understand(text), profile: ResolvedProfile(profile: profile),
                          context: context, tracing: tracing)
}

@Suite("Advisor")
struct AdvisorTests {
    @Test("squats at the defaults: the documented answer")
    func squats() throws {
        let advice = try #require(consult("should I go to failure on squats?").advice)
        #expect(advice.failure == .avoid)
        #expect(advice.repsInReserve == IntRange(1, 3))
        #expect(advice.restSeconds == IntRange(120, 180))
        #expect(advice.recoveryHours == IntRange(48, 72))
        #expect(advice.rules.first == "failure.axial")
        #expect(advice.sources.contains("moran2017"))
    }

    @Test("one verdict per risk class at the defaults", arguments: [
        ("squats", FailureVerdict.avoid), ("bench", .avoid), ("power clean", .avoid), ("dumbbell bench", .lastSet),
        ("leg press", .allowed), ("curls", .allowed), ("treadmill", .notApplicable),
    ])
    func riskClasses(_ pair: (String, FailureVerdict)) {
        #expect(consult("failure on \(pair.0)?").advice?.failure == pair.1)
    }

    @Test("a red check-in makes curls an avoid with 3-4 in reserve")
    func red() throws {
        let advice = try #require(consult("curls to failure?", context: TrainingContext(readiness: .red)).advice)
        #expect(advice.failure == .avoid)
        #expect(advice.repsInReserve == IntRange(3, 4))
    }

    @Test("an amber check-in caps curls at last_set and adds a rep in reserve")
    func amber() throws {
        let advice = try #require(consult("curls to failure?", context: TrainingContext(readiness: .amber)).advice)
        #expect(advice.failure == .lastSet)
        #expect(advice.repsInReserve == IntRange(1, 3))
    }

    @Test("allowed failure puts 0 in the RIR range, even for a general goal")
    func allowedReachesZero() throws {
        let profile = Profile(experience: .intermediate, goal: .general, spotter: false)
        let advice = try #require(consult("curls to failure?", profile: profile).advice)
        #expect(advice.failure == .allowed)
        #expect(advice.repsInReserve == IntRange(0, 3))
    }

    @Test("the weekly failure cap caps the verdict at last_set, with a note")
    func weeklyCap() throws {
        let advice = try #require(consult("curls to failure?", context: TrainingContext(weekFailureSets: 4, failureCap: 4)).advice)
        #expect(advice.failure == .lastSet)
        #expect(advice.notes.contains { $0.contains("failure sets for this muscle") })
        let under = try #require(consult("curls to failure?", context: TrainingContext(weekFailureSets: 3, failureCap: 4)).advice)
        #expect(under.failure == .allowed)
    }

    @Test("a spotter turns bench into last_set; the profile says so")
    func spotter() throws {
        let profile = Profile(experience: .intermediate, goal: .hypertrophy, spotter: true)
        #expect(consult("failure on bench?", profile: profile).advice?.failure == .lastSet)
        #expect(consult("failure on bench?").assumptionsThatMatter == ["spotter"])
    }

    @Test("rest grows by a minute after a set taken to failure")
    func restAfterFailure() throws {
        let advice = try #require(consult("how long should I rest after going to failure on curls?").advice)
        #expect(advice.restSeconds == IntRange(120, 180))
    }

    @Test("heavy axial work needs 72 h; heavy compound work 3-5 min rest")
    func heavy() throws {
        let advice = try #require(consult("heavy triples on squats, how long to recover?").advice)
        #expect(advice.recoveryHours == IntRange(72, 72))
        #expect(advice.restSeconds == IntRange(180, 300))
    }

    @Test("pain gives avoid and a referral to a professional")
    func pain() throws {
        let consultation = consult("my elbow hurts, failure on curls?")
        #expect(consultation.advice?.failure == .avoid)
        #expect(consultation.referral)
        #expect(coach.writer.reply(to: consultation).contains("qualified professional"))
    }

    @Test("deload questions explain deloads; persistent fatigue points to a doctor")
    func deload() {
        let consultation = consult("I'm always tired and my lifts are going down")
        #expect(consultation.utterance.intent == .askDeload)
        #expect(consultation.referral)
        let reply = coach.writer.reply(to: consultation)
        #expect(reply.contains("half your usual sets"))
        #expect(reply.contains("doctor"))
    }

    @Test("a deload is suggested when 3 of the last 7 check-ins were amber or red")
    func deloadFromHistory() {
        let consultation = consult("do I need a deload?", context: TrainingContext(amberOrRedCheckins: 3))
        #expect(consultation.deloadSuggested)
        #expect(!consult("do I need a deload?", context: TrainingContext(amberOrRedCheckins: 2)).deloadSuggested)
    }

    @Test("the trace explains every rule that fired, with its facts and full citations")
    func trace() throws {
        let consultation = consult("failure on bench?", tracing: true)
        let trace = try #require(consultation.evaluation?.trace)
        #expect(trace.map(\.table).contains("failure_verdict"))
        let explanation = coach.writer.explain(consultation)
        #expect(explanation.contains("failure.pinning_unspotted"))
        #expect(explanation.contains("user.spotter eq false (is false)"))
        #expect(explanation.contains("NSCA"))
    }

    @Test("the human reply leads with the verdict, then numbers, why and sources")
    func replyOrder() throws {
        let reply = coach.writer.reply(to: consult("should I go to failure on squats?"))
        let lines = reply.split(separator: "\n").map(String.init)
        #expect(lines[0].hasPrefix("Barbell Squat: avoid failure"))
        #expect(lines[1].hasPrefix("Reps in reserve: 1-3 (RPE 7-9). Rest: 2-3 min"))
        #expect(lines.contains { $0.hasPrefix("Why: ") })
        #expect(lines.last?.hasPrefix("Sources: ") == true)
    }
}
