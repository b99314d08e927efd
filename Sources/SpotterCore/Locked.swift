import Foundation

/// A value shared between threads, behind a lock: every access goes through ``withLock(_:)``.
///
/// A pthread mutex (NSLock) rather than the standard library's `Mutex`: on Linux that one waits
/// on futexes the thread sanitizer cannot see, so it reported the values it guards as races
/// (a crash loop test failed on such a report under `scripts/sanitize.sh thread`).
public final class Locked<Value> {
    private let lock = NSLock()
    private var value: Value

    public init(_ value: Value) { self.value = value }

    /// Runs `body` with the value, holding the lock; keep it short and never block in it.
    public func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}

// Unchecked: the lock, which the compiler cannot see, makes every access exclusive.
extension Locked: @unchecked Sendable where Value: Sendable {}
