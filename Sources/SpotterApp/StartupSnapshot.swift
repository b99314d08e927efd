import Foundation
import SpotterCore
import SpotterRules
import SpotterUnderstanding
#if canImport(Glibc)
import Glibc
#endif

/// What a validated rules folder loads into (the rule book, the catalogue and the understanding's
/// indexes), kept in the user's cache so that later starts read it back instead of parsing the
/// YAML and JSON, running every inline example and building the indexes again: most of a
/// `spotter ask` process was that work.
///
/// A snapshot is used only when its key matches: a hash of the exact bytes of every rule file and
/// the catalogue, the folder's path, this snapshot format and this executable (its inode, size
/// and modification time, so a rebuilt Spotter never reads an older build's snapshot). It is
/// written only after the folder loaded and validated, so "validated at start" still holds: the
/// same bytes were validated by the same build. Anything unreadable (truncated, damaged, another
/// format) is ignored and the folder loaded as if there were none; a snapshot is never trusted
/// in part and never needed: without a writable cache folder every start loads the folder.
///
/// Where: `SPOTTER_SNAPSHOT_DIR`, else `$XDG_CACHE_HOME/spotter`, else `~/.cache/spotter`.
/// `SPOTTER_SNAPSHOT=off` turns it off.
public enum StartupSnapshot {
    /// Bumped whenever what is written changes shape.
    static let format: UInt32 = 4
    private static let magic = Array("SPOTTER-SNAPSHOT".utf8)
    private static let headerSize = 16 + 4 + 16 + 16

    /// What a start found.
    public enum Outcome: String, Sendable {
        /// A matching snapshot was read.
        case used
        /// None matched; the folder was loaded and a snapshot written.
        case written
        /// None matched and none could be written (no cache folder, or snapshots are off).
        case loaded
    }

    /// The folder snapshots are kept in, or nil when they are off.
    public static func directory(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        if environment["SPOTTER_SNAPSHOT"] == "off" { return nil }
        if let given = environment["SPOTTER_SNAPSHOT_DIR"], !given.isEmpty { return given }
        if let cache = environment["XDG_CACHE_HOME"], !cache.isEmpty { return (cache as NSString).appendingPathComponent("spotter") }
        guard let home = environment["HOME"], !home.isEmpty else { return nil }
        return (home as NSString).appendingPathComponent(".cache/spotter")
    }

    /// The coach for a rules folder: from its snapshot when one matches, else loaded (validated)
    /// and snapshotted for next time. Errors are the folder's own: a snapshot never causes one.
    public static func coach(
        folder: String, settings: CoachingSettings, directory: String? = StartupSnapshot.directory()
    ) throws(RulesFolderError) -> (Coach, Outcome) {
        guard let directory else {
            return (try Coach(rules: try RulesFolder.load(folder), settings: settings), .loaded)
        }
        // The key is hashed from the files mapped in place (no copy); on a miss the folder is
        // read again and the snapshot keyed on exactly the bytes that were loaded.
        if let files = try? RulesFolder.inputFiles(folder), let key = mappedKey(folder: folder, files: files) {
            let file = snapshotPath(directory, key.file)
            if let mapped = MappedFile(file), let (rules, understanding) = try? decode(mapped.bytes, key: key.content, folder: folder) {
                // Marked as used, so the weekly pruning keeps the snapshots that are started from.
                _ = utimensat(AT_FDCWD, file, nil, 0)
                return (try Coach(rules: rules, understanding: understanding, settings: settings), .used)
            }
        }
        let contents = try RulesFolder.read(folder)
        let rules = try RulesFolder.load(contents)
        let coach = try Coach(rules: rules, settings: settings)
        let key = self.key(folder: folder, contents.ruleFiles.map { ($0.path, $0.bytes) } + [(RulesFolder.cataloguePath(folder), contents.catalogue ?? [])])
        let written = write(encode(rules, coach.understanding, key: key.content), to: snapshotPath(directory, key.file), in: directory)
        return (coach, written ? .written : .loaded)
    }

    private static func snapshotPath(_ directory: String, _ key: [UInt8]) -> String {
        (directory as NSString).appendingPathComponent("rules-\(hex(key)).snapshot")
    }

    // MARK: Bytes

    /// The snapshot file's bytes: magic, format, content key, checksum of the body, body.
    public static func encode(_ rules: LoadedRules, _ understanding: MessageUnderstanding, key: [UInt8]) -> [UInt8] {
        var writer = SnapshotWriter()
        rules.book.write(to: &writer)
        rules.catalogue.write(to: &writer)
        understanding.write(to: &writer)
        let body = writer.bytes()
        var checksum = ContentHash()
        checksum.combine(body)
        var out = magic
        withUnsafeBytes(of: format.littleEndian) { out.append(contentsOf: $0) }
        out += key
        out += checksum.finalize()
        out += body
        return out
    }

    /// The rules and understanding in `bytes`, when they are a whole snapshot for `key`.
    public static func decode(_ bytes: [UInt8], key: [UInt8], folder: String) throws(SnapshotError) -> (LoadedRules, MessageUnderstanding) {
        var result: Result<(LoadedRules, MessageUnderstanding), SnapshotError> = .failure(SnapshotError("empty"))
        bytes.withUnsafeBytes { buffer in result = Result { () throws(SnapshotError) in try decode(buffer, key: key, folder: folder) } }
        return try result.get()
    }

    static func decode(_ bytes: UnsafeRawBufferPointer, key: [UInt8], folder: String) throws(SnapshotError) -> (LoadedRules, MessageUnderstanding) {
        guard bytes.count > headerSize, bytes[0..<16].elementsEqual(magic) else { throw SnapshotError("not a snapshot") }
        let version = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 16, as: UInt32.self))
        guard version == format else { throw SnapshotError("format \(version), this build reads \(format)") }
        guard bytes[20..<36].elementsEqual(key) else { throw SnapshotError("made from other rules or another build") }
        var checksum = ContentHash()
        checksum.combine(UnsafeRawBufferPointer(rebasing: bytes[headerSize...]))
        guard bytes[36..<52].elementsEqual(checksum.finalize()) else { throw SnapshotError("damaged") }
        return try decodeBody(UnsafeRawBufferPointer(rebasing: bytes[headerSize...]), folder: folder)
    }

    /// The rules and understanding in a snapshot's body (what follows the header), checked
    /// field by field: every count, index and position against what it points into.
    public static func decodeBody(_ bytes: UnsafeRawBufferPointer, folder: String) throws(SnapshotError) -> (LoadedRules, MessageUnderstanding) {
        try SnapshotReader.reading(bytes) { reader throws(SnapshotError) in
            let book = try RuleBook.read(from: &reader)
            let catalogue = try ExerciseCatalogue(reading: &reader)
            let understanding = try MessageUnderstanding(catalogue: catalogue, reading: &reader)
            guard reader.atEnd else { throw SnapshotError("bytes left over") }
            return (LoadedRules(book: book, catalogue: catalogue, folder: folder), understanding)
        }
    }

    /// The content key (every input file's path and bytes, the format and this executable) and
    /// the file key (the folder and the executable's path: one snapshot file for each, replaced
    /// when the folder changes or the executable is rebuilt).
    static func key(folder: String, _ files: [(path: String, bytes: [UInt8])]) -> (content: [UInt8], file: [UInt8]) {
        var hashes = keyHashes(folder)
        for (path, bytes) in files {
            bytes.withUnsafeBytes { hashes.content.combine(path: path, bytes: $0) }
        }
        return (hashes.content.finalize(), hashes.file.finalize())
    }

    /// The same key, from the files mapped in place; nil when one cannot be read.
    private static func mappedKey(folder: String, files: [String]) -> (content: [UInt8], file: [UInt8])? {
        var hashes = keyHashes(folder)
        for path in files {
            guard let mapped = MappedFile(path) else { return nil }
            hashes.content.combine(path: path, bytes: mapped.bytes)
        }
        return (hashes.content.finalize(), hashes.file.finalize())
    }

    private static func keyHashes(_ folder: String) -> (content: ContentHash, file: ContentHash) {
        var file = ContentHash()
        file.combine(folder)
        // Per executable path too: `spotter` and `spotter-server` (two builds) reading one folder
        // would otherwise replace each other's snapshot at every start.
        file.combine(executablePath())
        var content = file
        content.combine(executableIdentity())
        content.combine(Int(format))
        return (content, file)
    }

    /// This executable's inode, size and modification time; empty when unknown (then snapshots
    /// still key on the content, and a rebuild with the same rules reuses a snapshot only if the
    /// format number is unchanged).
    private static func executableIdentity() -> [UInt8] {
        #if canImport(Glibc)
        var info = stat()
        guard stat("/proc/self/exe", &info) == 0 else { return [] }
        var out: [UInt8] = []
        for value in [UInt64(info.st_dev), UInt64(info.st_ino), UInt64(info.st_size), UInt64(info.st_mtim.tv_sec), UInt64(info.st_mtim.tv_nsec)] {
            withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) }
        }
        return out
        #else
        return []
        #endif
    }

    /// Where this executable is (`/proc/self/exe`); empty when unknown.
    private static func executablePath() -> String {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let length = readlink("/proc/self/exe", &buffer, buffer.count)
        return length > 0 ? String(decoding: buffer[..<length], as: UTF8.self) : ""
    }

    private static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in bytes { out.append(digits[Int(byte >> 4)]); out.append(digits[Int(byte & 15)]) }
        return String(decoding: out, as: UTF8.self)
    }

    // MARK: Files

    /// Snapshots not started from for a week (temporary folders, old
    /// checkouts) are removed whenever one is written, so the cache stays a few files.
    private static func pruneStale(in directory: String) {
        let manager = FileManager.default
        guard let names = try? manager.contentsOfDirectory(atPath: directory) else { return }
        let cutoff = Date().addingTimeInterval(-7 * 24 * 3600)
        for name in names where name.hasPrefix("rules-") && (name.hasSuffix(".snapshot") || name.hasSuffix(".tmp")) {
            let path = (directory as NSString).appendingPathComponent(name)
            if let modified = (try? manager.attributesOfItem(atPath: path))?[.modificationDate] as? Date, modified < cutoff {
                try? manager.removeItem(atPath: path)
            }
        }
    }

    /// Writes beside the final name and renames over it, so a reader sees a whole snapshot or
    /// none, and two processes writing at once do not mix their bytes.
    private static func write(_ bytes: [UInt8], to path: String, in directory: String) -> Bool {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            pruneStale(in: directory)
            let temporary = path + ".\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
            guard FileManager.default.createFile(atPath: temporary, contents: Data(bytes)) else { return false }
            guard rename(temporary, path) == 0 else {
                try? FileManager.default.removeItem(atPath: temporary)
                return false
            }
            return true
        } catch {
            return false
        }
    }
}

extension ContentHash {
    fileprivate mutating func combine(path: String, bytes: UnsafeRawBufferPointer) {
        combine(path)
        combine(bytes.count)
        combine(bytes)
    }
}

/// A file mapped read-only for as long as this lives: hashing and decoding read the page cache
/// in place instead of copying the file into the heap first.
final class MappedFile {
    let bytes: UnsafeRawBufferPointer

    init?(_ path: String) {
        let mapped: UnsafeRawBufferPointer?? = withRegularFile(path) { descriptor, size in
            guard size > 0 else { return UnsafeRawBufferPointer(start: nil, count: 0) }
            guard let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0), address != MAP_FAILED else { return nil }
            return UnsafeRawBufferPointer(start: address, count: size)
        }
        guard let mapped, let mapped else { return nil }
        bytes = mapped
    }

    deinit {
        if let base = bytes.baseAddress { munmap(UnsafeMutableRawPointer(mutating: base), bytes.count) }
    }
}
