import ArgumentParser
import Foundation
import Hummingbird
import Logging
import SpotterApp
import SpotterCore
import SpotterHTTP
import SpotterMatrix
import SpotterStore

@main
struct Spotter: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spotter",
        abstract: "An evidence-based strength-training coach: failure, reps in reserve, rest, recovery.",
        subcommands: [Ask.self, Chat.self, Serve.self, MatrixCommand.self, Export.self, Forget.self, RulesCommand.self, Bench.self])
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
func loadCoach(_ rules: String?, settings: CoachingSettings? = nil) throws -> Coach {
    do {
        let loaded = try RulesFolder.load(RulesFolder.locate(rules))
        return try Coach(rules: loaded, settings: try settings ?? CoachingSettings.load())
    } catch let error as RulesFolderError {
        FileHandle.standardError.write(Data(("spotter: refusing to start, the rules are invalid:\n" + error.description + "\n").utf8))
        throw ExitCode(2)
    } catch let error as ConfigError {
        FileHandle.standardError.write(Data(("spotter: bad setting: \(error)\n").utf8))
        throw ExitCode(2)
    }
}

struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure understanding plus advice per message over a corpus (figures only, never a pass/fail).",
        subcommands: [Advice.self, FakeHomeserver.self, BareServer.self, Outbound.self], defaultSubcommand: Advice.self)

    struct FakeHomeserver: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "fake-homeserver", abstract: "Run a homeserver stand-in on loopback that accepts every send.")
        @Option(help: "HOST:PORT") var listen = "127.0.0.1:18448"
        func run() async throws {
            let (host, port) = try hostPort(listen)
            try await BenchmarkServers.fakeHomeserver(host: host, port: port).runService()
        }
    }

    struct BareServer: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "bare-server", abstract: "Run a bare Hummingbird handler (answers 200 {}) to compare ingest with.")
        @Option(help: "HOST:PORT") var listen = "127.0.0.1:29401"
        func run() async throws {
            let (host, port) = try hostPort(listen)
            try await BenchmarkServers.bareServer(host: host, port: port).runService()
        }
    }

    struct Outbound: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Send replies to a homeserver (stand-in) and report replies per second.")
        @Option(help: "The homeserver URL.") var homeserver = "http://127.0.0.1:18448"
        @Option(help: "How many replies.") var count = 2000
        func run() throws { print(try BenchmarkServers.outbound(homeserver: homeserver, count: count)) }
    }
}

func hostPort(_ text: String) throws -> (String, Int) {
    guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]) else {
        throw ValidationError("expected HOST:PORT, got \(text)")
    }
    return (String(text[..<colon]), port)
}

struct Advice: ParsableCommand {
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

/// Reads Config/spotter.yml (or `path`), or exits naming the bad setting.
func loadSettings(_ path: String? = nil) throws -> CoachingSettings {
    do {
        return try CoachingSettings.load(path)
    } catch {
        FileHandle.standardError.write(Data(("spotter: bad setting: \(error)\n").utf8))
        throw ExitCode(2)
    }
}

/// Opens the database, or exits with a message that says what to do.
func openDatabase(_ flag: String?, settings: CoachingSettings) throws -> SpotterDatabase {
    let path = DatabaseLocation.resolve(flag: flag, settings: settings)
    do {
        return try SpotterDatabase(path: path)
    } catch {
        FileHandle.standardError.write(Data(("spotter: \(error.code): \(error)\n").utf8))
        throw ExitCode(3)
    }
}

struct Chat: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Chat with Spotter: questions, the daily check-in, set logging, stats. Remembers you.")

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
        let database = try openDatabase(db, settings: settings)
        let runtime = ChatRuntime(coach: coach, database: database, settings: settings.dialog, clock: ChatRuntime.systemClock)
        let mode: StdinChannel.Mode = jsonl ? .jsonLines : isatty(0) != 0 ? .interactive : .plain
        let defaultUser = user ?? ProcessInfo.processInfo.environment["USER"].flatMap { $0.isEmpty ? nil : $0 } ?? "local"
        do {
            try StdinChannel(runtime: runtime, mode: mode, defaultUser: defaultUser).run()
        } catch {
            FileHandle.standardError.write(Data(("spotter: \(error.code): \(error)\n").utf8))
            throw ExitCode(3)
        }
    }
}

enum ExportFormat: String, ExpressibleByArgument, CaseIterable {
    case json, csv
}

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Write everything stored about a user (JSON or CSV) to stdout.")

    @Option(help: "The user id.")
    var user: String

    @Option(help: "json or csv.")
    var format: ExportFormat = .json

    @Option(help: "The SQLite database.")
    var db: String?

    func run() throws {
        let settings = try loadSettings()
        let database = try openDatabase(db, settings: settings)
        let tables = try database.read { try $0.export(user: user) }
        switch format {
        case .json: print(UserExport.json(user: user, tables: tables).serialized())
        case .csv: print(UserExport.csv(tables), terminator: "")
        }
    }
}

struct Forget: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Delete everything stored about a user.")

    @Option(help: "The user id.")
    var user: String

    @Option(help: "The SQLite database.")
    var db: String?

    func run() throws {
        let settings = try loadSettings()
        let database = try openDatabase(db, settings: settings)
        let before = try database.read { try $0.export(user: user) }.reduce(0) { $0 + $1.rows.count }
        try database.write { try $0.forget(user: user) }
        print("Deleted \(before) record\(before == 1 ? "" : "s") stored about \(user).")
    }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run Spotter as a Matrix application service (and later the webhook channel).")

    @Option(help: "The config file (default: Config/spotter.yml of the project).")
    var config: String?

    @Option(help: "The registration YAML the homeserver loads (tokens, AS id, bot localpart).")
    var registration: String?

    @Option(help: "The homeserver's client-server URL, for example http://127.0.0.1:8008.")
    var homeserver: String?

    @Option(help: "Where to listen for the homeserver, HOST:PORT (default 127.0.0.1:29400).")
    var listen: String?

    @Option(help: "The SQLite database.")
    var db: String?

    @Option(help: "The rules folder (default: Rules/ of the project).")
    var rules: String?

    func run() async throws {
        var logger = Logger(label: "spotter")
        logger.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        let configPath = config ?? CoachingSettings.defaultConfigPath()
        let settings = try loadSettings(config)
        let matrix: MatrixSettings
        do {
            matrix = try MatrixSettings.load(configFile: configPath, registrationFlag: registration, homeserverFlag: homeserver,
                                             listenFlag: listen)
        } catch {
            FileHandle.standardError.write(Data("spotter: bad setting: \(error)\n".utf8))
            throw ExitCode(2)
        }
        for warning in matrix.warnings { logger.warning("\(warning)") }
        let coach = try loadCoach(rules, settings: settings)
        let database = try openDatabase(db, settings: settings)
        try database.startBackgroundCheckpoints()
        let runtime = ChatRuntime(coach: coach, database: database, settings: settings.dialog, clock: ChatRuntime.systemClock)
        let control = HomeserverClient(base: matrix.homeserver, asToken: matrix.registration.asToken, client: try CurlClient())
        let botUserID: String
        if let configured = matrix.botUserID {
            botUserID = configured
        } else {
            botUserID = try await learnBotUserID(control, logger: logger)
        }
        let bridge = MatrixBridge(
            settings: matrix, runtime: runtime,
            homeserver: HomeserverClient(base: matrix.homeserver, asToken: matrix.registration.asToken, client: try CurlClient()),
            botUserID: botUserID, metrics: MatrixMetrics(), logger: logger)
        logger.info("spotter serve: \(botUserID) on \(matrix.listenHost):\(matrix.listenPort), homeserver \(matrix.homeserver)")
        let appserviceID = matrix.registration.id
        let pingLogger = logger
        let app = Application(
            router: MatrixServer.router(bridge: bridge),
            configuration: .init(address: .hostname(matrix.listenHost, port: matrix.listenPort), serverName: "spotter"),
            services: [BridgeService(bridge: bridge)],
            onServerRunning: { _ in
                // Ask the homeserver to deliver any backlog now rather than after its backoff.
                Thread.detachNewThread {
                    switch control.ping(appserviceID: appserviceID) {
                    case .delivered: pingLogger.info("pinged the homeserver; backlog delivery requested")
                    case let .retry(_, reason), let .rejected(reason): pingLogger.warning("homeserver ping failed: \(reason)")
                    }
                }
            },
            logger: logger)
        try await app.runService()
    }

    /// The bot's user id from the homeserver (whoami), retried for up to 30 seconds.
    func learnBotUserID(_ client: HomeserverClient, logger: Logger) async throws -> String {
        var lastError = ""
        for attempt in 0..<15 {
            do {
                return try client.whoami()
            } catch {
                lastError = "\(error)"
                if attempt == 0 { logger.info("waiting for the homeserver: \(lastError)") }
                try await Task.sleep(for: .seconds(2))
            }
        }
        FileHandle.standardError.write(Data(("spotter: could not learn the bot's user id from the homeserver (\(lastError)); "
            + "check --homeserver and the as_token, or set matrix.bot_user_id\n").utf8))
        throw ExitCode(2)
    }
}

struct MatrixCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "matrix", abstract: "Matrix set-up helpers.", subcommands: [RegistrationCommand.self])

    struct RegistrationCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "registration",
            abstract: "Print a registration YAML with fresh random tokens, and the matching config snippet (as comments).")

        @Option(help: "The URL the homeserver reaches Spotter at.")
        var url = "http://127.0.0.1:29400"

        @Option(help: "The application service id.")
        var id = "spotter"

        @Option(help: "The bot's localpart (its user id is @LOCALPART:your.server).")
        var localpart = "coach"

        func run() throws {
            let registration = Registration.generate(id: id, url: url, localpart: localpart)
            print(registration.yaml, terminator: "")
            let listen = URL(string: url).map { "\($0.host ?? "127.0.0.1"):\($0.port ?? 29400)" } ?? "127.0.0.1:29400"
            print("""

                # Save this file where the homeserver can read it (chmod 600: it holds the tokens) and list it
                # under app_service_config_files in homeserver.yaml. Then, in Config/spotter.yml:
                #
                # matrix:
                #   homeserver: http://127.0.0.1:8008
                #   registration: /path/to/this/registration.yaml
                #   listen: \(listen)
                #
                # Or keep the tokens out of files Spotter reads: the environment wins over the file.
                #   export SPOTTER_AS_TOKEN=\(registration.asToken)
                #   export SPOTTER_HS_TOKEN=\(registration.hsToken)
                """)
        }
    }
}
