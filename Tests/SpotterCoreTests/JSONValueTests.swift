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
    @Test("e1RM is Epley with reps in reserve added, only up to 12 reps plus reserve")
    func e1rm() {
        #expect(LoggedSet(exerciseID: "x", load: 100, unit: .kilograms, reps: 8, rir: 1).estimatedOneRepMax == 130)
        #expect(LoggedSet(exerciseID: "x", load: 100, unit: .kilograms, reps: 5, rpe: 8).estimatedOneRepMax == 100 * (1 + 7.0 / 30))
        #expect(LoggedSet(exerciseID: "x", load: 100, unit: .kilograms, reps: 10, rir: 3).estimatedOneRepMax == nil)
        #expect(LoggedSet(exerciseID: "x", load: 100, unit: .kilograms, reps: 8).estimatedOneRepMax == nil)
        #expect(LoggedSet(exerciseID: "x", load: 60, unit: .kilograms, reps: 12, toFailure: true).estimatedOneRepMax == 84)
    }
}
