import ArgumentParser
import Foundation
import SpotterAdvisor
import SpotterApp
import SpotterCommands
import SpotterCore
import SpotterStore

@main
struct Spotter: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spotter",
        abstract: "An evidence-based strength-training coach: failure, reps in reserve, rest, recovery.",
        discussion: exitCodesHelp,
        version: SpotterVersion.number,
        subcommands: [Ask.self, Chat.self, ServeForwarder.self, MatrixForwarder.self, Export.self, Import.self, Forget.self, Migrate.self, CopyStore.self, RulesCommand.self, Bench.self])
}

extension Experience: ChoiceArgument {}
extension TrainingGoal: ChoiceArgument {}

enum YesNo: String, ChoiceArgument {
    case yes, no
}

struct Ask: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ask", abstract: "Answer one question and exit.", discussion: exitCodesHelp)

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    @Flag(help: "Also print the rules that decided the answer, the facts they read and their sources in full.")
    var explain = false

    @Option(help: "beginner, intermediate or advanced; intermediate when neither this nor the message says.")
    var experience: Experience?

    @Option(help: "hypertrophy, strength, endurance or general; hypertrophy when neither this nor the message says.")
    var goal: TrainingGoal?

    @Option(help: "yes if you have a spotter or a rack with safeties; no when neither this nor the message says.")
    var spotter: YesNo?

    @Option(help: "The rules folder (default: Rules/ of the project).")
    var rules: String?

    @Argument(help: "The question, for example \"should I go to failure on squats?\"")
    var message: [String]

    func run() throws {
        var coach = try loadCoach(rules)
        // `ask` has no "why" to say afterwards: it points to --explain, or prints the trace itself.
        coach.writer.traceHint = explain ? nil : "Add --explain for the rules and sources behind it."
        var profile = ResolvedProfile(profile: .assumed)
        if let experience { profile.profile.experience = experience; profile.experienceOrigin = .profile }
        if let goal { profile.profile.goal = goal; profile.goalOrigin = .profile }
        if let spotter { profile.profile.spotter = spotter == .yes; profile.spotterOrigin = .profile }
        let (consultation, reply) = coach.ask(message.joined(separator: " "), profile: profile, tracing: explain)
        let explanation = explain ? coach.writer.explain(consultation) : nil
        if json {
            var answer = AnswerJSON.ask(consultation, reply: reply)
            if let explanation, case let .object(fields) = answer { answer = .object(fields + [(key: "explanation", value: .string(explanation))]) }
            print(answer.serialized())
        } else {
            print(reply)
            if let explanation { print("\n" + explanation) }
        }
        #if !DEBUG
        // A one-shot process: the system takes its memory back at exit, so the coach is not torn
        // down first (freeing its tables and catalogue was a tenth of an `ask`). Debug builds, the
        // sanitized ones among them, free it as usual, so their leak checks see a clean exit.
        withExtendedLifetime(coach) {
            fflush(nil)  // every stream: what was printed is written before exit
            Foundation.exit(0)
        }
        #endif
    }
}

struct RulesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules", abstract: "Work with the rules folder.", subcommands: [Check.self])

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check",
            abstract: "Validate a rules folder; exits non-zero and lists every problem as file:line: rule-id: problem; fix.",
            discussion: exitCodesHelp)

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

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure understanding plus advice per message over a corpus (figures only, never a pass/fail).",
        discussion: exitCodesHelp)

    @Option(help: "A YAML list of messages with `text` (default: Tests/Corpus/questions.yml of the project).")
    var corpus: String?

    @Option(help: "How many timed rounds over the corpus.")
    var rounds = 20

    @Option(help: "The rules folder (default: Rules/ of the project).")
    var rules: String?

    func run() throws {
        let coach = try loadCoach(rules)
        let messages: [String]
        do {
            messages = try CoachBenchmark.corpusMessages(corpus ?? CoachBenchmark.defaultCorpus)
        } catch {
            FileHandle.standardError.write(Data("spotter: \(error.code): \(error)\n".utf8))
            throw ExitCode(2)
        }
        print(CoachBenchmark.run(coach, messages: messages, rounds: max(1, rounds)).description)
    }
}

struct Chat: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chat",
        abstract: "Chat with Spotter: questions, the daily check-in, set logging, stats. Remembers you.",
        discussion: "Creates the database when none exists at the path (and says so once on standard error).\n\n" + exitCodesHelp)

    @Option(help: "The SQLite database (default: storage.database in Config/, else ~/.local/share/spotter/spotter.sqlite).")
    var db: String?

    @Option(help: "Your user id (default: $USER).")
    var user: String?

    @Flag(help: "Read one JSON object per line ({\"user\", \"room\", \"text\"}) and write one JSON object per line.")
    var jsonl = false

    @Option(help: "The rules folder (default: Rules/ of the project).")
    var rules: String?

    func run() throws {
        let settings = try loadSettings()
        let coach = try loadCoach(rules, settings: settings)
        let database = try openDatabase(db, settings: settings, create: true)
        let runtime = ChatRuntime(coach: coach, database: database, settings: settings.dialog, clock: ChatRuntime.systemClock)
        let mode: StdinChannel.Mode = jsonl ? .jsonLines : isatty(0) != 0 ? .interactive : .plain
        let defaultUser = user ?? ProcessInfo.processInfo.environment["USER"].flatMap { $0.isEmpty ? nil : $0 } ?? "local"
        if let problem = Identifier.problem(defaultUser, field: user == nil ? "$USER" : "--user") {
            throw ValidationError(problem.message)
        }
        do {
            try StdinChannel(runtime: runtime, mode: mode, defaultUser: defaultUser).run()
        } catch {
            FileHandle.standardError.write(Data(("spotter: \(error.code): \(error)\n").utf8))
            throw ExitCode(3)
        }
    }
}

enum ExportFormat: String, ChoiceArgument {
    case json, csv
}

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write everything stored about a user (JSON or CSV) to stdout.",
        discussion: "Refuses a path where no database exists (database_missing).\n\n" + exitCodesHelp)

    @Option(help: "The user id.")
    var user: String

    @Option(help: "json or csv.")
    var format: ExportFormat = .json

    func validate() throws {
        if let problem = Identifier.problem(user, field: "--user") { throw ValidationError(problem.message) }
    }

    @Option(help: "The SQLite database (default: storage.database in Config/, else ~/.local/share/spotter/spotter.sqlite); it must exist.")
    var db: String?

    func run() throws {
        let settings = try loadSettings()
        let database = try openDatabase(db, settings: settings)
        let tables = try database.read { try $0.export(user: user) }
        switch format {
        case .json: print(UserExport.json(user: user, tables: tables).serialized())
        case .csv:
            // Beside the stored tables, the sets as a spreadsheet reads them.
            let catalogue = try loadCoach(nil, settings: settings).catalogue
            let setLog = UserExport.setLog(try database.read { try $0.setLog(user: user) }, catalogue: catalogue)
            print(UserExport.csv(tables + [setLog]), terminator: "")
        }
    }
}

struct Forget: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forget",
        abstract: "Delete everything stored about a user.",
        discussion: "Refuses a path where no database exists (database_missing).\n\n" + exitCodesHelp)

    @Option(help: "The user id.")
    var user: String

    func validate() throws {
        if let problem = Identifier.problem(user, field: "--user") { throw ValidationError(problem.message) }
    }

    @Option(help: "The SQLite database (default: storage.database in Config/, else ~/.local/share/spotter/spotter.sqlite); it must exist.")
    var db: String?

    func run() throws {
        let settings = try loadSettings()
        // A running server would answer from its caches what was deleted here: refused then.
        let (database, ownership) = try openDatabaseWithoutServer(
            db, settings: settings,
            instead: "To delete a lifter's data while Spotter serves, they say \"forget me\" to Spotter in the chat, then \"yes\".")
        defer { withExtendedLifetime(ownership) {} }
        let before = try database.read { try $0.export(user: user) }.reduce(0) { $0 + $1.rows.count }
        try database.write { try $0.forget(user: user) }
        print("Deleted \(before) record\(before == 1 ? "" : "s") stored about \(user).")
    }
}



/// `spotter serve` runs in `spotter-server`, built beside `spotter`: the HTTP server, libcurl
/// and crypto stay out of the binary that answers `spotter ask`, which then starts faster.
struct ServeForwarder: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run Spotter as a Matrix application service and webhook endpoint (spotter-server serve).",
        discussion: "spotter serve [--config FILE] [--registration FILE] [--homeserver URL] [--listen HOST:PORT] [--db PATH]")

    @Argument(parsing: .captureForPassthrough, help: "Passed to spotter-server serve.")
    var arguments: [String] = []

    func run() throws { try runServer(["serve"] + arguments) }
}

struct MatrixForwarder: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "matrix", abstract: "Matrix set-up helpers (spotter-server matrix).",
        discussion: "spotter matrix registration [--url URL] [--id ID] [--localpart NAME]")

    @Argument(parsing: .captureForPassthrough, help: "Passed to spotter-server matrix.")
    var arguments: [String] = []

    func run() throws { try runServer(["matrix"] + arguments) }
}

/// Replaces this process with `spotter-server` from the same folder.
func runServer(_ arguments: [String]) throws -> Never {
    let me = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
    let server = me.deletingLastPathComponent().appendingPathComponent("spotter-server").path
    guard FileManager.default.isExecutableFile(atPath: server) else {
        FileHandle.standardError.write(Data("spotter: \(server) is missing; build it with `swift build` (all products)\n".utf8))
        throw ExitCode(2)
    }
    var argv: [UnsafeMutablePointer<CChar>?] = ([server] + arguments).map { strdup($0) }
    argv.append(nil)
    execv(server, &argv)
    FileHandle.standardError.write(Data("spotter: cannot start \(server): \(String(cString: strerror(errno)))\n".utf8))
    throw ExitCode(2)
}
