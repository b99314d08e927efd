import Foundation
import SpotterCore
import SpotterDialog
import SpotterRules
import Yams

/// The loaded contents of a rules folder: the rule book, the exercise catalogue, and where they came from.
public struct LoadedRules: Sendable {
    public var book: RuleBook
    public var catalogue: ExerciseCatalogue
    public var folder: String
}

/// Why the rules folder could not be used.
public enum RulesFolderError: Error, Sendable, CustomStringConvertible {
    case notFound(String)
    case invalid(RuleBookError)
    case catalogue(path: String, CatalogueError)
    case advisor(String)

    /// A stable code for scripts.
    public var code: String {
        switch self {
        case .notFound: "rules_not_found"
        case .invalid: "rules_invalid"
        case .catalogue: "catalogue_invalid"
        case .advisor: "advisor_fact_missing"
        }
    }

    public var description: String {
        switch self {
        case let .notFound(path): "\(path): -: no rules folder here; pass --rules DIR or run from the project folder"
        case let .invalid(error): error.description
        case let .catalogue(path, error): "\(path):1: -: \(error)"
        case let .advisor(message): message
        }
    }
}

/// Reads a rules folder from disk: every top-level `*.yml` as a rule file, and `exercises.json`.
public enum RulesFolder {
    /// The folder to use: the one given, else `SPOTTER_RULES`, else `Rules/` in the working
    /// directory or beside the executable's build folder.
    public static func locate(_ given: String?) -> String {
        if let given { return given }
        if let env = ProcessInfo.processInfo.environment["SPOTTER_RULES"], !env.isEmpty { return env }
        return ProjectPaths.find("Rules") ?? "Rules"
    }

    /// What a rules folder holds, as read from disk: the rule files' bytes and the catalogue's.
    public struct Contents: Sendable {
        public var folder: String
        /// Top-level `*.yml`/`*.yaml`, sorted by name, with their paths and bytes.
        public var ruleFiles: [(path: String, bytes: [UInt8])]
        /// `exercises.json`, nil when it is missing.
        public var catalogue: [UInt8]?
    }

    /// Reads the rule files (top level only; `catalogue/` holds the catalogue's sources) and the catalogue.
    public static func read(_ folder: String) throws(RulesFolderError) -> Contents {
        let files = try ruleFilePaths(folder).compactMap { path -> (path: String, bytes: [UInt8])? in
            guard let bytes = readWholeFile(path) else { return nil }
            return (path, bytes)
        }
        return Contents(folder: folder, ruleFiles: files, catalogue: readWholeFile(cataloguePath(folder)))
    }

    /// The paths ``read(_:)`` reads, in its order: the rule files, then the catalogue.
    static func inputFiles(_ folder: String) throws(RulesFolderError) -> [String] {
        try ruleFilePaths(folder) + [cataloguePath(folder)]
    }

    private static func ruleFilePaths(_ folder: String) throws(RulesFolderError) -> [String] {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        guard manager.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue,
              let names = try? manager.contentsOfDirectory(atPath: folder) else {
            throw .notFound(folder)
        }
        return names.filter { $0.hasSuffix(".yml") || $0.hasSuffix(".yaml") }.sorted().map { (folder as NSString).appendingPathComponent($0) }
    }

    /// The rule files of a folder, as text.
    public static func ruleFiles(in folder: String) throws(RulesFolderError) -> [RuleFile] {
        try read(folder).ruleFiles.map { RuleFile(path: $0.path, text: String(decoding: $0.bytes, as: UTF8.self)) }
    }

    static func cataloguePath(_ folder: String) -> String { (folder as NSString).appendingPathComponent("exercises.json") }

    /// Loads and validates everything; the error lists every problem found.
    public static func load(_ folder: String) throws(RulesFolderError) -> LoadedRules {
        try load(read(folder))
    }

    /// Parses and validates what ``read(_:)`` read.
    public static func load(_ contents: Contents) throws(RulesFolderError) -> LoadedRules {
        let files = contents.ruleFiles.map { RuleFile(path: $0.path, text: String(decoding: $0.bytes, as: UTF8.self)) }
        let book: RuleBook
        do {
            book = try RuleBookLoader.load(files)
        } catch {
            throw .invalid(error)
        }
        let path = cataloguePath(contents.folder)
        guard let data = contents.catalogue else {
            throw .catalogue(path: path, CatalogueError(reason: "the exercise catalogue is missing"))
        }
        do {
            return LoadedRules(book: book, catalogue: try ExerciseCatalogue(json: data), folder: contents.folder)
        } catch {
            throw .catalogue(path: path, error)
        }
    }
}

/// Finds project folders (`Rules/`, `Config/`) from the working directory or the executable.
enum ProjectPaths {
    static func find(_ name: String) -> String? {
        func folder(in candidate: String) -> String? {
            let path = (candidate as NSString).appendingPathComponent(name)
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue ? path : nil
        }
        // The working directory first, before resolving the executable's path (which costs
        // more than the look-up itself, at every start).
        if let found = folder(in: FileManager.default.currentDirectoryPath) { return found }
        let executable = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath()
        var candidate = executable.deletingLastPathComponent()
        for _ in 0..<5 {
            if let found = folder(in: candidate.path) { return found }
            candidate = candidate.deletingLastPathComponent()
        }
        return nil
    }
}

/// A whole file's bytes, read straight into an array (`FileManager.contents` reads into `Data`,
/// and converting that copies every byte again); nil when it cannot be read.
func readWholeFile(_ path: String) -> [UInt8]? {
    withRegularFile(path) { descriptor, size in readAll(descriptor, size) } ?? nil
}

/// Runs `body` with an open descriptor of `path` and its size, when it is a regular file.
func withRegularFile<T>(_ path: String, _ body: (Int32, Int) -> T) -> T? {
    let descriptor = open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else { return nil }
    defer { close(descriptor) }
    var info = stat()
    guard fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
    return body(descriptor, Int(info.st_size))
}

private func readAll(_ descriptor: Int32, _ size: Int) -> [UInt8]? {
    var failed = false
    let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
        var done = 0
        while done < size {
            let got = read(descriptor, buffer.baseAddress! + done, size - done)
            if got < 0 && errno == EINTR { continue }
            guard got > 0 else { break }
            done += got
        }
        failed = done != size
        count = done
    }
    return failed ? nil : bytes
}

/// Settings from `Config/spotter.yml` that the advisor reads.
public struct CoachingSettings: Sendable, Hashable {
    /// Failure sets per muscle in 7 days before the verdict is capped at last_set (COACHING.md rule 10).
    public var weeklyFailureCap = 4
    /// An open dialog untouched this long expires (`chat.dialog_expiry_hours`).
    public var dialogExpiryHours = 12.0
    /// The SQLite file (`storage.database`), relative to the config file's folder.
    public var databasePath: String?

    public init() {}

    /// The dialog settings these give.
    public var dialog: DialogSettings {
        DialogSettings(expirySeconds: dialogExpiryHours * 3600, failureCap: weeklyFailureCap)
    }

    /// `Config/spotter.yml` of the project, when there is one.
    public static func defaultConfigPath() -> String? {
        ProjectPaths.find("Config").map { ($0 as NSString).appendingPathComponent("spotter.yml") }
            .flatMap { FileManager.default.fileExists(atPath: $0) ? $0 : nil }
    }

    /// Reads `Config/spotter.yml` if there is one; a bad value is an error naming it.
    public static func load(_ path: String? = nil) throws(SettingError) -> CoachingSettings {
        var settings = CoachingSettings()
        let file = path ?? ProjectPaths.find("Config").map { ($0 as NSString).appendingPathComponent("spotter.yml") }
        guard let file, let data = FileManager.default.contents(atPath: file) else {
            if let path { throw SettingError(file: path, setting: "-", message: "cannot read the file") }
            return settings
        }
        let node: Node?
        do {
            node = try composeYAML(String(decoding: data, as: UTF8.self))
        } catch {
            throw SettingError(file: file, setting: "-", message: "not valid YAML (\(error))")
        }
        if let unknown = ConfigShape.spotter.unknownSettings(in: node).first {
            throw SettingError(file: file, setting: unknown.key, message: unknown.message)
        }
        if let value = node?["coaching"]?["weekly_failure_cap"] {
            guard let cap = value.string.flatMap(Int.init), (0...50).contains(cap) else {
                throw SettingError(file: file, setting: "coaching.weekly_failure_cap",
                                  message: "must be a whole number from 0 to 50, got '\(value.string ?? "?")'")
            }
            settings.weeklyFailureCap = cap
        }
        if let value = node?["chat"]?["dialog_expiry_hours"] {
            guard let hours = value.string.flatMap(Double.init), hours > 0, hours <= 24 * 30 else {
                throw SettingError(file: file, setting: "chat.dialog_expiry_hours",
                                  message: "must be a number of hours above 0 (at most 720), got '\(value.string ?? "?")'")
            }
            settings.dialogExpiryHours = hours
        }
        if let value = node?["storage"]?["database"] {
            guard let path = value.string, !path.isEmpty else {
                throw SettingError(file: file, setting: "storage.database", message: "must be a file path")
            }
            settings.databasePath = path.hasPrefix("/") ? path
                : ((file as NSString).deletingLastPathComponent as NSString).appendingPathComponent(path)
        }
        return settings
    }
}

extension LoadedRules {
    /// One line for `spotter rules check`: what was loaded.
    public var summary: String {
        let rules = book.tables.reduce(0) { $0 + $1.rules.count }
        let examples = book.tables.flatMap(\.rules).reduce(0) { $0 + $1.examples.count }
        return "\(folder): ok: \(book.tables.count) tables, \(rules) rules, \(examples) examples, "
            + "\(book.sources.count) sources, \(catalogue.exercises.count) exercises"
    }
}

/// Where the database lives: `--db`, else `storage.database` in Config, else the per-user data
/// folder (`$XDG_DATA_HOME/spotter`, or `~/.local/share/spotter`).
public enum DatabaseLocation {
    public static func resolve(flag: String?, settings: CoachingSettings) -> String {
        if let flag { return flag }
        if let configured = settings.databasePath { return configured }
        let environment = ProcessInfo.processInfo.environment
        let base = environment["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? ((environment["HOME"] ?? NSHomeDirectory()) as NSString).appendingPathComponent(".local/share")
        return ((base as NSString).appendingPathComponent("spotter") as NSString).appendingPathComponent("spotter.sqlite")
    }
}
