import Yams

/// Every setting `Config/spotter.yml` may hold, as a tree, so that a misspelt key stops
/// start-up with its path and a suggestion instead of being ignored (a `chekin:` that is
/// silently skipped means the morning prompts never come).
public final class ConfigShape: Sendable {
    // A class with plain references, not an indirect enum: the shape lives in a global for the
    // whole process, and LeakSanitizer cannot see pointers kept in an enum box's spare bits.
    enum Kind: Sendable { case value, keys, each }

    let kind: Kind
    /// For `keys`: the known keys and the shape of each.
    let known: [String: ConfigShape]
    /// For `each`: the shape of every entry.
    let element: ConfigShape?

    private init(_ kind: Kind, known: [String: ConfigShape] = [:], element: ConfigShape? = nil) {
        self.kind = kind
        self.known = known
        self.element = element
    }

    /// A value (scalar, or anything whose inside the reader checks itself).
    static let value = ConfigShape(.value)
    /// A mapping with exactly these keys.
    static func keys(_ known: [String: ConfigShape]) -> ConfigShape { ConfigShape(.keys, known: known) }
    /// A mapping whose keys are names the user chooses (room ids), each of this shape.
    static func each(_ element: ConfigShape) -> ConfigShape { ConfigShape(.each, element: element) }

    /// The shape of Spotter's config file. A new setting is added here beside its reader.
    public static let spotter: ConfigShape = .keys([
        "coaching": .keys(["weekly_failure_cap": .value]),
        "chat": .keys(["dialog_expiry_hours": .value]),
        "storage": .keys(["database": .value]),
        "matrix": .keys([
            "homeserver": .value, "registration": .value, "listen": .value, "bot_user_id": .value,
            "command_prefix": .value, "msgtype": .value, "room_msgtypes": .value, "max_body_bytes": .value,
            "startup_cutoff_minutes": .value, "allow_query_token": .value, "webhook_buffer_bytes": .value,
            "max_connections": .value, "idle_timeout_seconds": .value, "read_timeout_seconds": .value,
        ]),
        "schedule": .keys(["late_window_minutes": .value]),
        "group": .keys(["command_power_level": .value]),
        "rooms": .each(.keys([
            "checkin": .value, "reminder": .value, "summary": .value, "weekly_report": .value, "coaches": .value,
            "webhook": .keys(["url": .value, "template": .value, "secret": .value]),
        ])),
        "webhook": .keys(["secret": .value]),
    ])

    /// Every key in `node` this shape does not know, as `path: unknown setting; did you mean …?`.
    public func unknownSettings(in node: Node?, path: String = "") -> [(key: String, message: String)] {
        guard let node, case let .mapping(mapping) = node else { return [] }
        var found: [(key: String, message: String)] = []
        for (keyNode, value) in mapping {
            let key = keyNode.string ?? "\(keyNode)"
            let here = path.isEmpty ? key : "\(path).\(key)"
            switch kind {
            case .value:
                return []
            case .each:
                found += element?.unknownSettings(in: value, path: here) ?? []
            case .keys:
                if let inner = known[key] {
                    found += inner.unknownSettings(in: value, path: here)
                } else {
                    let hint = Self.suggestion(for: key, among: known.keys.sorted()).map { "; did you mean \($0)?" }
                        ?? "; the settings here are \(known.keys.sorted().joined(separator: ", "))"
                    found.append((here, "unknown setting" + hint))
                }
            }
        }
        return found
    }

    /// The known key nearest to a misspelt one: at most two edits away, or one a plural or
    /// prefix apart ("room" for "rooms").
    static func suggestion(for key: String, among known: [String]) -> String? {
        let lowered = key.lowercased()
        let scored = known.map { ($0, editDistance(lowered, $0)) }.filter { candidate, distance in
            distance <= max(1, min(2, candidate.count / 3)) || candidate.hasPrefix(lowered) && lowered.count >= 3
        }
        return scored.min { $0.1 < $1.1 }?.0
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty || b.isEmpty { return max(a.count, b.count) }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
