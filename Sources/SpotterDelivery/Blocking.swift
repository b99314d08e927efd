import Foundation

/// Runs blocking work (SQLite, libcurl, long CPU work on a large body) on its own threads, never
/// on a NIO event loop or the cooperative pool: with two cores the pool has two threads, and one
/// request blocking them would hold up every other request, `/healthz` included.
package enum Blocking {
    private static let queue = DispatchQueue(label: "spotter-blocking", qos: .userInitiated, attributes: .concurrent)

    package static func run<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: work()) }
        }
    }
}
