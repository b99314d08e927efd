import Foundation
import SpotterCore

/// A homeserver stand-in on a plain loopback socket that can misbehave on purpose: answer 429
/// (with `Retry-After` or `retry_after_ms`) or 500, close the connection before answering, or
/// close it half-way through an answer. Plain sockets rather than an HTTP framework, because
/// only at that level can a test drop a connection at a chosen moment.
///
/// It keeps the room history a real homeserver would: `PUT …/send/…/{txnId}` is idempotent per
/// transaction id (the spec's rule for one access token), so a repeated txnId returns the first
/// event id and adds no second message. Every attempt is recorded as well, so a test can tell
/// a legitimate resend from a second reply.
final class FaultyHomeserver: @unchecked Sendable {
    /// What to do with one request.
    enum Fault: Sendable, Hashable, CustomStringConvertible {
        /// 429 M_LIMIT_EXCEEDED; the wait goes in `Retry-After` (seconds) or, when nil, in `retry_after_ms`.
        case rateLimited(retryAfterSeconds: Int?, retryAfterMilliseconds: Int)
        case serverError
        /// 403 M_FORBIDDEN: a refusal, not worth retrying.
        case forbidden
        /// Close the connection after reading the request, before answering: nothing is stored.
        case dropBeforeAnswer
        /// Store the message, then close the connection half-way through the 200: the client
        /// cannot know it was stored.
        case dropMidAnswer

        var description: String {
            switch self {
            case let .rateLimited(seconds, milliseconds): seconds.map { "429 Retry-After \($0)" } ?? "429 retry_after_ms \(milliseconds)"
            case .serverError: "500"
            case .forbidden: "403"
            case .dropBeforeAnswer: "drop before answer"
            case .dropMidAnswer: "drop mid-answer"
            }
        }
    }

    /// One `PUT …/send/m.room.message/{txnId}` as it arrived.
    struct SendAttempt: Sendable {
        var room: String
        var transactionID: String
        var content: JSONValue
        /// The fault served, nil for a normal answer.
        var fault: Fault?
        /// A txnId already stored: answered with the first event id, no new message.
        var repeated: Bool
    }

    /// A message as stored in a room.
    struct Message: Sendable {
        var eventID: String
        var room: String
        var transactionID: String
        var content: JSONValue
        var inReplyTo: String? { content["m.relates_to"]?["m.in_reply_to"]?["event_id"]?.string }
    }

    private let lock = NSLock()
    private var attempts: [SendAttempt] = []
    private var stored: [String: Message] = [:]
    private var storedOrder: [String] = []
    private var faultCounts: [String: Int] = [:]
    private var requestCount = 0
    private var listener: Int32 = -1
    private var connections: Set<Int32> = []
    private var stopping = false
    private(set) var port = 0

    /// Decides the fault (if any) for each request but whoami: called with the request's method
    /// and path. Set before or during a run.
    var faultPlan: @Sendable (_ method: String, _ path: String) -> Fault? {
        get { lock.withLock { plan } }
        set { lock.withLock { plan = newValue } }
    }
    private var plan: @Sendable (String, String) -> Fault? = { _, _ in nil }

    /// Called after a new message was stored and before the send is answered; when it returns
    /// true the connection is closed unanswered. A test kills the client there, in the window
    /// between the homeserver storing a reply and the client learning so.
    var onStored: @Sendable () -> Bool {
        get { lock.withLock { storedHook } }
        set { lock.withLock { storedHook = newValue } }
    }
    private var storedHook: @Sendable () -> Bool = { false }

    var url: String { "http://127.0.0.1:\(port)" }
    var sendAttempts: [SendAttempt] { lock.withLock { attempts } }
    var messages: [Message] { lock.withLock { storedOrder.compactMap { stored[$0] } } }
    /// How often each fault was served, by its description.
    var faultsServed: [String: Int] { lock.withLock { faultCounts } }

    func start() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0, listen(fd, 64) == 0 else {
            close(fd)
            throw POSIXError(.EADDRINUSE)
        }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        listener = fd
        let thread = Thread { [self] in
            while true {
                let connection = accept(fd, nil, nil)
                if connection < 0 {
                    if lock.withLock({ stopping }) { return }
                    continue
                }
                lock.withLock { _ = connections.insert(connection) }
                let worker = Thread { [self] in serve(connection) }
                worker.name = "faulty-homeserver-connection"
                worker.start()
            }
        }
        thread.name = "faulty-homeserver"
        thread.start()
    }

    func stop() {
        let (fd, open) = lock.withLock { () -> (Int32, Set<Int32>) in
            stopping = true
            return (listener, connections)
        }
        shutdown(fd, Int32(SHUT_RDWR))
        close(fd)
        for connection in open { shutdown(connection, Int32(SHUT_RDWR)) }
    }

    // MARK: HTTP/1.1, just enough for libcurl

    private struct Request {
        var method: String
        var path: String
        var body: [UInt8]
    }

    private func serve(_ fd: Int32) {
        defer {
            lock.withLock { _ = connections.remove(fd) }
            close(fd)
        }
        var buffer: [UInt8] = []
        while let request = read(from: fd, buffer: &buffer) {
            guard respond(to: request, on: fd) else { return }
        }
    }

    /// Reads one request (Content-Length bodies only, which is what libcurl sends here).
    private func read(from fd: Int32, buffer: inout [UInt8]) -> Request? {
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        var headEnd: Int?
        while true {
            if buffer.count >= 4 {
                headEnd = (0...(buffer.count - 4)).first { buffer[$0..<$0 + 4].elementsEqual(separator) }
            }
            if headEnd != nil { break }
            guard fill(fd, &buffer) else { return nil }
        }
        let head = String(decoding: buffer[0..<headEnd!], as: UTF8.self).components(separatedBy: "\r\n")
        let requestLine = head[0].split(separator: " ")
        guard requestLine.count >= 2 else { return nil }
        var length = 0
        for line in head.dropFirst() {
            let parts = line.split(separator: ":", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "content-length" {
                length = Int(parts[1].trimmingCharacters(in: .whitespaces)) ?? 0
            }
        }
        let bodyStart = headEnd! + 4
        while buffer.count < bodyStart + length {
            guard fill(fd, &buffer) else { return nil }
        }
        let body = Array(buffer[bodyStart..<bodyStart + length])
        buffer.removeFirst(bodyStart + length)
        return Request(method: String(requestLine[0]), path: String(requestLine[1]), body: body)
    }

    private func fill(_ fd: Int32, _ buffer: inout [UInt8]) -> Bool {
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return false }
        buffer.append(contentsOf: chunk[0..<count])
        return true
    }

    private func write(_ fd: Int32, _ text: String) {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeMutableBytes { send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if sent <= 0 { return }
            offset += sent
        }
    }

    private func answer(_ fd: Int32, _ status: Int, _ body: String, headers: [String] = []) {
        let reason = [200: "OK", 403: "Forbidden", 404: "Not Found", 429: "Too Many Requests", 500: "Internal Server Error"][status] ?? "Status"
        let head = ["HTTP/1.1 \(status) \(reason)", "Content-Type: application/json", "Content-Length: \(body.utf8.count)"] + headers
        write(fd, head.joined(separator: "\r\n") + "\r\n\r\n" + body)
    }

    /// Sends the head and the first bytes of an answer, as a server that dies mid-write would.
    private func answerHalf(_ fd: Int32, _ status: Int, _ body: String) {
        write(fd, "HTTP/1.1 \(status) Status\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n"
            + String(body.prefix(6)))
    }

    /// Answers one request; returns whether the connection stays open.
    private func respond(to request: Request, on fd: Int32) -> Bool {
        let path = request.path.split(separator: "?", maxSplits: 1).first.map(String.init) ?? request.path
        if path.hasSuffix("/account/whoami") {
            answer(fd, 200, #"{"user_id": "@coach:test"}"#)
            return true
        }
        let fault: Fault? = lock.withLock {
            requestCount += 1
            let fault = plan(request.method, path)
            if let fault { faultCounts[fault.description, default: 0] += 1 }
            return fault
        }
        let isSend = request.method == "PUT" && path.contains("/send/")
        if isSend, fault != .dropMidAnswer, fault != nil {
            record(path, request.body, fault: fault)
        }
        switch fault {
        case let .rateLimited(seconds, milliseconds)?:
            answer(fd, 429, #"{"errcode": "M_LIMIT_EXCEEDED", "error": "Too many requests", "retry_after_ms": \#(milliseconds)}"#,
                   headers: seconds.map { ["Retry-After: \($0)"] } ?? [])
            return true
        case .serverError?:
            answer(fd, 500, #"{"errcode": "M_UNKNOWN", "error": "Internal server error"}"#)
            return true
        case .forbidden?:
            answer(fd, 403, #"{"errcode": "M_FORBIDDEN", "error": "You are not in this room"}"#)
            return true
        case .dropBeforeAnswer?:
            return false
        case .dropMidAnswer?, nil:
            break
        }
        if !isSend {
            let (status, body): (Int, String) =
                if path.contains("/appservice/") && path.hasSuffix("/ping") { (200, #"{"duration_ms": 1}"#) }
                else if path.contains("/join/") { (200, #"{"room_id": "!room:test"}"#) }
                // Spotter asks only about rooms whose messages are unaddressed: here, direct chats.
                else if path.hasSuffix("/joined_members") { (200, #"{"joined": {"@coach:test": {}, "@lifter:test": {}}}"#) }
                else { (404, #"{"errcode": "M_UNRECOGNIZED", "error": "Unrecognized request"}"#) }
            if fault == .dropMidAnswer {
                answerHalf(fd, status, body)
                return false
            }
            answer(fd, status, body)
            return true
        }
        let (eventID, isNew) = record(path, request.body, fault: fault)
        if isNew, lock.withLock({ storedHook })() {
            // The client was killed after the message was stored and before it heard so.
            return false
        }
        let body = #"{"event_id": "\#(eventID)"}"#
        if fault == .dropMidAnswer {
            answerHalf(fd, 200, body)
            return false
        }
        answer(fd, 200, body)
        return true
    }

    /// Records a send attempt and, unless it was refused, stores the message once per txnId.
    /// Returns the event id and whether the message is new.
    @discardableResult
    private func record(_ path: String, _ body: [UInt8], fault: Fault?) -> (String, Bool) {
        // …/rooms/{roomId}/send/{eventType}/{txnId}
        let parts = path.split(separator: "/").map { String($0).removingPercentEncoding ?? String($0) }
        let room = parts.firstIndex(of: "rooms").map { parts[$0 + 1] } ?? ""
        let transactionID = parts.last ?? ""
        let content = (try? JSONValue.parse(body)) ?? .null
        return lock.withLock {
            let refused = fault != nil && fault != .dropMidAnswer
            let earlier = stored[transactionID]
            attempts.append(SendAttempt(room: room, transactionID: transactionID, content: content, fault: fault,
                                        repeated: earlier != nil))
            if refused { return ("", false) }
            if let earlier { return (earlier.eventID, false) }
            let eventID = "$stored-\(stored.count + 1)"
            stored[transactionID] = Message(eventID: eventID, room: room, transactionID: transactionID, content: content)
            storedOrder.append(transactionID)
            return (eventID, true)
        }
    }
}
