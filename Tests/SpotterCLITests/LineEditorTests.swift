import SpotterApp
import Testing

private func type(_ text: String, into editor: inout LineEditor) {
    for character in text { _ = editor.apply(.character(character)) }
}

@Suite("Line editor at the prompt")
struct LineEditorTests {
    @Test("left, right, home, end, backspace and delete edit the line at the cursor")
    func editing() {
        var editor = LineEditor()
        type("bench 10kg x 5", into: &editor)
        for _ in 0..<6 { _ = editor.apply(.left) }
        _ = editor.apply(.character("0"))
        #expect(editor.line == "bench 100kg x 5" && editor.cursor == 9)
        _ = editor.apply(.home)
        _ = editor.apply(.delete)
        _ = editor.apply(.character("B"))
        #expect(editor.line == "Bench 100kg x 5" && editor.cursor == 1)
        _ = editor.apply(.end)
        _ = editor.apply(.backspace)
        _ = editor.apply(.character("8"))
        #expect(editor.line == "Bench 100kg x 8" && editor.cursor == 15)
        _ = editor.apply(.right)
        #expect(editor.cursor == 15, "right at the end stays")
        _ = editor.apply(.home)
        _ = editor.apply(.left)
        _ = editor.apply(.backspace)
        #expect(editor.cursor == 0 && editor.line == "Bench 100kg x 8", "left and backspace at the start do nothing")
        #expect(editor.apply(.enter) == .submit("Bench 100kg x 8"))
        #expect(editor.line.isEmpty && editor.cursor == 0)
    }

    @Test("up and down walk the history and come back to the line being typed")
    func history() {
        var editor = LineEditor()
        type("check in", into: &editor)
        _ = editor.apply(.enter)
        type("my week", into: &editor)
        _ = editor.apply(.enter)
        _ = editor.apply(.enter)  // a blank line does not join the history
        type("squat", into: &editor)
        _ = editor.apply(.up)
        #expect(editor.line == "my week" && editor.cursor == 7)
        _ = editor.apply(.up)
        #expect(editor.line == "check in")
        _ = editor.apply(.up)
        #expect(editor.line == "check in", "the oldest entry stays")
        _ = editor.apply(.down)
        #expect(editor.line == "my week")
        _ = editor.apply(.down)
        #expect(editor.line == "squat", "the draft comes back")
        _ = editor.apply(.up)
        _ = editor.apply(.character("!"))
        #expect(editor.apply(.enter) == .submit("my week!"))
        #expect(editor.history == ["check in", "my week", "my week!"])
    }

    @Test("Ctrl-D ends input only on an empty line; Ctrl-C drops the line; Ctrl-K, Ctrl-U and Ctrl-W cut")
    func controlKeys() {
        var editor = LineEditor()
        #expect(editor.apply(.endOfInput) == .endOfInput)
        type("how long to rest", into: &editor)
        _ = editor.apply(.deleteWordBack)
        #expect(editor.line == "how long to ")
        _ = editor.apply(.home)
        _ = editor.apply(.right)
        _ = editor.apply(.right)
        _ = editor.apply(.right)
        _ = editor.apply(.killToEnd)
        #expect(editor.line == "how")
        _ = editor.apply(.killToStart)
        #expect(editor.line.isEmpty && editor.cursor == 0)
        type("oops", into: &editor)
        #expect(editor.apply(.interrupt) == .editing)
        #expect(editor.line.isEmpty)
    }

    @Test("the history keeps at most its limit")
    func historyLimit() {
        var editor = LineEditor(historyLimit: 3)
        for word in ["a", "b", "c", "d"] {
            type(word, into: &editor)
            _ = editor.apply(.enter)
        }
        #expect(editor.history == ["b", "c", "d"])
    }

    @Test("the redraw puts the cursor back where it is")
    func render() {
        var editor = LineEditor()
        type("abc", into: &editor)
        _ = editor.apply(.left)
        #expect(editor.render(prompt: "you> ") == "\ryou> abc\u{1B}[K\u{1B}[1D")
    }

    @Test("terminal bytes decode to keys: arrows, Home/End in xterm and VT forms, Delete, UTF-8, split sequences")
    func decoding() {
        var decoder = KeyDecoder()
        #expect(decoder.feed(Array("\u{1B}[A\u{1B}[B\u{1B}[C\u{1B}[D".utf8)) == [.up, .down, .right, .left])
        #expect(decoder.feed(Array("\u{1B}[H\u{1B}[F\u{1B}OH\u{1B}OF\u{1B}[1~\u{1B}[4~\u{1B}[3~".utf8))
            == [.home, .end, .home, .end, .home, .end, .delete])
        #expect(decoder.feed([0x7F, 0x01, 0x05, 0x0D, 0x04, 0x03]) == [.backspace, .home, .end, .enter, .endOfInput, .interrupt])
        #expect(decoder.feed(Array("Bankdrü".utf8)) == "Bankdrü".map { .character($0) })
        // An arrow key split across two reads, and a two-byte letter split in half.
        #expect(decoder.feed([0x1B, UInt8(ascii: "[")]) == [])
        #expect(decoder.feed([UInt8(ascii: "D"), 0xC3]) == [.left])
        #expect(decoder.feed([0xBC]) == [.character("ü")])
        // Unknown sequences and stray bytes do nothing.
        #expect(decoder.feed(Array("\u{1B}[15~x".utf8) + [0xFF, 0x07]) == [.character("x")])
    }
}
