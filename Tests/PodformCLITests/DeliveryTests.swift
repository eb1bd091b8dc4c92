import Foundation
import XCTest

/// The delivery path as Docker would see it: the build context that `.dockerignore` leaves, the
/// files the Dockerfile's build stage copies, and SwiftPM loading the package from exactly those.
final class DeliveryTests: XCTestCase {
    func testDockerBuildContextHoldsAPackageSwiftPMCanLoad() throws {
        let root = CLITests.root
        let ignore = try String(contentsOf: root.appendingPathComponent(".dockerignore"), encoding: .utf8)
            .split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty && !$0.hasPrefix("#") }
        func ignored(_ path: String) -> Bool {
            ignore.contains { pattern in
                let p = pattern.hasSuffix("/") ? String(pattern.dropLast()) : pattern
                return fnmatch(p, path, 0) == 0 || path.hasPrefix(p + "/")
            }
        }
        let dockerfile = try String(contentsOf: root.appendingPathComponent("Dockerfile"), encoding: .utf8)
        // The build stage: from the first FROM to the next one.
        let stages = dockerfile.components(separatedBy: "\nFROM ")
        XCTAssertGreaterThanOrEqual(stages.count, 3, "comments, a build stage and a runtime stage")
        let buildStage = stages.count > 1 ? stages[1] : dockerfile
        let sources = buildStage.split(separator: "\n").filter { $0.hasPrefix("COPY ") && !$0.contains("--from") }
            .compactMap { $0.split(separator: " ").dropFirst().first.map(String.init) }
        XCTAssertTrue(sources.contains("Package.swift"))
        let context = FileManager.default.temporaryDirectory.appendingPathComponent("podform-context-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: context, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: context) }
        for source in sources {
            XCTAssertFalse(ignored(source), "the Dockerfile copies \(source), which .dockerignore leaves out of the context")
            try FileManager.default.copyItem(at: root.appendingPathComponent(source), to: context.appendingPathComponent(source))
        }
        let swift = URL(fileURLWithPath: "/usr/bin/env")
        let r = try CLITests.run(swift, ["swift", "package", "describe", "--type", "json"], cwd: context, timeout: 120)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("\"podform\""), r.stdout)
    }
}
