import Foundation
import PodformCore
import PodformRender
import XCTest

/// The text renderer on many diagnostics in one long line (issue 14: it was quadratic), and the
/// snippet of a literal secret.
final class DiagnosticsRendererTests: XCTestCase {
    func testManyDiagnosticsOnOneLongLineRenderEachCaretExactly() {
        let count = 20_000
        let keys = (0..<count).map { "k\($0): 1" }
        let text = "version: 1\nname: chat\nmodel: x/y\ncontext: 4k\nconcurrency: 8\nlabels: {}\ntraffic: {" + keys.joined(separator: ", ") + "}\n"
        let (_, diagnostics) = Spec.validate(path: "s.yaml", text: text, environment: .empty)
        let unknown = diagnostics.filter { $0.code == "unknown-key" }
        XCTAssertEqual(unknown.count, count)
        let rendered = DiagnosticsRenderer.text(unknown, sources: ["s.yaml": text])
        let lines = rendered.split(separator: "\n", omittingEmptySubsequences: false)
        // Per diagnostic: the message, the (truncated) source line, the caret, the hint.
        XCTAssertEqual(lines.count, 4 * count + 1)
        let line7 = text.split(separator: "\n")[6]
        let expectedSnippet = "    " + String(line7.prefix(200)) + "…"
        for (i, d) in unknown.enumerated() {
            XCTAssertEqual(String(lines[4 * i]), "s.yaml:7:\(d.location.column): error: \(d.message) [unknown-key]")
            XCTAssertEqual(String(lines[4 * i + 1]), expectedSnippet)
            // The caret sits under the column, or at the end of the 200-character snippet past it.
            let caret = String(lines[4 * i + 2])
            XCTAssertEqual(caret.count, 4 + min(d.location.column - 1, 201) + 1, "\(d.location.column)")
            XCTAssertTrue(caret.hasSuffix("^"))
        }
        XCTAssertEqual(unknown.first?.location.column, 11)
    }

    func testLiteralSecretSnippetStopsAtTheValue() {
        let text = "version: 1\nname: chat\nmodel: x/y\ncontext: 4k\nconcurrency: 8\ndeploy: {env: {HF_TOKEN: hf_abcdefghijklmnopqrstuvwxyz, A: b}}\n"
        let (_, diagnostics) = Spec.validate(path: "s.yaml", text: text, environment: .empty)
        XCTAssertEqual(diagnostics.map(\.code), ["literal-secret"])
        let rendered = DiagnosticsRenderer.text(diagnostics, sources: ["s.yaml": text])
        XCTAssertFalse(rendered.contains("hf_abcdefghijklmnopqrstuvwxyz"), rendered)
        XCTAssertTrue(rendered.contains("    deploy: {env: {HF_TOKEN: …\n"), rendered)
    }

    func testControlCharactersInTheSourceLineAreNotEchoed() {
        let text = "version: 1\nname: chat\nmodel: x/y\ncontext: 4k\nconcurrency: 8\nbogus: \"\u{1B}[2J\"\r\n"
        let (_, diagnostics) = Spec.validate(path: "s.yaml", text: text, environment: .empty)
        let rendered = DiagnosticsRenderer.text(diagnostics, sources: ["s.yaml": text])
        XCTAssertFalse(rendered.contains("\u{1B}"))
        XCTAssertTrue(rendered.contains("    bogus: \"?[2J\"\n"), rendered.debugDescription)
    }
}
