import ArgumentParser
import Foundation
import SpotterApp
import SpotterCore

@main
struct Spotter: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spotter",
        abstract: "An evidence-based strength-training coach: failure, reps in reserve, rest, recovery.",
        subcommands: [Ask.self, RulesCommand.self, Bench.self])
}

extension Experience: ExpressibleByArgument {}
extension TrainingGoal: ExpressibleByArgument {}

enum YesNo: String, ExpressibleByArgument, CaseIterable {
    case yes, no
}

struct Ask: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Answer one question and exit.")

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    @Option(help: "beginner, intermediate or advanced (default: intermediate).")
    var experience: Experience?

    @Option(help: "hypertrophy, strength, endurance or general (default: hypertrophy).")
    var goal: TrainingGoal?

    @Option(help: "yes if you have a spotter or a rack with safeties (default: no).")
    var spotter: YesNo?

    @Option(help: "The rules folder (default: Rules/ of the project).")
    var rules: String?

    @Argument(help: "The question, for example \"should I go to failure on squats?\"")
    var message: [String]

    func run() throws {
        let coach = try loadCoach(rules)
        var profile = ResolvedProfile(profile: .assumed)
        if let experience { profile.profile.experience = experience; profile.experienceOrigin = .profile }
        if let goal { profile.profile.goal = goal; profile.goalOrigin = .profile }
        if let spotter { profile.profile.spotter = spotter == .yes; profile.spotterOrigin = .profile }
        let (consultation, reply) = coach.ask(message.joined(separator: " "), profile: profile)
        if json {
            print(AnswerJSON.ask(consultation, reply: reply).serialized())
        } else {
            print(reply)
        }
    }
}

struct RulesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules", abstract: "Work with the rules folder.", subcommands: [Check.self])

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate a rules folder; exits non-zero and lists every problem as file:line: rule-id: problem; fix.")

        @Argument(help: "The rules folder (default: Rules/ of the project).")
        var folder: String?

        func run() throws {
            let path = RulesFolder.locate(folder)
            do {
                let rules = try RulesFolder.load(path)
                _ = try Coach(rules: rules)
                print(rules.summary)
            } catch {
                FileHandle.standardError.write(Data((error.description + "\n").utf8))
                throw ExitCode(1)
            }
        }
    }
}

/// Loads the rules and settings, or exits with every problem listed on stderr.
func loadCoach(_ rules: String?) throws -> Coach {
    do {
        let loaded = try RulesFolder.load(RulesFolder.locate(rules))
        return try Coach(rules: loaded, settings: try CoachingSettings.load())
    } catch let error as RulesFolderError {
        FileHandle.standardError.write(Data(("spotter: refusing to start, the rules are invalid:\n" + error.description + "\n").utf8))
        throw ExitCode(2)
    } catch let error as ConfigError {
        FileHandle.standardError.write(Data(("spotter: bad setting: \(error)\n").utf8))
        throw ExitCode(2)
    }
}

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure understanding plus advice per message over a corpus (figures only, never a pass/fail).")

    @Option(help: "A YAML list of messages with `text` (default: Tests/Corpus/questions.yml).")
    var corpus = "Tests/Corpus/questions.yml"

    @Option(help: "How many timed rounds over the corpus.")
    var rounds = 20

    @Option(help: "The rules folder (default: Rules/ of the project).")
    var rules: String?

    func run() throws {
        let coach = try loadCoach(rules)
        let messages = try CoachBenchmark.corpusMessages(corpus)
        guard !messages.isEmpty else { throw ValidationError("no messages in \(corpus)") }
        print(CoachBenchmark.run(coach, messages: messages, rounds: max(1, rounds)).description)
    }
}
