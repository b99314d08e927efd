/// One thing wrong with a rules folder, reported as `file:line: rule-id: what is wrong; how to fix it`.
public struct RuleProblem: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable code for each kind of problem, for scripts and tests.
    public enum Code: String, Sendable, Hashable, CaseIterable {
        case yamlSyntax = "yaml_syntax"
        case unknownFile = "unknown_file"
        case missingFile = "missing_file"
        case missingField = "missing_field"
        case unexpectedField = "unexpected_field"
        case invalidField = "invalid_field"
        case duplicateID = "duplicate_id"
        case duplicatePriority = "duplicate_priority"
        case unknownFact = "unknown_fact"
        case unknownValue = "unknown_value"
        case typeMismatch = "type_mismatch"
        case unknownOperator = "unknown_operator"
        case notAnOutput = "not_an_output"
        case derivedTooLate = "derived_too_late"
        case missingSource = "missing_source"
        case unknownSource = "unknown_source"
        case missingExample = "missing_example"
        case overlap = "overlap"
        case shadowed = "shadowed"
        case exampleFailed = "example_failed"
        case unknownTable = "unknown_table"
    }

    public var file: String
    public var line: Int
    /// The rule (or table, or fact) the problem is in; `-` when it is about the file itself.
    public var subject: String
    public var code: Code
    /// What is wrong.
    public var message: String
    /// How to fix it.
    public var fix: String

    public init(file: String, line: Int, subject: String?, code: Code, message: String, fix: String) {
        self.file = file
        self.line = line
        self.subject = subject ?? "-"
        self.code = code
        self.message = message
        self.fix = fix
    }

    public var description: String { "\(file):\(line): \(subject): \(message); \(fix)" }
}

/// A rules folder that failed validation, with every problem found.
public struct RuleBookError: Error, Sendable, CustomStringConvertible {
    /// Stable code of the error as a whole.
    public let code = "rules_invalid"
    public var problems: [RuleProblem]

    public var description: String {
        problems.map(\.description).joined(separator: "\n")
    }
}

/// The text of one rules file and the path it is reported under.
public struct RuleFile: Sendable, Hashable {
    public var path: String
    public var text: String

    public init(path: String, text: String) {
        self.path = path
        self.text = text
    }
}
