import Foundation
import Logging
import SpotterCore
import SpotterDelivery
import SpotterStore

/// What the bridge last said about storage, so a failing disk is logged once (and again each
/// minute while it lasts, or when the reason changes), and its recovery once.
final class StorageReport: Sendable {
    private struct State {
        var reported: WriteHealth.Failure?
        var lastLog: Timestamp = -.infinity
        var lastProbe: Timestamp = -.infinity
    }

    private let state = Locked(State())
    static let repeatEvery: Double = 60
    /// While failing, a probe write this often finds out when writes work again, even if nothing
    /// else is being written.
    static let probeEvery: Double = 2

    /// Returns what to log now, if anything, given the current failure.
    func update(_ current: WriteHealth.Failure?, now: Timestamp) -> (level: Logger.Level, text: String)? {
        state.withLock { state in
            defer { state.reported = current }
            guard let current else {
                return state.reported == nil ? nil : (.notice, "storage: the database can be written again; /readyz answers ready")
            }
            guard state.reported?.code != current.code || now - state.lastLog >= Self.repeatEvery else { return nil }
            state.lastLog = now
            return (.error, "storage: cannot write the database (\(current.code): \(current.reason)); \(current.count) failed "
                + "write(s) in a row; messages wait unanswered and /readyz answers 503 until a write succeeds")
        }
    }

    func probeDue(now: Timestamp) -> Bool {
        state.withLock { state in
            guard now - state.lastProbe >= Self.probeEvery else { return false }
            state.lastProbe = now
            return true
        }
    }
}

extension MatrixBridge {
    /// Logs a storage failure or recovery (at error level, with the reason), and while writes fail
    /// tries a probe write now and then. Blocking: call off the cooperative pool.
    package func reportStorage(probe: Bool = false) {
        let health = database.writeHealth
        if probe, health.current != nil, storageReport.probeDue(now: clock()) {
            try? database.probeWrite()
        }
        if let (level, text) = storageReport.update(health.current, now: clock()) {
            logger.log(level: level, "\(text)")
        }
    }

    /// Why the server is not ready, or nil when it is: the database cannot be written (the latest
    /// write failed and a probe still fails) or cannot be read.
    package func readinessProblem() async -> (code: String, reason: String)? {
        await Blocking.run { () -> (code: String, reason: String)? in
            self.reportStorage(probe: true)
            if let failure = self.database.writeHealth.current { return (failure.code, failure.reason) }
            do {
                _ = try self.database.read { try $0.outboxDepth() }
                return nil
            } catch {
                return ((error as? StoreError)?.code ?? "database_error", "the database cannot be read")
            }
        }
    }
}
