import FuzzSupport
import SpotterCore
import SpotterBridge

/// Application Service transactions, as the homeserver sends them: the input is the body of
/// `PUT /_matrix/app/v1/transactions/{txnId}` (a fresh txnId each run, with the hs_token),
/// handled by the socketless ``MatrixAPI`` (parse, journal), then by the bridge's worker
/// (re-read from the journal, triage, understanding, dialog, queued reply).
/// Input: the raw body bytes.
@main
enum Target {
    static func main() { runFuzzer(test) }
}

@_cdecl("LLVMFuzzerTestOneInput")
func test(_ pointer: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let data = input(pointer)
    let body = bytes(data, size)
    Transactions.count += 1
    // Odd runs use the legacy path (`/transactions/{txnId}`), which homeservers still call.
    let path = (Transactions.count % 2 == 0 ? "/_matrix/app/v1/transactions/" : "/transactions/") + "fuzz\(Transactions.count)"
    let response = Transactions.bridge.handle(APIRequest(
        method: "PUT", path: path, headers: ["authorization": "Bearer \(FuzzBridge.hsToken)"], body: body))
    let document = try? JSONValue.parse(body)
    switch response.status {
    case 200:
        require(document?["events"]?.array != nil, "a transaction without an `events` list was accepted")
        // Each event is journaled as its serialized JSON and re-read by the worker: it must come back the same.
        for event in document?["events"]?.array ?? [] where event["event_id"]?.string != nil {
            requireRoundTrip(event, "a journaled event")
        }
        Transactions.bridge.drain()
    case 400:
        require(document?["events"]?.array == nil, "a transaction with an `events` list was refused: \(response.body)")
        require(response.errcode == "M_NOT_JSON" || response.errcode == "M_BAD_JSON", "400 with \(response.body)")
    default:
        require(false, "answered \(response.status): \(response.body)")
    }
    return 0
}

enum Transactions {
    nonisolated(unsafe) static var count = 0
    static let bridge = FuzzBridge(name: "transaction")
}
