import FuzzSupport
import SpotterApp
import SpotterCore
import SpotterDialog
import SpotterUnderstanding

/// Set logs, as the chat handles them: the message is understood (SetParser reads its numbers),
/// the dialog logs the set with its e1RM and weekly volume, and "my week" then reports it.
/// Input: the set log, as UTF-8 (invalid bytes repaired).
@main
enum Target {
    static func main() { runFuzzer(test) }
}

@_cdecl("LLVMFuzzerTestOneInput")
func test(_ pointer: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let data = input(pointer)
    let message = text(data, size)
    let coach = Project.coach
    let now = Dialog.now
    let profile = LifterProfile(experience: .intermediate, goal: .strength, spotter: true)
    let prepared = Dialog.engine.prepare(Conversation(updatedAt: now - 3600), now: now)
    let utterance = coach.understanding.understand(message, context: prepared.conversation.understandingContext)
    requireRoundTrip(AnswerJSON.loggedSet(utterance.loggedSet), "the logged_set JSON")
    let outcome = Dialog.engine.handle(prepared, utterance, context: DialogContext(
        now: now, profile: profile, weekFailureSets: 3, weekHardSets: 12))
    require(!outcome.reply.isEmpty, "an empty reply to a set log")
    requireRoundTrip(AnswerJSON.advice(outcome.advice), "the advice JSON")
    let logged = outcome.effects.compactMap { effect -> SetRecord? in
        if case let .logSet(record) = effect { record } else { nil }
    }
    for record in logged {
        require(record.sets >= 1, "a set record of \(record.sets) sets")
        require(record.loadKilograms?.isFinite ?? true, "a load of \(String(describing: record.loadKilograms)) kg stored")
        require(record.estimatedOneRepMaxKilograms?.isFinite ?? true,
                "an e1RM of \(String(describing: record.estimatedOneRepMaxKilograms)) kg stored")
    }
    // "my week" over what was just logged, as the lifter would ask next.
    if !logged.isEmpty {
        let week = coach.understanding.understand("my week")
        let stats = Dialog.engine.handle(Dialog.engine.prepare(outcome.conversation, now: now + 60), week, context: DialogContext(
            now: now + 60, profile: profile, recentSets: logged.map { record in
                var record = record
                record.userID = "@lifter:fuzz"
                record.roomID = "!room:fuzz"
                return record
            }))
        require(!stats.reply.isEmpty, "an empty \"my week\"")
    }
    return 0
}

enum Dialog {
    static let now: Timestamp = 1_795_420_800
    static let engine = DialogEngine(advisor: Project.coach.advisor, writer: Project.coach.writer,
                                     catalogue: Project.coach.understanding.catalogue, settings: Project.coach.settings.dialog)
}
