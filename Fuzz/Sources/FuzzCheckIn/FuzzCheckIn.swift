import FuzzSupport
import SpotterCore
import SpotterDialog
import SpotterUnderstanding

/// Check-in answers, as the chat handles them: for each item pending in turn, the message is
/// understood in a check-in (CheckInParser reads it) and the dialog takes it; a complete check-in
/// is scored by the readiness rules.
/// Input: the answer, as UTF-8 (invalid bytes repaired).
@main
enum Target {
    static func main() { runFuzzer(test) }
}

@_cdecl("LLVMFuzzerTestOneInput")
func test(_ pointer: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let data = input(pointer)
    let message = text(data, size)
    let coach = Project.coach
    let engine = Dialog.engine
    let now = Dialog.now
    let profile = LifterProfile(experience: .intermediate, goal: .hypertrophy, spotter: false)
    for (index, pending) in CheckInItem.allCases.enumerated() {
        // Everything asked before `pending` is answered already, so the last item can complete it.
        let earlier = CheckInAnswers(sleepHours: 7, soreness: 2, energy: 3, stress: 2, motivation: 4, pain: false)
        var answers = CheckInAnswers()
        for item in CheckInItem.allCases.prefix(index) { answers = answers.merging(earlier.only(item)) }
        let stored = Conversation(state: .checkIn(CheckInForm(answers: answers, pending: pending)), updatedAt: now - 60)
        let prepared = engine.prepare(stored, now: now)
        let utterance = coach.understanding.understand(message, context: prepared.conversation.understandingContext)
        if let reading = utterance.checkIn {
            for item in CheckInItem.allCases where reading.answers.has(item) {
                require(reading.answers.value(item).map(item.range.contains) ?? false,
                        "\(item) read as \(String(describing: reading.answers.value(item))), outside \(item.range)")
            }
        }
        let outcome = engine.handle(prepared, utterance, context: DialogContext(now: now, profile: profile))
        require(!outcome.reply.isEmpty, "an empty reply in a check-in")
        for case let .saveCheckIn(record) in outcome.effects {
            require(record.answers.isComplete, "a check-in saved with \(record.answers.missing) missing")
            require(outcome.readiness == record.readiness, "the reply's readiness differs from the one saved")
            for item in CheckInItem.allCases {
                require(record.answers.value(item).map(item.range.contains) ?? false, "\(item) saved outside \(item.range)")
            }
        }
    }
    return 0
}

enum Dialog {
    static let now: Timestamp = 1_795_420_800
    static let engine = DialogEngine(advisor: Project.coach.advisor, writer: Project.coach.writer,
                                     catalogue: Project.coach.understanding.catalogue, settings: Project.coach.settings.dialog)
}

extension CheckInAnswers {
    /// The value of one item as a number (pain as 0 or 1).
    func value(_ item: CheckInItem) -> Double? {
        switch item {
        case .sleep: sleepHours
        case .soreness: soreness.map(Double.init)
        case .energy: energy.map(Double.init)
        case .stress: stress.map(Double.init)
        case .motivation: motivation.map(Double.init)
        case .pain: pain.map { $0 ? 1 : 0 }
        }
    }

    /// These answers with only `item` kept.
    func only(_ item: CheckInItem) -> CheckInAnswers {
        var kept = CheckInAnswers()
        switch item {
        case .sleep: kept.sleepHours = sleepHours
        case .soreness: kept.soreness = soreness
        case .energy: kept.energy = energy
        case .stress: kept.stress = stress
        case .motivation: kept.motivation = motivation
        case .pain: kept.pain = pain
        }
        return kept
    }
}
