import Foundation
import Logging
import SpotterApp
import SpotterBridge
import SpotterCore
import SpotterHTTP
import SpotterMatrix
import SpotterServer
import SpotterStore
import SpotterWebhook

/// A Matrix bridge over a scratch database, driven through `spotter serve`'s router without
/// sockets, exactly as the server carries HTTP requests to it. The homeserver is a closed loopback port, so
/// the calls triage makes fail at once and nothing leaves the machine.
public final class FuzzBridge: @unchecked Sendable {
    public static let hsToken = "hs_fuzz_token_0123456789"
    public static let botUserID = "@coach:fuzz"
    /// A fixed clock: messages from the seed corpus are fresh, and a crash replays the same way.
    public static let now: Timestamp = 1_795_420_800
    /// The key of the webhook secret (`whsec_` + base64 of these bytes).
    public static let webhookKey: [UInt8] = Array("spotter-fuzz-webhook-secret-key!".utf8)

    /// Runs between fresh databases: the journal and outbox only grow, and a fresh store keeps
    /// the memory and disk of a long run bounded.
    static let runsPerDatabase = 2_000

    private let folder: String
    private var generation = 0
    private var runs = 0
    private var api: RouterDriver
    public private(set) var bridge: MatrixBridge

    public init(name: String) {
        // scripts/fuzz.sh gives a scratch folder it removes afterwards; otherwise memory-backed if possible.
        let environment = ProcessInfo.processInfo.environment
        let base = environment["SPOTTER_FUZZ_SCRATCH"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory())
        folder = (base as NSString).appendingPathComponent("spotter-fuzz-\(name)-\(getpid())")
        (bridge, api) = Self.make(folder: folder, generation: 0)
    }

    deinit { try? FileManager.default.removeItem(atPath: folder) }

    private static func make(folder: String, generation: Int) -> (MatrixBridge, RouterDriver) {
        try? FileManager.default.removeItem(atPath: folder)
        do {
            let database = try SpotterDatabase(path: (folder as NSString).appendingPathComponent("spotter-\(generation).sqlite"))
            let runtime = ChatRuntime(coach: Project.coach, database: database, settings: CoachingSettings().dialog,
                                      clock: { FuzzBridge.now })
            var settings = MatrixSettings(
                homeserver: "http://127.0.0.1:9", listenHost: "127.0.0.1", listenPort: 0,
                registration: Registration(id: "spotter", url: "", asToken: "as_fuzz", hsToken: hsToken, senderLocalpart: "coach"),
                botUserID: botUserID)
            settings.webhookSecret = WebhookSecret(key: webhookKey)
            let client = try CurlClient()
            client.requestTimeout = 200
            var logger = Logger(label: "fuzz")
            logger.logLevel = .critical
            let bridge = MatrixBridge(settings: settings, runtime: runtime,
                                      homeserver: HomeserverClient(base: settings.homeserver, asToken: "as_fuzz", client: client),
                                      botUserID: botUserID, metrics: MatrixMetrics(), logger: logger, clock: { FuzzBridge.now })
            return (bridge, RouterDriver(bridge: bridge, logger: logger))
        } catch {
            fatalError("fuzz set-up: cannot open a scratch database in \(folder): \(error)")
        }
    }

    /// Handles one request as the HTTP server would, and waits for the answer.
    public func handle(_ request: APIRequest) -> APIResponse {
        runs += 1
        if runs % Self.runsPerDatabase == 0 {
            generation += 1
            (bridge, api) = Self.make(folder: folder, generation: generation)
        }
        let box = ResponseBox()
        let done = DispatchSemaphore(value: 0)
        let api = self.api
        Task {
            box.response = await api.handle(request)
            done.signal()
        }
        done.wait()
        return box.response!
    }

    /// Runs the bridge's worker until the journal is handled, as its thread would.
    public func drain() {
        do {
            for _ in 0..<8 where try bridge.handlePending() > 0 {}
        } catch {
            fatalError("the worker failed on a journaled event: \(error)")
        }
    }
}

private final class ResponseBox: @unchecked Sendable {
    var response: APIResponse?
}
