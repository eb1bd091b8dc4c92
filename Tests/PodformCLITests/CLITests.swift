import Foundation
import XCTest

/// End-to-end: the built `podform` binary, its stdout, stderr and exit codes.
final class CLITests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var binary: URL {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("podform")
        if FileManager.default.isExecutableFile(atPath: beside.path) { return beside }
        for dir in [".build/debug", ".build/release"] {
            let url = root.appendingPathComponent(dir).appendingPathComponent("podform")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return root.appendingPathComponent(".build/debug/podform")
    }

    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs a command with a timeout; the environment gets `extraEnv` and a private cache dir.
    static func run(
        _ executable: URL, _ arguments: [String], env extraEnv: [String: String] = [:], cwd: URL = root,
        timeout: TimeInterval = 60
    ) throws -> Run {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = cwd
        var env = ProcessInfo.processInfo.environment
        env["NO_COLOR"] = "1"
        env["PODFORM_CACHE_DIR"] = FileManager.default.temporaryDirectory.appendingPathComponent("podform-cli-tests-cache").path
        env.removeValue(forKey: "RUNPOD_API_KEY")
        for (k, v) in extraEnv { env[k] = v }
        process.environment = env
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = LockedData(), errData = LockedData()
        let group = DispatchGroup()
        for (pipe, sink) in [(out, outData), (err, errData)] {
            group.enter()
            DispatchQueue.global().async {
                sink.set(pipe.fileHandleForReading.readDataToEndOfFile())
                group.leave()
            }
        }
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning { process.terminate(); XCTFail("timed out: \(arguments)") }
        process.waitUntilExit()
        group.wait()
        return Run(
            status: process.terminationStatus, stdout: String(decoding: outData.get(), as: UTF8.self),
            stderr: String(decoding: errData.get(), as: UTF8.self))
    }

    func podform(_ args: String..., env: [String: String] = [:]) throws -> Run {
        try Self.run(Self.binary, args, env: env)
    }

    func podform(_ args: [String], env: [String: String] = [:]) throws -> Run {
        try Self.run(Self.binary, args, env: env)
    }

    func examples() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: Self.root.appendingPathComponent("examples").path)
            .filter { $0.hasSuffix(".yaml") }.sorted().map { "examples/\($0)" }
    }

    func invalidSpecs() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: Self.root.appendingPathComponent("Tests/PodformCLITests/Invalid").path)
            .filter { $0.hasSuffix(".yaml") }.sorted().map { "Tests/PodformCLITests/Invalid/\($0)" }
    }

    func tempDir() -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("podform-cli-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    // MARK: validate

    func testExamplesValidate() throws {
        let r = try podform(["validate"] + examples())
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stderr.contains("0 errors"), r.stderr)
    }

    func testInvalidSpecsFailWithCompilerFormatDiagnostics() throws {
        for path in try invalidSpecs() {
            let r = try podform("validate", path)
            XCTAssertEqual(r.status, 1, "\(path) should be invalid:\n\(r.stderr)")
            let first = r.stderr.split(separator: "\n").first.map(String.init) ?? ""
            XCTAssertTrue(first.hasPrefix("\(path):"), first)
            XCTAssertNotNil(first.range(of: #"^[^:]+:\d+:\d+: error: .+ \[[a-z-]+\]$"#, options: .regularExpression), first)
            XCTAssertTrue(r.stderr.contains("^"), "caret under the column: \(r.stderr)")
        }
    }

    func testExactLocationAndHint() throws {
        let r = try podform("validate", "Tests/PodformCLITests/Invalid/unknown-key.yaml")
        XCTAssertTrue(
            r.stderr.contains(
                "Tests/PodformCLITests/Invalid/unknown-key.yaml:5:1: error: unknown key `concurency` at the top level [unknown-key]\n    concurency: 8\n    ^\n    hint: did you mean `concurrency`?\n"
            ), r.stderr)
    }

    func testJSONDiagnostics() throws {
        let r = try podform("validate", "--format", "json", "Tests/PodformCLITests/Invalid/bad-unit.yaml")
        XCTAssertEqual(r.status, 1)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(object["valid"] as? Bool, false)
        let diagnostics = try XCTUnwrap(object["diagnostics"] as? [[String: Any]])
        XCTAssertEqual(diagnostics.first?["code"] as? String, "bad-unit")
        XCTAssertEqual(diagnostics.first?["line"] as? Int, 6)
        XCTAssertEqual(diagnostics.first?["column"] as? Int, 17)
        XCTAssertEqual(diagnostics.first?["key_path"] as? String, "sla.ttft_p95")
    }

    func testStrictFailsOnWarnings() throws {
        let dir = tempDir()
        let spec = dir.appendingPathComponent("warn.yaml")
        try """
        version: 1
        name: warn-me
        model: {id: meta-llama/Llama-3.1-8B-Instruct}
        context: 4k
        concurrency: 8
        deploy: {image: "vllm/vllm-openai:latest"}

        """.write(to: spec, atomically: true, encoding: .utf8)
        XCTAssertEqual(try podform("validate", spec.path).status, 0)
        let strict = try podform("validate", "--strict", spec.path)
        XCTAssertEqual(strict.status, 1)
        XCTAssertTrue(strict.stderr.contains("warning: image `vllm/vllm-openai:latest` is not pinned"), strict.stderr)
    }

    func testUsageErrorsExit64AndBadFilesExit1() throws {
        XCTAssertEqual(try podform("validate").status, 64)
        XCTAssertEqual(try podform("plan").status, 64)
        XCTAssertEqual(try podform("validate", "--format", "xml", "x.yaml").status, 64)
        let missing = try podform("validate", "does-not-exist.yaml")
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stderr.contains("no such file [file-not-found]"), missing.stderr)
        let dir = tempDir()
        let binary = dir.appendingPathComponent("binary.yaml")
        try Data([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 3, 0xff]).write(to: binary)
        let b = try podform("validate", binary.path)
        XCTAssertEqual(b.status, 1)
        XCTAssertTrue(b.stderr.contains("[not-text]"), b.stderr)
        let big = dir.appendingPathComponent("big.yaml")
        _ = FileManager.default.createFile(atPath: big.path, contents: nil)
        let handle = try FileHandle(forWritingTo: big)
        try handle.truncate(atOffset: 50 * 1_048_576)
        try handle.close()
        let large = try podform("validate", big.path)
        XCTAssertEqual(large.status, 1)
        XCTAssertTrue(large.stderr.contains("[file-too-large]"), large.stderr)
        XCTAssertEqual(try podform("validate", dir.path).status, 1)
    }

    // MARK: schemas, checked by an independent validator

    func checkJSONSchema() throws -> URL? { Self.tool("check-jsonschema") }

    /// A tool on PATH; in CI a missing tool is a failure (.ci/run installs them), elsewhere a skip.
    static func tool(_ name: String) -> URL? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let url = URL(fileURLWithPath: String(dir)).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        if ProcessInfo.processInfo.environment["CI"] == "true" { XCTFail("\(name) is not installed (.ci/run installs it)") }
        return nil
    }

    func testSpecSchemaAgreesWithPodformOnExamplesAndInvalidSpecs() throws {
        guard let tool = try checkJSONSchema() else { throw XCTSkip("check-jsonschema not installed") }
        let schema = "Schemas/podform-spec.schema.json"
        let ok = try Self.run(tool, ["--schemafile", schema] + examples())
        XCTAssertEqual(ok.status, 0, ok.stdout + ok.stderr)
        for path in try invalidSpecs() {
            let r = try Self.run(tool, ["--schemafile", schema, path])
            XCTAssertNotEqual(r.status, 0, "the schema accepts \(path), podform rejects it")
        }
    }

    func testPlanJSONValidatesAgainstThePlanSchema() throws {
        guard let tool = try checkJSONSchema() else { throw XCTSkip("check-jsonschema not installed") }
        let dir = tempDir()
        var files: [String] = []
        for example in try examples() {
            let r = try podform("plan", "--format", "json", "--offline", example)
            XCTAssertEqual(r.status, 0, r.stderr)
            let out = dir.appendingPathComponent(URL(fileURLWithPath: example).deletingPathExtension().lastPathComponent + ".json")
            try r.stdout.write(to: out, atomically: true, encoding: .utf8)
            files.append(out.path)
        }
        let r = try Self.run(tool, ["--schemafile", "Schemas/podform-plan.schema.json"] + files)
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
    }

    func testSchemaPropertyNamesMatchTheParser() throws {
        let data = try Data(contentsOf: Self.root.appendingPathComponent("Schemas/podform-spec.schema.json"))
        let schema = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        let props = try XCTUnwrap(schema["properties"] as? [String: Any])
        // Top-level keys documented in Specs/spec.md and read by the parser (PodformCore SpecKeys.root).
        XCTAssertEqual(
            Set(props.keys),
            [
                "version", "name", "workload", "model", "precision", "kv_cache_dtype", "kv_cache_sizing", "context",
                "concurrency", "traffic", "sla", "constraints", "deploy", "training", "labels"
            ])
        let specDoc = try String(contentsOf: Self.root.appendingPathComponent("Specs/spec.md"), encoding: .utf8)
        for key in props.keys { XCTAssertTrue(specDoc.contains("`\(key)`"), "Specs/spec.md does not document \(key)") }
    }

    // MARK: plan, size, gpus, init, explain

    func testPlanTextAndExitCodes() throws {
        let r = try podform("plan", "examples/support-chat.yaml")
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("offline"))
        XCTAssertTrue(r.stdout.contains("+ resource \"endpoint\" \"podform-support-chat\""), r.stdout)
        XCTAssertTrue(r.stdout.contains("Plan: 3 to add, 0 to change, 0 to destroy."), r.stdout)
        // Terraform's exit codes under --detailed-exitcode: 0 no changes, 1 any error, 2 changes.
        XCTAssertEqual(try podform("plan", "--detailed-exitcode", "--offline", "examples/support-chat.yaml").status, 2)
        let noKey = try podform("plan", "--detailed-exitcode", "examples/support-chat.yaml")
        XCTAssertEqual(noKey.status, 1, "a drift check without credentials is an error, not 2 changes")
        XCTAssertTrue(noKey.stderr.contains("--offline"), noKey.stderr)
        let usage = try podform("plan", "--detailed-exitcode", "--no-such-flag", "examples/support-chat.yaml")
        XCTAssertEqual(usage.status, 1, "a usage error is 1 under --detailed-exitcode")
        XCTAssertTrue(usage.stderr.contains("no-such-flag"), usage.stderr)
        XCTAssertEqual(try podform("plan", "--no-such-flag", "examples/support-chat.yaml").status, 64)
        let bad = try podform("plan", "--detailed-exitcode", "--offline", "Tests/PodformCLITests/Invalid/unknown-key.yaml")
        XCTAssertEqual(bad.status, 1)
        XCTAssertTrue(bad.stderr.contains("[unknown-key]"))
        // A saved plan shows as it was planned.
        let saved = FileManager.default.temporaryDirectory.appendingPathComponent("podform-show-\(UUID().uuidString).json")
        XCTAssertEqual(try podform("plan", "--offline", "--out", saved.path, "examples/support-chat.yaml").status, 0)
        let show = try podform("show", saved.path)
        XCTAssertEqual(show.status, 0, show.stderr)
        XCTAssertTrue(show.stdout.contains("+ resource \"endpoint\" \"podform-support-chat\""), show.stdout)
        let showJSON = try podform("show", "--json", saved.path)
        XCTAssertEqual(
            try JSONSerialization.jsonObject(with: Data(showJSON.stdout.utf8)) as? NSDictionary,
            try JSONSerialization.jsonObject(with: Data(contentsOf: saved)) as? NSDictionary)
        XCTAssertEqual(try podform("show", "README.md").status, 1)
    }

    func testPlanMarkdownAndExplain() throws {
        let md = try podform(["plan", "--format", "markdown"] + examples())
        XCTAssertEqual(md.status, 0, md.stderr)
        XCTAssertTrue(md.stdout.hasPrefix("## podform plan"))
        XCTAssertTrue(md.stdout.contains("| `support-chat` |"))
        XCTAssertLessThan(md.stdout.count, 65_536)
        let explain = try podform("explain", "examples/support-chat.yaml")
        XCTAssertEqual(explain.status, 0)
        XCTAssertTrue(explain.stdout.contains("support-chat runs meta-llama/Llama-3.1-8B-Instruct on"), explain.stdout)
        XCTAssertTrue(explain.stdout.contains(", not NVIDIA A40: needs 44.8 GB per GPU"), explain.stdout)
    }

    func testInfeasiblePlanExplainsWhatWouldWork() throws {
        let dir = tempDir()
        let spec = dir.appendingPathComponent("big.yaml")
        try """
        version: 1
        name: too-big
        model: {id: meta-llama/Llama-3.1-70B-Instruct}
        context: 8k
        concurrency: 16
        constraints: {gpus: [L40S], max_gpus_per_worker: 1, max_workers: 1}

        """.write(to: spec, atomically: true, encoding: .utf8)
        let r = try podform("plan", spec.path)
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("no GPU meets this spec"), r.stderr)
        XCTAssertTrue(r.stderr.contains("what would work:"), r.stderr)
    }

    func testPlanOutIsPrivateAndNeverClobbersOtherFiles() throws {
        let dir = tempDir()
        let out = dir.appendingPathComponent("plan.json")
        XCTAssertEqual(try podform("plan", "--out", out.path, "examples/support-chat.yaml").status, 0)
        let mode = try FileManager.default.attributesOfItem(atPath: out.path)[.posixPermissions] as? Int
        XCTAssertEqual(mode, 0o600)
        XCTAssertEqual(try podform("plan", "--out", out.path, "examples/support-chat.yaml").status, 0)  // its own plan: fine
        let notes = dir.appendingPathComponent("notes.txt")
        try "my notes".write(to: notes, atomically: true, encoding: .utf8)
        let r = try podform("plan", "--out", notes.path, "examples/support-chat.yaml")
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(try String(contentsOf: notes, encoding: .utf8), "my notes")
        // Merely containing the marker text is not being a plan.
        let lookalike = dir.appendingPathComponent("lookalike.json")
        let fake = #"{"format_version": 1, "generated_by" : "podform 0.1.0", "my": "data"}"#
        try fake.write(to: lookalike, atomically: true, encoding: .utf8)
        XCTAssertEqual(try podform("plan", "--out", lookalike.path, "examples/support-chat.yaml").status, 1)
        XCTAssertEqual(try String(contentsOf: lookalike, encoding: .utf8), fake)
        // A symlink is neither followed nor replaced without --force; with it, the link itself is replaced.
        let target = dir.appendingPathComponent("target.txt")
        try "precious".write(to: target, atomically: true, encoding: .utf8)
        let link = dir.appendingPathComponent("link.json")
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: target)
        let viaLink = try podform("plan", "--out", link.path, "examples/support-chat.yaml")
        XCTAssertEqual(viaLink.status, 1)
        XCTAssertTrue(viaLink.stderr.contains("symbolic link"), viaLink.stderr)
        XCTAssertEqual(try podform("plan", "--out", link.path, "--force", "examples/support-chat.yaml").status, 0)
        XCTAssertEqual(try String(contentsOf: target, encoding: .utf8), "precious")
        XCTAssertNil(try? FileManager.default.destinationOfSymbolicLink(atPath: link.path))
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: link.path)[.posixPermissions] as? Int, 0o600)
    }

    func testSizeJSONHasTheDocumentedKeys() throws {
        let r = try podform(
            "size", "--model", "meta-llama/Llama-3.1-8B-Instruct", "--context", "4096", "--concurrency", "50",
            "--gpu", "L40S", "--json")
        XCTAssertEqual(r.status, 0, r.stderr)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        for key in [
            "parameters", "active_parameters", "weights_bytes", "weights_bytes_per_gpu", "kv_bytes_per_token",
            "kv_cache_bytes", "overhead_bytes_per_gpu", "total_bytes_per_gpu", "kv_capacity_tokens", "max_concurrency", "fits"
        ] {
            XCTAssertNotNil(object[key], key)
        }
        XCTAssertEqual(object["kv_bytes_per_token"] as? Int, 131_072)
        XCTAssertEqual(object["kv_cache_bytes"] as? Int, 50 * 536_870_912)
        XCTAssertEqual(object["fits"] as? Bool, false)
        let text = try podform("size", "--model", "llama-3.1-8b", "--gpu", "h100", "--context", "8k", "--concurrency", "8")
        XCTAssertTrue(text.stdout.contains("Fits                      yes"), text.stdout)
    }

    func testSizeErrors() throws {
        let unknown = try podform("size", "--model", "nobody/nothing-7b", "--json")
        XCTAssertEqual(unknown.status, 1)
        let tp = try podform("size", "--model", "Qwen/Qwen2.5-7B-Instruct", "--gpu-count", "8")
        XCTAssertEqual(tp.status, 1)
        XCTAssertTrue(tp.stderr.contains("does not divide"), tp.stderr)
        XCTAssertEqual(try podform("size", "--model", "llama-3.1-8b", "--gpu", "h1oo").status, 1)
        XCTAssertEqual(try podform("size").status, 64)
        let custom = try podform("size", "--model", "llama-3.1-8b", "--gpu-memory", "40", "--json")
        XCTAssertEqual(custom.status, 0, custom.stderr)
    }

    func testSizeFromLocalConfig() throws {
        let config = Self.root.appendingPathComponent("Tests/PodformCatalogTests/Fixtures/Qwen3-30B-A3B.config.json")
        let r = try podform("size", "--config", config.path, "--precision", "fp8", "--json")
        XCTAssertEqual(r.status, 0, r.stderr)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(object["parameters"] as? Int, 30_532_122_624)
    }

    func testGPUsTable() throws {
        let r = try podform("gpus", "--min-memory", "80GB")
        XCTAssertEqual(r.status, 0)
        XCTAssertTrue(r.stdout.contains("NVIDIA H100 80GB HBM3"))
        XCTAssertFalse(r.stdout.contains("NVIDIA L40S "))
        let json = try podform("gpus", "--json")
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        XCTAssertEqual((object["gpus"] as? [Any])?.count, 44)
        XCTAssertEqual(try podform("gpus", "--min-memory", "lots").status, 1)
    }

    func testInitWritesAValidSpecAndRefusesToOverwrite() throws {
        let dir = tempDir()
        let out = dir.appendingPathComponent("new.yaml")
        XCTAssertEqual(try podform("init", "--model", "qwen2.5-7b", "-o", out.path).status, 0)
        XCTAssertEqual(try podform("validate", out.path).status, 0)
        XCTAssertEqual(try podform("plan", out.path).status, 0)
        let again = try podform("init", "--model", "qwen2.5-7b", "-o", out.path)
        XCTAssertEqual(again.status, 1)
        XCTAssertEqual(try podform("init", "--model", "qwen2.5-7b", "-o", out.path, "--force").status, 0)
        XCTAssertEqual(try podform("init", "--model", "nobody/nothing").status, 1)
    }

    // MARK: secrets

    func testALiteralSecretInASpecIsRefusedAndNeverPrinted() throws {
        let dir = tempDir()
        let spec = dir.appendingPathComponent("leaky.yaml")
        let secret = "postgres://app:s3cr3t-SENTINEL@db.internal:5432/app"
        try """
        version: 1
        name: leaky
        model: {id: meta-llama/Llama-3.1-8B-Instruct}
        context: 4k
        concurrency: 8
        deploy: {env: {DATABASE_URL: "\(secret)", WANDB_API_KEY: 0123456789abcdef0123456789abcdef01234567}}

        """.write(to: spec, atomically: true, encoding: .utf8)
        for args in [
            ["plan", "--offline", spec.path], ["plan", "--offline", "--format", "json", spec.path], ["validate", spec.path],
            ["validate", "--format", "json", spec.path]
        ] {
            let r = try podform(args)
            XCTAssertEqual(r.status, 1, args.joined(separator: " "))
            XCTAssertEqual(
                r.stderr.components(separatedBy: "[literal-secret]").count - 1, args.contains("json") && args[0] == "validate" ? 0 : 2, r.stderr)
            XCTAssertFalse((r.stdout + r.stderr).contains("s3cr3t-SENTINEL"), r.stdout + r.stderr)
            XCTAssertFalse((r.stdout + r.stderr).contains("0123456789abcdef0123456789abcdef01234567"))
        }
    }

    func testSecretsNeverReachOutput() throws {
        let sentinelKey = "rpa_SENTINEL_KEY_6f1d0c2b9a"
        let sentinelHF = "hf_SENTINELTOKEN_8c3e7a1f"
        let env = ["RUNPOD_API_KEY": sentinelKey, "HF_TOKEN": sentinelHF]
        let dir = tempDir()
        var outputs: [String] = []
        let runs: [[String]] = [
            ["validate", "--format", "json"] + (try examples()),
            ["plan", "--format", "json", "--out", dir.appendingPathComponent("p.json").path] + (try examples()),
            ["plan", "--format", "markdown", "--explain"] + (try examples()),
            ["plan", "Tests/PodformCLITests/Invalid/unknown-key.yaml"],
            ["size", "--model", "llama-3.1-8b", "--json"],
            ["explain", "examples/support-chat.yaml"]
        ]
        for args in runs {
            let r = try podform(args, env: env)
            outputs += [r.stdout, r.stderr]
        }
        outputs.append((try? String(contentsOf: dir.appendingPathComponent("p.json"), encoding: .utf8)) ?? "")
        for text in outputs {
            XCTAssertFalse(text.contains(sentinelKey))
            XCTAssertFalse(text.contains(sentinelHF))
        }
    }
}

final class LockedData: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    func set(_ d: Data) { lock.lock(); data = d; lock.unlock() }
    func get() -> Data { lock.lock(); defer { lock.unlock() }; return data }
}

/// Generated Dockerfiles, checked by real tools: hadolint and dockerfile-parse.
final class DockerfileCLITests: XCTestCase {
    func tool(_ name: String) -> URL? { CLITests.tool(name) }

    func testEveryGeneratedDockerfilePassesHadolintAndParses() throws {
        guard let hadolint = tool("hadolint"), let python = tool("python3") else { throw XCTSkip("hadolint not installed") }
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("podform-docker-\(UUID().uuidString)")
        let sentinel = "hf_SENTINEL_DOCKER_0a1b2c3d4e"
        let examples = try FileManager.default.contentsOfDirectory(atPath: CLITests.root.appendingPathComponent("examples").path)
            .filter { $0.hasSuffix(".yaml") }.sorted()
        var dirs: [URL] = []
        var refused = 0
        for example in examples {
            for target in ["pod", "serverless"] {
                for bake in [false, true] {
                    let dir = root.appendingPathComponent("\(example)-\(target)-\(bake)")
                    var args = ["dockerfile", "examples/\(example)", "--target", target, "-o", dir.path]
                    if bake { args.append("--bake-weights") }
                    let r = try CLITests.run(CLITests.binary, args, env: ["HF_TOKEN": sentinel])
                    if example.contains("lora") {
                        XCTAssertEqual(r.status, 1)
                        XCTAssertTrue(r.stderr.contains("builds vLLM serving images"), r.stderr)
                        continue
                    }
                    // A pod plan that keeps the weights on a volume points HF_HOME there: a baked
                    // pod image would never be read, so it is refused (Specs/dockerfile.md).
                    if r.stderr.contains("[baked-weights-unreachable]") {
                        XCTAssertTrue(bake && target == "pod", "\(example) \(target): \(r.stderr)")
                        XCTAssertEqual(r.status, 1, r.stderr)
                        refused += 1
                        continue
                    }
                    XCTAssertEqual(r.status, 0, r.stderr)
                    XCTAssertTrue(r.stdout.contains("docker build"), r.stdout)
                    dirs.append(dir)
                    for file in try FileManager.default.contentsOfDirectory(atPath: dir.path) {
                        let text = try String(contentsOf: dir.appendingPathComponent(file), encoding: .utf8)
                        XCTAssertFalse(text.contains(sentinel), "\(file) holds the HF token")
                    }
                    XCTAssertFalse(r.stdout.contains(sentinel) || r.stderr.contains(sentinel))
                }
            }
        }
        XCTAssertGreaterThan(refused, 0, "no pod plan with a volume among the examples")
        XCTAssertGreaterThanOrEqual(dirs.count + refused, 32)
        let lint = try CLITests.run(
            hadolint, ["--failure-threshold", "warning", "--no-color"] + dirs.map { $0.appendingPathComponent("Dockerfile").path })
        XCTAssertEqual(lint.status, 0, lint.stdout + lint.stderr)
        let script = """
            import json, sys
            from dockerfile_parse import DockerfileParser
            out = []
            for path in sys.argv[1:]:
                p = DockerfileParser(path=path)
                out.append({"path": path, "base": p.baseimage, "instructions": [i["instruction"] for i in p.structure if i["instruction"] != "COMMENT"], "env": p.envs})
            print(json.dumps(out))
            """
        let parsed = try CLITests.run(python, ["-c", script] + dirs.map { $0.appendingPathComponent("Dockerfile").path })
        guard parsed.status == 0 else {
            if ProcessInfo.processInfo.environment["CI"] == "true" { XCTFail(parsed.stderr) }
            throw XCTSkip("dockerfile-parse not installed")
        }
        let items = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(parsed.stdout.utf8)) as? [[String: Any]])
        XCTAssertEqual(items.count, dirs.count)
        for item in items {
            let path = item["path"] as? String ?? ""
            let instructions = item["instructions"] as? [String] ?? []
            let base = item["base"] as? String ?? ""
            XCTAssertEqual(instructions.first, "FROM", path)
            XCTAssertTrue(base.contains(":v"), "unpinned base \(base)")
            XCTAssertFalse(instructions.contains("ARG"), path)
            let env = item["env"] as? [String: String] ?? [:]
            XCTAssertNil(env["HF_TOKEN"], path)
            if path.contains("-pod-") {
                XCTAssertTrue(instructions.contains("HEALTHCHECK"), path)
                XCTAssertTrue(instructions.contains("EXPOSE"), path)
                XCTAssertEqual(instructions.suffix(2), ["ENTRYPOINT", "CMD"], path)
            } else {
                XCTAssertNotNil(env["MAX_MODEL_LEN"], path)
                XCTAssertNotNil(env["TENSOR_PARALLEL_SIZE"], path)
            }
        }
    }

    func testNeverOverwritesAForeignDockerfile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("podform-docker-own-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try "FROM scratch\n".write(to: dir.appendingPathComponent("Dockerfile"), atomically: true, encoding: .utf8)
        let r = try CLITests.run(CLITests.binary, ["dockerfile", "examples/support-chat.yaml", "-o", dir.path])
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(try String(contentsOf: dir.appendingPathComponent("Dockerfile"), encoding: .utf8), "FROM scratch\n")
        XCTAssertEqual(try CLITests.run(CLITests.binary, ["dockerfile", "examples/support-chat.yaml", "-o", dir.path, "--force"]).status, 0)
        XCTAssertEqual(try CLITests.run(CLITests.binary, ["dockerfile", "examples/support-chat.yaml", "-o", dir.path]).status, 0)
    }
}

/// The CI and cluster examples, checked by real tools.
final class ExamplesLintTests: XCTestCase {
    func tool(_ name: String) -> URL? { CLITests.tool(name) }

    func testGitHubWorkflowsValidateAgainstTheWorkflowSchema() throws {
        guard let checker = tool("check-jsonschema") else { throw XCTSkip("check-jsonschema not installed") }
        let dir = CLITests.root.appendingPathComponent("examples/github-actions")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".yml") }.sorted()
        XCTAssertEqual(files, ["podform-apply.yml", "podform-drift.yml", "podform-plan.yml"])
        let r = try CLITests.run(checker, ["--builtin-schema", "vendor.github-workflows"] + files.map { dir.appendingPathComponent($0).path })
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        let apply = try String(contentsOf: dir.appendingPathComponent("podform-apply.yml"), encoding: .utf8)
        XCTAssertTrue(apply.contains("concurrency:") && apply.contains("environment: production"))
        for file in files {
            let text = try String(contentsOf: dir.appendingPathComponent(file), encoding: .utf8)
            XCTAssertTrue(text.contains("${{ secrets.RUNPOD_API_KEY }}"), file)  // secrets from the CI's store only
        }
        try assertAppliesTheReviewedPlan(dir)
    }

    /// The apply workflow applies the plan artifact reviewed on the pull request, never a new plan;
    /// the plan workflow saves it, uploads it only when it planned, and comments even when it failed.
    func assertAppliesTheReviewedPlan(_ dir: URL) throws {
        guard let python = tool("python3") else { throw XCTSkip("python3 not installed") }
        let script = """
            import json, sys, yaml
            out = {}
            for name in ("podform-plan.yml", "podform-apply.yml"):
                doc = yaml.safe_load(open(sys.argv[1] + "/" + name))
                steps = [s for job in doc["jobs"].values() for s in job["steps"]]
                out[name] = {"steps": steps, "permissions": doc.get("permissions", {})}
            print(json.dumps(out))
            """
        let r = try CLITests.run(python, ["-c", script, dir.path])
        guard r.status == 0 else {
            if ProcessInfo.processInfo.environment["CI"] == "true" { XCTFail(r.stderr) }
            throw XCTSkip("pyyaml not installed: \(r.stderr)")
        }
        let docs = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: [String: Any]])
        func steps(_ name: String) -> [[String: Any]] { docs[name]?["steps"] as? [[String: Any]] ?? [] }
        func runs(_ name: String) -> [String] { steps(name).compactMap { $0["run"] as? String } }
        func uses(_ name: String, _ action: String) -> [String: Any]? { steps(name).first { ($0["uses"] as? String)?.hasPrefix(action) == true } }

        let plan = "podform-plan.yml", apply = "podform-apply.yml"
        XCTAssertTrue(runs(plan).contains { $0.contains("podform plan") && $0.contains("--out plan.json") }, "\(runs(plan))")
        let upload = try XCTUnwrap(uses(plan, "actions/upload-artifact"))
        XCTAssertEqual((upload["with"] as? [String: Any])?["path"] as? String, "plan.json")
        XCTAssertEqual(upload["if"] as? String, "steps.plan.outputs.exitcode != '1'", "a failed plan is never uploaded")
        let comment = try XCTUnwrap(uses(plan, "actions/github-script"))
        XCTAssertTrue((comment["if"] as? String)?.contains("always()") == true, "a failed plan is still commented")

        let download = try XCTUnwrap(uses(apply, "actions/download-artifact"), "the apply workflow downloads the reviewed plan")
        let with = download["with"] as? [String: Any] ?? [:]
        XCTAssertEqual(with["name"] as? String, "podform-plan")
        XCTAssertNotNil(with["run-id"], "from the pull request's plan run, not this run")
        XCTAssertEqual(
            runs(apply).filter { $0.contains("podform apply") }.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) },
            ["podform apply plan.json"])
        XCTAssertFalse(runs(apply).contains { $0.contains("podform plan") }, "never re-planned on merge")
        XCTAssertEqual((docs[apply]?["permissions"] as? [String: Any])?["actions"] as? String, "read")
        // The command the workflow runs is one podform accepts: a saved plan, applied without a prompt.
        let help = try CLITests.run(CLITests.binary, ["apply", "--help"])
        XCTAssertTrue(help.stdout.contains("saved plan"), help.stdout)
    }

    func testPodformImageAndKubernetesExample() throws {
        guard let hadolint = tool("hadolint"), let python = tool("python3") else { throw XCTSkip("hadolint not installed") }
        let lint = try CLITests.run(hadolint, ["--failure-threshold", "info", CLITests.root.appendingPathComponent("Dockerfile").path])
        XCTAssertEqual(lint.status, 0, lint.stdout)
        let k8s = CLITests.root.appendingPathComponent("examples/kubernetes/reconcile-cronjob.yaml").path
        let parsed = try CLITests.run(
            python, ["-c", "import sys, yaml; docs = list(yaml.safe_load_all(open(sys.argv[1]))); print(','.join(d['kind'] for d in docs))", k8s])
        // No Secret with a placeholder: `kubectl apply` would overwrite the real key.
        XCTAssertEqual(parsed.stdout.trimmingCharacters(in: .whitespacesAndNewlines), "CronJob", parsed.stderr)
        let restricted = try CLITests.run(
            python,
            [
                "-c",
                """
                import sys, yaml
                job = yaml.safe_load(open(sys.argv[1]))
                pod = job['spec']['jobTemplate']['spec']['template']['spec']
                assert pod['securityContext']['runAsNonRoot'] and pod['securityContext']['seccompProfile']['type'] == 'RuntimeDefault'
                for c in pod['containers'] + pod.get('initContainers', []):
                    sc = c['securityContext']
                    assert sc['allowPrivilegeEscalation'] is False and sc['capabilities']['drop'] == ['ALL'] and sc['readOnlyRootFilesystem'], c['name']
                print('restricted')
                """, k8s
            ])
        XCTAssertEqual(restricted.stdout.trimmingCharacters(in: .whitespacesAndNewlines), "restricted", restricted.stderr)
        let text = try String(contentsOfFile: k8s, encoding: .utf8)
        XCTAssertTrue(text.contains("concurrencyPolicy: Forbid"))
        XCTAssertTrue(text.contains("\"reconcile\", \"/specs/deployments\", \"--once\""))
        // The arguments the CronJob passes are ones podform accepts.
        let help = try CLITests.run(CLITests.binary, ["reconcile", "--help"])
        for flag in ["--once", "--selector", "--log-format"] { XCTAssertTrue(help.stdout.contains(flag), flag) }
    }
}
