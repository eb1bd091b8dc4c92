import Foundation
import XCTest

@testable import PodformCore

/// Inputs the fuzzer (`podform-fuzz`) found; each must end in located diagnostics, quickly.
final class FuzzRegressionTests: XCTestCase {
    func testEveryKeptReproducerIsHandled() throws {
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("FuzzRegressions")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        XCTAssertFalse(files.isEmpty)
        for file in files {
            let data = try Data(contentsOf: dir.appendingPathComponent(file))
            let text = String(decoding: data, as: UTF8.self)
            let started = Date()
            let diagnostics = Spec.validate(path: file, text: text, environment: .empty).1
            XCTAssertLessThan(Date().timeIntervalSince(started), 1, file)
            XCTAssertFalse(diagnostics.isEmpty, file)
            XCTAssertTrue(diagnostics.allSatisfy { $0.location.line > 0 && $0.location.column > 0 }, file)
        }
    }

    /// A doubling alias chain used as a mapping key: exponential in the composer unless refused.
    func testAliasChainUsedAsAKeyIsRefusedFast() {
        var yaml = "a0: &a0 [x, x]\n"
        for i in 1...23 { yaml += "a\(i): &a\(i) [*a\(i - 1), *a\(i - 1)]\n" }
        yaml += "? *a23\n: boom\n"
        let started = Date()
        let codes = Spec.validate(path: "bomb.yaml", text: yaml, environment: .empty).1.map(\.code)
        XCTAssertEqual(codes, ["alias-limit"])
        XCTAssertLessThan(Date().timeIntervalSince(started), 0.5)
    }
}
