/// A table from words to values, for look-ups made many times per message: the understanding's,
/// several per token, and the rule book's strings and fact names. `Dictionary<String, _>` hashes
/// with SipHash, whose set-up and finalisation cost more than the short words they hash: a fifth
/// of understanding's time went to it. This table hashes a word's bytes with FNV-1a and a final
/// mix, and compares part of the hash before any string.
///
/// The keys are Spotter's own words, fixed once the understanding or rule book is built; a
/// message only looks words up. So no input can lengthen a probe sequence, and a keyed hash buys nothing.
public struct WordTable<Value: Sendable>: Sendable {
    /// Open addressing, at most half full. A slot is 0 when empty, else the top 32 bits of its
    /// key's hash over the entry's position plus one: a probe that misses reads only this array
    /// (the entries, with their strings, were a cache miss per look-up).
    @usableFromInline var slots: [UInt64]
    @usableFromInline var entries: [(hash: UInt64, key: String, value: Value)] = []

    @inlinable
    public init(minimumCapacity: Int = 0) {
        var size = 8
        while size < minimumCapacity * 2 { size <<= 1 }
        slots = Array(repeating: 0, count: size)
        entries.reserveCapacity(minimumCapacity)
    }

    @inlinable
    public init<S: Sequence>(_ pairs: S) where S.Element == (String, Value) {
        self.init(minimumCapacity: pairs.underestimatedCount)
        for (key, value) in pairs { updateValue(value, forKey: key) }
    }

    @inlinable public var count: Int { entries.count }
    @inlinable public var isEmpty: Bool { entries.isEmpty }
    /// The keys in the order they were added.
    @inlinable public var keys: [String] { entries.map(\.key) }
    @inlinable public var pairs: [(key: String, value: Value)] { entries.map { ($0.key, $0.value) } }

    @inlinable @inline(__always)
    static func tag(_ hash: UInt64) -> UInt64 { hash & 0xFFFF_FFFF_0000_0000 }

    /// The position in `entries` of `word` with this hash, or where to put it: (nil, empty slot).
    @inlinable @inline(__always)
    func find(_ word: String, hash: UInt64) -> (entry: Int?, slot: Int) {
        let mask = slots.count - 1
        let tag = Self.tag(hash)
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let value = slots[slot]
            if value == 0 { return (nil, slot) }
            if value & 0xFFFF_FFFF_0000_0000 == tag {
                let entry = Int(truncatingIfNeeded: value & 0xFFFF_FFFF) - 1
                if entries[entry].key == word { return (entry, slot) }
            }
            slot = (slot + 1) & mask
        }
    }

    @inlinable
    public subscript(word: String) -> Value? {
        guard let entry = find(word, hash: Self.hash(word)).entry else { return nil }
        return entries[entry].value
    }

    @inlinable public func contains(_ word: String) -> Bool { find(word, hash: Self.hash(word)).entry != nil }

    /// Whether some key satisfies `predicate`; walks the keys in place.
    @inlinable public func containsKey(where predicate: (String) -> Bool) -> Bool { entries.contains { predicate($0.key) } }

    /// Sets `value` for `word`; returns the value it replaces, if any.
    @inlinable @discardableResult
    public mutating func updateValue(_ value: Value, forKey word: String) -> Value? {
        let hash = Self.hash(word)
        let (found, slot) = find(word, hash: hash)
        if let found {
            let old = entries[found].value
            entries[found].value = value
            return old
        }
        entries.append((hash, word, value))
        if entries.count * 2 > slots.count {
            slots = Array(repeating: 0, count: slots.count * 2)
            let mask = slots.count - 1
            for (index, entry) in entries.enumerated() {
                var slot = Int(truncatingIfNeeded: entry.hash) & mask
                while slots[slot] != 0 { slot = (slot + 1) & mask }
                slots[slot] = Self.tag(entry.hash) | UInt64(index + 1)
            }
        } else {
            slots[slot] = Self.tag(hash) | UInt64(entries.count)
        }
        return nil
    }

    /// FNV-1a over the UTF-8 bytes, then a 64-bit finaliser so the low bits (the slot) depend on every byte.
    @inlinable @inline(__always)
    public static func hash(_ word: String) -> UInt64 {
        // On the contiguous bytes: iterating `utf8` cost several times more per byte.
        var word = word
        return word.withUTF8 { bytes in
            var hash: UInt64 = 0xCBF2_9CE4_8422_2325
            for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
            return mix(hash)
        }
    }

    @inlinable @inline(__always)
    public static func mix(_ value: UInt64) -> UInt64 {
        var x = value
        x ^= x >> 33
        x &*= 0xFF51_AFD7_ED55_8CCD
        x ^= x >> 33
        x &*= 0xC4CE_B9FE_1A85_EC53
        x ^= x >> 33
        return x
    }
}

// MARK: Start-up snapshot

extension WordTable {
    /// Writes the table's slots and each entry's hash; the caller writes the keys and values.
    @inlinable
    public func writeLayout(to writer: inout SnapshotWriter) {
        writer.uint64s(slots)
        writer.uint64s(entries.map(\.hash))
    }

    /// The table ``writeLayout(to:)`` wrote, for these keys and values in the order they were
    /// added. The words are not hashed again (that was most of reading the vocabulary); every slot
    /// is checked to point at an entry with its tag, each entry once, so a damaged layout can at
    /// worst miss a word, never read out of bounds.
    @inlinable
    public init(readingLayout reader: inout SnapshotReader, keys: [String], values: [Value]) throws(SnapshotError) {
        let slots = try reader.uint64s()
        let hashes = try reader.uint64s()
        guard keys.count == values.count, hashes.count == keys.count, slots.count >= 8, slots.count & (slots.count - 1) == 0,
              keys.count * 2 <= slots.count else { throw SnapshotError("a word table's layout does not fit its words") }
        var seen = [Bool](repeating: false, count: keys.count)
        var used = 0
        for slot in slots where slot != 0 {
            let entry = Int(truncatingIfNeeded: slot & 0xFFFF_FFFF) - 1
            guard entry >= 0, entry < keys.count, !seen[entry], Self.tag(hashes[entry]) == slot & 0xFFFF_FFFF_0000_0000 else {
                throw SnapshotError("a word table's slot is out of range")
            }
            seen[entry] = true
            used += 1
        }
        guard used == keys.count else { throw SnapshotError("a word table's slot is missing") }
        self.slots = slots
        var entries: [(hash: UInt64, key: String, value: Value)] = []
        entries.reserveCapacity(keys.count)
        for index in keys.indices { entries.append((hashes[index], keys[index], values[index])) }
        self.entries = entries
    }
}
