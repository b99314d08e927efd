import SpotterApp
import SpotterCore
import SpotterTesting
import SpotterUnderstanding
import Testing

/// Issue 13's misreadings: negation, contrast, reps in reserve in words, several exercises,
/// out-of-scope words and red flags, each read the way a person reads it.
@Suite("Reading negation and contrast like a person")
struct ClauseTests {
    let understanding = ProjectFixtures.coach.understanding

    @Test("no spotter, but safety arms: safeties")
    func spotterContrast() {
        #expect(understanding.understand("I don't have a spotter but my rack has safety arms").hints.spotter == true)
        #expect(understanding.understand("I have safeties, but no spotter today, wait actually no safeties either").hints.spotter == false)
        #expect(understanding.understand("I don't have a spotter but my rack has safety arms, bench to failure?").muscleGroup == nil)
    }

    @Test("not a beginner anymore, not some newbie: intermediate", arguments: [
        "I'm not a beginner anymore, 18 months in", "I'm not some newbie", "no longer a newbie, 2 years in",
    ])
    func notBeginner(_ text: String) {
        #expect(understanding.understand(text).hints.experience == .intermediate)
    }

    @Test("nothing sharp, just stiff: no pain")
    func noPain() {
        #expect(understanding.understand("nothing sharp, just stiff. squats to failure?").hints.pain != true)
        #expect(understanding.understand("sharp pain in my knee, squats to failure?").hints.pain == true)
    }

    @Test("not for size, for general health: the general goal")
    func goalContrast() {
        #expect(understanding.understand("not for size, for general health. failure on pull ups?").hints.goal == .general)
    }

    @Test("stop with 2 reps left: RIR 2, not a set of 2")
    func repsLeft() {
        let utterance = understanding.understand("should I stop with 2 reps left on squats?")
        #expect(utterance.intent == .askRIR)
        #expect(utterance.plannedSet.reps == nil)
        #expect(utterance.plannedSet.rpe == 8)
    }

    @Test("incline press then cable flyes, asking about the flyes: the flyes")
    func questionClauseExercise() {
        let utterance = understanding.understand("I did incline press then cable flyes, should I take the flyes to failure?")
        #expect(utterance.exercise?.id == "Cable_Crossover")
        #expect(understanding.understand("should I do dumbbell press instead of bench to go to failure?").exercise?.id == "Dumbbell_Bench_Press")
    }

    @Test("fasting is not failing")
    func fasting() {
        let utterance = understanding.understand("keto or intermittent fasting?")
        #expect(utterance.intent == .outOfScope)
        #expect(utterance.scope == .diet)
    }

    @Test("for a month is not persistent fatigue, and not a beginner")
    func forAMonth() {
        let utterance = understanding.understand("snatch to failure? been doing them for a month")
        #expect(utterance.hints.persistentFatigue == nil)
        #expect(utterance.hints.experience == nil)
        #expect(understanding.understand("always tired for weeks, deload?").hints.persistentFatigue == true)
    }

    @Test("a red flag wins over a question, a log and a check-in answer")
    func redFlagPrecedence() {
        #expect(understanding.understand("bench 100kg x 5, chest pain after").intent == .redFlag)
        #expect(understanding.understand("squats to failure? my left arm is numb").intent == .redFlag)
        let inCheckIn = understanding.understand("slept 6h, and my chest feels tight", context: ConversationContext(checkInPending: .sleep))
        #expect(inCheckIn.intent == .redFlag)
        #expect(inCheckIn.checkIn == nil)
        #expect(understanding.understand("no chest pain, just sore pecs, failure on flyes?").intent == .askFailure)
    }

    @Test("a stated best and a target: reference and target apart")
    func loadReading() {
        let utterance = understanding.understand("what weight should I use for 3x8 at RIR 2 on bench, my best is 100x5?")
        #expect(utterance.intent == .askLoad)
        #expect(utterance.reference == ReferenceSet(load: 100, unit: .kilograms, reps: 5, rir: 0))
        #expect(utterance.target.reps == 8 && utterance.target.sets == 3 && utterance.target.rir == IntRange(1, 3))
        let pounds = understanding.understand("I did 225 lb for 8 last week at RPE 8, what weight for sets of 5?")
        #expect(pounds.reference == ReferenceSet(load: 225, unit: .pounds, reps: 8, rir: 2))
        #expect(pounds.target.reps == 5)
    }
}
