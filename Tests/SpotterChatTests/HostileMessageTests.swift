import Foundation
import SpotterApp
import SpotterCore
import SpotterStore
import SpotterTesting
import Testing

/// Messages written to break things, through the whole chat runtime and a real database: each
/// gets an answer a lifter can use, and none takes the process down (a crash here fails the
/// whole test run, not just one expectation).
@Suite("Hostile messages")
struct HostileMessageTests {
    let runtime: ChatRuntime
    let folder: URL

    init() throws {
        folder = try temporaryFolder("spotter-hostile")
        let database = try SpotterDatabase(path: folder.appendingPathComponent("s.sqlite").path)
        runtime = ChatRuntime(coach: ProjectFixtures.coach, database: database, settings: CoachingSettings().dialog,
                              clock: { 1_795_420_800 })
    }

    func send(_ text: String, as user: String = "lifter") throws -> ChatReply {
        try runtime.handle(IncomingMessage(user: user, text: text))
    }

    func sets(_ user: String = "lifter") throws -> [SetRecord] {
        try runtime.database.read { try $0.sets(user: user, since: 0) }
    }

    static let nines = String(repeating: "9", count: 400)

    @Test("numbers no set can have are refused with the reason and never stored", arguments: [
        ("squat 99999999999999999999kg x 5", "over 2000 kg"),
        ("bench \(nines)kg x 5", "over 2000 kg"),
        ("deadlift \(nines)lb x 1", "over 2000 lb"),
        ("squat 100kg x 1000000", "over 1000 reps"),
        ("squat \(nines) reps", "over 1000 reps"),
        ("squat 3 sets of \(nines)", "over 1000 reps"),
        ("squat 100 kg x 5 x \(nines)", "over 1000 reps"),
        ("\(nines) sets of 5 squats", "over 100 sets"),
        ("squat 0kg x 0", "0 reps"),
    ])
    func implausibleSets(text: String, problem: String) throws {
        _ = try send("skip")
        let reply = try send(text)
        #expect(reply.intent == .unknown)
        #expect(reply.reply.hasPrefix("That can't be a real set (\(problem)), so I didn't log it."), "\(reply.reply)")
        #expect(try sets().isEmpty)
        // The lifter can go on logging.
        #expect(try send("squat 100kg x 5").reply.hasPrefix("Logged: Barbell Squat, 5 reps at 100 kg"))
        #expect(try sets().count == 1)
    }

    @Test("huge numbers in questions and check-ins are harmless")
    func hugeNumbersElsewhere() throws {
        let nines = Self.nines
        _ = try send("skip")
        #expect(try send("should I go to failure on squats at rpe \(nines)?").advice?.failure == .avoid)
        #expect(try send("how long to rest after \(nines) sets of squats?").intent == .askRest)
        #expect(try send("bench at \(nines)%").reply.isEmpty == false)
        #expect(try send("squat 100kg x 5 @ rir 1e308").reply.hasPrefix("Logged: Barbell Squat, 5 reps at 100 kg, RIR 1."))
        #expect(try send("check in").dialog == "checkin")
        let answer = try send("slept \(nines)h, soreness \(nines), energy 4, stress 2, motivation 4, no pain")
        #expect(answer.dialog == "checkin", "out-of-range answers are asked again")
        #expect(answer.readiness == nil)
        #expect(try send("slept 7h, soreness 2").readiness == .green)
        #expect(try send("my week").reply.contains("Barbell Squat"))
    }

    @Test("look-alike, zero-width and combining characters inside an exercise name still name the exercise", arguments: [
        "squ\u{200B}at", "squ\u{2060}at", "\u{FEFF}squat", "ѕquat", "ЅQUAT", "ѕԛuаt", "ｓｑｕａｔ", "𝐬𝐪𝐮𝐚𝐭", "𝘴𝘲𝘶𝘢𝘵",
        "sq\u{301}uat", "s\u{202E}quat", "squat\u{FE0F}", "squ\u{AD}at",
    ])
    func lookAlikes(name: String) throws {
        let reply = try send("should I go to failure on \(name)?")
        #expect(reply.intent == .askFailure)
        #expect(reply.advice?.failure == .avoid)
        #expect(reply.reply.hasPrefix("Barbell Squat: avoid failure."), "\(reply.reply)")
    }

    @Test("look-alike letters in other exercises and in set logs")
    func lookAlikeLogs() throws {
        _ = try send("skip")
        #expect(try send("dеаdlіft to failure?").reply.hasPrefix("Barbell Deadlift: avoid failure."))  // Cyrillic е а і
        #expect(try send("bеnch 100kg x 5 @ rir 2").reply.hasPrefix("Logged: Barbell Bench Press - Medium Grip, 5 reps at 100 kg"))
        #expect(try send("ΒΕΝϹΗ 𝟏𝟎𝟎kg x 𝟓").reply.hasPrefix("Logged: Barbell Bench Press - Medium Grip, 5 reps at 100 kg"))  // Greek, math digits
        #expect(try sets().map(\.exerciseID) == ["Barbell_Bench_Press_-_Medium_Grip", "Barbell_Bench_Press_-_Medium_Grip"])
    }

    @Test("control characters, 64 KiB texts and walls of symbols get an answer")
    func strangeTexts() throws {
        _ = try send("skip")
        let control = try send("\u{0}\u{7}\u{1B}[31m squat to failure?\u{202E}")
        #expect(control.reply.hasPrefix("Barbell Squat: avoid failure."))
        let padding = String(repeating: "and so on ", count: 6500)
        let long = try send("should I go to failure on squats? " + padding)
        #expect(long.advice?.failure == .avoid, "a 64 KiB message is still read")
        for text in [String(repeating: "?", count: 65_000), String(repeating: "squat ", count: 10_000), String(repeating: "1x", count: 30_000),
                     "squat" + String(repeating: "\u{300}", count: 5000) + " to failure?", String(repeating: "\u{D7FF}", count: 20_000),
                     String(repeating: "[{\"", count: 20_000), "", " ", "\n\n\n"] {
            let reply = try send(text)
            #expect(!reply.reply.isEmpty)
            #expect(reply.reply.utf8.count < 4096, "a reply never echoes a huge message back")
        }
        #expect(try sets().isEmpty, "none of that was a set")
    }
}
