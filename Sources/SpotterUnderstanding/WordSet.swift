import SpotterCore

/// A set of words on a ``WordTable``.
struct WordSet: Sendable, ExpressibleByArrayLiteral, Sequence {
    private(set) var table: WordTable<Bool>

    init(table: WordTable<Bool>) { self.table = table }

    init<S: Sequence>(_ words: S) where S.Element == String {
        table = WordTable(minimumCapacity: words.underestimatedCount)
        for word in words { table.updateValue(true, forKey: word) }
    }

    init(arrayLiteral words: String...) { self.init(words) }

    var count: Int { table.count }
    func contains(_ word: String) -> Bool { table[word] != nil }
    mutating func insert(_ word: String) { table.updateValue(true, forKey: word) }
    func makeIterator() -> some IteratorProtocol<String> { table.keys.makeIterator() }
    func union(_ other: WordSet) -> WordSet { WordSet(table.keys + other.table.keys) }
    var isEmpty: Bool { table.isEmpty }
    func isDisjoint<S: Sequence<String>>(with other: S) -> Bool { !other.contains(where: contains) }
    func isDisjoint(with other: WordSet) -> Bool {
        count <= other.count ? !table.containsKey(where: other.contains) : !other.table.containsKey(where: contains)
    }
    func subtracting<S: Sequence<String>>(_ other: S) -> WordSet {
        let removed = WordSet(other)
        return WordSet(table.keys.filter { !removed.contains($0) })
    }
}

/// A table keyed by small packed integers (word ids, pairs of them), for the same reason as
/// ``WordTable``: `Dictionary`'s SipHash cost more than the look-up.
struct PackedTable<Value: Sendable>: Sendable {
    private var slots: [Int32]
    private var entries: [(key: UInt64, value: Value)] = []

    init<S: Sequence>(_ pairs: S) where S.Element == (UInt64, Value) {
        let pairs = Array(pairs)
        var size = 8
        while size < pairs.count * 2 { size <<= 1 }
        slots = Array(repeating: -1, count: size)
        let mask = size - 1
        for (key, value) in pairs {
            var slot = Int(truncatingIfNeeded: WordTable<Value>.mix(key)) & mask
            var replaced = false
            while slots[slot] >= 0 {
                if entries[Int(slots[slot])].key == key { entries[Int(slots[slot])].value = value; replaced = true; break }
                slot = (slot + 1) & mask
            }
            if !replaced { slots[slot] = Int32(entries.count); entries.append((key, value)) }
        }
    }

    var count: Int { entries.count }
    var pairs: [(key: UInt64, value: Value)] { entries }

    subscript(key: UInt64) -> Value? {
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: WordTable<Value>.mix(key)) & mask
        while true {
            let entry = Int(slots[slot])
            if entry < 0 { return nil }
            if entries[entry].key == key { return entries[entry].value }
            slot = (slot + 1) & mask
        }
    }
}

/// A table keyed by sequences of word ids (exercise names), for the same reason as ``WordTable``.
/// The keys are kept end to end in one array: one per key was thousands of arrays to build (and
/// free) at every start.
struct SequenceTable: Sendable {
    private var slots: [Int32]
    private var entries: [(hash: UInt64, key: Range<Int>, value: Int)] = []
    private var keys: [Int32] = []

    init(capacity: Int) {
        var size = 8
        while size < capacity * 2 { size <<= 1 }
        slots = Array(repeating: -1, count: size)
        entries.reserveCapacity(capacity)
    }

    init<S: Sequence>(_ pairs: S) where S.Element == ([Int32], Int) {
        let pairs = Array(pairs)
        self.init(capacity: pairs.count)
        for (key, value) in pairs { insert(key, value) }
    }

    /// Adds `key` (or replaces its value); keeps the table at most half full.
    mutating func insert<C: Collection<Int32>>(_ key: C, _ value: Int) {
        if (entries.count + 1) * 2 > slots.count { grow() }
        let hash = Self.hash(key)
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while slots[slot] >= 0 {
            let entry = Int(slots[slot])
            if entries[entry].hash == hash, keys[entries[entry].key].elementsEqual(key) { entries[entry].value = value; return }
            slot = (slot + 1) & mask
        }
        let start = keys.count
        keys.append(contentsOf: key)
        slots[slot] = Int32(entries.count)
        entries.append((hash, start..<keys.count, value))
    }

    private mutating func grow() {
        slots = Array(repeating: -1, count: slots.count * 2)
        let mask = slots.count - 1
        for (index, entry) in entries.enumerated() {
            var slot = Int(truncatingIfNeeded: entry.hash) & mask
            while slots[slot] >= 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(index)
        }
    }

    var count: Int { entries.count }

    /// Writes the table as it is laid out, so reading it back hashes nothing.
    func write(to writer: inout SnapshotWriter) {
        writer.int32s(slots)
        writer.int(entries.count)
        for entry in entries {
            writer.int64(Int64(bitPattern: entry.hash))
            writer.int(entry.key.lowerBound)
            writer.int(entry.key.upperBound)
            writer.int(entry.value)
        }
        writer.int32s(keys)
    }

    /// The table ``write(to:)`` wrote; every slot, key range and value (a catalogue position
    /// below `values`) is checked, so a damaged one can miss a name but never read out of bounds.
    init(reading reader: inout SnapshotReader, values: Int) throws(SnapshotError) {
        slots = try reader.int32s()
        let count = try reader.count(elementSize: 32)
        entries.reserveCapacity(count)
        for _ in 0..<count {
            let hash = UInt64(bitPattern: try reader.int64())
            let lower = try reader.int(), upper = try reader.int(), value = try reader.int()
            guard lower >= 0, lower <= upper, value >= 0, value < values else { throw SnapshotError("an exercise key is out of range") }
            entries.append((hash, lower..<upper, value))
        }
        keys = try reader.int32s()
        guard slots.count >= 8, slots.count & (slots.count - 1) == 0, entries.count * 2 <= slots.count,
              entries.allSatisfy({ $0.key.upperBound <= keys.count }) else { throw SnapshotError("an exercise table is out of range") }
        // Each entry in exactly one slot: then at least half the slots are empty, and every probe
        // (which runs until an empty slot) ends.
        var seen = [Bool](repeating: false, count: entries.count)
        for slot in slots where slot != -1 {
            guard slot >= 0, Int(slot) < entries.count, !seen[Int(slot)] else { throw SnapshotError("an exercise table's slot is out of range") }
            seen[Int(slot)] = true
        }
        guard !seen.contains(false) else { throw SnapshotError("an exercise table's slot is missing") }
    }

    subscript<C: Collection<Int32>>(key: C) -> Int? {
        let hash = Self.hash(key)
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let entry = Int(slots[slot])
            if entry < 0 { return nil }
            if entries[entry].hash == hash, keys[entries[entry].key].elementsEqual(key) { return entries[entry].value }
            slot = (slot + 1) & mask
        }
    }

    @inline(__always)
    private static func hash<C: Collection<Int32>>(_ key: C) -> UInt64 {
        var hash: UInt64 = 0x9E37_79B9_7F4A_7C15
        for id in key { hash = WordTable<Int>.mix(hash ^ UInt64(UInt32(bitPattern: id))) }
        return hash
    }
}
