import Foundation
import XCTest

@testable import PodformCompiler

/// The normative reference (`Specs/`) says what the code does: every rule the compiler can record
/// and every code the sources can emit is documented, and nothing documented is missing from the code.
final class DocumentationTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func read(_ path: String) throws -> String { try String(contentsOf: Self.root.appendingPathComponent(path), encoding: .utf8) }

    /// First cells of a Markdown table's rows that look like `| CODE |`.
    func firstCells(_ text: String, pattern: String) throws -> Set<String> {
        let regex = try NSRegularExpression(pattern: pattern, options: [.anchorsMatchLines])
        let range = NSRange(text.startIndex..., in: text)
        return Set(regex.matches(in: text, range: range).compactMap { Range($0.range(at: 1), in: text).map { String(text[$0]) } })
    }

    func testDecisionsTableListsExactlyTheRulesTheCompilerRecords() throws {
        let documented = try firstCells(try read("Specs/decisions.md"), pattern: #"^\| (D-[A-Z-]+) \|"#)
        XCTAssertEqual(documented, Set(DecisionRule.allCases.map(\.rawValue)))
        // Every emitted rule is a case (the compiler takes only `DecisionRule`): scan for strays.
        for file in try FileManager.default.contentsOfDirectory(atPath: Self.root.appendingPathComponent("Sources/PodformCompiler").path) {
            let text = try read("Sources/PodformCompiler/\(file)")
            XCTAssertFalse(text.contains("trace.add(\"D-"), "\(file) records a rule by string")
        }
    }

    func testDiagnosticsPageListsEveryCodeTheSourcesEmit() throws {
        let documented = try firstCells(try read("Specs/diagnostics.md"), pattern: #"^\| `([a-z0-9-]+)` \|"#)
        var emitted: Set<String> = []
        let patterns = [#"report\(\.(?:error|warning|note), "([a-z0-9-]+)""#, #"code: "([a-z0-9-]+)""#, #"code: String = "([a-z0-9-]+)""#,
                        #"fail\([^\n]*, "([a-z0-9]+(?:-[a-z0-9]+)+)", "#]
        for module in ["PodformCore", "PodformCompiler", "PodformKit", "podform"] {
            let dir = Self.root.appendingPathComponent("Sources/\(module)")
            for case let file as URL in FileManager.default.enumerator(at: dir, includingPropertiesForKeys: nil)! where file.pathExtension == "swift" {
                let text = try String(contentsOf: file, encoding: .utf8)
                for p in patterns { emitted.formUnion(try firstCells(text, pattern: p)) }
            }
        }
        XCTAssertGreaterThan(emitted.count, 40, "the scan found the codes")
        XCTAssertEqual(emitted.subtracting(documented).sorted(), [], "emitted but not in Specs/diagnostics.md")
        XCTAssertEqual(documented.subtracting(emitted).sorted(), [], "documented but never emitted")
    }
}
