@testable import SpotterAdvisor
import Testing

@Suite("Reply writing")
struct ReplyWriterTests {
    @Test("a sentence said earlier in a reply is dropped, whatever its case and spacing; bullets and blank lines alone go")
    func repeatsDropped() {
        let lines = ["Avoid failure. Rest 2 min.", "rest 2 min.  New one.", "• ", "", "Über. über.", "Café ok. CAFÉ OK."]
        #expect(ReplyWriter.withoutRepeats(lines) == ["Avoid failure. Rest 2 min.", "  New one.", "Über.", "Café ok."])
        #expect(ReplyWriter.withoutRepeats(["• One.", "• One."]) == ["• One."])
        #expect(ReplyWriter.withoutRepeats(["No full stop here", "No full stop here"]) == ["No full stop here"])
    }
}
