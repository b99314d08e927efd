/// How long someone has been lifting regularly.
public enum Experience: String, Sendable, Hashable, Codable, CaseIterable {
    /// Under about six months of regular lifting.
    case beginner, intermediate, advanced
}

/// What the lifter trains for.
public enum TrainingGoal: String, Sendable, Hashable, Codable, CaseIterable {
    case hypertrophy, strength, endurance, general
}

/// Where a profile value came from, so an answer can say when it assumed one.
public enum ProfileValueOrigin: String, Sendable, Hashable, Codable {
    /// Nobody said; the documented default was used.
    case assumed
    /// From a stored profile or a command-line flag.
    case profile
    /// Said in the message itself ("I'm new to lifting").
    case message
}

/// The lifter facts the rules read: experience, goal, and whether a spotter or safeties are there.
public struct Profile: Sendable, Hashable, Codable {
    public var experience: Experience
    public var goal: TrainingGoal
    /// A spotter, or a rack with safety arms or pins.
    public var spotter: Bool

    /// The defaults when nobody says: intermediate, hypertrophy, no spotter.
    public static let assumed = Profile(experience: .intermediate, goal: .hypertrophy, spotter: false)

    public init(experience: Experience, goal: TrainingGoal, spotter: Bool) {
        self.experience = experience
        self.goal = goal
        self.spotter = spotter
    }
}

/// A profile together with where each of its values came from.
public struct ResolvedProfile: Sendable, Hashable {
    public var profile: Profile
    public var experienceOrigin: ProfileValueOrigin
    public var goalOrigin: ProfileValueOrigin
    public var spotterOrigin: ProfileValueOrigin

    public init(
        profile: Profile, experienceOrigin: ProfileValueOrigin = .assumed,
        goalOrigin: ProfileValueOrigin = .assumed, spotterOrigin: ProfileValueOrigin = .assumed
    ) {
        self.profile = profile
        self.experienceOrigin = experienceOrigin
        self.goalOrigin = goalOrigin
        self.spotterOrigin = spotterOrigin
    }

    /// Applies what a message said on top of this profile: the message wins for that message.
    public func applying(_ hints: ProfileHints) -> ResolvedProfile {
        var result = self
        if let value = hints.experience {
            result.profile.experience = value
            result.experienceOrigin = .message
        }
        if let value = hints.goal {
            result.profile.goal = value
            result.goalOrigin = .message
        }
        if let value = hints.spotter {
            result.profile.spotter = value
            result.spotterOrigin = .message
        }
        return result
    }
}
