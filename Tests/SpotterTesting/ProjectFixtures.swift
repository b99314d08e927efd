import Foundation
import SpotterApp
import SpotterCore
import SpotterRules

/// Paths and shared loaded state for the test suites.
public enum ProjectFixtures {
    /// The package root, found from this file's location.
    public static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    public static var rulesFolder: String { root.appendingPathComponent("Rules").path }

    /// The project's rules, loaded once.
    public static let rules: LoadedRules = {
        do {
            return try RulesFolder.load(rulesFolder)
        } catch {
            fatalError("the project's own rules must load: \(error)")
        }
    }()

    /// A coach over the project's rules.
    public static let coach: Coach = {
        do {
            return try Coach(rules: rules)
        } catch {
            fatalError("the project's own rules must give a coach: \(error)")
        }
    }()

    /// The rule files' texts, for tests that break one on purpose.
    public static func ruleFiles() -> [RuleFile] {
        (try? RulesFolder.ruleFiles(in: rulesFolder)) ?? []
    }

    /// The built `spotter` executable, beside the test bundle.
    public static var spotterExecutable: URL {
        let bundle = Bundle.main.bundleURL
        for folder in [bundle.deletingLastPathComponent(), bundle, root.appendingPathComponent(".build/debug")] {
            let candidate = folder.appendingPathComponent("spotter")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return root.appendingPathComponent(".build/debug/spotter")
    }
}

/// The result of running a command.
public struct CommandResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
}

/// Runs the `spotter` executable with arguments and optional standard input.
public func runSpotter(_ arguments: [String], stdin: String? = nil, environment: [String: String] = [:]) throws -> CommandResult {
    try runCommand(ProjectFixtures.spotterExecutable, arguments, stdin: stdin, environment: environment)
}

/// Runs a program to its end in `folder` (default: the package root) with optional standard input.
public func runCommand(_ executable: URL, _ arguments: [String], in folder: URL = ProjectFixtures.root, stdin: String? = nil,
                       environment: [String: String] = [:]) throws -> CommandResult {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    process.currentDirectoryURL = folder
    var env = ProcessInfo.processInfo.environment
    for (key, value) in environment { env[key] = value }
    process.environment = env
    let out = Pipe(), err = Pipe(), input = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = input
    try process.run()
    if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
    try input.fileHandleForWriting.close()
    // Read both pipes to the end before waiting, so a full pipe cannot block the child.
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return CommandResult(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                         stderr: String(decoding: errData, as: UTF8.self))
}

/// A clock the test moves by hand.
public final class MockClock: @unchecked Sendable {
    private let lock = NSLock()
    private var time: Timestamp

    public init(_ time: Timestamp) { self.time = time }

    public var now: Timestamp { lock.withLock { time } }
    public func set(_ value: Timestamp) { lock.withLock { time = value } }
    public func advance(_ seconds: Double) { lock.withLock { time += seconds } }
}

/// A new empty folder under the temporary directory.
public func temporaryFolder(_ prefix: String = "spotter") throws -> URL {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    return folder
}

/// Runs blocking work (curl, SQLite, waiting for a process) on its own thread, so it cannot
/// starve the cooperative pool that in-process servers in the same test answer from.
public func offPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread {
            do { continuation.resume(returning: try work()) } catch { continuation.resume(throwing: error) }
        }
    }
}

/// An instant from ISO 8601 text ("2026-11-23T06:30:00Z"), for clocks in tests.
public func instant(_ text: String) -> Timestamp {
    ISO8601DateFormatter().date(from: text)!.timeIntervalSince1970
}

/// An instant as local wall-clock time in a zone, "2026-11-23 07:30".
public func localTime(_ time: Timestamp, _ zone: String) -> String {
    let formatter = DateFormatter()
    formatter.timeZone = TimeZone(identifier: zone)
    formatter.dateFormat = "yyyy-MM-dd HH:mm"
    return formatter.string(from: Date(timeIntervalSince1970: time))
}

/// SplitMix64: a small seedable generator, the same sequence for a seed on every machine, so a
/// property test's failure can be replayed from its seed.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
