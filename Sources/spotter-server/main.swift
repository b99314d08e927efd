import ArgumentParser
import Foundation
import Hummingbird
import Logging
import Metrics
import NIOCore
import Prometheus
import SpotterApp
import SpotterBridge
import SpotterBench
import SpotterCommands
import SpotterCore
import SpotterDelivery
import SpotterHTTP
import SpotterMatrix
import SpotterServer
import SpotterStore

/// The server half of Spotter: `spotter serve` and `spotter matrix` run here.
@main
struct SpotterServer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spotter-server",
        abstract: "Spotter's server: the Matrix application service and the webhook channel.",
        discussion: exitCodesHelp,
        version: SpotterVersion.number,
        subcommands: [Serve.self, MatrixCommand.self, Bench.self])
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run Spotter as a Matrix application service and signed-webhook endpoint.",
        discussion: "Creates the database when none exists at the path (and says so once on standard error).\n\n" + exitCodesHelp)

    @Option(help: "The config file (default: Config/spotter.yml of the project).")
    var config: String?

    @Option(help: "The registration YAML the homeserver loads (tokens, AS id, bot localpart).")
    var registration: String?

    @Option(help: "The homeserver's client-server URL, for example http://127.0.0.1:8008.")
    var homeserver: String?

    @Option(help: "Where to listen for the homeserver, HOST:PORT (default 127.0.0.1:29400).")
    var listen: String?

    @Option(help: "The SQLite database (default: storage.database in Config/, else ~/.local/share/spotter/spotter.sqlite).")
    var db: String?

    @Option(help: "The rules folder (default: Rules/ of the project).")
    var rules: String?

    @Flag(help: "Check the config, the registration and the rules, say what they set, and exit without starting.")
    var checkConfig = false

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
        if checkConfig {
            let rooms = matrix.group.rooms.keys.sorted()
            print("""
                config ok: \(configPath ?? "no config file (defaults)")
                registration: id \(matrix.registration.id), bot localpart \(matrix.registration.senderLocalpart)
                homeserver: \(matrix.homeserver); listen: \(matrix.listenHost):\(matrix.listenPort)
                webhook channel: \(matrix.webhookSecret == nil ? "off (no webhook.secret)" : "on")
                rooms: \(rooms.isEmpty ? "none configured" : rooms.joined(separator: ", "))
                rules: valid (\(RulesFolder.locate(rules)))
                """)
            return
        }
        // One server per database: a second one would handle every event twice.
        let (database, ownership) = try openOwnedDatabase(db, settings: settings)
        do {
            // A server that cannot store what it acknowledges must not start.
            try database.requireWritable()
        } catch {
            FileHandle.standardError.write(Data("spotter: refusing to start: \(error.code): \(error)\n".utf8))
            throw ExitCode(3)
        }
        try database.startBackgroundCheckpoints()
        let clock = try Self.clock(logger: logger)
        let runtime = ChatRuntime(coach: coach, database: database, settings: settings.dialog, clock: clock)
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
            botUserID: botUserID, metrics: MatrixMetrics(), logger: logger, clock: clock,
            testHooks: TestHooks(environment: ProcessInfo.processInfo.environment))
        // Whatever a library records through swift-metrics is served at /metrics too, beside Spotter's own.
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: bridge.metrics.registry))
        logger.info("spotter serve \(SpotterVersion.number): \(botUserID) on \(matrix.listenHost):\(matrix.listenPort), homeserver \(matrix.homeserver)")
        let appserviceID = matrix.registration.id
        let pingLogger = logger
        let app = MatrixServer.application(bridge: bridge, logger: logger, onServerRunning: { _ in
            // Ask the homeserver to deliver any backlog now rather than after its backoff.
            Thread.detachNewThread {
                switch control.ping(appserviceID: appserviceID) {
                case .delivered: pingLogger.info("pinged the homeserver; backlog delivery requested")
                case let .retry(_, reason), let .rejected(reason): pingLogger.warning("homeserver ping failed: \(reason)")
                }
            }
        })
        do {
            try await app.runService()
        } catch let error as IOError {
            // The listening socket is the one start-up failure a person causes here: say which address and what to do.
            let address = "\(matrix.listenHost):\(matrix.listenPort)"
            let message = switch error.errnoCode {
            case EADDRINUSE: "\(address) is already in use; stop what listens there or pass --listen HOST:PORT"
            case EACCES: "\(address) needs privileges to listen on; pick a port above 1023 with --listen HOST:PORT"
            case EADDRNOTAVAIL: "\(address) is not an address of this machine; pass --listen HOST:PORT with one"
            default: "cannot listen on \(address) (\(String(cString: strerror(error.errnoCode)))); pass --listen HOST:PORT"
            }
            FileHandle.standardError.write(Data("spotter: \(message)\n".utf8))
            throw ExitCode(2)
        }
        withExtendedLifetime(ownership) {}
    }

    /// The system clock, or for end-to-end tests of schedules, a clock that starts at
    /// `SPOTTER_CLOCK_START` (ISO 8601, such as 2026-03-29T07:29:50+02:00) and runs at real speed.
    static func clock(logger: Logger) throws -> @Sendable () -> Timestamp {
        guard let text = ProcessInfo.processInfo.environment["SPOTTER_CLOCK_START"], !text.isEmpty else {
            return ChatRuntime.systemClock
        }
        guard let start = ISO8601DateFormatter().date(from: text) else {
            FileHandle.standardError.write(Data("spotter: SPOTTER_CLOCK_START '\(text)' is not an ISO 8601 time like 2026-03-29T07:29:50+02:00\n".utf8))
            throw ExitCode(2)
        }
        logger.warning("SPOTTER_CLOCK_START is set: Spotter's clock starts at \(text) (for tests only)")
        let offset = start.timeIntervalSince1970 - Date().timeIntervalSince1970
        return { Date().timeIntervalSince1970 + offset }
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
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Loopback servers and loads for the Matrix benchmarks (figures only).",
        subcommands: [FakeHomeserver.self, BareServer.self, Outbound.self])

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
        static let configuration = CommandConfiguration(commandName: "outbound", abstract: "Send replies to a homeserver (stand-in) and report replies per second.")
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


