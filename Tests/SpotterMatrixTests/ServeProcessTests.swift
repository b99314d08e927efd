import Foundation
import SpotterCore
import SpotterHTTP
import SpotterMatrix
import SpotterStore
import SpotterTesting
import Testing

/// A free TCP port on loopback (bound, read, released).
func freePort() -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
    }
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// `spotter serve` as a child process.
struct ServeProcess: @unchecked Sendable {
    let process: Process
    let port: Int

    /// `environment` wins over the defaults (LOG_LEVEL warning); `extraArguments` follow the usual ones.
    static func start(
        folder: URL, homeserver: String, port: Int, environment: [String: String] = [:], extraArguments: [String] = []
    ) throws -> ServeProcess {
        let registration = Registration(id: "spotter", url: "http://127.0.0.1:\(port)", asToken: "as_test",
                                        hsToken: "hs_process_test", senderLocalpart: "coach")
        let registrationPath = folder.appendingPathComponent("registration.yaml")
        try registration.yaml.write(to: registrationPath, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: registrationPath.path)
        let process = Process()
        process.executableURL = ProjectFixtures.spotterExecutable
        process.arguments = ["serve", "--registration", registrationPath.path, "--homeserver", homeserver,
                             "--listen", "127.0.0.1:\(port)", "--db", folder.appendingPathComponent("s.sqlite").path] + extraArguments
        process.currentDirectoryURL = ProjectFixtures.root
        var env = ProcessInfo.processInfo.environment
        env["LOG_LEVEL"] = "warning"
        for (key, value) in environment { env[key] = value }
        process.environment = env
        // One log across restarts, kept beside the database for a failing test to show.
        let logPath = folder.appendingPathComponent("serve.log").path
        if !FileManager.default.fileExists(atPath: logPath) { FileManager.default.createFile(atPath: logPath, contents: nil) }
        let log = FileHandle(forWritingAtPath: logPath) ?? FileHandle.nullDevice
        log.seekToEndOfFile()
        process.standardOutput = log
        process.standardError = log
        try process.run()
        let serve = ServeProcess(process: process, port: port)
        do {
            try serve.waitUntilHealthy()
        } catch {
            // Never leave a server behind a failed test.
            process.terminate()
            process.waitUntilExit()
            throw error
        }
        return serve
    }

    func waitUntilHealthy() throws {
        let client = try CurlClient()
        client.connectTimeout = 200
        for _ in 0..<150 {
            if let result = try? client.send("GET", "http://127.0.0.1:\(port)/healthz"), result.status == 200 { return }
            Thread.sleep(forTimeInterval: 0.1)
        }
        throw TransportError(code: "timeout", message: "spotter serve did not become healthy")
    }

    func put(_ id: String, _ events: [JSONValue]) throws -> Int {
        let client = try CurlClient()
        let body = Array(JSONValue.object([("events", .array(events))]).serialized().utf8)
        return try client.send("PUT", "http://127.0.0.1:\(port)/_matrix/app/v1/transactions/\(id)",
                               headers: ["Authorization": "Bearer hs_process_test"], body: body).status
    }
}

@Suite("spotter serve as a process", .serialized)
struct ServeProcessTests {
    @Test("SIGKILL between acknowledging and replying: the reply is sent once after the restart")
    func crashBetweenAckAndReply() async throws {
        let homeserver = FakeHomeserver()
        try await homeserver.start()
        defer { Task { await homeserver.stop() } }
        let folder = try temporaryFolder("spotter-serve")
        defer { try? FileManager.default.removeItem(at: folder) }
        let port = freePort()
        // With this variable Spotter dies like a SIGKILL right after journaling, before replying.
        let url = homeserver.url
        let crashing = try await offPool {
            try ServeProcess.start(folder: folder, homeserver: url, port: port, environment: ["SPOTTER_CRASH_AFTER_JOURNAL": "1"])
        }
        let now = Date().timeIntervalSince1970 * 1000
        let question = JSONValue.object([
            ("event_id", "$crash-question"), ("room_id", "!dm:test"), ("sender", "@alice:test"), ("type", "m.room.message"),
            ("origin_server_ts", .number(now)), ("content", .object([("msgtype", "m.text"), ("body", "leg press to failure?")])),
        ])
        #expect(try await offPool { try crashing.put("1", [question]) } == 200, "acknowledged before the crash")
        try await offPool { crashing.process.waitUntilExit() }
        #expect(crashing.process.terminationStatus == 137)
        #expect(homeserver.sends.isEmpty, "nothing was sent before the crash")

        let restarted = try await offPool { try ServeProcess.start(folder: folder, homeserver: url, port: port) }
        defer { restarted.process.terminate(); restarted.process.waitUntilExit() }
        for _ in 0..<100 where homeserver.sends.isEmpty { try await Task.sleep(for: .milliseconds(100)) }
        // The homeserver re-sends the transaction after a restart; that must not double the reply.
        #expect(try await offPool { try restarted.put("1", [question]) } == 200)
        try await Task.sleep(for: .seconds(1))
        let sends = homeserver.sends
        #expect(sends.count == 1)
        #expect(sends.first?.path.hasSuffix(ReplyContent.transactionID(replyingTo: "$crash-question")) == true)
        #expect(sends.first?.body.contains("Leg Press") == true)
        #expect(homeserver.requests.contains { $0.path.hasSuffix("/appservice/spotter/ping") }, "pinged on start")
    }

    @Test("SIGTERM stops spotter serve gracefully")
    func gracefulStop() async throws {
        let homeserver = FakeHomeserver()
        try await homeserver.start()
        defer { Task { await homeserver.stop() } }
        let folder = try temporaryFolder("spotter-serve")
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = homeserver.url
        let serve = try await offPool { try ServeProcess.start(folder: folder, homeserver: url, port: freePort()) }
        serve.process.terminate()
        try await offPool { serve.process.waitUntilExit() }
        #expect(serve.process.terminationReason == .exit)
    }

    @Test("a bad setting stops start-up with a message that names it")
    func badSetting() throws {
        let result = try runSpotter(["serve", "--registration", "/nonexistent/registration.yaml", "--homeserver", "http://127.0.0.1:9"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("registration"))
        let folder = try temporaryFolder("spotter-serve")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("r.yaml")
        try Registration.generate(id: "spotter", url: "http://127.0.0.1:1", localpart: "coach").yaml.write(to: path, atomically: true, encoding: .utf8)
        let badURL = try runSpotter(["serve", "--registration", path.path, "--homeserver", "not a url"])
        #expect(badURL.status != 0)
        #expect(badURL.stderr.contains("matrix.homeserver"))
        #expect(!badURL.stderr.contains("as_"), "tokens never appear in messages")
    }

    @Test("a port already in use is one sentence naming the address, exit 2, no NIO error text")
    func busyPort() throws {
        let folder = try temporaryFolder("spotter-serve")
        defer { try? FileManager.default.removeItem(at: folder) }
        // Hold a listening socket on the port Spotter is told to use.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var port = 0
        for _ in 0..<20 {
            port = freePort()
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            if bound == 0 { break }
        }
        #expect(listen(fd, 1) == 0)
        let registration = folder.appendingPathComponent("r.yaml")
        try Registration.generate(id: "spotter", url: "http://127.0.0.1:\(port)", localpart: "coach").yaml
            .write(to: registration, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: registration.path)
        let config = folder.appendingPathComponent("spotter.yml")
        try "matrix:\n  bot_user_id: \"@coach:localhost\"\n".write(to: config, atomically: true, encoding: .utf8)
        let result = try runSpotter(["serve", "--config", config.path, "--registration", registration.path,
                                     "--homeserver", "http://127.0.0.1:9", "--listen", "127.0.0.1:\(port)",
                                     "--db", folder.appendingPathComponent("s.sqlite").path])
        #expect(result.status == 2)
        #expect(result.stderr.contains("127.0.0.1:\(port) is already in use"))
        #expect(!result.stderr.contains("bind(descriptor"))
    }

    @Test("serve --check-config validates config and registration without starting; a misspelt key stops it")
    func checkConfig() throws {
        let folder = try temporaryFolder("spotter-serve")
        defer { try? FileManager.default.removeItem(at: folder) }
        let registration = folder.appendingPathComponent("r.yaml")
        try Registration.generate(id: "spotter", url: "http://127.0.0.1:29400", localpart: "coach").yaml
            .write(to: registration, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: registration.path)
        let config = folder.appendingPathComponent("spotter.yml")
        let db = folder.appendingPathComponent("s.sqlite")
        try "rooms:\n  \"!gym:x\":\n    checkin: \"07:30 Europe/Berlin\"\n".write(to: config, atomically: true, encoding: .utf8)
        let arguments = ["serve", "--check-config", "--config", config.path, "--registration", registration.path,
                         "--homeserver", "http://127.0.0.1:9", "--db", db.path]
        let good = try runSpotter(arguments)
        #expect(good.status == 0, "\(good.stderr)")
        #expect(good.stdout.contains("config ok"))
        #expect(good.stdout.contains("!gym:x"))
        #expect(!FileManager.default.fileExists(atPath: db.path), "nothing is started or created")
        try "rooms:\n  \"!gym:x\":\n    chekin: \"07:30 Europe/Berlin\"\n".write(to: config, atomically: true, encoding: .utf8)
        let misspelt = try runSpotter(arguments)
        #expect(misspelt.status == 2)
        #expect(misspelt.stderr.contains("rooms.!gym:x.chekin: unknown setting; did you mean checkin?"))
        let badRegistration = try runSpotter(["serve", "--check-config", "--registration", folder.appendingPathComponent("none.yaml").path,
                                              "--homeserver", "http://127.0.0.1:9"])
        #expect(badRegistration.status == 2)
        #expect(badRegistration.stderr.contains("registration"))
    }

    @Test("matrix registration prints a registration with fresh tokens that serve can read")
    func registration() throws {
        let first = try runSpotter(["matrix", "registration", "--url", "http://127.0.0.1:29400", "--id", "coachbot", "--localpart", "trainer"])
        let second = try runSpotter(["matrix", "registration"])
        #expect(first.status == 0)
        #expect(first.stdout.contains("id: \"coachbot\""))
        #expect(first.stdout.contains("sender_localpart: \"trainer\""))
        #expect(first.stdout.contains("regex: \"@trainer:.*\""))
        let folder = try temporaryFolder("spotter-registration")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("r.yaml").path
        try first.stdout.write(toFile: path, atomically: true, encoding: .utf8)
        let loaded = try Registration.load(path: path)
        #expect(loaded.id == "coachbot" && loaded.asToken.count > 40 && loaded.hsToken.count > 40)
        let other = try runSpotter(["matrix", "registration"]).stdout
        #expect(!other.contains(loaded.asToken), "tokens are fresh each time")
        _ = second
    }
}
