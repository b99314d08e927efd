import CCurl
import Foundation

/// An HTTP response: status, headers (names lowercased) and body.
public struct HTTPResult: Sendable {
    public var status: Int
    public var headers: [String: String]
    public var body: [UInt8]

    public var text: String { String(decoding: body, as: UTF8.self) }

    public init(status: Int, headers: [String: String], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// Why a request got no HTTP response.
public struct TransportError: Error, Sendable, CustomStringConvertible {
    /// Stable code: `connect_failed`, `timeout`, `transport`.
    public var code: String
    public var message: String

    public var description: String { "\(code): \(message)" }

    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }
}

/// An outbound HTTP client over libcurl. It owns one easy handle and reuses it, so requests to
/// the same host keep their connection. One request at a time per client (a lock serialises).
///
/// ## Usage
/// ```swift
/// let client = try CurlClient()
/// let result = try client.send("PUT", url, headers: ["Authorization": "Bearer …"], body: Array(json.utf8))
/// ```
// Unchecked: the easy handle is a C pointer the compiler cannot see into; every use of it is
// under `lock`, so one client may be shared between threads.
public final class CurlClient: @unchecked Sendable {
    private let handle: UnsafeMutableRawPointer
    private let lock = NSLock()
    /// Connect and whole-request timeouts, in milliseconds.
    public var connectTimeout = 5_000
    public var requestTimeout = 30_000
    /// Largest response body accepted.
    public var maxResponseBytes = 8 * 1024 * 1024

    private static let globalInit: Void = { curl_global_init(Int(CURL_GLOBAL_ALL)) }()

    public init() throws(TransportError) {
        _ = Self.globalInit
        guard let handle = curl_easy_init() else {
            throw TransportError(code: "transport", message: "curl_easy_init failed")
        }
        self.handle = handle
    }

    deinit {
        curl_easy_cleanup(handle)
    }

    /// How many new connections the last request opened (0 means a reused connection).
    public private(set) var lastNewConnections = 0

    /// Sends one request and waits for the whole response.
    public func send(
        _ method: String, _ url: String, headers: [String: String] = [:], body: [UInt8]? = nil, timeoutMilliseconds: Int? = nil
    ) throws(TransportError) -> HTTPResult {
        lock.lock()
        defer { lock.unlock() }
        final class Sink {
            var body: [UInt8] = []
            var headers: [String: String] = [:]
            var limit = 0
        }
        let sink = Sink()
        sink.limit = maxResponseBytes
        let context = Unmanaged.passUnretained(sink).toOpaque()
        curl_easy_reset(handle)
        _ = spotter_curl_set_nosignal(handle)
        _ = spotter_curl_set_timeouts(handle, connectTimeout, timeoutMilliseconds ?? requestTimeout)
        _ = spotter_curl_set_url(handle, url)
        if method == "GET" {
            _ = spotter_curl_set_get(handle)
        } else {
            _ = spotter_curl_set_method(handle, method)
        }
        let payload = body ?? []
        if method != "GET" {
            _ = payload.withUnsafeBufferPointer { buffer in
                buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: max(1, buffer.count)) {
                    spotter_curl_set_body(handle, $0, buffer.count)
                }
            }
        }
        var list: UnsafeMutablePointer<curl_slist>?
        for (name, value) in headers { list = curl_slist_append(list, "\(name): \(value)") }
        if body != nil, headers.keys.contains(where: { $0.lowercased() == "content-type" }) == false {
            list = curl_slist_append(list, "Content-Type: application/json")
        }
        list = curl_slist_append(list, "Expect:")  // no 100-continue round trip
        defer { curl_slist_free_all(list) }
        _ = spotter_curl_set_headers(handle, list)
        _ = spotter_curl_set_write_function(handle, { data, size, count, context in
            let sink = Unmanaged<Sink>.fromOpaque(context!).takeUnretainedValue()
            let length = size * count
            if sink.body.count + length > sink.limit { return 0 }  // abort: too large
            data!.withMemoryRebound(to: UInt8.self, capacity: length) {
                sink.body.append(contentsOf: UnsafeBufferPointer(start: $0, count: length))
            }
            return length
        }, context)
        _ = spotter_curl_set_header_function(handle, { data, size, count, context in
            let sink = Unmanaged<Sink>.fromOpaque(context!).takeUnretainedValue()
            let length = size * count
            let line = data!.withMemoryRebound(to: UInt8.self, capacity: length) {
                String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
            }
            if line.hasPrefix("HTTP/") { sink.headers = [:] }  // a new response (after a redirect or 100)
            if let colon = line.firstIndex(of: ":") {
                let name = line[..<colon].lowercased()
                let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
                sink.headers[name] = value
            }
            return length
        }, context)
        let code = curl_easy_perform(handle)
        guard code == CURLE_OK else {
            let message = String(cString: curl_easy_strerror(code))
            switch code {
            case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST:
                throw TransportError(code: "connect_failed", message: message)
            case CURLE_OPERATION_TIMEDOUT:
                throw TransportError(code: "timeout", message: message)
            default:
                throw TransportError(code: "transport", message: message)
            }
        }
        var status = 0
        _ = spotter_curl_get_status(handle, &status)
        var connects = 0
        _ = spotter_curl_get_connects(handle, &connects)
        lastNewConnections = connects
        return HTTPResult(status: status, headers: sink.headers, body: sink.body)
    }
}
