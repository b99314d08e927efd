import Foundation
import SpotterApp
import SpotterCore

/// The project's real rules folder and catalogue, loaded once per fuzzing process.
public enum Project {
    /// The repository: `SPOTTER_ROOT`, else three folders above this file (Fuzz/Sources/FuzzSupport).
    public static let root: String = {
        if let given = ProcessInfo.processInfo.environment["SPOTTER_ROOT"], !given.isEmpty { return given }
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url.path
    }()

    public static var rulesFolder: String { root + "/Rules" }

    /// The validated rules and catalogue of `Rules/`; a fuzz run without them is meaningless, so it stops.
    public static let rules: LoadedRules = {
        do {
            return try RulesFolder.load(rulesFolder)
        } catch {
            fatalError("fuzz set-up: cannot load \(rulesFolder): \(error)")
        }
    }()

    /// The coach over the real rules: understanding, advisor and reply writer, as `spotter ask` builds it.
    public static let coach: Coach = {
        do {
            return try Coach(rules: rules)
        } catch {
            fatalError("fuzz set-up: \(error)")
        }
    }()
}

/// The fuzz input as text: invalid UTF-8 is repaired as every channel repairs or refuses it.
public func text(_ data: UnsafePointer<UInt8>, _ size: Int) -> String {
    String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
}

/// The fuzz input as bytes.
public func bytes(_ data: UnsafePointer<UInt8>, _ size: Int) -> [UInt8] {
    Array(UnsafeBufferPointer(start: data, count: size))
}

/// Stops the run with a message when a property users rely on does not hold: libFuzzer records
/// the input as a crash like any trap.
public func require(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition {
        FileHandle.standardError.write(Data(("fuzz property failed: " + message() + "\n").utf8))
        abort()
    }
}

/// A JSON document a client receives must parse back to the same value (a NaN or infinity
/// would not: it has no JSON spelling).
public func requireRoundTrip(_ value: JSONValue, _ what: String) {
    let text = value.serialized()
    let again = try? JSONValue.parse(text)
    require(again == value, "\(what) does not parse back to itself: \(text.prefix(500))")
}
