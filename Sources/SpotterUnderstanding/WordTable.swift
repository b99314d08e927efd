/// A table from words to values for the understanding's look-ups, several per token of every
/// message. `Dictionary<String, _>` hashes with SipHash, whose set-up and finalisation cost
/// more than the short words they hash: a fifth of understanding's time went to it. This table
/// hashes a word's bytes with FNV-1a and a final mix, and compares a stored hash before any string.
///
/// The keys are Spotter's own words, fixed once the understanding is built; a message only
/// looks words up. So no input can lengthen a probe sequence, and a keyed hash buys nothing.
struct WordTable<Value: Sendable>: Sendable {
    private var slots: [Int32]
    private var entries: [(hash: UInt64, key: String, value: Value)] = []

    init(minimumCapacity: Int = 0) {
        var size = 8
        while size < minimumCapacity * 2 { size <<= 1 }
        slots = Array(repeating: -1, count: size)
        entries.reserveCapacity(minimumCapacity)
    }

    init<S: Sequence>(_ pairs: S) where S.Element == (String, Value) {
        self.init(minimumCapacity: pairs.underestimatedCount)
        for (key, value) in pairs { updateValue(value, forKey: key) }
    }

    var count: Int { entries.count }
    var isEmpty: Bool { entries.isEmpty }
    /// The keys in the order they were added.
    var keys: some Collection<String> { entries.lazy.map(\.key) }
    var pairs: some Collection<(key: String, value: Value)> { entries.lazy.map { ($0.key, $0.value) } }

    subscript(word: String) -> Value? {
        let hash = Self.hash(word)
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let entry = Int(slots[slot])
            if entry < 0 { return nil }
            if entries[entry].hash == hash, entries[entry].key == word { return entries[entry].value }
            slot = (slot + 1) & mask
        }
    }

    func contains(_ word: String) -> Bool { self[word] != nil }

    /// Sets `value` for `word`; returns the value it replaces, if any.
    @discardableResult
    mutating func updateValue(_ value: Value, forKey word: String) -> Value? {
        let hash = Self.hash(word)
        var mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let entry = Int(slots[slot])
            if entry < 0 { break }
            if entries[entry].hash == hash, entries[entry].key == word {
                let old = entries[entry].value
                entries[entry].value = value
                return old
            }
            slot = (slot + 1) & mask
        }
        entries.append((hash, word, value))
        if entries.count * 2 > slots.count {
            // At most half full, so probe sequences stay short.
            slots = Array(repeating: -1, count: slots.count * 2)
            mask = slots.count - 1
            for (index, entry) in entries.enumerated() {
                var slot = Int(truncatingIfNeeded: entry.hash) & mask
                while slots[slot] >= 0 { slot = (slot + 1) & mask }
                slots[slot] = Int32(index)
            }
        } else {
            slots[slot] = Int32(entries.count - 1)
        }
        return nil
    }

    /// FNV-1a over the UTF-8 bytes, then a 64-bit finaliser so the low bits (the slot) depend on every byte.
    @inline(__always)
    static func hash(_ word: String) -> UInt64 {
        // On the contiguous bytes: iterating `utf8` cost several times more per byte.
        var word = word
        return word.withUTF8 { bytes in
            var hash: UInt64 = 0xCBF2_9CE4_8422_2325
            for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
            return mix(hash)
        }
    }

    @inline(__always)
    static func mix(_ value: UInt64) -> UInt64 {
        var x = value
        x ^= x >> 33
        x &*= 0xFF51_AFD7_ED55_8CCD
        x ^= x >> 33
        x &*= 0xC4CE_B9FE_1A85_EC53
        x ^= x >> 33
        return x
    }
}

/// A set of words on a ``WordTable``.
struct WordSet: Sendable, ExpressibleByArrayLiteral, Sequence {
    private var table: WordTable<Bool>

    init<S: Sequence>(_ words: S) where S.Element == String {
        table = WordTable(minimumCapacity: words.underestimatedCount)
        for word in words { table.updateValue(true, forKey: word) }
    }

    init(arrayLiteral words: String...) { self.init(words) }

    var count: Int { table.count }
    func contains(_ word: String) -> Bool { table[word] != nil }
    mutating func insert(_ word: String) { table.updateValue(true, forKey: word) }
    func makeIterator() -> some IteratorProtocol<String> { Array(table.keys).makeIterator() }
    func union(_ other: WordSet) -> WordSet { WordSet(Array(table.keys) + Array(other.table.keys)) }
    var isEmpty: Bool { table.isEmpty }
    func isDisjoint<S: Sequence<String>>(with other: S) -> Bool { !other.contains(where: contains) }
    func isDisjoint(with other: WordSet) -> Bool { !other.table.keys.contains(where: contains) }
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
struct SequenceTable: Sendable {
    private var slots: [Int32]
    private var entries: [(hash: UInt64, key: [Int32], value: Int)] = []

    init<S: Sequence>(_ pairs: S) where S.Element == ([Int32], Int) {
        let pairs = Array(pairs)
        var size = 8
        while size < pairs.count * 2 { size <<= 1 }
        slots = Array(repeating: -1, count: size)
        let mask = size - 1
        for (key, value) in pairs {
            let hash = Self.hash(key)
            var slot = Int(truncatingIfNeeded: hash) & mask
            var replaced = false
            while slots[slot] >= 0 {
                let entry = Int(slots[slot])
                if entries[entry].hash == hash, entries[entry].key == key { entries[entry].value = value; replaced = true; break }
                slot = (slot + 1) & mask
            }
            if !replaced { slots[slot] = Int32(entries.count); entries.append((hash, key, value)) }
        }
    }

    var count: Int { entries.count }
    var pairs: some Collection<(key: [Int32], value: Int)> { entries.lazy.map { ($0.key, $0.value) } }

    subscript<C: Collection<Int32>>(key: C) -> Int? {
        let hash = Self.hash(key)
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let entry = Int(slots[slot])
            if entry < 0 { return nil }
            if entries[entry].hash == hash, entries[entry].key.elementsEqual(key) { return entries[entry].value }
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
