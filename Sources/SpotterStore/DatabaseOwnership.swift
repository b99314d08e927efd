import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One owner per database: `spotter serve` holds an exclusive `flock` on a file beside the
/// database (`<db>.owner`) for as long as it runs, so a second server on the same file refuses
/// to start (two workers would answer every event twice), and `spotter forget` refuses while a
/// server would undo it from its caches.
///
/// A lock file of its own, not the database: SQLite's POSIX locks are dropped when any
/// descriptor of the file in this process is closed, so the database itself is never opened
/// here. The kernel releases the lock when the process dies, SIGKILL included.
public final class DatabaseOwnership: Sendable {
    public let path: String
    private let descriptor: Int32

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }

    /// The lock file of the database at `database`.
    public static func lockPath(for database: String) -> String { database + ".owner" }

    /// Takes the database for this process, waiting up to `seconds` for an earlier owner that is
    /// exiting (a restart right after a kill). Refused with `database_locked` while another
    /// process owns it.
    public static func claim(database: String, waitingUpTo seconds: Double = 3) throws(StoreError) -> DatabaseOwnership {
        let path = lockPath(for: database)
        let folder = (database as NSString).deletingLastPathComponent
        if !folder.isEmpty { try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw StoreError.cannotOpen(path: path, detail: String(cString: strerror(errno)))
        }
        let deadline = Date().addingTimeInterval(seconds)
        while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR, Date() < deadline else {
                let owner = Self.recordedOwner(descriptor)
                close(descriptor)
                throw StoreError.owned(path: database, pid: owner)
            }
            usleep(50_000)
        }
        // Who owns it, for the message a refused process prints.
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(descriptor, 0)
        _ = pid.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
        return DatabaseOwnership(path: path, descriptor: descriptor)
    }

    /// The pid of the process that owns the database, if one does (nothing is locked or created).
    public static func owner(of database: String) -> Int32? {
        let descriptor = open(lockPath(for: database), O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        if flock(descriptor, LOCK_SH | LOCK_NB) == 0 {
            _ = flock(descriptor, LOCK_UN)
            return nil
        }
        return recordedOwner(descriptor) ?? -1
    }

    private static func recordedOwner(_ descriptor: Int32) -> Int32? {
        var bytes = [UInt8](repeating: 0, count: 32)
        let count = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        return Int32(String(decoding: bytes[0..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }
}

/// Whatever keeps a store to one server while it lives (a file lock, a PostgreSQL advisory lock).
public protocol StoreOwnership: AnyObject, Sendable {}

extension DatabaseOwnership: StoreOwnership {}

/// A store that servers share (PostgreSQL): no process owns it. Instances take leases on rooms,
/// queues and the scheduler instead (see `Leases`), and keep nothing of it in memory that
/// another instance's writes could make stale.
public final class SharedStoreOwnership: StoreOwnership {
    public init() {}
}
