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
        let patterns = [
            #"report\(\s*\.(?:error|warning|note),\s*"([a-z0-9-]+)""#, #"code: "([a-z0-9-]+)""#, #"code: String = "([a-z0-9-]+)""#,
            #"fail\([^\n]*, "([a-z0-9]+(?:-[a-z0-9]+)+)", "#
        ]
        for module in ["PodformCore", "PodformCompiler", "PodformKit", "podform"] {
            let dir = Self.root.appendingPathComponent("Sources/\(module)")
            for case let file as URL in FileManager.default.enumerator(at: dir, includingPropertiesForKeys: nil)! where file.pathExtension == "swift"
            {
                let text = try String(contentsOf: file, encoding: .utf8)
                for p in patterns { emitted.formUnion(try firstCells(text, pattern: p)) }
            }
        }
        XCTAssertGreaterThan(emitted.count, 40, "the scan found the codes")
        XCTAssertEqual(emitted.subtracting(documented).sorted(), [], "emitted but not in Specs/diagnostics.md")
        XCTAssertEqual(documented.subtracting(emitted).sorted(), [], "documented but never emitted")
    }
    /// The spec schema (editors' hover text and completion) says what `Specs/spec.md` says: every
    /// property has the table's meaning as its description, and the table's enum; no property is
    /// undocumented. `scripts/gen_spec_schema.py` writes the schema from the table.
    func testSpecSchemaMatchesSpecTable() throws {
        let table = try read("Specs/spec.md").components(separatedBy: "## Fields")[1].components(separatedBy: "\n## ")[0]
        let schemaData = try Data(contentsOf: Self.root.appendingPathComponent("Schemas/podform-spec.schema.json"))
        let schema = try XCTUnwrap(try JSONSerialization.jsonObject(with: schemaData) as? [String: Any])
        func objectBranch(_ node: [String: Any]) -> [String: Any]? {
            if node["properties"] != nil { return node }
            return (node["oneOf"] as? [[String: Any]])?.first { $0["properties"] != nil }
        }
        func node(_ key: String) -> [String: Any]? {
            var current: [String: Any]? = schema
            for part in key.split(separator: ".") {
                current = current.flatMap(objectBranch).flatMap { ($0["properties"] as? [String: Any])?[String(part)] as? [String: Any] }
            }
            return current
        }
        var documented: Set<String> = []
        for line in table.split(separator: "\n") where line.hasPrefix("| `") {
            let cells = line.replacingOccurrences(of: "\\|", with: "\u{1}").split(separator: "|", omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "\u{1}", with: "|") }
            let key = cells[1].trimmingCharacters(in: CharacterSet(charactersIn: "`"))
            let kind = cells[3], meaning = cells[5]
            documented.insert(key)
            guard let n = node(key) else { XCTFail("Specs/spec.md documents `\(key)`, which the schema lacks"); continue }
            XCTAssertEqual(n["description"] as? String, meaning.replacingOccurrences(of: "`", with: ""), "\(key): run scripts/gen_spec_schema.py")
            let parts = kind.components(separatedBy: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            if parts.count > 1, parts.allSatisfy({ $0.hasPrefix("`") && $0.hasSuffix("`") && $0.count > 2 }) {
                XCTAssertEqual(n["enum"] as? [String], parts.map { String($0.dropFirst().dropLast()) }, key)
            }
        }
        var inSchema: Set<String> = []
        func walk(_ n: [String: Any], _ prefix: String) {
            guard let object = objectBranch(n), let properties = object["properties"] as? [String: Any] else { return }
            for (k, v) in properties {
                let key = prefix.isEmpty ? k : "\(prefix).\(k)"
                inSchema.insert(key)
                if let v = v as? [String: Any] { walk(v, key) }
            }
        }
        walk(schema, "")
        XCTAssertEqual(inSchema.subtracting(documented), [], "schema properties that Specs/spec.md does not document")
        XCTAssertGreaterThanOrEqual(documented.count, 59)
    }
}
