import SpotterAdvisor
import SpotterApp
import SpotterCore
import SpotterDialog
import SpotterTesting
import SpotterUnderstanding
import Testing

/// A small deterministic random number generator, so failures reproduce from the seed.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The state machine driven directly, with the store simulated in memory.
struct DialogSimulation {
    let engine: DialogEngine
    let understanding: MessageUnderstanding
    var conversation: Conversation?
    var profile: LifterProfile?
    var checkIns: [CheckInRecord] = []
    var now: Timestamp = 1_795_420_800

    init() {
        let coach = ProjectFixtures.coach
        engine = DialogEngine(advisor: coach.advisor, writer: coach.writer, catalogue: coach.understanding.catalogue)
        understanding = coach.understanding
    }

    mutating func send(_ text: String) -> DialogOutcome {
        now += 61
        let prepared = engine.prepare(conversation, now: now)
        let utterance = understanding.understand(text, context: prepared.conversation.understandingContext)
        let context = DialogContext(now: now, profile: profile, todayCheckIn: checkIns.last, recentCheckIns: checkIns.reversed(),
                                    baselineCheckIns: checkIns.reversed())
        let outcome = engine.handle(prepared, utterance, context: context)
        conversation = outcome.conversation
        for effect in outcome.effects {
            switch effect {
            case let .saveProfile(value): profile = value
            case let .saveCheckIn(record): checkIns.append(record)
            case .logSet: break
            case .forgetUser:
                profile = nil
                checkIns = []
                conversation = nil
            }
        }
        return outcome
    }
}

@Suite("Dialog state machine properties")
struct DialogPropertyTests {
    static let pool: [String] = [
        "check in", "checkin", "daily check-in", "slept 6h, legs 4/5 sore, stress high", "barely slept", "legs wrecked",
        "fresh", "exhausted", "stressed out", "no pain", "my knee hurts", "3", "4/5", "9", "30", "yes", "no", "skip", "cancel",
        "why", "help", "my week", "stats", "forget me", "my profile", "I'm a beginner", "my goal is strength now",
        "I train with a spotter", "no spotter", "should I go to failure on squats?", "curls to failure?", "how long to rest on bench",
        "do I need a deload?", "bench 100kg x 8 @ RIR 1", "squat 140 5x5 rpe 8", "curls 20 lb 12 reps to failure", "",
        "🙂", "asdf qwer", "energy 2", "motivation 1", "stress 5", "sleep 4 hours", "high", "low", "profile", "stop",
        String(repeating: "squat ", count: 200), "\u{200B}\u{200B}", "-1", "0", "1e309", "NaN", "∞",
    ]

    static func randomText(_ rng: inout SplitMix64) -> String {
        if Int.random(in: 0..<5, using: &rng) == 0 {
            let scalars = (0..<Int.random(in: 0..<40, using: &rng)).compactMap { _ in
                Unicode.Scalar(UInt32.random(in: 0x20..<0x2FFF, using: &rng))
            }
            return String(String.UnicodeScalarView(scalars))
        }
        return pool[Int.random(in: 0..<pool.count, using: &rng)]
    }

    @Test("no sequence of messages crashes it, and cancel always leaves any dialog", arguments: 0..<40)
    func randomConversations(seed: Int) {
        var rng = SplitMix64(state: UInt64(seed) &* 7919)
        var simulation = DialogSimulation()
        for _ in 0..<40 {
            let outcome = simulation.send(Self.randomText(&rng))
            #expect(!outcome.reply.isEmpty, "every message gets an answer")
            if outcome.readiness != nil { #expect(outcome.conversation.state == .idle) }
            if Int.random(in: 0..<6, using: &rng) == 0 {
                let cancelled = simulation.send("cancel")
                #expect(cancelled.conversation.state == .idle)
            }
        }
        #expect(simulation.send("cancel").conversation.state == .idle)
    }

    @Test("time passing beyond the expiry always closes an open dialog", arguments: 0..<10)
    func expiry(seed: Int) {
        var rng = SplitMix64(state: UInt64(seed) &+ 99)
        var simulation = DialogSimulation()
        for _ in 0..<15 { _ = simulation.send(Self.randomText(&rng)) }
        _ = simulation.send("check in")
        simulation.now += 13 * 3600
        let outcome = simulation.send("what can you do?")
        #expect(outcome.conversation.state == .idle)
        #expect(outcome.reply.contains("expired"))
    }

    @Test("the stored form of every state reads back the same")
    func storageRoundTrip() {
        let states: [DialogState] = [
            .idle, .profile(ProfileForm(askedFollowUp: true)), .confirmForget,
            .checkIn(CheckInForm(answers: CheckInAnswers(sleepHours: 6.5, soreness: 4, pain: false), pending: .energy)),
        ]
        for state in states {
            let conversation = Conversation(state: state, updatedAt: 1234.5, lastAnswer: LastAnswer(topic: "t", rules: ["a", "b"]))
            #expect(Conversation(json: conversation.json) == conversation)
        }
    }
}
