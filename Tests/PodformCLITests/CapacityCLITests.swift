import Foundation
import PodformTestSupport
import XCTest

/// GPU stock over time, as a user meets it: live plans skip what RunPod cannot hand out, apply
/// moves down the fallbacks on a capacity 500 without duplicates, and reconcile rounds follow the
/// stock as it changes (`Specs/state.md`, "Capacity").
final class CapacityCLITests: XCTestCase {
    static let key = "rpa_SENTINEL_CAPACITY_2718"
    static let spec = "examples/llama3-70b-bf16.yaml"
    /// The example's first choice with every type in stock, its first fallback, and a type that is
    /// neither: read from the live plan itself, so the stock behaviour is tested whatever GPU the
    /// speed and cost models prefer.
    struct Choices {
        var first: String, firstCount: Int, next: String, nextCount: Int, other: String
        func shape(_ gpu: String, _ count: Int) -> String { "\(count) x \(gpu) (pod)" }
        var moved: String { "no capacity for \(shape(first, firstCount)); moved to \(shape(next, nextCount))" }
        var landed: String { "landed on \(shape(next, nextCount))" }
    }

    func choices(_ env: [String: String]) async throws -> Choices {
        let d = try await planJSON(env)
        let gpu = try XCTUnwrap(d["gpu"] as? [String: Any])
        let fallbacks = try XCTUnwrap((d["availability"] as? [String: Any])?["fallbacks"] as? [[String: Any]])
        let next = try XCTUnwrap(fallbacks.first)
        let first = try XCTUnwrap(gpu["id"] as? String), nextID = try XCTUnwrap(next["gpu"] as? String)
        XCTAssertNotEqual(first, nextID)
        XCTAssertEqual(d["mode"] as? String, "pod")
        XCTAssertEqual(next["mode"] as? String, "pod")
        // A type the plan does not use at all: neither the choice nor any fallback.
        let used = Set(fallbacks.compactMap { $0["gpu"] as? String } + [first])
        let other = try XCTUnwrap(["NVIDIA H200", "NVIDIA H100 NVL", "NVIDIA A100-SXM4-80GB", "NVIDIA L40S"].first { !used.contains($0) })
        return Choices(
            first: first, firstCount: try XCTUnwrap(gpu["count"] as? Int), next: nextID,
            nextCount: try XCTUnwrap(next["count"] as? Int), other: other)
    }

    func podform(_ args: [String], env: [String: String], timeout: TimeInterval = 120) async throws -> CLITests.Run {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                do { continuation.resume(returning: try CLITests.run(CLITests.binary, args, env: env, timeout: timeout)) } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }

    func setUp() async throws -> (FakeRunPodServer, [String: String]) {
        let fake = try await FakeRunPodServer(apiKey: Self.key, gpuTypes: FakeCatalog.bundled())
        await fake.state.setPodPhaseSeconds(0.05)
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("podform-capacity-\(UUID().uuidString)")
        return (fake, ["RUNPOD_API_KEY": Self.key, "RUNPOD_API_URL": fake.baseURL.absoluteString, "PODFORM_CACHE_DIR": cache.path])
    }

    /// The fake's live pods (not terminated), as RunPod lists them.
    func pods(_ fake: FakeRunPodServer) async throws -> [[String: Any]] {
        let r = await fake.state.respond(method: "GET", path: "/v2/pods", query: [:], body: Data(), headers: ["authorization": "Bearer \(Self.key)"])
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: r.body) as? [String: Any])
        return try XCTUnwrap(object["pods"] as? [[String: Any]])
    }

    func gpuIDs(_ fake: FakeRunPodServer) async throws -> [String] {
        try await pods(fake).compactMap { ($0["gpu"] as? [String: Any])?["id"] as? String }
    }

    func planJSON(_ env: [String: String], _ extra: [String] = []) async throws -> [String: Any] {
        let r = try await podform(["plan", "--format", "json"] + extra + [Self.spec], env: env)
        XCTAssertEqual(r.status, 0, r.stderr)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        return try XCTUnwrap((object["deployments"] as? [[String: Any]])?.first)
    }

    func testALivePlanAvoidsAnOutOfStockTypeAndAnOfflinePlanSaysItDidNotCheck() async throws {
        let (fake, env) = try await setUp()
        let c = try await choices(env)
        let offline = try await podform(["plan", "--offline", Self.spec], env: env)
        XCTAssertTrue(offline.stdout.contains("GPU stock not checked"), offline.stdout)
        let inStock = try await planJSON(env)
        XCTAssertEqual((inStock["gpu"] as? [String: Any])?["id"] as? String, c.first)
        let availability = try XCTUnwrap(inStock["availability"] as? [String: Any])
        XCTAssertEqual(availability["checked"] as? Bool, true)
        let fallbacks = try XCTUnwrap(availability["fallbacks"] as? [[String: Any]])
        XCTAssertEqual(fallbacks.first?["gpu"] as? String, c.next)
        XCTAssertEqual(fallbacks.map { $0["rank"] as? Int }, Array(1...fallbacks.count))

        await fake.state.setStock(c.first, "NONE", product: "POD")
        let out = try await planJSON(env)
        XCTAssertEqual((out["gpu"] as? [String: Any])?["id"] as? String, c.next)
        let skipped = try XCTUnwrap((out["availability"] as? [String: Any])?["skipped"] as? [[String: Any]])
        XCTAssertEqual(skipped.first?["gpu"] as? String, c.first)
        let text = try await podform(["plan", "--explain", Self.spec], env: env)
        XCTAssertTrue(text.stdout.contains("stock:    skipped \(c.firstCount) x \(c.first) pod (no POD stock"), text.stdout)
        XCTAssertTrue(text.stdout.contains("[D-AVAILABILITY]"), text.stdout)
        // The catalog was read with availability for each product, never without a product.
        let reads = await fake.state.requests.filter { $0.path == "/v2/catalog/gpus" }
        XCTAssertTrue(reads.allSatisfy { $0.query["include"] == "AVAILABILITY" && $0.query["product"] != nil && $0.status == 200 })
        XCTAssertEqual(Set(reads.compactMap { $0.query["product"] }), ["POD", "SERVERLESS", "CLUSTER"])
        await fake.stop()
    }

    /// The catalog still lists the type, but the create is refused with RunPod's capacity 500:
    /// apply moves to the first fallback, one pod, and says where it landed. Later applies converge.
    func testApplyFallsBackOnACapacity500AndConvergesWithoutDuplicates() async throws {
        let (fake, env) = try await setUp()
        let c = try await choices(env)
        await fake.state.inject(Fault(.noCapacity, method: "POST", pathPrefix: "/v2/pods"))
        let apply = try await podform(["apply", "--auto-approve", Self.spec], env: env)
        XCTAssertEqual(apply.status, 0, apply.stdout + apply.stderr)
        XCTAssertTrue(apply.stdout.contains(c.moved), apply.stdout)
        XCTAssertTrue(apply.stdout.contains(c.landed), apply.stdout)
        var gpus = try await gpuIDs(fake)
        XCTAssertEqual(gpus, [c.next])
        var counts = await fake.state.counts()
        XCTAssertEqual(counts["templates"], 1)
        // The type has stock again: the next apply moves back to it, create-before-destroy, one pod.
        let again = try await podform(["apply", "--auto-approve", Self.spec], env: env)
        XCTAssertEqual(again.status, 0, again.stdout + again.stderr)
        gpus = try await gpuIDs(fake)
        XCTAssertEqual(gpus, [c.first])
        let settled = try await podform(["plan", "--detailed-exitcode", Self.spec], env: env)
        XCTAssertEqual(settled.status, 0, settled.stdout + settled.stderr)
        // Every type refused: apply fails naming the capacity problem, and leaves no pod behind.
        await fake.state.inject(Fault(.noCapacity, method: "POST", pathPrefix: "/v2/pods", times: 10))
        let other = try await podform(["apply", "--auto-approve", "examples/lora-finetune.yaml"], env: env)
        XCTAssertEqual(other.status, 1, other.stdout)
        XCTAssertTrue(other.stderr.contains("no capacity"), other.stderr)
        XCTAssertEqual(other.stdout.components(separatedBy: "moved to").count - 1, 0, other.stdout)
        counts = await fake.state.counts()
        XCTAssertEqual(counts["pods"], 1, "only the llama pod")
        await fake.stop()
    }

    /// A GPU out of stock between `plan --out` and `apply plan.json`: the saved plan is stale (its
    /// decision cannot be had); stock moving on a type the plan does not use leaves it valid.
    func testStockBetweenASavedPlanAndItsApply() async throws {
        let (fake, env) = try await setUp()
        let c = try await choices(env)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("podform-capacity-plan-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let saved = dir.appendingPathComponent("plan.json").path
        let plan = try await podform(["plan", "--out", saved, Self.spec], env: env)
        XCTAssertEqual(plan.status, 0, plan.stderr)
        await fake.state.setStock(c.other, "NONE", product: "POD")  // a type the plan does not use
        let fine = try await podform(["apply", saved], env: env)
        XCTAssertEqual(fine.status, 0, fine.stdout + fine.stderr)
        var gpus = try await gpuIDs(fake)
        XCTAssertEqual(gpus, [c.first])
        _ = try await podform(["destroy", "--auto-approve", Self.spec], env: env)
        let again = try await podform(["plan", "--out", saved, "--force", Self.spec], env: env)
        XCTAssertEqual(again.status, 0, again.stderr)
        await fake.state.setStock(c.first, "NONE", product: "POD")
        let stale = try await podform(["apply", saved], env: env)
        XCTAssertEqual(stale.status, 1, stale.stdout)
        XCTAssertTrue(stale.stderr.contains("stale"), stale.stderr)
        let direct = try await podform(["apply", "--auto-approve", Self.spec], env: env)
        XCTAssertEqual(direct.status, 0, direct.stdout + direct.stderr)
        gpus = try await gpuIDs(fake)
        XCTAssertEqual(gpus, [c.next])
        await fake.stop()
    }

    /// Reconcile rounds while stock changes: a running pod is never moved because its type ran out;
    /// a pod that must be made again lands on what is in stock; when the cheaper type returns, the
    /// deployment moves back to it; a capacity 500 in a round falls back and the round says so.
    func testReconcileRoundsFollowTheStock() async throws {
        let (fake, env) = try await setUp()
        let c = try await choices(env)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("podform-capacity-rec-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: CLITests.root.appendingPathComponent(Self.spec), to: dir.appendingPathComponent("llama.yaml"))
        func round(_ expect: String, _ gpus: [String], line: UInt = #line) async throws -> String {
            let r = try await podform(["reconcile", dir.path, "--once", "--log-format", "json"], env: env)
            XCTAssertEqual(r.status, 0, r.stdout + r.stderr, line: line)
            let spec = r.stdout.split(separator: "\n").first { $0.contains("\"msg\":\"spec\"") } ?? ""
            XCTAssertTrue(spec.contains("\"result\":\"\(expect)\""), String(spec), line: line)
            let live = try await gpuIDs(fake)
            XCTAssertEqual(live, gpus, line: line)
            return String(spec)
        }
        _ = try await round("applied", [c.first])
        await fake.state.setStock(c.first, "NONE", product: "POD")
        _ = try await round("in sync", [c.first])  // held: the running pod stays
        let first = try await pods(fake)
        let id = try XCTUnwrap(first.first?["id"] as? String)
        _ = await fake.state.respond(
            method: "DELETE", path: "/v2/pods/\(id)", query: [:], body: Data(), headers: ["authorization": "Bearer \(Self.key)"])
        _ = try await round("applied", [c.next])  // made again: on what is in stock
        _ = try await round("in sync", [c.next])
        await fake.state.resetStock()
        _ = try await round("applied", [c.first])  // the cheaper type is back
        // The catalog says in stock but RunPod refuses: the round falls back and logs it.
        let back = try await pods(fake)
        let id2 = try XCTUnwrap(back.first?["id"] as? String)
        _ = await fake.state.respond(
            method: "DELETE", path: "/v2/pods/\(id2)", query: [:], body: Data(), headers: ["authorization": "Bearer \(Self.key)"])
        await fake.state.inject(Fault(.noCapacity, method: "POST", pathPrefix: "/v2/pods"))
        let line = try await round("applied", [c.next])
        XCTAssertTrue(line.contains(c.moved), line)
        XCTAssertTrue(line.contains(c.landed), line)
        let counts = await fake.state.counts()
        XCTAssertEqual(counts["templates"], 1)
        await fake.stop()
    }
}
