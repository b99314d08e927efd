import Logging
import Synchronization

/// Records what the bridge logs, for tests that read the operator's trail.
final class RecordedLog: Sendable {
    struct Record: Sendable {
        var level: Logger.Level
        var message: String
        var metadata: [String: String]
        var all: String { message + " " + metadata.map { "\($0.key)=\($0.value)" }.joined(separator: " ") }
    }

    private let records = Mutex<[Record]>([])
    var all: [Record] { records.withLock { $0 } }

    func logger(level: Logger.Level = .info) -> Logger {
        var logger = Logger(label: "captured") { _ in Handler(log: self) }
        logger.logLevel = level
        return logger
    }

    func append(_ record: Record) { records.withLock { $0.append(record) } }

    /// The messages logged at one level.
    func lines(at level: Logger.Level) -> [String] { all.filter { $0.level == level }.map(\.message) }

    struct Handler: LogHandler {
        let log: RecordedLog
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            var fields: [String: String] = [:]
            for (key, value) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 }) { fields[key] = "\(value)" }
            log.append(Record(level: event.level, message: "\(event.message)", metadata: fields))
        }
    }
}
