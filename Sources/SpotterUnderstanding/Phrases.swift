/// A cue phrase, stemmed like messages are; `*` stands for up to four words.
struct Phrase: Sendable, Hashable {
    var parts: [String]

    init(_ text: String) {
        parts = text.split(separator: " ").map { $0 == "*" ? "*" : Stemmer.stem(String($0)) }
    }

    /// Where the phrase first occurs in `stems`, or nil.
    func find(in stems: [String]) -> Range<Int>? {
        guard !parts.isEmpty, stems.count >= parts.filter({ $0 != "*" }).count else { return nil }
        for start in stems.indices where stems[start] == parts[0] {
            if let end = match(stems, from: start, part: 0) { return start..<end }
        }
        return nil
    }

    private func match(_ stems: [String], from index: Int, part: Int) -> Int? {
        if part == parts.count { return index }
        if parts[part] == "*" {
            for skip in 0...4 where index + skip <= stems.count {
                if let end = match(stems, from: index + skip, part: part + 1) { return end }
            }
            return nil
        }
        guard index < stems.count, stems[index] == parts[part] else { return nil }
        return match(stems, from: index + 1, part: part + 1)
    }
}

/// A list of cue phrases; matches when any of them occurs.
struct Cues: Sendable {
    var phrases: [Phrase]

    init(_ texts: [String]) { phrases = texts.map(Phrase.init) }

    func matches(_ stems: [String]) -> Bool { phrases.contains { $0.find(in: stems) != nil } }

    /// Every word the phrases use, so typo correction can aim at them.
    var words: Set<String> { Set(phrases.flatMap(\.parts).filter { $0 != "*" }) }
}

/// The words and phrases Spotter understands, in plain lifter English.
///
/// Intent cues are tried in the order of `intentOrder`: more specific questions first, so that
/// "how close to failure" is a reps-in-reserve question and "rest days" a recovery one.
enum Lexicon {
    static let deload = Cues([
        "deload", "deloading", "overtrain", "overtraining", "overtrained", "overreach", "overreaching",
        "burnt out", "burned out", "burnout", "always tired", "tired all the time", "constantly tired",
        "exhausted all the time", "always exhausted", "always wiped", "lift * going down", "lift * dropping",
        "lift are down", "getting weaker", "get weaker", "stall", "stalled", "stalling", "plateau", "plateaued",
        "week off", "lighter week", "back off week", "easy week", "recovery week", "strength * going down",
        "going backward", "go backward", "sleeping badly", "regressing", "getting worse", "lift * getting worse",
    ])
    static let rir = Cues([
        "rir", "rpe", "in reserve", "reps in reserv", "in the tank", "close to failure", "closer to failure",
        "far from failure", "near failure", "shy of failure", "short of failure", "away from failure",
        "leave * rep", "leave in", "how hard should", "how hard do", "how many rep * leave", "how many rep * keep",
        "proximity to failure", "how close", "rep left", "reps left", "left in the tank", "stop short", "rep short", "reps short", "rep shy",
    ])
    static let recovery = Cues([
        "recover", "recovery", "recovered", "train * again", "hit * again", "do * again", "work * again",
        "day between", "days between", "in a row", "back to back", "consecutive day",
        "rest day", "between session", "between workout", "every day", "everyday", "daily", "tomorrow",
        "two day in a row", "same muscle", "sore still", "still sore",
        "how soon", "before * again", "doing * again", "between * session", "between * workout", "between * day",
        "before i can", "until i can", "till i can", "how long until", "how long till",
    ])
    static let rest = Cues([
        "rest", "resting", "between set", "rest time", "rest period", "break between", "how long * wait",
        "wait between", "pause between", "how long between", "time between", "rest interval",
    ])
    static let failure = Cues([
        "failure", "fail", "failing", "amrap", "all out", "till i cant", "until i cant", "til i cant", "till failure",
        "to exhaustion", "max rep", "grind", "to the limit", "absolute limit", "cant do another", "cant do anymore",
        "until i drop", "until failure", "as many rep as possible", "go to fail", "push * to failure", "limit",
    ])
    // MARK: Muscle, schedule, week and load questions (COACHING.md sections 7-8)

    static let frequency = Cues([
        "how often", "frequency", "how many time", "time a week", "time per week", "times a week", "day a week",
        "days a week", "day per week", "days per week", "session a week", "sessions a week", "session per week",
        "sessions per week", "how many day", "twice a week", "once a week", "three time a week", "3 time a week",
        "2 time a week", "how frequently", "every other day",
    ])
    static let volume = Cues([
        "how many set", "how much volume", "weekly volume", "volume", "set a week", "set per week", "sets a week",
        "sets per week", "weekly set", "set per muscle", "number of set", "too many set", "enough set", "junk volume",
        "how many hard set", "how many working set",
    ])
    static let consecutive = Cues([
        "in a row", "back to back", "consecutive day", "consecutive days", "tomorrow", "next day", "day after",
        "every day", "everyday", "daily", "again today", "two day straight", "2 day straight", "same muscle two day",
        "day straight",
    ])
    static let load = Cues([
        "what weight", "how much weight", "which weight", "what load", "how much load", "how heavy should",
        "how heavy do", "how heavy for", "what should i put on the bar", "put on the bar", "what should i load",
        "how much should i lift", "how much should i use", "what should i lift", "what should i use", "weight should i use",
        "weight to use", "weight should i", "what weight should", "what do i load", "how much do i put",
        "how many kg", "how many kilo", "how many lb", "how many pound", "what kg", "what lb", "weight for",
        "starting weight", "working weight", "pick a weight", "choose a weight", "load for",
    ])

    // MARK: Red flags and out-of-scope topics (COACHING.md section 9)

    static let urgent = Cues([
        "chest pain", "chest * tight", "chest tightness", "tight chest", "tightness in my chest", "pressure in my chest",
        "chest pressure", "chest * pressure", "pain in my chest", "pain * spreading", "spreading to my arm", "radiating",
        "left arm", "arm * tingling", "arm * numb", "tingling * arm", "numbness", "numb", "tingling", "face * numb",
        "jaw pain", "pain * jaw", "fainted", "faint", "fainting", "passed out", "pass out", "blacked out",
        "black out", "almost fainted", "nearly fainted", "nearly passed out", "almost passed out", "about to faint",
        "cant breathe", "can not breathe", "cannot breathe", "shortness of breath", "short of breath",
        "struggling to breathe", "trouble breathing", "cant catch my breath", "palpitation", "palpitations",
        "heart racing", "heart is racing", "heart * racing", "dizzy * heart * racing", "heart * pounding * dizzy", "heart pounding", "irregular heartbeat", "heart skipping",
        "worst headache", "sudden headache", "severe headache", "thunderclap", "headache * during", "head * exploding",
        "crushing pain", "vision went", "blurred vision", "slurred",
    ])
    static let acuteInjury = Cues([
        "heard a pop", "felt a pop", "something popped", "popped and", "pop * swell", "pop * swollen", "pop * swelling",
        "gave way", "gave out", "giving way", "give way", "buckled", "heard a snap", "felt a snap", "something snapped",
        "cant put weight on", "cant bear weight", "can not put weight on", "dislocated", "dislocate",
    ])
    static let injury = Cues([
        "rehab", "rehabilitation", "physio", "physiotherapy", "treat", "treatment", "heal", "healing", "ice it",
        "ice my", "tendonitis", "tendinitis", "tendinopathy", "rotator cuff", "herniated", "herniation", "disc",
        "sciatica", "tennis elbow", "golfer elbow", "golfers elbow", "diagnose", "diagnosis", "whats wrong with",
        "what is wrong with", "whats wrong", "is it broken", "fracture", "torn", "tear", "tore", "bursitis", "impingement",
        "recover from * injury", "come back from * injury", "shin splint",
    ])
    static let illness = Cues([
        "sick", "fever", "flu", "a cold", "have a cold", "got a cold", "covid", "infection", "sore throat", "nausea",
        "nauseous", "vomit", "vomiting", "throwing up", "asthma", "diabetes", "diabetic", "pregnant", "pregnancy",
        "blood pressure", "hypertension", "heart condition", "migraine", "illness",
    ])
    static let medication = Cues([
        "ibuprofen", "advil", "tylenol", "paracetamol", "acetaminophen", "painkiller", "painkillers", "pain killer",
        "medication", "medicine", "meds", "antibiotic", "antibiotics", "aspirin", "naproxen", "aleve", "insulin",
        "pill", "pills", "prescription", "nsaid", "nsaids", "cortisone",
    ])
    static let diet = Cues([
        "keto", "diet", "dieting", "fasting", "intermittent fasting", "calorie", "calories", "macro", "macros",
        "protein", "carb", "carbs", "bulk", "bulking", "cutting phase", "meal", "eat", "eating", "food", "nutrition",
        "dietitian", "vegan", "vegetarian", "lose weight", "fat loss", "lose fat", "weight loss", "sugar", "snack",
        "breakfast", "dinner", "drink", "alcohol", "beer", "hydration", "water intake",
    ])
    static let supplement = Cues([
        "creatine", "whey", "casein", "pre workout", "preworkout", "supplement", "supplements", "bcaa", "bcaas",
        "steroid", "steroids", "sarm", "sarms", "testosterone", "trt", "fat burner", "multivitamin", "vitamin",
        "fish oil", "caffeine", "protein powder", "protein shake", "ashwagandha", "beta alanine", "collagen",
    ])

    static let help = Cues([
        "help", "what can you do", "what do you do", "command", "how do this work", "how doe this work",
        "how does this work", "menu", "what can i ask", "option", "who are you", "what are you", "usage",
        "what do you know", "how to use", "how do i use", "use this", "help me with",
    ])
    static let why = Cues(["why", "explain", "how come", "reason", "source", "evidence", "citation", "study"])

    // MARK: The chat's own commands (matched in short messages only)

    static let checkIn = Cues([
        "check in", "checkin", "daily check in", "daily checkin", "start check in", "start checkin", "lets check in",
        "do my check in", "do a check in", "morning check in", "readiness check",
    ])
    static let cancel = Cues(["cancel", "stop", "never mind", "nevermind", "abort", "quit", "forget it", "exit"])
    static let stats = Cues([
        "my week", "stats", "statistics", "weekly report", "my stats", "how was my week", "week summary",
        "my progress", "weekly summary", "show my week",
    ])
    static let forgetMe = Cues([
        "forget me", "delete my data", "delete me", "erase my data", "remove my data", "delete everything",
        "erase me", "wipe my data",
    ])
    static let showProfile = Cues(["my profile", "show profile", "show my profile", "what do you know about me", "whoami"])
    static let profileStart = Cues(["set up my profile", "setup my profile", "update my profile", "profile", "set up profile", "edit profile"])
    static let skip = Cues(["skip", "later", "not now", "no thanks", "no thank you", "maybe later"])
    /// Whole-message answers to a yes/no question.
    static let confirmWords: Set<String> = ["yes", "y", "yep", "yeah", "yup", "sure", "confirm", "ok", "okay", "do it", "yes please", "go ahead", "delete it", "yes delete"]
    static let declineWords: Set<String> = ["no", "n", "nope", "nah", "dont", "keep", "keep it", "no thanks", "do not"]

    static let questionWords: Set<String> = [
        "should", "can", "is", "do", "doe", "does", "how", "what", "when", "which", "would", "will", "could", "are",
        "am", "shall", "why", "ok", "okay", "worth", "safe", "good", "bad",
    ]

    // MARK: Profile hints

    static let beginner = Cues([
        "beginner", "newbie", "novice", "noob", "new to lifting", "new to the gym", "new to weight", "new to training",
        "new to strength", "new lifter", "new at this", "im new", "i am new", "just started", "just starting",
        "started lifting last", "started training last", "started last", "first time", "never lifted", "first month",
        "first week", "few week", "couple of month", "couple month", "couple of week", "new to gym",
    ])
    static let advanced = Cues([
        "advanced", "experienced lifter", "competitive", "compete", "veteran", "decade", "seasoned",
    ])
    static let intermediate = Cues(["intermediate"])

    static let strength = Cues([
        "for strength", "get stronger", "getting stronger", "strength goal", "goal is strength", "powerlifting",
        "powerlifter", "max strength", "build strength", "strength focus", "focus on strength", "be stronger",
        "stronger", "strength is my goal", "for a meet", "training for strength",
    ])
    static let hypertrophy = Cues([
        "for size", "get bigger", "getting bigger", "hypertrophy", "build muscle", "muscle growth", "gain muscle",
        "bodybuilding", "bodybuilder", "for mass", "grow", "growth", "to get big", "get huge", "bigger",
        "building muscle", "aesthetic",
    ])
    static let endurance = Cues([
        "for endurance", "endurance", "stamina", "muscular endurance", "high rep", "conditioning",
    ])
    static let general = Cues([
        "general fitness", "stay fit", "for health", "general health", "be healthy", "keep fit", "stay healthy",
        "just for fun", "overall fitness",
    ])

    static let noSpotter = Cues([
        "no spotter", "without a spotter", "without spotter", "dont have a spotter", "do not have a spotter",
        "dont have spotter", "no one to spot", "nobody to spot", "noone to spot", "no safeties", "no safety",
        "without safeties", "without safety", "train alone", "lift alone", "training alone", "lifting alone", "alone",
        "by myself", "solo", "no rack", "without a rack", "no spot",
    ])
    static let withSpotter = Cues([
        "spotter", "spotted", "spot me", "spotting", "safeties", "safety", "power rack", "squat rack", "in a rack",
        "in the rack", "with pins", "pins set", "pin", "spotting arm", "with a spot", "training partner",
        "gym partner",
    ])

    static let noPain = Cues([
        "no pain", "not pain", "pain free", "painfree", "without pain", "doesnt hurt", "dont hurt", "not hurt",
        "not injured", "no injury", "no injuries",
    ])
    static let pain = Cues([
        "hurt", "hurting", "pain", "painful", "sharp", "twinge", "tweak", "tweaked", "injured", "injury", "injure",
        "pinch", "pinching", "strain", "strained", "sprain", "sprained", "ache", "aching", "achy", "clicking",
        "popping", "pulled a", "pulled my", "torn", "tore",
    ])
    static let persistentFatigue = Cues([
        "always tired", "tired all the time", "constantly tired", "exhausted all the time", "always exhausted",
        "tired for", "exhausted for", "wiped for", "no energy for", "fatigued for", "drained for", "lift * going down", "lift * dropping", "getting weaker",
        "cant sleep", "sleeping badly", "no energy", "burnt out", "burned out", "burnout", "strength * going down",
    ])

    /// Words that open a negation scope: what follows in the same clause is negated.
    static let negators: Set<String> = [
        "not", "no", "dont", "doesnt", "didnt", "isnt", "arent", "wasnt", "werent", "never", "nothing", "without",
        "nor", "neither", "aint", "hardly", "cant", "cannot", "wont", "havent", "hasnt", "none",
    ]
    /// Words that end a clause: "but", "just" and the like start a contrast.
    static let clauseBreaks: Set<String> = [
        "but", "though", "although", "however", "just", "only", "yet", "instead", "except", "so", "because", "then",
        "while", "whereas", "actually", "rather",
    ]

    static let lastSet = Cues(["last set", "final set", "last round", "final round"])
    static let heavy = Cues(["heavy", "heavier", "max out", "maxing", "near max", "close to max", "1rm", "one rep max", "pr attempt"])
    static let afterFailure = Cues([
        "after failure", "after going to failure", "after a failure", "after taking * to failure", "after a set to failure",
        "after failing", "to failure", "after an amrap",
    ])

    /// Common English and chat words that are never "corrected" into exercise words.
    static let commonWords: Set<String> = Set("""
    a about above after again against all almost alone along already also always am an and another any anyone \
    anything are around as ask at away back bad be because been before being below best better between big bit \
    both but by came can cant could day days did didnt do doe does doing done dont down during each easy either \
    else enough even ever every exactly feel feeling few fine first for from full get getting give go going gone \
    good got great had has have having he her here him his how however i if im in instead into is isnt it its \
    itll ive just keep kind know last least less let like little long look lot lots make many may maybe me mean \
    might mine more most much must my myself need never new next no none nor not now of off often ok okay on once \
    one only or other our out over own part per please plus pretty quite rather real really right same say see \
    seem set sets she should since so some something sometimes soon still such sure take than thank thanks that \
    the their them then there these they thing things think this those though through till time times to today \
    together too took toward try trying twice two under until up upon us use used usually very want wanted was \
    way we week weeks well went were what whats when where whether which while who whole why will with within \
    without wont would yes yet you your youre yeah yep nope hey hi hello lol pls plz thx ty guys bro dude man \
    coach spotter workout workouts session sessions train training trained lift lifts lifting lifted gym weight \
    weights rep reps heavy light hard harder easier max minute minutes hour hours second seconds kg kgs lb lbs \
    pound pounds kilo kilos percent morning evening night tomorrow yesterday tonight week month months year years \
    sore soreness tired fatigue sleep slept energy stress stressed motivation motivated body muscle muscles leg \
    legs arm arms chest back shoulder shoulders knee knees elbow elbows wrist hip hips ankle neck glute glutes \
    quad quads hamstring hamstrings calf calves bicep biceps tricep triceps lat lats core abs program plan split \
    routine volume frequency progress progression form technique depth weather shoe shoes belt straps protein \
    creatine diet eat eating food calories cardio run running walk stretch stretching warm warmup cool fix \
    improve better worse best worst number numbers total goal goals fewer ever never fear feet fast faster \
    pop tight stiff stiffness left right ill
    """.split(whereSeparator: { $0 == " " || $0 == "\n" }).map { Stemmer.stem(String($0)) })
}
