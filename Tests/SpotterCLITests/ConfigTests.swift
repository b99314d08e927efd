import Foundation
import SpotterApp
import SpotterCore
import SpotterTesting
import Testing

/// A misspelt setting stops start-up with its path and a suggestion; it is never ignored.
@Suite("Config/spotter.yml")
struct ConfigTests {
    private func load(_ yaml: String) throws -> Result<CoachingSettings, SettingError> {
        let folder = try temporaryFolder("spotter-config")
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("spotter.yml")
        try yaml.write(to: file, atomically: true, encoding: .utf8)
        do {
            return .success(try CoachingSettings.load(file.path))
        } catch {
            return .failure(error)
        }
    }

    @Test("unknown keys anywhere are named with their path and the nearest known key", arguments: [
        ("rooms:\n  \"!gym:x\":\n    chekin: \"07:30 Europe/Berlin\"\n", "rooms.!gym:x.chekin", "did you mean checkin?"),
        ("room:\n  \"!gym:x\":\n    checkin: \"07:30 Europe/Berlin\"\n", "room", "did you mean rooms?"),
        ("matrix:\n  comand_prefix: \"!coach\"\n", "matrix.comand_prefix", "did you mean command_prefix?"),
        ("coaching:\n  weekly_failur_cap: 3\n", "coaching.weekly_failur_cap", "did you mean weekly_failure_cap?"),
        ("rooms:\n  team:\n    webhook: { url: \"https://example.org/h\", templat: slack }\n", "rooms.team.webhook.templat",
         "did you mean template?"),
        ("colour: blue\n", "colour", "the settings here are"),
    ])
    func unknownKeys(yaml: String, path: String, hint: String) throws {
        guard case let .failure(error) = try load(yaml) else {
            Issue.record("\(path) was accepted")
            return
        }
        #expect(error.setting == path)
        #expect(error.message.hasPrefix("unknown setting"))
        #expect(error.description.contains(hint), "\(error.description)")
    }

    @Test("every documented setting is known: the project's config and its commented example load")
    func documentedSettingsAreKnown() throws {
        let config = try String(contentsOf: ProjectFixtures.root.appendingPathComponent("Config/spotter.yml"), encoding: .utf8)
        // The file documents optional settings as comments: uncomment them all and load that.
        let uncommented = config.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            guard let match = line.firstMatch(of: /^# ( *[a-z_"!][^:]*:.*)$/) else { return String(line) }
            return String(match.1)
        }.joined(separator: "\n")
        #expect(uncommented.contains("\nrooms:") && uncommented.contains("\nmatrix:"))
        let result = try load(uncommented)
        if case let .failure(error) = result { Issue.record("documented setting refused: \(error)") }
    }
}
