import Foundation
import SpotterMatrix
import SpotterTesting
import Testing

@Suite("/metrics")
struct MetricsTests {
    @Test("every counter the server increments is exported with its HELP and TYPE")
    func everyIncrementedCounterIsExported() throws {
        let sources = ProjectFixtures.root.appendingPathComponent("Sources")
        var names: Set<String> = []
        let files = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)
        while let file = files?.nextObject() as? URL {
            guard file.pathExtension == "swift" else { continue }
            let text = try String(contentsOf: file, encoding: .utf8)
            for match in text.matches(of: /increment\("(spotter_[a-z_]+)"/) { names.insert(String(match.1)) }
        }
        #expect(names.count >= 10, "the scan finds the counters")
        let metrics = MatrixMetrics()
        for name in names { metrics.increment(name, by: 3) }
        let exposition = metrics.exposition()
        for name in names.sorted() {
            #expect(exposition.contains("# TYPE \(name) counter"), "\(name) is counted but not exported")
            #expect(exposition.contains("\n\(name) 3\n"), "\(name) is counted but not exported")
        }
    }
}
