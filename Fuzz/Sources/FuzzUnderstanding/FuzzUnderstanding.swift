import FuzzSupport
import SpotterAdvisor
import SpotterApp
import SpotterCore
import SpotterUnderstanding

/// Message understanding, as `spotter ask` and the chat run it: the message is understood with
/// no context and with a check-in item pending (or a yes/no question open), then answered by the
/// advisor and written as the reply and the `--json` answer.
/// Input: the message, as UTF-8 (invalid bytes repaired).
@main
enum Target {
    static func main() { runFuzzer(test) }
}

@_cdecl("LLVMFuzzerTestOneInput")
func test(_ pointer: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let data = input(pointer)
    let message = text(data, size)
    let coach = Project.coach
    // The pending item and the confirmation flag come from the length, so every seed meets each of them.
    let items = CheckInItem.allCases
    let contexts = [
        ConversationContext(),
        ConversationContext(checkInPending: items[size % items.count]),
        ConversationContext(awaitingConfirmation: true),
    ]
    for context in contexts {
        let utterance = coach.understanding.understand(message, context: context)
        require(utterance.text == message, "the utterance does not carry its message")
        if let set = utterance.loggedSet {
            require(utterance.intent == .logSet, "a logged set on a \(utterance.intent) message")
            require(set.reps >= 0 && set.sets >= 0, "negative reps or sets: \(set)")
        }
        let consultation = coach.advisor.consult(utterance, profile: ResolvedProfile(profile: .assumed),
                                                 context: TrainingContext(failureCap: coach.settings.weeklyFailureCap))
        if utterance.intent.isQuestion, utterance.exercise != nil {
            // README contract: `advice` is present for every question intent where an exercise is known.
            require(consultation.advice != nil, "no advice for \(utterance.intent) on \(utterance.exercise?.id ?? "")")
        }
        let reply = coach.writer.reply(to: consultation)
        require(!reply.isEmpty, "an empty reply to \(utterance.intent)")
        requireRoundTrip(AnswerJSON.ask(consultation, reply: reply), "the --json answer")
    }
    return 0
}
