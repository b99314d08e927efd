import SpotterCore
import Testing

@Suite("JSON values")
struct JSONValueTests {
    @Test("serialising and parsing give the same value back, special characters included")
    func roundTrip() throws {
        let text = "quote \" backslash \\ newline \n tab \t bell \u{07} line separator \u{2028} emoji 🏋️ accents é"
        let value = JSONValue.object([
            ("text", .string(text)), ("n", .number(-12.5)), ("i", .number(42)), ("t", .bool(true)), ("z", .null),
            ("list", .array([.string("a"), .number(1)])),
        ])
        let serialized = value.serialized()
        #expect(!serialized.contains("\n"))
        #expect(serialized.contains("\\u2028"))
        #expect(try JSONValue.parse(serialized) == value)
    }

    @Test("strict parsing names what is wrong", arguments: [
        ("{\"a\": 1,}", "invalid_json"), ("[1 2]", "invalid_json"), ("01", "invalid_json"), ("\"\\x\"", "invalid_json"),
        ("{\"a\"}", "invalid_json"), ("\"\\ud800\"", "invalid_json"), ("1e999", "invalid_json"), ("", "invalid_json"),
        ("\"tab\there\"", "invalid_json"),
    ])
    func errors(_ pair: (String, String)) {
        #expect(throws: JSONParseError.self) { try JSONValue.parse(pair.0) }
        do { _ = try JSONValue.parse(pair.0) } catch { #expect(error.code == pair.1) }
    }

    @Test("invalid UTF-8 and deep nesting are refused, not crashed on")
    func hostile() {
        do { _ = try JSONValue.parse([0x22, 0xC3, 0x28, 0x22]) } catch { #expect(error.code == "invalid_utf8") }
        do { _ = try JSONValue.parse([0x22, 0xED, 0xA0, 0x80, 0x22]) } catch { #expect(error.code == "invalid_utf8") }
        do { _ = try JSONValue.parse(String(repeating: "[", count: 100_000)) } catch { #expect(error.code == "too_deep") }
        #expect((try? JSONValue.parse("\"\\ud83c\\udfcb\"")) == .string("🏋"))
    }
}

@Suite("Logged sets")
struct LoggedSetTests {
    @Test("beyondMaxDepth: .readAsNull reads what is too deep as null, at any depth, and still refuses bad JSON in it")
    func deepAsNull() throws {
        let deep = String(repeating: "[", count: 200_000) + "1, {\"a\": [true, null, \"x\"]}" + String(repeating: "]", count: 200_000)
        let document = try JSONValue.parse("{\"events\": [{\"id\": 1, \"content\": \(deep)}, {\"id\": 2}]}", beyondMaxDepth: .readAsNull)
        #expect(document["events"]?.array?.count == 2)
        #expect(document["events"]?.array?.last?["id"]?.number == 2, "what follows the deep part is read")
        var value = document["events"]?.array?.first?["content"]
        var levels = 0
        while case let .array(inner)? = value { value = inner.first; levels += 1 }
        #expect(levels == 61 && value == .null, "kept up to 64 levels, the rest is null")
        // Exactly 64 levels are kept whole; the 65th reads as null.
        let sixtyFour = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        #expect(try JSONValue.parse(sixtyFour, beyondMaxDepth: .readAsNull) == JSONValue.parse(sixtyFour))
        #expect(try JSONValue.parse("[" + sixtyFour + "]", beyondMaxDepth: .readAsNull)
            == JSONValue.parse("[" + String(repeating: "[", count: 63) + "null" + String(repeating: "]", count: 63) + "]"))
        for bad in ["[1,]", "[1 2]", "{\"a\" 1}", "{,}", "{\"a\": 1,}", "[\"\u{7}\"]", "[1e999]", "[\"\\x\"]", "[[]", "[]]", "{\"a\": ]"] {
            let nested = String(repeating: "[", count: 100) + bad + String(repeating: "]", count: 100)
            #expect(throws: JSONParseError.self, "\(bad)") { try JSONValue.parse(nested, beyondMaxDepth: .readAsNull) }
        }
        let invalidUTF8 = Array(String(repeating: "[", count: 100).utf8) + [0x22, 0xC3, 0x28, 0x22] + Array(String(repeating: "]", count: 100).utf8)
        #expect(throws: JSONParseError.self) { try JSONValue.parse(invalidUTF8, beyondMaxDepth: .readAsNull) }
        #expect(throws: JSONParseError.self, "the default still refuses") { try JSONValue.parse(deep) }
    }

    @Test("e1RM is Epley with reps in reserve added, only up to 12 reps plus reserve")
    func e1rm() {
        #expect(LoggedSet(exerciseID: "x", load: 100, unit: .kilograms, reps: 8, rir: 1).estimatedOneRepMax == 130)
        #expect(LoggedSet(exerciseID: "x", load: 100, unit: .kilograms, reps: 5, rpe: 8).estimatedOneRepMax == 100 * (1 + 7.0 / 30))
        #expect(LoggedSet(exerciseID: "x", load: 100, unit: .kilograms, reps: 10, rir: 3).estimatedOneRepMax == nil)
        #expect(LoggedSet(exerciseID: "x", load: 100, unit: .kilograms, reps: 8).estimatedOneRepMax == nil)
        #expect(LoggedSet(exerciseID: "x", load: 60, unit: .kilograms, reps: 12, toFailure: true).estimatedOneRepMax == 84)
    }
}
