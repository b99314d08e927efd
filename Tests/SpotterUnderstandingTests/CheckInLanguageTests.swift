import SpotterApp
import SpotterCore
import SpotterTesting
import SpotterUnderstanding
import Testing

private let understanding = ProjectFixtures.coach.understanding

private func answers(_ text: String, pending: CheckInItem?) -> CheckInAnswers? {
    understanding.understand(text, context: ConversationContext(checkInPending: pending)).checkIn?.answers
}

@Suite("Check-in numbers and corrections")
struct CheckInNumberTests {
    @Test("sleep in words, fractions and approximations", arguments: [
        ("about six and a half hours", 6.5), ("six and a half", 6.5), ("6 and a half hours", 6.5), ("7ish", 7),
        ("7-ish", 7), ("sevenish", 7), ("6.5", 6.5), ("6,5 hours", 6.5), ("slept seven and a quarter hours", 7.25),
        ("6 1/2 hours", 6.5), ("eight hours", 8), ("maybe five", 5), ("slept about six", 6), ("twelve", 12),
        ("five and three quarters", 5.75),
    ])
    func sleepWords(_ pair: (String, Double)) {
        #expect(answers(pair.0, pending: .sleep)?.sleepHours == pair.1, "\(pair.0)")
    }

    @Test("scores in words answer the item asked", arguments: [
        ("three", CheckInItem.energy, 3), ("four", .soreness, 4), ("energy is two", .stress, 2), ("stress five", .energy, 5),
    ])
    func scoreWords(_ triple: (String, CheckInItem, Int)) {
        let got = answers(triple.0, pending: triple.1)
        let item: CheckInItem = triple.0.contains("energy") ? .energy : triple.0.contains("stress") ? .stress : triple.1
        let value: Int? = switch item {
        case .energy: got?.energy
        case .stress: got?.stress
        case .soreness: got?.soreness
        default: nil
        }
        #expect(value == triple.2, "\(triple.0)")
    }

    @Test("a correction names its item, and the item asked is left open")
    func corrections() {
        let wait = answers("actually wait, energy is more like a 3", pending: .stress)
        #expect(wait?.energy == 3)
        #expect(wait?.stress == nil)
        #expect(answers("actually energy is 3", pending: .motivation)?.energy == 3)
        #expect(answers("stress is probably about 2", pending: .sleep)?.stress == 2)
    }

    @Test("an answer that fits another item is read for that item, not the one asked")
    func otherItem() {
        let reading = answers("legs are pretty sroe", pending: .sleep)
        #expect(reading?.soreness == 3)
        #expect(reading?.sleepHours == nil)
    }

    @Test("after the check-in, a correction is read as a check-in answer; plain chat is not")
    func correctionWhenIdle() {
        let correction = understanding.understand("actually energy is 3")
        #expect(correction.intent == .checkInAnswer)
        #expect(correction.checkIn?.answers.energy == 3)
        #expect(understanding.understand("I'm tired").intent != .checkInAnswer)
        #expect(understanding.understand("sorry, I'm exhausted").intent != .checkInAnswer)
        #expect(understanding.understand("actually I slept 7 hours").checkIn?.answers.sleepHours == 7)
        #expect(understanding.understand("energy drinks before training?").intent != .checkInAnswer)
    }
}

@Suite("Language")
struct LanguageTests {
    @Test("messages in other languages are recognised and nothing is read from them", arguments: [
        "soll ich beim Bankdrücken bis zum Versagen gehen?", "wie lange soll ich zwischen den Sätzen Pause machen?",
        "combien de temps dois-je me reposer entre les séries?", "¿debo entrenar hasta el fallo en sentadillas?",
        "devo andare a cedimento sulla panca piana?", "moet ik tot falen gaan bij bankdrukken?",
        "сколько отдыхать между подходами?", "深蹲应该练到力竭吗？", "ich bin müde",
    ])
    func foreign(_ text: String) {
        let utterance = understanding.understand(text)
        #expect(utterance.notEnglish, "\(text)")
        #expect(utterance.intent == .unknown)
        #expect(!utterance.hints.hasProfileFact && !utterance.uncertainHints.hasProfileFact)
        #expect(utterance.checkIn == nil && utterance.loggedSet == nil)
    }

    @Test("English stays English, look-alike letters and lifter slang included", arguments: [
        "should I go to failure on squats?", "ѕquat to failure?", "bench 100kg x 5 @ rir 2", "I train solo",
        "deadlift 180kg x 3 @9", "how long should I rest between sets of curls?", "slept 6h, legs 4/5 sore, stress high",
        "check in", "why", "help", "🙂", "RDL 100 x 8", "I'm a beginner training for strength, no spotter",
    ])
    func english(_ text: String) {
        #expect(!understanding.understand(text).notEnglish, "\(text)")
    }

    @Test("one foreign-looking word in an English message does not make it foreign")
    func oneWord() {
        #expect(!understanding.understand("das is my favourite squat").notEnglish)
        #expect(!understanding.understand("should I go to failure on bench, bro?").notEnglish)
    }

    @Test("a profile fact read only through a corrected short word is not taken as said")
    func uncertainProfileFacts() {
        let soll = understanding.understand("I lift sola")
        #expect(soll.hints.spotter == nil)
        #expect(soll.uncertainHints.spotter == false)
        // Long words with a typo stay confident.
        #expect(understanding.understand("I train wihtout a spotter").hints.spotter == false)
        #expect(understanding.understand("I'm a begginer").hints.experience == .beginner)
        #expect(understanding.understand("I train solo").hints.spotter == false)
    }
}
