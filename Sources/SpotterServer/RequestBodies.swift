import Hummingbird
import Logging
import NIOCore
import SpotterBridge
import SpotterCore

/// Why a request's body was not taken.
enum BodyRefusal: Error, Sendable {
    /// Announced or found to be over `max_body_bytes`.
    case tooLarge
    /// The connection ended, or the chunking broke, before the body was complete.
    case incomplete
}

/// How request bodies are read: at most `max_body_bytes`, the whole body within
/// `read_timeout_seconds`, and only once the request has shown it may send one (the routes that
/// read a body check their token or signature headers first).
struct BodyReader: Sendable {
    /// After answering from the headers alone, the client may still be sending the body: the
    /// connection is closed this long after the answer (long enough for it to read the answer;
    /// the body is discarded meanwhile, never buffered).
    static let lingerAfterRefusal: TimeAmount = .seconds(1)
    /// Bodies announced at most this large are read (or drained) like any other; larger or
    /// chunked ones get their connection closed when they are answered unread.
    static let smallBodyBytes = 64 * 1024

    let limit: Int
    let readTimeoutSeconds: Double
    let logger: Logger
    /// Webhook signatures can only be checked once the body is in, so large webhook bodies
    /// share one budget: forged but well-formed headers cannot make the server buffer more.
    let webhookBodies: ByteBudget

    init(settings: MatrixSettings, logger: Logger) {
        limit = settings.maxBodyBytes
        readTimeoutSeconds = settings.readTimeoutSeconds
        self.logger = logger
        webhookBodies = ByteBudget(max(settings.webhookBufferBytes, settings.maxBodyBytes))
    }

    static func announcedLength(_ request: Request) -> Int? {
        request.headers[.contentLength].flatMap { Int($0) }
    }

    static func isChunked(_ request: Request) -> Bool { request.headers[.transferEncoding] != nil }

    /// A body announced at most 64 KiB, and not chunked: read first where a route needs it, so its
    /// errors stay as they were (a cut-off webhook is 400 before a missing signature).
    static func isSmall(_ request: Request) -> Bool {
        (announcedLength(request) ?? Int.max) <= smallBodyBytes && !isChunked(request)
    }

    /// Closes the connection shortly after the answer when a large body was left unread: the
    /// server would otherwise keep reading (and discarding) a body nobody will use.
    static func closeIfUnread(_ request: Request, _ context: SpotterRequestContext) {
        let pending = (announcedLength(request) ?? 0) > 0 || isChunked(request)
        guard pending, !isSmall(request) else { return }
        let channel = context.channel
        channel.eventLoop.scheduleTask(in: lingerAfterRefusal) {
            channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        }
    }

    /// The whole body, within the size limit and the read timeout.
    func collect(_ request: Request, _ context: SpotterRequestContext) async -> Result<[UInt8], BodyRefusal> {
        if let length = Self.announcedLength(request), length > limit { return .failure(.tooLarge) }
        // The whole body must arrive in time: a client trickling bytes would otherwise hold
        // the connection (and up to max_body_bytes of memory) for as long as it likes.
        let timedOut = TimeoutFlag()
        let channel = context.channel
        let seconds = readTimeoutSeconds
        let logger = self.logger
        let timer = channel.eventLoop.scheduleTask(in: .milliseconds(Int64(seconds * 1000))) {
            timedOut.fire()
            logger.info("closed a connection: its request body did not arrive within \(seconds) s (matrix.read_timeout_seconds)")
            channel.close(promise: nil)
        }
        var request = request
        do {
            let buffer = try await request.collectBody(upTo: limit)
            timer.cancel()
            if timedOut.hasFired { return .failure(.incomplete) }
            return .success(Array(buffer.readableBytesView))
        } catch {
            timer.cancel()
            // Too large, or cut off (the connection closed early, a broken chunk): not the same error.
            return .failure(error is NIOTooManyBytesError ? .tooLarge : .incomplete)
        }
    }
}

/// Bytes that may be held at once; a reservation that does not fit is refused, never waited for.
final class ByteBudget: Sendable {
    private let capacity: Int
    private let used = Locked(0)

    init(_ capacity: Int) { self.capacity = capacity }

    func reserve(_ bytes: Int) -> Bool {
        used.withLock { used in
            guard used + bytes <= capacity else { return false }
            used += bytes
            return true
        }
    }

    func release(_ bytes: Int) {
        guard bytes > 0 else { return }
        used.withLock { $0 -= bytes }
    }
}

/// Set when a request's body did not arrive in time (the connection is then closed).
final class TimeoutFlag: Sendable {
    private let fired = Locked(false)

    func fire() { fired.withLock { $0 = true } }
    var hasFired: Bool { fired.withLock { $0 } }
}
