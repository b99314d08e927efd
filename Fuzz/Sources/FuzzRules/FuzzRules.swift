import Foundation
import FuzzSupport
import SpotterAdvisor
import SpotterApp
import SpotterCore
import SpotterRules

/// Rule-file loading, as `spotter rules check` and every start-up run it: the project's real
/// rules folder with one file replaced (or one added) by the fuzz input, loaded and validated;
/// a book that passes is then used the way `spotter ask` and the check-in use it.
///
/// Input framing: the first byte picks the file, `byte % (files + 1)` over the sorted top-level
/// `Rules/*.yml` (the last choice adds a new file `Rules/zz_fuzz.yml`); the rest is its YAML text.
@main
enum Target {
    static func main() { runFuzzer(test) }
}

@_cdecl("LLVMFuzzerTestOneInput")
func test(_ pointer: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let data = input(pointer)
    guard size >= 1 else { return 0 }
    var files = RealRules.files
    let choice = Int(data[0]) % (files.count + 1)
    let yaml = text(data + 1, size - 1)
    if choice == files.count {
        files.append(RuleFile(path: Project.rulesFolder + "/zz_fuzz.yml", text: yaml))
    } else {
        files[choice].text = yaml
    }
    let book: RuleBook
    do {
        book = try RuleBookLoader.load(files)
    } catch {
        // `spotter rules check` prints every problem as file:line: subject: message; fix.
        require(!error.problems.isEmpty, "a refused rules folder with no problem to show")
        let paths = Set(files.map(\.path))
        for problem in error.problems {
            require(problem.line >= 1, "a problem at line \(problem.line): \(problem)")
            require(paths.contains(problem.file) || problem.code == .missingFile, "a problem in an unknown file: \(problem)")
            require(!problem.message.isEmpty && !problem.fix.isEmpty, "a problem without a message or a fix: \(problem)")
        }
        _ = error.description
        return 0
    }
    let advisor: Advisor
    do {
        advisor = try Advisor(book: book)
    } catch {
        _ = error.description
        return 0
    }
    let writer = ReplyWriter(book: book)
    for utterance in RealRules.questions {
        let consultation = advisor.consult(utterance, profile: ResolvedProfile(profile: .assumed), context: TrainingContext())
        _ = writer.reply(to: consultation)
        _ = writer.explain(consultation)
    }
    for answers in RealRules.checkIns {
        _ = advisor.readiness(answers, history: RealRules.checkIns)
    }
    _ = advisor.deloadReview(TrainingContext(readiness: .red, pain: false, weekFailureSets: 5, amberOrRedCheckins: 4))
    return 0
}

enum RealRules {
    /// The project's rule files, read once.
    static let files: [RuleFile] = {
        do {
            return try RulesFolder.ruleFiles(in: Project.rulesFolder)
        } catch {
            fatalError("fuzz set-up: \(error)")
        }
    }()

    /// Questions that reach every table: failure, RIR, rest, recovery, deload, with and without an exercise.
    static let questions: [Utterance] = [
        "should I go to failure on squats?", "how many reps in reserve for curls at RPE 9?",
        "how long should I rest between heavy bench sets?", "how long to recover after deadlifts to failure?",
        "do I need a deload? I've been exhausted for weeks", "my knee hurts, can I do leg press to failure?",
        "I'm a beginner, failure on lat pulldown for strength?",
    ].map { Project.coach.understanding.understand($0) }

    static let checkIns: [CheckInAnswers] = [
        CheckInAnswers(sleepHours: 8, soreness: 1, energy: 5, stress: 1, motivation: 5, pain: false),
        CheckInAnswers(sleepHours: 5, soreness: 4, energy: 2, stress: 4, motivation: 2, pain: false),
        CheckInAnswers(sleepHours: 3, soreness: 5, energy: 1, stress: 5, motivation: 1, pain: true),
    ]
}
