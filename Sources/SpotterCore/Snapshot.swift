/// The byte form of a start-up snapshot: what a validated rules folder loads into (rule book,
/// catalogue, understanding indexes), written once and read back at later starts instead of
/// parsing YAML and JSON and building every index again. Pure: the file handling is the app's.
///
/// Integers are little-endian and fixed width (reads are unaligned loads, not byte loops);
/// strings are written once, in a table ahead of the payload, and read as indexes into it, so
/// decoding shares one `String` for every repeat (rule file paths, muscle names).
public struct SnapshotWriter: Sendable {
    private var payload: [UInt8] = []
    private var stringIDs: [String: Int32] = [:]
    private var strings: [String] = []

    public init() {
        payload.reserveCapacity(1 << 20)
    }

    public mutating func int(_ value: Int) { int64(Int64(value)) }

    public mutating func int64(_ value: Int64) {
        withUnsafeBytes(of: value.littleEndian) { payload.append(contentsOf: $0) }
    }

    public mutating func int32(_ value: Int32) {
        withUnsafeBytes(of: value.littleEndian) { payload.append(contentsOf: $0) }
    }

    public mutating func byte(_ value: UInt8) { payload.append(value) }

    public mutating func bool(_ value: Bool) { payload.append(value ? 1 : 0) }

    public mutating func double(_ value: Double) {
        withUnsafeBytes(of: value.bitPattern.littleEndian) { payload.append(contentsOf: $0) }
    }

    public mutating func string(_ value: String) {
        if let id = stringIDs[value] { int32(id); return }
        let id = Int32(strings.count)
        stringIDs[value] = id
        strings.append(value)
        int32(id)
    }

    public mutating func optionalString(_ value: String?) {
        if let value { bool(true); string(value) } else { bool(false) }
    }

    public mutating func strings(_ values: [String]) {
        int(values.count)
        for value in values { string(value) }
    }

    public mutating func int32s(_ values: [Int32]) {
        int(values.count)
        for value in values { int32(value) }
    }

    public mutating func uint64s(_ values: [UInt64]) {
        int(values.count)
        for value in values { int64(Int64(bitPattern: value)) }
    }

    /// The finished bytes: the string table, then the payload.
    public func bytes() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(payload.count + strings.count * 12 + 16)
        withUnsafeBytes(of: Int64(strings.count).littleEndian) { out.append(contentsOf: $0) }
        for string in strings {
            let utf8 = Array(string.utf8)
            withUnsafeBytes(of: Int32(utf8.count).littleEndian) { out.append(contentsOf: $0) }
            out.append(contentsOf: utf8)
        }
        out.append(contentsOf: payload)
        return out
    }
}

/// Why snapshot bytes could not be read. The caller then loads the rules folder itself; a
/// snapshot is never trusted in part.
public struct SnapshotError: Error, Sendable, Hashable, CustomStringConvertible {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { "unreadable start-up snapshot: \(reason)" }
}

/// Reads what ``SnapshotWriter`` wrote, checking every length and index against the bytes.
/// It reads memory it does not own (a mapped file, an array's buffer): use it only inside
/// ``reading(_:from:_:)``, while that memory is alive.
public struct SnapshotReader {
    // Inlinable readers: each call specialises in the module decoding, where most of a start's decoding runs.
    @usableFromInline let bytes: UnsafeRawBufferPointer
    @usableFromInline var offset: Int
    @usableFromInline var table: [String] = []

    /// Reads the string table at `offset` of `bytes`, then hands the reader to `body` for the payload.
    public static func reading<T>(
        _ bytes: UnsafeRawBufferPointer, from offset: Int = 0, _ body: (inout SnapshotReader) throws(SnapshotError) -> T
    ) throws(SnapshotError) -> T {
        var reader = try SnapshotReader(bytes, from: offset)
        return try body(&reader)
    }

    private init(_ bytes: UnsafeRawBufferPointer, from offset: Int) throws(SnapshotError) {
        self.bytes = bytes
        self.offset = offset
        guard offset >= 0, offset <= bytes.count else { throw SnapshotError("truncated") }
        let count = try self.count(elementSize: 4)
        var table: [String] = []
        table.reserveCapacity(count)
        for _ in 0..<count {
            let length = Int(try self.int32())
            guard length >= 0, length <= bytes.count - self.offset else { throw SnapshotError("a string runs past the end") }
            table.append(String(decoding: UnsafeRawBufferPointer(rebasing: bytes[self.offset..<(self.offset + length)]), as: UTF8.self))
            self.offset += length
        }
        self.table = table
    }

    /// Whether every byte was read (a snapshot with bytes left over is not the one written).
    @inlinable public var atEnd: Bool { offset == bytes.count }

    @inlinable @inline(__always)
    mutating func load<T: FixedWidthInteger>(_: T.Type) throws(SnapshotError) -> T {
        let size = MemoryLayout<T>.size
        guard bytes.count - offset >= size else { throw SnapshotError("truncated") }
        let value = bytes.loadUnaligned(fromByteOffset: offset, as: T.self)
        offset += size
        return T(littleEndian: value)
    }

    @inlinable public mutating func int64() throws(SnapshotError) -> Int64 { try load(Int64.self) }
    @inlinable public mutating func int() throws(SnapshotError) -> Int { Int(try load(Int64.self)) }
    @inlinable public mutating func int32() throws(SnapshotError) -> Int32 { try load(Int32.self) }
    @inlinable public mutating func byte() throws(SnapshotError) -> UInt8 { try load(UInt8.self) }

    @inlinable public mutating func bool() throws(SnapshotError) -> Bool {
        switch try byte() {
        case 0: false
        case 1: true
        default: throw SnapshotError("a flag is neither 0 nor 1")
        }
    }

    @inlinable public mutating func double() throws(SnapshotError) -> Double { Double(bitPattern: try load(UInt64.self)) }

    @inlinable public mutating func string() throws(SnapshotError) -> String {
        let id = Int(try int32())
        guard id >= 0, id < table.count else { throw SnapshotError("a string index is out of range") }
        return table[id]
    }

    @inlinable public mutating func optionalString() throws(SnapshotError) -> String? {
        try bool() ? try string() : nil
    }

    /// A count of elements that take at least `elementSize` bytes each: one larger than the
    /// bytes left cannot be right, and would otherwise reserve unbounded memory.
    @inlinable public mutating func count(elementSize: Int = 1) throws(SnapshotError) -> Int {
        let count = try int()
        guard count >= 0, count <= (bytes.count - offset) / max(1, elementSize) else { throw SnapshotError("a count is out of range") }
        return count
    }

    @inlinable public mutating func strings() throws(SnapshotError) -> [String] {
        let count = try self.count(elementSize: 4)
        var values: [String] = []
        values.reserveCapacity(count)
        for _ in 0..<count { values.append(try string()) }
        return values
    }

    @inlinable public mutating func uint64s() throws(SnapshotError) -> [UInt64] {
        let count = try self.count(elementSize: 8)
        var values: [UInt64] = []
        values.reserveCapacity(count)
        for _ in 0..<count { values.append(try load(UInt64.self)) }
        return values
    }

    @inlinable public mutating func int32s() throws(SnapshotError) -> [Int32] {
        let count = try self.count(elementSize: 4)
        var values: [Int32] = []
        values.reserveCapacity(count)
        for _ in 0..<count { values.append(try int32()) }
        return values
    }

    /// An enumeration's raw value, refused when this build has no such case.
    @inlinable public mutating func raw<T: RawRepresentable>(_: T.Type) throws(SnapshotError) -> T where T.RawValue == String {
        let raw = try string()
        guard let value = T(rawValue: raw) else { throw SnapshotError("unknown \(T.self) '\(raw)'") }
        return value
    }
}

/// A 128-bit content hash for snapshot keys and checksums: four 64-bit lanes over 32 bytes a
/// step (the xxHash64 round), folded into two words at the end. Not cryptographic: it tells
/// changed bytes from unchanged ones, which is all a cache key needs, at several GB/s.
public struct ContentHash: Sendable {
    private static let p1: UInt64 = 0x9E37_79B1_85EB_CA87
    private static let p2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
    private static let p3: UInt64 = 0x1656_67B1_9E37_79F9
    private var lanes: (UInt64, UInt64, UInt64, UInt64) = (0x60EA_27EE_ADC0_B5D6, 0xC2B2_AE3D_27D4_EB4F, 0, 0x61C8_8647_8000_0000)
    private var length: UInt64 = 0

    public init() {}

    @inline(__always)
    private static func round(_ lane: UInt64, _ input: UInt64) -> UInt64 {
        let mixed = lane &+ input &* p2
        return ((mixed << 31) | (mixed >> 33)) &* p1
    }

    public mutating func combine(_ bytes: UnsafeRawBufferPointer) {
        var index = 0
        let count = bytes.count
        var (a, b, c, d) = lanes
        while index + 32 <= count {
            a = Self.round(a, UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self)))
            b = Self.round(b, UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: index + 8, as: UInt64.self)))
            c = Self.round(c, UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: index + 16, as: UInt64.self)))
            d = Self.round(d, UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: index + 24, as: UInt64.self)))
            index += 32
        }
        // The tail, and the length, so that "ab" + "c" and "a" + "bc" differ.
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while index < count {
            if shift == 64 {
                a = Self.round(a, tail)
                tail = 0
                shift = 0
            }
            tail |= UInt64(bytes[index]) << shift
            shift += 8
            index += 1
        }
        b = Self.round(b, tail ^ Self.p3)
        c = Self.round(c, UInt64(count))
        lanes = (a, b, c, d)
        length &+= UInt64(count)
    }

    public mutating func combine(_ bytes: [UInt8]) { bytes.withUnsafeBytes { combine($0) } }

    public mutating func combine(_ string: String) {
        var copy = string
        copy.withUTF8 { combine(UnsafeRawBufferPointer($0)) }
    }

    public mutating func combine(_ value: Int) {
        withUnsafeBytes(of: Int64(value).littleEndian) { combine($0) }
    }

    @inline(__always)
    private static func avalanche(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 33)) &* p2
        z = (z ^ (z >> 29)) &* p3
        return z ^ (z >> 32)
    }

    /// The 16 bytes of the hash.
    public func finalize() -> [UInt8] {
        let (a, b, c, d) = lanes
        let x = Self.avalanche(Self.round(Self.round(a ^ length, c), d) ^ b)
        let y = Self.avalanche(Self.round(Self.round(b ^ (length &* Self.p1), d), a) ^ c ^ x)
        var out: [UInt8] = []
        withUnsafeBytes(of: x.littleEndian) { out.append(contentsOf: $0) }
        withUnsafeBytes(of: y.littleEndian) { out.append(contentsOf: $0) }
        return out
    }
}
