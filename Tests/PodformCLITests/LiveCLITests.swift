import Foundation
import PodformTestSupport
import XCTest

/// The CLI against the loopback fake: catalog refresh and Hub config fetches.
final class LiveCLITests: XCTestCase {
    static let key = "rpa_SENTINEL_CLI_9a8b7c6d5e"
    static let gpus = Data(
        """
        {"gpus": [{"id": "NVIDIA H100 80GB HBM3", "name": "H100 SXM", "pool": "ADA_80_PRO", "manufacturer": "NVIDIA",
                   "memory": 80, "secure": true, "community": true, "price": {"secure": 2.49, "community": 1.99, "serverless": 4.0},
                   "maxCount": {"secure": 8, "community": 8}, "availability": "LOW"}]}
        """.utf8)

    /// Runs the binary off the cooperative pool so the in-process fake keeps serving.
    func podform(_ args: [String], env: [String: String]) async throws -> CLITests.Run {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                do { continuation.resume(returning: try CLITests.run(CLITests.binary, args, env: env)) } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }

    /// The bundled catalog as RunPod would list it, with the H100 repriced and scarce.
    static func repricedCatalog() throws -> Data {
        var object = try XCTUnwrap(JSONSerialization.jsonObject(with: FakeCatalog.bundled()) as? [String: Any])
        var gpus = try XCTUnwrap(object["gpus"] as? [[String: Any]])
        let index = try XCTUnwrap(gpus.firstIndex { $0["id"] as? String == "NVIDIA H100 80GB HBM3" })
        gpus[index]["price"] = ["secure": 2.49, "community": 1.99, "serverless": 4.0]
        gpus[index]["availability"] = "LOW"
        object["gpus"] = gpus
        return try JSONSerialization.data(withJSONObject: object)
    }

    func testCatalogRefreshRefusesAnEmptyOrTruncatedAnswerAndKeepsTheOverlay() async throws {
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("podform-cache-\(UUID().uuidString)")
        for (answer, message) in [(Self.gpus, "lists only 1 of the 44 known GPU types"), (Data(#"{"gpus": []}"#.utf8), "lists no GPU types")] {
            let fake = try await FakeRunPodServer(apiKey: Self.key, gpuTypes: answer)
            let env = ["RUNPOD_API_KEY": Self.key, "RUNPOD_API_URL": fake.baseURL.absoluteString, "PODFORM_CACHE_DIR": cache.path]
            let refresh = try await podform(["catalog", "refresh"], env: env)
            XCTAssertEqual(refresh.status, 1, refresh.stdout)
            XCTAssertTrue(refresh.stderr.contains(message) && refresh.stderr.contains("kept the current overlay"), refresh.stderr)
            XCTAssertFalse(FileManager.default.fileExists(atPath: cache.appendingPathComponent("gpu-catalog-overlay.json").path))
            await fake.stop()
        }
    }

    func testCatalogRefreshOutNeverClobbersForeignFilesOrFollowsSymlinks() async throws {
        let fake = try await FakeRunPodServer(apiKey: Self.key, gpuTypes: try Self.repricedCatalog())
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("podform-out-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let env = ["RUNPOD_API_KEY": Self.key, "RUNPOD_API_URL": fake.baseURL.absoluteString, "PODFORM_CACHE_DIR": dir.path]
        let notes = dir.appendingPathComponent("notes.json")
        try #"{"fetched_at": "mine"}"#.write(to: notes, atomically: true, encoding: .utf8)
        let target = dir.appendingPathComponent("target.txt")
        try "precious".write(to: target, atomically: true, encoding: .utf8)
        let link = dir.appendingPathComponent("link.json")
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: target)
        for path in [notes, link] {
            let r = try await podform(["catalog", "refresh", "--out", path.path], env: env)
            XCTAssertEqual(r.status, 1, r.stdout)
            XCTAssertTrue(r.stderr.contains("not overwriting") || r.stderr.contains("symbolic link"), r.stderr)
        }
        XCTAssertEqual(try String(contentsOf: notes, encoding: .utf8), #"{"fetched_at": "mine"}"#)
        XCTAssertEqual(try String(contentsOf: target, encoding: .utf8), "precious")
        let own = dir.appendingPathComponent("overlay.json")
        let first = try await podform(["catalog", "refresh", "--out", own.path], env: env)
        XCTAssertEqual(first.status, 0, first.stderr)
        let again = try await podform(["catalog", "refresh", "--out", own.path], env: env)
        XCTAssertEqual(again.status, 0, again.stderr)  // its own overlay: fine
        // --force replaces the link itself, never the file it points to.
        let forced = try await podform(["catalog", "refresh", "--out", link.path, "--force"], env: env)
        XCTAssertEqual(forced.status, 0, forced.stderr)
        XCTAssertEqual(try String(contentsOf: target, encoding: .utf8), "precious")
        XCTAssertNil(try? FileManager.default.destinationOfSymbolicLink(atPath: link.path))
        await fake.stop()
    }

    func testCatalogRefreshWritesADatedOverlayThatLaterCommandsUse() async throws {
        let fake = try await FakeRunPodServer(apiKey: Self.key, gpuTypes: try Self.repricedCatalog())
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("podform-cache-\(UUID().uuidString)")
        let env = ["RUNPOD_API_KEY": Self.key, "RUNPOD_API_URL": fake.baseURL.absoluteString, "PODFORM_CACHE_DIR": cache.path]
        let refresh = try await podform(["catalog", "refresh"], env: env)
        XCTAssertEqual(refresh.status, 0, refresh.stderr)
        XCTAssertTrue(refresh.stdout.contains("44 GPU types (0 new, 0 no longer listed)"), refresh.stdout)
        XCTAssertFalse(refresh.stdout.contains(Self.key) || refresh.stderr.contains(Self.key))
        let overlay = try String(contentsOf: cache.appendingPathComponent("gpu-catalog-overlay.json"), encoding: .utf8)
        XCTAssertFalse(overlay.contains(Self.key))
        let listed = try await podform(["gpus", "--json"], env: env)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [String: Any])
        let h100 = try XCTUnwrap((object["gpus"] as? [[String: Any]])?.first { $0["id"] as? String == "NVIDIA H100 80GB HBM3" })
        let secure = (h100["prices"] as? [String: Any])?["pod_secure_usd_per_hour"] as? [String: Any]
        XCTAssertEqual(secure?["usd"] as? Double, 2.49)
        XCTAssertEqual(h100["availability"] as? String, "LOW")
        let plan = try await podform(["plan", "--offline", "examples/support-chat.yaml"], env: env)
        XCTAssertEqual(plan.status, 0, plan.stderr)
        XCTAssertTrue(plan.stdout.contains("GPU prices as of 20"), plan.stdout)

        let wrong = try await podform(["catalog", "refresh"], env: env.merging(["RUNPOD_API_KEY": "rpa_wrong"], uniquingKeysWith: { _, b in b }))
        XCTAssertEqual(wrong.status, 1)
        XCTAssertTrue(wrong.stderr.contains("rejected the API key"), wrong.stderr)
        var noKey = env
        noKey["RUNPOD_API_KEY"] = ""
        let missing = try await podform(["catalog", "refresh"], env: noKey)
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stderr.contains("no RunPod API key"), missing.stderr)
        await fake.stop()
    }

    func testModelConfigsComeFromTheHubWithClearErrors() async throws {
        let fake = try await FakeRunPodServer(apiKey: Self.key, gpuTypes: Self.gpus)
        let config = try Data(contentsOf: CLITests.root.appendingPathComponent("Tests/PodformCatalogTests/Fixtures/Qwen3-30B-A3B.config.json"))
        await fake.state.addHubConfig("acme/open-model", config)
        await fake.state.addHubConfig("acme/gated-model", config, gated: true)
        await fake.state.setHubToken("hf_SENTINEL_HUB_1234")
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("podform-cache-\(UUID().uuidString)")
        let env = ["HF_ENDPOINT": fake.baseURL.absoluteString, "PODFORM_CACHE_DIR": cache.path]
        let ok = try await podform(["size", "--model", "acme/open-model", "--json"], env: env)
        XCTAssertEqual(ok.status, 0, ok.stderr)
        XCTAssertTrue(ok.stdout.contains("\"parameters\" : 30532122624"), ok.stdout)
        await fake.stop()
        // Cached on disk: works with the Hub gone.
        let cached = try await podform(["size", "--model", "acme/open-model", "--json"], env: env)
        XCTAssertEqual(cached.status, 0, cached.stderr)

        let fake2 = try await FakeRunPodServer(apiKey: Self.key, gpuTypes: Self.gpus)
        await fake2.state.addHubConfig("acme/gated-model", config, gated: true)
        await fake2.state.setHubToken("hf_SENTINEL_HUB_1234")
        let env2 = ["HF_ENDPOINT": fake2.baseURL.absoluteString, "PODFORM_CACHE_DIR": cache.path]
        let gated = try await podform(["size", "--model", "acme/gated-model"], env: env2)
        XCTAssertEqual(gated.status, 1)
        XCTAssertTrue(gated.stderr.contains("is gated: set HF_TOKEN"), gated.stderr)
        let forbidden = try await podform(
            ["size", "--model", "acme/gated-model"], env: env2.merging(["HF_TOKEN": "hf_other_token_value"], uniquingKeysWith: { _, b in b }))
        XCTAssertEqual(forbidden.status, 1)
        XCTAssertTrue(forbidden.stderr.contains("accept the model's license"), forbidden.stderr)
        XCTAssertFalse(forbidden.stderr.contains("hf_other_token_value"))
        let allowed = try await podform(
            ["size", "--model", "acme/gated-model", "--json"],
            env: env2.merging(["HF_TOKEN": "hf_SENTINEL_HUB_1234"], uniquingKeysWith: { _, b in b }))
        XCTAssertEqual(allowed.status, 0, allowed.stderr)
        XCTAssertFalse(allowed.stdout.contains("hf_SENTINEL_HUB_1234"))
        let missing = try await podform(["size", "--model", "acme/no-such-model"], env: env2)
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stderr.contains("no model `acme/no-such-model` on the Hugging Face Hub"), missing.stderr)
        await fake2.stop()
        let offline = try await podform(
            ["size", "--model", "acme/other-model"], env: ["HF_ENDPOINT": "http://127.0.0.1:1", "PODFORM_CACHE_DIR": cache.path])
        XCTAssertEqual(offline.status, 1)
        XCTAssertTrue(offline.stderr.contains("could not reach the Hugging Face Hub"), offline.stderr)
    }

    /// Issue 16: a Hub model's checkpoint size comes from its safetensors index at plan time, and the
    /// plan says so; a repository without one is sized from its parameter count, and the plan says that.
    func testPlanSizesAHubModelFromItsSafetensorsIndex() async throws {
        let fake = try await FakeRunPodServer(apiKey: Self.key, gpuTypes: Self.gpus)
        let config = try Data(contentsOf: CLITests.root.appendingPathComponent("Tests/PodformCatalogTests/Fixtures/Qwen3-30B-A3B.config.json"))
        await fake.state.addHubConfig("acme/open-model", config)
        await fake.state.addHubConfig("acme/no-index", config)
        // 250 GB: far from the 61 GB the parameter count gives, so the plan visibly uses it.
        await fake.state.addHubIndex("acme/open-model", Data(#"{"metadata": {"total_size": 250000000000}, "weight_map": {}}"#.utf8))
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("podform-hubindex-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let env = [
            "RUNPOD_API_KEY": Self.key, "RUNPOD_API_URL": fake.baseURL.absoluteString, "HF_ENDPOINT": fake.baseURL.absoluteString,
            "PODFORM_CACHE_DIR": dir.appendingPathComponent("cache").path
        ]
        func plan(_ model: String) async throws -> String {
            let spec = dir.appendingPathComponent("\(model.split(separator: "/").last!).yaml")
            try
                "version: 1\nname: \(model.split(separator: "/").last!)\nmodel: {id: \(model)}\ncontext: 4k\nconcurrency: 2\nconstraints: {data_centers: [EU-RO-1]}\ndeploy: {mode: serverless, weights: network-volume}\n"
                .write(to: spec, atomically: true, encoding: .utf8)
            let r = try await podform(["plan", "--explain", spec.path], env: env)
            XCTAssertEqual(r.status, 0, r.stderr)
            return r.stdout
        }
        let indexed = try await plan("acme/open-model")
        XCTAssertTrue(
            indexed.contains(
                "download_gb = 250.0 (the checkpoint's weight files: Hugging Face Hub: acme/open-model@main model.safetensors.index.json metadata.total_size)"
            ), indexed)
        // Storage from the checkpoint: 250 GB x 1.2 + 5, to 10 GB.
        XCTAssertTrue(indexed.contains("a 310 GB network volume"), indexed)
        let estimated = try await plan("acme/no-index")
        XCTAssertTrue(estimated.contains("(estimated from the parameter count at bf16 bytes per weight; no safetensors index known)"), estimated)
        await fake.stop()
    }

    /// `init --model` takes a Hub id, as its help says, and `validate --strict` (the plan workflow's
    /// step) passes a model outside the catalog that resolves, and fails one that does not.
    func testInitAndStrictValidateResolveHubModels() async throws {
        let fake = try await FakeRunPodServer(apiKey: Self.key, gpuTypes: Self.gpus)
        let config = try Data(contentsOf: CLITests.root.appendingPathComponent("Tests/PodformCatalogTests/Fixtures/Qwen3-30B-A3B.config.json"))
        await fake.state.addHubConfig("acme/open-model", config)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("podform-hubinit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let env = ["HF_ENDPOINT": fake.baseURL.absoluteString, "PODFORM_CACHE_DIR": dir.appendingPathComponent("cache").path]
        let spec = dir.appendingPathComponent("open.yaml").path
        let initRun = try await podform(["init", "--model", "acme/open-model", "-o", spec], env: env)
        XCTAssertEqual(initRun.status, 0, initRun.stderr)
        let text = try String(contentsOfFile: spec, encoding: .utf8)
        XCTAssertTrue(text.contains("id: acme/open-model"), text)
        XCTAssertTrue(text.contains("name: open-model "), text)
        let strict = try await podform(["validate", "--strict", spec], env: env)
        XCTAssertEqual(strict.status, 0, strict.stderr)
        XCTAssertTrue(strict.stderr.contains("note: model `acme/open-model` is not in the catalog"), strict.stderr)

        let missing = dir.appendingPathComponent("missing.yaml").path
        try text.replacingOccurrences(of: "acme/open-model", with: "acme/no-such-model").write(toFile: missing, atomically: true, encoding: .utf8)
        let unresolved = try await podform(["validate", "--strict", missing], env: env)
        XCTAssertEqual(unresolved.status, 1)
        XCTAssertTrue(unresolved.stderr.contains("error: no model `acme/no-such-model` on the Hugging Face Hub"), unresolved.stderr)
        XCTAssertTrue(unresolved.stderr.contains("missing.yaml:"), unresolved.stderr)
        await fake.stop()
        let offline = try await podform(["validate", "--strict", "--offline", missing], env: ["HF_ENDPOINT": "http://127.0.0.1:1"])
        XCTAssertEqual(offline.status, 0, offline.stderr)
        let noHub = try await podform(
            ["init", "--model", "acme/other-model"], env: ["HF_ENDPOINT": "http://127.0.0.1:1", "PODFORM_CACHE_DIR": dir.path])
        XCTAssertEqual(noHub.status, 1)
        XCTAssertTrue(noHub.stderr.contains("could not reach the Hugging Face Hub"), noHub.stderr)
    }
}

/// The `podform-fake-runpod` executable, as users and other tests run it.
final class FakeExecutableTests: XCTestCase {
    func testCatalogRefreshAgainstTheFakeExecutable() throws {
        let fakeBinary = CLITests.binary.deletingLastPathComponent().appendingPathComponent("podform-fake-runpod")
        let process = Process()
        process.executableURL = fakeBinary
        process.arguments = ["--api-key", "rpa_SENTINEL_EXE_5566", "--fault", "GET /v2/catalog/gpus=503"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { process.terminate(); process.waitUntilExit() }
        var line = ""
        let deadline = Date().addingTimeInterval(10)
        while !line.contains("\n") && Date() < deadline {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { usleep(20_000) } else { line += String(decoding: chunk, as: UTF8.self) }
        }
        let url = try XCTUnwrap(line.split(separator: " ").last.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) })
        XCTAssertTrue(url.hasPrefix("http://127.0.0.1:"), line)
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("podform-exe-\(UUID().uuidString)")
        let r = try CLITests.run(
            CLITests.binary, ["catalog", "refresh", "--api-url", url],
            env: ["RUNPOD_API_KEY": "rpa_SENTINEL_EXE_5566", "PODFORM_CACHE_DIR": cache.path])
        XCTAssertEqual(r.status, 0, r.stderr)  // the injected 503 was retried
        XCTAssertTrue(r.stdout.contains("44 GPU types (0 new, 0 no longer listed)"), r.stdout)
        XCTAssertFalse((r.stdout + r.stderr).contains("rpa_SENTINEL_EXE_5566"))
    }
}

/// plan, apply, destroy and reconcile against the loopback fake.
final class ApplyCLITests: XCTestCase {
    static let key = "rpa_SENTINEL_APPLY_CLI_2718"

    func podform(_ args: [String], env: [String: String]) async throws -> CLITests.Run {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                do { continuation.resume(returning: try CLITests.run(CLITests.binary, args, env: env)) } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }

    func testPlanApplyAgainSavedPlanReconcileDestroy() async throws {
        let fake = try await FakeRunPodServer(apiKey: Self.key, gpuTypes: FakeCatalog.bundled())
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("podform-apply-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
        let env = [
            "RUNPOD_API_KEY": Self.key, "RUNPOD_API_URL": fake.baseURL.absoluteString, "PODFORM_CACHE_DIR": tmp.appendingPathComponent("cache").path
        ]
        // The support-chat example restricted to the GPUs the fake lists, in the directory that
        // is reconciled later (its scope: what the spec is applied from).
        let dir = tmp.appendingPathComponent("specs")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let spec = dir.appendingPathComponent("chat.yaml")
        let text = try String(contentsOf: CLITests.root.appendingPathComponent("examples/support-chat.yaml"), encoding: .utf8)
            .replacingOccurrences(of: "  cloud: secure\n", with: "  cloud: secure\n  gpus: [L40S, A6000, A100-PCIE, H100]\n")
        try text.write(to: spec, atomically: true, encoding: .utf8)
        var outputs: [String] = []

        let plan = try await podform(["plan", "--detailed-exitcode", "--verbose", spec.path], env: env)
        XCTAssertTrue(plan.stderr.contains("GET /v2/templates -> 200"), plan.stderr)
        outputs += [plan.stdout, plan.stderr]
        XCTAssertEqual(plan.status, 2, plan.stderr)
        XCTAssertTrue(plan.stdout.contains("+ network_volume \"podform-support-chat-weights\""), plan.stdout)
        XCTAssertTrue(plan.stdout.contains("Plan: 3 to add, 0 to change, 0 to destroy.\n"), plan.stdout)

        let refused = try await podform(["apply", spec.path], env: env)
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.stderr.contains("--auto-approve"), refused.stderr)

        let apply = try await podform(["apply", "--auto-approve", "--verbose", spec.path], env: env)
        outputs += [apply.stdout, apply.stderr]
        XCTAssertTrue(apply.stderr.contains("POST /v2/serverless -> 201"), apply.stderr)
        XCTAssertTrue(apply.stderr.contains("creating endpoint podform-support-chat"), apply.stderr)
        XCTAssertEqual(apply.status, 0, apply.stderr)
        XCTAssertTrue(apply.stdout.contains("support-chat: 3 created, 0 updated, 0 deleted"), apply.stdout)
        XCTAssertTrue(apply.stdout.contains("https://api.runpod.ai/v2/ep"), apply.stdout)

        let again = try await podform(["plan", "--detailed-exitcode", spec.path], env: env)
        XCTAssertEqual(again.status, 0, again.stdout + again.stderr)
        XCTAssertTrue(again.stdout.contains("# support-chat: no changes"), again.stdout)
        // The PR comment prices what runs now against the plan.
        let debug = dir.appendingPathComponent("chat-debug.yaml")
        try text.replacingOccurrences(of: "VLLM_LOGGING_LEVEL: INFO", with: "VLLM_LOGGING_LEVEL: DEBUG").write(
            to: debug, atomically: true, encoding: .utf8)
        let md = try await podform(["plan", "--format", "markdown", debug.path], env: env)
        // Templates are one-time sources on RunPod: the endpoint's own env is patched too.
        XCTAssertNotNil(md.stdout.range(of: #"2 to update; \$[0-9.]+ -> \$[0-9.]+ \(\+\$0\.00\)"#, options: .regularExpression), md.stdout)
        XCTAssertTrue(md.stdout.contains("| ~ update | endpoint | `podform-support-chat` |"), md.stdout)
        XCTAssertTrue(md.stdout.contains("| no-op | network_volume |"), md.stdout)
        try FileManager.default.removeItem(at: debug)
        await fake.state.clearRequests()
        let noop = try await podform(["apply", "--auto-approve", spec.path], env: env)
        XCTAssertTrue(noop.stdout.contains("No changes."), noop.stdout)
        let writes = await fake.state.writeCount
        XCTAssertEqual(writes, 0)

        // A saved plan is refused once RunPod changed under it.
        let saved = tmp.appendingPathComponent("plan.json")
        let savedRun = try await podform(["plan", "--out", saved.path, spec.path], env: env)
        XCTAssertEqual(savedRun.status, 0)
        let fresh = try await podform(["apply", "--auto-approve", saved.path], env: env)
        XCTAssertEqual(fresh.status, 0, fresh.stderr)  // nothing changed since: accepted
        XCTAssertTrue(fresh.stdout.contains("No changes."), fresh.stdout)
        let endpointIDs = await fake.state.ids(.endpoint)
        let endpointID = try XCTUnwrap(endpointIDs.first)
        await fake.state.mutate(.endpoint, id: endpointID) { $0["flashboot"] = "OFF" }
        let stale = try await podform(["apply", "--auto-approve", saved.path], env: env)
        XCTAssertEqual(stale.status, 1)
        XCTAssertTrue(stale.stderr.contains("stale"), stale.stderr)

        // Reconcile restores it and logs one JSON line per spec.
        let reconcile = try await podform(["reconcile", dir.path, "--once", "--log-format", "json"], env: env)
        outputs += [reconcile.stdout, reconcile.stderr]
        XCTAssertEqual(reconcile.status, 0, reconcile.stderr)
        let lines = reconcile.stdout.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        XCTAssertEqual(lines.count, reconcile.stdout.split(separator: "\n").count, "every line is a JSON object")
        let line = try XCTUnwrap(lines.first { $0["spec"] as? String == "support-chat" }, reconcile.stdout)
        XCTAssertEqual(line["result"] as? String, "applied", reconcile.stdout)
        XCTAssertEqual(line["round"] as? Int, 1, "numbers are numbers")
        XCTAssertEqual(line["changes"] as? Int, 1)
        let flashboot = await fake.state.field(.endpoint, id: endpointID, "flashboot")
        XCTAssertEqual(flashboot, "FLASHBOOT")

        let destroy = try await podform(["destroy", "--auto-approve", "--quiet", spec.path], env: env)
        XCTAssertFalse(destroy.stderr.contains("deleting"), destroy.stderr)
        outputs += [destroy.stdout, destroy.stderr]
        XCTAssertEqual(destroy.status, 0, destroy.stderr)
        let counts = await fake.state.counts()
        XCTAssertEqual(counts, ["pods": 0, "endpoints": 0, "templates": 0, "network_volumes": 1])  // the volume is kept
        XCTAssertTrue(destroy.stdout.contains("--allow-destroy-volumes"), destroy.stdout)
        for text in outputs { XCTAssertFalse(text.contains(Self.key)) }
        // Every byte podform wrote to disk (saved plan, cache, locks) is free of the key too.
        let written = FileManager.default.enumerator(atPath: tmp.path)?.compactMap { $0 as? String } ?? []
        XCTAssertFalse(written.isEmpty)
        for file in written {
            let data = FileManager.default.contents(atPath: tmp.appendingPathComponent(file).path) ?? Data()
            XCTAssertNil(data.range(of: Data(Self.key.utf8)), file)
        }
        let mode = try FileManager.default.attributesOfItem(atPath: saved.path)[.posixPermissions] as? Int
        XCTAssertEqual(mode, 0o600)
        await fake.stop()
    }

    func testStatusAndLogsOfAPodDeployment() async throws {
        let fake = try await FakeRunPodServer(apiKey: Self.key, gpuTypes: FakeCatalog.bundled())
        await fake.state.setPodPhaseSeconds(0)
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("podform-status-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
        let env = ["RUNPOD_API_KEY": Self.key, "RUNPOD_API_URL": fake.baseURL.absoluteString, "PODFORM_CACHE_DIR": tmp.path]
        let spec = CLITests.root.appendingPathComponent("examples/steady-api.yaml").path
        let notYet = try await podform(["status", spec], env: env)
        XCTAssertTrue(notYet.stdout.contains("public-api  -"), notYet.stdout)
        let apply = try await podform(["apply", "--auto-approve", spec], env: env)
        XCTAssertEqual(apply.status, 0, apply.stderr)
        XCTAssertTrue(apply.stdout.contains("-8000.proxy.runpod.net"), apply.stdout)
        let status = try await podform(["status", "--json", spec], env: env)
        XCTAssertEqual(status.status, 0, status.stderr)
        let rows = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [[String: Any]])
        let pod = try XCTUnwrap(rows.first { $0["kind"] as? String == "pod" })
        XCTAssertEqual(pod["state"] as? String, "RUNNING")
        XCTAssertNotNil(pod["spend_usd"] as? Double)
        XCTAssertTrue((pod["url"] as? String ?? "").hasSuffix("-8000.proxy.runpod.net"))
        let logs = try await podform(["logs", spec, "--tail", "10"], env: env)
        XCTAssertEqual(logs.status, 0, logs.stderr)
        XCTAssertTrue(logs.stdout.contains("[pod podform-public-api] 2026-11-25T12:00:01Z INFO: vLLM API server started on port 8000"), logs.stdout)
        XCTAssertFalse((status.stdout + logs.stdout + logs.stderr).contains(Self.key))
        await fake.stop()
    }
}

/// The terminal: colour only on a TTY, the confirmation prompt through a pseudo-terminal, completions.
final class TerminalTests: XCTestCase {
    func testColourOnlyWhenAskedOrOnATerminal() throws {
        let spec = "Tests/PodformCLITests/Invalid/unknown-key.yaml"
        let piped = try CLITests.run(CLITests.binary, ["validate", spec])
        XCTAssertFalse(piped.stderr.contains("\u{1B}["), "no colour when piped")
        let forced = try CLITests.run(CLITests.binary, ["validate", "--color", "always", spec])
        XCTAssertTrue(forced.stderr.contains("\u{1B}[1;31merror"), forced.stderr)
        let noColor = try CLITests.run(CLITests.binary, ["validate", "--color", "never", spec])
        XCTAssertFalse(noColor.stderr.contains("\u{1B}["))
    }

    func testVersionAndCompletions() throws {
        XCTAssertEqual(try CLITests.run(CLITests.binary, ["--version"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines), "0.2.0")
        for shell in ["bash", "zsh", "fish"] {
            let r = try CLITests.run(CLITests.binary, ["--generate-completion-script", shell])
            XCTAssertEqual(r.status, 0)
            XCTAssertTrue(r.stdout.contains("reconcile"), shell)
        }
    }

    /// `apply` asks on a terminal; answering anything but "yes" cancels, "yes" applies.
    func testConfirmationPromptThroughAPseudoTerminal() async throws {
        guard
            let python = ["/usr/bin/python3", "/usr/local/bin/python3"].first(where: { FileManager.default.isExecutableFile(atPath: $0) })
                ?? (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map({ "\($0)/python3" }).first(where: {
                    FileManager.default.isExecutableFile(atPath: $0)
                })
        else { throw XCTSkip("python3 not found") }
        let fake = try await FakeRunPodServer(apiKey: "rpa_PTY_KEY_1", gpuTypes: FakeCatalog.bundled())
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("podform-pty-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
        // Runs podform under a pty, waits for the prompt, types the answer, returns everything it printed.
        let script = """
            import os, pty, sys, time, select
            answer, args = sys.argv[1], sys.argv[2:]
            pid, fd = pty.fork()
            if pid == 0:
                os.execv(args[0], args)
            out = b""
            deadline = time.time() + 60
            sent = False
            while time.time() < deadline:
                r, _, _ = select.select([fd], [], [], 0.2)
                if r:
                    try:
                        chunk = os.read(fd, 4096)
                    except OSError:
                        break
                    if not chunk:
                        break
                    out += chunk
                if not sent and b"Only 'yes' will be accepted" in out:
                    os.write(fd, (answer + "\\n").encode())
                    sent = True
            _, status = os.waitpid(pid, 0)
            sys.stdout.write(out.decode(errors="replace"))
            sys.exit(os.WEXITSTATUS(status))
            """
        let spec = CLITests.root.appendingPathComponent("examples/internal-tool.yaml").path
        let env = ["RUNPOD_API_KEY": "rpa_PTY_KEY_1", "RUNPOD_API_URL": fake.baseURL.absoluteString, "PODFORM_CACHE_DIR": tmp.path]
        func run(_ answer: String) async throws -> CLITests.Run {
            try await withCheckedThrowingContinuation { c in
                DispatchQueue.global().async {
                    do {
                        c.resume(
                            returning: try CLITests.run(
                                URL(fileURLWithPath: python), ["-c", script, answer, CLITests.binary.path, "apply", spec], env: env))
                    } catch { c.resume(throwing: error) }
                }
            }
        }
        let no = try await run("no")
        XCTAssertEqual(no.status, 1, no.stdout)
        XCTAssertTrue(no.stdout.contains("Apply cancelled."), no.stdout)
        let countsAfterNo = await fake.state.counts()
        XCTAssertEqual(countsAfterNo.values.reduce(0, +), 0)
        let yes = try await run("yes")
        XCTAssertEqual(yes.status, 0, yes.stdout)
        XCTAssertTrue(yes.stdout.contains("docs-helper: 2 created"), yes.stdout)
        let counts = await fake.state.counts()
        XCTAssertEqual(counts["endpoints"], 1)
        await fake.stop()
    }
}

/// The README's tour, run command by command as a user would.
final class ReadmeTests: XCTestCase {
    /// The block runs in bash exactly as written, from the repository root (after the build the
    /// README asks for, which `swift test` has done): no line is rewritten or skipped.
    func testTheTourRunsAsWritten() throws {
        let readme = try String(contentsOf: CLITests.root.appendingPathComponent("README.md"), encoding: .utf8)
        let start = try XCTUnwrap(readme.range(of: "<!-- tour -->\n```sh\n"))
        let end = try XCTUnwrap(readme.range(of: "```\n<!-- /tour -->"))
        let block = String(readme[start.upperBound..<end.lowerBound])
        XCTAssertGreaterThanOrEqual(block.split(separator: "\n").count, 14)
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("podform-tour-\(UUID().uuidString)")
        let bash = URL(fileURLWithPath: "/bin/bash")
        defer { _ = try? CLITests.run(URL(fileURLWithPath: "/usr/bin/pkill"), ["-f", "podform-fake-runpod --api-key demo"]) }
        let r = try CLITests.run(bash, ["-euo", "pipefail", "-c", block], env: ["PODFORM_CACHE_DIR": cache.path], cwd: CLITests.root, timeout: 240)
        XCTAssertEqual(r.status, 0, "the tour failed:\n\(r.stdout)\n\(r.stderr)")
        // Offline, then live: the Dockerfile is written, apply creates, status reads it back, destroy deletes.
        XCTAssertTrue(r.stderr.contains("image/Dockerfile"), r.stderr)
        XCTAssertTrue(r.stdout.contains("Plan: 2 to add, 0 to change, 0 to destroy."), r.stdout)
        XCTAssertTrue(r.stdout.contains("my-chat: 2 created, 0 updated, 0 deleted"), r.stdout)
        XCTAssertTrue(r.stdout.contains("RUNNING"), r.stdout)
        XCTAssertTrue(r.stdout.contains("my-chat: 2 deleted"), r.stdout)
    }

    func testTheFirstCommandPlansAnExampleOffline() throws {
        let r = try CLITests.run(CLITests.binary, ["plan", "examples/support-chat.yaml"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(
            try String(contentsOf: CLITests.root.appendingPathComponent("README.md"), encoding: .utf8)
                .contains("swift run podform plan examples/support-chat.yaml"))
    }
}
