import FuzzSupport
import HTTPTypes
import SpotterCore
import SpotterBridge
import SpotterWebhook

/// `POST /webhook`, as another chat system sends it: Standard Webhooks verification of the
/// headers, then the body decoded and handled by the chat, through the socketless ``MatrixAPI``.
///
/// Input framing: header lines `name: value` (names lowercased, as the HTTP server gives them),
/// a blank line, then the body bytes (no blank line: no body). In `webhook-signature` the word
/// `SIGN` is replaced by the valid `v1,…` signature of this request under the fuzzing secret, so
/// inputs get past verification to the body; any other value is checked as sent.
@main
enum Target {
    static func main() { runFuzzer(test) }
}

@_cdecl("LLVMFuzzerTestOneInput")
func test(_ pointer: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let data = input(pointer)
    let input = bytes(data, size)
    var headerBytes = input[...]
    var body: [UInt8] = []
    if let blank = input.indices.first(where: { input[$0] == 0x0A && $0 + 1 < input.count && input[$0 + 1] == 0x0A }) {
        headerBytes = input[..<blank]
        body = Array(input[(blank + 2)...])
    }
    var headers: [String: String] = [:]
    for line in String(decoding: headerBytes, as: UTF8.self).split(separator: "\n") {
        guard let colon = line.firstIndex(of: ":") else { continue }
        headers[line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()] =
            line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
    }
    let secret = WebhookSecret(key: FuzzBridge.webhookKey)
    // Only the signature header is signed for the input; "SIGN" elsewhere is data.
    let signed = headers["webhook-signature"]?.split(separator: " ").contains("SIGN") ?? false
    if let value = headers["webhook-signature"], value.contains("SIGN") {
        let id = headers["webhook-id"] ?? ""
        let timestamp = Int(headers["webhook-timestamp"] ?? "") ?? 0
        headers["webhook-signature"] = value.replacingOccurrences(
            of: "SIGN", with: StandardWebhooks.signature(id: id, timestamp: timestamp, body: body, secret: secret))
    }
    let response = Webhooks.bridge.handle(APIRequest(method: "POST", path: "/webhook", headers: headers, body: body))
    let answer = try? JSONValue.parse(response.body)
    require(answer != nil, "the answer is not JSON: \(response.body)")
    switch response.status {
    case 200:
        require(answer?["reply"]?.string.map { !$0.isEmpty } ?? false, "200 without a reply: \(response.body)")
        requireRoundTrip(answer!, "the webhook answer")
    case 400, 401, 413:
        require(answer?["error"]?["code"]?.string != nil, "an error without a code: \(response.body)")
        // Signed over the headers as sent: a value HTTP would change on the way (a control
        // character, say) reaches the server as something else, and rightly fails its signature.
        if response.status == 401, signed, let id = headers["webhook-id"], !id.isEmpty,
           ["webhook-id", "webhook-timestamp", "webhook-signature"].allSatisfy({ HTTPField.isValidValue(headers[$0] ?? "") }),
           let timestamp = headers["webhook-timestamp"].flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) }),
           abs(Double(timestamp) - FuzzBridge.now) <= StandardWebhooks.tolerance {
            require(false, "a correctly signed, fresh request was refused: \(response.body)")
        }
    case 403:
        // The one refusal by room: a Matrix room id named through the webhook (README, webhook errors).
        let room = (try? JSONValue.parse(body))?["room"]?.string ?? ""
        require(answer?["error"]?["code"]?.string == "wrong_channel" && room.hasPrefix("!") && room.count > 1,
                "403 for a room that is not a Matrix room id: \(response.body)")
    default:
        require(false, "answered \(response.status): \(response.body)")
    }
    return 0
}

enum Webhooks {
    static let bridge = FuzzBridge(name: "webhook")
}
