import SpotterApp
import SpotterCore
import SpotterTesting
import SpotterUnderstanding
import Testing

private let understanding = ProjectFixtures.coach.understanding

private func understand(_ text: String) -> Utterance { understanding.understand(text) }

@Suite("Exercise names")
struct ExerciseNameTests {
    @Test("bare common names resolve to the most common variant", arguments: [
        ("squats", "Barbell_Squat"), ("bench", "Barbell_Bench_Press_-_Medium_Grip"), ("curls", "Barbell_Curl"),
        ("OHP", "Standing_Military_Press"), ("military press", "Standing_Military_Press"), ("RDL", "Romanian_Deadlift"),
        ("stiff-legged", "Stiff-Legged_Barbell_Deadlift"), ("pull ups", "Pullups"), ("pullups", "Pullups"),
        ("pull-ups", "Pullups"), ("chins", "Chin-Up"), ("lat pulldown", "Wide-Grip_Lat_Pulldown"),
        ("rows", "Bent_Over_Barbell_Row"), ("skull crushers", "EZ-Bar_Skullcrusher"), ("laterals", "Side_Lateral_Raise"),
        ("leg ext", "Leg_Extensions"), ("ham curls", "Lying_Leg_Curls"), ("flys", "Dumbbell_Flyes"),
        ("flyes", "Dumbbell_Flyes"), ("hip thrusts", "Barbell_Hip_Thrust"), ("calf raises", "Standing_Calf_Raises"),
        ("tricep pushdowns", "Triceps_Pushdown"), ("Barbell Bench Press", "Barbell_Bench_Press_-_Medium_Grip"),
        ("smith machine squat", "Smith_Machine_Squat"), ("benching", "Barbell_Bench_Press_-_Medium_Grip"),
    ])
    func name(_ pair: (String, String)) {
        #expect(understand("should I go to failure on \(pair.0)?").exercise?.id == pair.1)
    }

    @Test("typos within one or two edits still find the exercise", arguments: [
        ("squast", "Barbell_Squat"), ("sqauts", "Barbell_Squat"), ("deadlfit", "Barbell_Deadlift"),
        ("pullpus", "Pullups"), ("lat pulldwon", "Wide-Grip_Lat_Pulldown"), ("tricep pushdwons", "Triceps_Pushdown"),
        ("benchpress", "Barbell_Bench_Press_-_Medium_Grip"), ("calf rasies", "Standing_Calf_Raises"),
    ])
    func typo(_ pair: (String, String)) {
        #expect(understand("failure on \(pair.0)?").exercise?.id == pair.1)
    }

    @Test("word order, capitals and punctuation do not matter")
    func order() {
        #expect(understand("PRESS BENCH to failure??").exercise?.id == "Barbell_Bench_Press_-_Medium_Grip")
        #expect(understand("squats - failure yes or no").exercise?.id == "Barbell_Squat")
    }

    @Test("zero-width characters and look-alike letters are folded")
    func unicode() {
        #expect(understand("failure on sq\u{200B}uats?").exercise?.id == "Barbell_Squat")
        // Cyrillic "с" and "о" inside "curls"/"rows".
        #expect(understand("failure on \u{0441}urls?").exercise?.id == "Barbell_Curl")
        #expect(understand("failure on r\u{043E}ws?").exercise?.id == "Bent_Over_Barbell_Row")
    }

    @Test("a message without an exercise finds none")
    func none() {
        #expect(understand("how long should I rest between sets?").exercise == nil)
        #expect(understand("how long before I train legs again").exercise == nil)
    }
}

@Suite("Intents")
struct IntentTests {
    @Test("each intent is recognised", arguments: [
        ("should I go to failure on squats?", Intent.askFailure), ("faliure on curls ok?", .askFailure),
        ("how many reps in reserve on bench?", .askRIR), ("how close to failure should I take squats", .askRIR),
        ("how much should I leave in the tank on rows", .askRIR), ("what RPE for deadlifts?", .askRIR),
        ("how long should I rest between sets of curls?", .askRest), ("restt time for leg press", .askRest),
        ("how long before I train legs again", .askRecovery), ("can I squat two days in a row?", .askRecovery),
        ("do I need a deload?", .askDeload), ("always tired and lifts going down", .askDeload),
        ("bench 100kg x 8 @ RIR 1", .logSet), ("squat 140 5x5 rpe 8", .logSet), ("help", .help), ("why?", .why),
        ("what should I eat before training?", .outOfScope), ("", .unknown), ("🙂", .unknown), ("42", .unknown),
    ])
    func intent(_ pair: (String, Intent)) {
        #expect(understand(pair.0).intent == pair.1)
    }

    @Test("an unknown message carries no exercise, so nothing is answered by guess")
    func unknownHasNoExercise() {
        let utterance = understand("what's a good squat shoe?")
        #expect(utterance.intent == .unknown)
        #expect(utterance.exercise == nil)
    }
}

@Suite("Profile hints")
struct HintTests {
    @Test("experience", arguments: [
        ("I'm a beginner, failure on curls?", Experience.beginner), ("just started lifting last month", .beginner),
        ("new to the gym, failure?", .beginner), ("lifting for 5 years", .advanced), ("been lifting 2 years", .intermediate),
    ])
    func experience(_ pair: (String, Experience)) {
        #expect(understand(pair.0).hints.experience == pair.1)
    }

    @Test("goal", arguments: [
        ("failure on squats for strength?", TrainingGoal.strength), ("curls to get bigger", .hypertrophy),
        ("push ups for endurance", .endurance), ("just for general fitness", .general),
    ])
    func goal(_ pair: (String, TrainingGoal)) {
        #expect(understand(pair.0).hints.goal == pair.1)
    }

    @Test("spotter and safeties; negation wins")
    func spotter() {
        #expect(understand("no spotter, failure on bench?").hints.spotter == false)
        #expect(understand("I have a spotter, failure on bench?").hints.spotter == true)
        #expect(understand("bench in a power rack with safeties").hints.spotter == true)
        #expect(understand("failure on bench?").hints.spotter == nil)
    }

    @Test("pain is not soreness")
    func pain() {
        #expect(understand("my knee hurts, failure on squats?").hints.pain == true)
        #expect(understand("sharp pain in my shoulder on bench").hints.pain == true)
        #expect(understand("my legs are sore, failure on squats?").hints.pain == nil)
        #expect(understand("no pain at all, failure on curls?").hints.pain == false)
    }

    @Test("heavy work is read from reps, percentages and RPE")
    func heavy() {
        #expect(understand("heavy triples on squats to failure?").plannedSet.reps == 3)
        #expect(understand("sets of 3 on leg press, failure?").plannedSet.reps == 3)
        #expect(understand("leg press at 90%, failure?").plannedSet.loadPercent == 90)
        #expect(understand("leg press at RPE 9, failure?").plannedSet.rpe == 9)
        #expect(understand("going heavy on leg press, failure?").plannedSet.saidHeavy)
    }
}

@Suite("Set logs")
struct SetLogTests {
    @Test("bench 100kg x 8 @ RIR 1")
    func benchWithRIR() throws {
        let set = try #require(understand("bench 100kg x 8 @ RIR 1").loggedSet)
        #expect(set.exerciseID == "Barbell_Bench_Press_-_Medium_Grip")
        #expect(set.load == 100 && set.unit == .kilograms && set.reps == 8 && set.sets == 1 && set.rir == 1)
        // Epley with reps in reserve: 100 × (1 + 9/30) = 130.
        #expect(set.estimatedOneRepMax == 130)
    }

    @Test("squat 140 5x5 rpe 8")
    func squatSetsAndRPE() throws {
        let set = try #require(understand("squat 140 5x5 rpe 8").loggedSet)
        #expect(set.load == 140 && set.sets == 5 && set.reps == 5 && set.rpe == 8 && set.repsInReserve == 2)
    }

    @Test("curls 20 lb 12 reps to failure")
    func curlsToFailure() throws {
        let set = try #require(understand("curls 20 lb 12 reps to failure").loggedSet)
        #expect(set.unit == .pounds && set.reps == 12 && set.toFailure && set.repsInReserve == 0)
        #expect(set.estimatedOneRepMax == 28)
    }

    @Test("3x10 lat pulldown 60kg")
    func setsFirst() throws {
        let set = try #require(understand("3x10 lat pulldown 60kg").loggedSet)
        #expect(set.exerciseID == "Wide-Grip_Lat_Pulldown" && set.sets == 3 && set.reps == 10 && set.load == 60)
    }

    @Test("no e1RM past 12 reps plus reserve")
    func e1rmLimit() throws {
        let set = try #require(understand("curls 20kg x 15 @ rir 2").loggedSet)
        #expect(set.estimatedOneRepMax == nil)
    }
}

/// Found by fuzzing (Fuzz/): digits longer than any amount trapped converting to Int, so one
/// message could stop `spotter ask`, the chat or the Matrix bridge.
@Suite("Numbers too large to be amounts")
struct HugeNumberTests {
    @Test("a set log with a count past Int.max is not logged", arguments: [
        "1 x 66666666666666666668", "squat 3 x 66666666666666666668", "22222222222222220222222 sets of 3",
        "bench 100kg 3 sets of 99999999999999999999", "curls 20kg x 99999999999999999999 reps",
    ])
    func hugeCount(_ text: String) {
        let utterance = understand(text)
        #expect(utterance.loggedSet == nil)
        #expect(utterance.intent != .logSet)
    }

    @Test("a load past Int.max gets an answer, and nothing is logged")
    func hugeLoad() {
        let text = "bench 99999999999999999999kg x 5"
        #expect(understand(text).loggedSet == nil)
        #expect(understand(text).intent == .unknown)
        let reply = ProjectFixtures.coach.ask(text, profile: ResolvedProfile(profile: .assumed)).1
        #expect(reply.contains("can't be a real set"), "the reply says why nothing was logged")
    }

    @Test("real loads and counts are still read")
    func plausibleNumbers() throws {
        let set = try #require(understand("leg press 1200 lbs x 10").loggedSet)
        #expect(set.load == 1200 && set.unit == .pounds && set.reps == 10)
    }

    @Test("sleep hours too large to read are out of range, not zero")
    func hugeSleep() {
        let reading = understanding.understand(
            "slept 99999999999999999999 hours", context: ConversationContext(checkInPending: .sleep)).checkIn
        #expect(reading?.answers.sleepHours == nil)
        #expect(reading?.outOfRange[.sleep] != nil)
    }
}
