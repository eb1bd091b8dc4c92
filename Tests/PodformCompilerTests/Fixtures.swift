import Foundation
import PodformCatalog
import PodformCompiler
import PodformCore
import PodformSizing
import XCTest

/// Shared loading for compiler tests: the bundled catalogs, a fixed "now", the examples folder.
enum Fixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let examples = root.appendingPathComponent("examples")
    static let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")
    static let gpus = try! GPUCatalog.bundled()
    static let models = try! ModelCatalog.bundled()
    /// A fixed "now" a day after the catalog's date, so no staleness warning varies by run.
    static let now = ISO8601DateFormatter().date(from: "2026-11-10T00:00:00Z")!

    static var environment: CompileEnvironment { CompileEnvironment(gpus: gpus, now: now) }

    static var validation: ValidationEnvironment {
        let gpus = self.gpus, models = self.models
        return ValidationEnvironment(
            resolveGPU: { gpus.gpu(named: $0)?.id }, gpuNames: gpus.allNames,
            model: { name in models.model(named: name).map { .init(canonicalID: $0.id, maxContext: $0.architecture.maxContext) } })
    }

    static func exampleFiles() throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: examples, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "yaml" }.sorted { $0.path < $1.path }
    }

    /// Parses, validates and compiles spec text; fails the test on any error.
    static func compile(_ text: String, path: String = "spec.yaml", file: StaticString = #filePath, line: UInt = #line)
        -> Result<Deployment, CompileFailure>?
    {
        let (spec, diagnostics) = Spec.validate(path: path, text: text, environment: validation)
        guard let spec, !diagnostics.hasErrors else {
            XCTFail("invalid spec: \(diagnostics.map(\.message))", file: file, line: line)
            return nil
        }
        guard let arch = models.model(named: spec.model.id)?.architecture else {
            XCTFail("model \(spec.model.id) not in catalog", file: file, line: line)
            return nil
        }
        return spec.compile(specFile: path, architecture: arch, environment: environment)
    }

    static func deployment(_ text: String, path: String = "spec.yaml", file: StaticString = #filePath, line: UInt = #line) -> Deployment? {
        switch compile(text, path: path, file: file, line: line) {
        case .success(let d)?: return d
        case .failure(let f)?: XCTFail("compile failed: \(f)", file: file, line: line); return nil
        case nil: return nil
        }
    }
}

extension Fixtures {
    /// The compile failure of a valid spec, or nil (and a test failure) when it compiles.
    static func compileFailure(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> CompileFailure? {
        switch compile(text, file: file, line: line) {
        case .failure(let f)?: return f
        case .success?: XCTFail("compiled; expected a failure", file: file, line: line); return nil
        case nil: return nil
        }
    }
}

/// Golden-file comparison: `PODFORM_RECORD=1 swift test` rewrites the files and still fails.
func assertGolden(_ actual: String, _ name: String, file: StaticString = #filePath, line: UInt = #line) {
    let url = Fixtures.golden.appendingPathComponent(name)
    if ProcessInfo.processInfo.environment["PODFORM_RECORD"] == "1" {
        try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try? actual.write(to: url, atomically: true, encoding: .utf8)
        XCTFail("recorded \(name); run again without PODFORM_RECORD", file: file, line: line)
        return
    }
    guard let expected = try? String(contentsOf: url, encoding: .utf8) else {
        XCTFail("missing golden \(name); record it with PODFORM_RECORD=1 swift test", file: file, line: line)
        return
    }
    if expected != actual {
        let diff = UnifiedDiff.lines(expected: expected, actual: actual, expectedName: "golden/\(name)", actualName: "actual")
        XCTFail(
            "\(name) differs from its golden file (PODFORM_RECORD=1 re-records it):\n" + diff.joined(separator: "\n"),
            file: file, line: line)
    }
}
