/// Fault injection for the process tests, decided once when the server starts and handed to the
/// bridge: the worker's loop reads a stored flag, never the environment, per event.
public struct TestHooks: Sendable, Hashable {
    /// Exit (status 137) just before handling the first journaled message: a crash between
    /// acknowledging a transaction and replying to it. From `SPOTTER_CRASH_AFTER_JOURNAL=1`.
    public var exitBeforeHandlingMessages: Bool

    /// No faults: what every real server and every in-process test runs with.
    public static let none = TestHooks()

    public init(exitBeforeHandlingMessages: Bool = false) {
        self.exitBeforeHandlingMessages = exitBeforeHandlingMessages
    }

    /// The hooks the environment asks for, read once at start.
    public init(environment: [String: String]) {
        self.init(exitBeforeHandlingMessages: environment["SPOTTER_CRASH_AFTER_JOURNAL"] == "1")
    }
}
