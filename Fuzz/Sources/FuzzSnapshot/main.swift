import FuzzSupport
import SpotterApp
import SpotterCore

/// Start-up snapshot reading: the project's real snapshot body (rule book, catalogue,
/// understanding) with bytes changed, inserted or cut by the fuzz input, read the way a start
/// reads one, past the checksum (which refuses accidental damage, not a crafted file). It must
/// be refused with an error or give a coach that answers without crashing.
///
/// Input framing: 4-byte little-endian records. Bits 0-1 of a record's first byte pick the edit
/// (0 set a byte, 1 insert a byte, 2 cut the body there, 3 overwrite 8 bytes with 0xFF); the
/// next three bytes are a position, scaled over the body; the byte set or inserted is the
/// record's first byte.
@main
enum Target {
    static func main() { runFuzzer(test) }
}

private let body: [UInt8] = {
    var writer = SnapshotWriter()
    Project.rules.book.write(to: &writer)
    Project.rules.catalogue.write(to: &writer)
    Project.coach.understanding.write(to: &writer)
    return writer.bytes()
}()

private let questions = ["should I go to failure on squats?", "squat front rest?", "faliure on squast?",
                         "what weight for 3x8 at rir 2 on bench, best 100x5?", "slept 6h, legs 4/5 sore, stress high",
                         "squatted 140kg for 5 at rpe 8", "how many sets a week for chest?"]

@_cdecl("LLVMFuzzerTestOneInput")
func test(_ pointer: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let data = input(pointer)
    var bytes = body
    var record = 0
    while record + 4 <= size && record < 4 * 64 {
        let kind = data[record] & 3
        let scaled = Int(data[record + 1]) << 16 | Int(data[record + 2]) << 8 | Int(data[record + 3])
        let position = bytes.isEmpty ? 0 : scaled * bytes.count >> 24
        switch kind {
        case 0 where position < bytes.count: bytes[position] = data[record]
        case 1: bytes.insert(data[record], at: min(position, bytes.count))
        case 2: bytes.removeSubrange(min(position, bytes.count)...)
        case 3: for i in position..<min(position + 8, bytes.count) { bytes[i] = 0xFF }
        default: break
        }
        record += 4
    }
    let decoded = bytes.withUnsafeBytes { try? StartupSnapshot.decodeBody($0, folder: Project.rulesFolder) }
    guard let (rules, understanding) = decoded, let coach = try? Coach(rules: rules, understanding: understanding) else { return 0 }
    for question in questions {
        let (_, reply) = coach.ask(question, profile: ResolvedProfile(profile: .assumed), tracing: true)
        require(!reply.isEmpty, "an empty reply to \"\(question)\" from a snapshot that read back")
    }
    return 0
}
