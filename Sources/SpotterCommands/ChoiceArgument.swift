import ArgumentParser

/// An option whose values are an enumeration's raw strings (`--experience beginner`).
///
/// ArgumentParser's defaults describe each value by string interpolation, which looks up the
/// type's conformances at run time: building `spotter ask`'s options that way was a twentieth of
/// the whole process. These name the raw values directly, with the same help and completions.
public protocol ChoiceArgument: ExpressibleByArgument, CaseIterable, RawRepresentable<String> {}

extension ChoiceArgument {
    public static var allValueStrings: [String] { allCases.map(\.rawValue) }
    public static var allValueDescriptions: [String: String] { [:] }
    public static var defaultCompletionKind: CompletionKind { .list(allValueStrings) }
    public var defaultValueDescription: String { rawValue }
}
