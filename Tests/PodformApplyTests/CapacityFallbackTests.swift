import Foundation
import PodformCatalog
import PodformCompiler
import PodformCore
import PodformTestSupport
import RunPodAPI
import XCTest

@testable import PodformApply

/// Capacity over time, in process: reconcile rounds with a refusal memory on a clock the test
/// moves, the fake refusing creates as RunPod does.
final class CapacityFallbackTests: XCTestCase {
    final class Clock: @unchecked Sendable {
        private let lock = NSLock()
        private var now = Date(timeIntervalSince1970: 2_000_000_000)
        func read() -> Date { lock.lock(); defer { lock.unlock() }; return now }
        func advance(_ s: TimeInterval) { lock.lock(); now += s; lock.unlock() }
    }

    /// Compiles the example with `availability`, as `PlanPipeline.capacityFallback` does.
    static func compile(_ text: String, _ availability: GPUAvailability?) throws -> Deployment {
        let env = ValidationEnvironment(
            resolveGPU: { ApplyTests.gpus.gpu(named: $0)?.id }, gpuNames: ApplyTests.gpus.allNames,
            model: { n in ApplyTests.models.model(named: n).map { .init(canonicalID: $0.id, maxContext: $0.architecture.maxContext) } })
        let spec = try XCTUnwrap(Spec.validate(path: "llama.yaml", text: text, environment: env).0)
        var environment = CompileEnvironment(gpus: ApplyTests.gpus, now: Date())
        environment.availability = availability
        return try spec.compile(
            specFile: "llama.yaml", architecture: XCTUnwrap(ApplyTests.models.model(named: spec.model.id)).architecture,
            environment: environment
        ).get()
    }

    func testRoundsPlanAroundARefusalForTenMinutesThenTryTheCheaperTypeAgain() async throws {
        let text = try ApplyTests.example("llama3-70b-bf16.yaml")
        let fake = try await FakeRunPodServer(apiKey: ApplyTests.key, gpuTypes: ApplyTests.fakeGPUs)
        await fake.state.setPodPhaseSeconds(0.01)
        let client = RunPodClient(baseURL: fake.baseURL, apiKey: ApplyTests.key, timeout: 10, sleep: { _ in })
        let clock = Clock()
        let memory = RefusalMemory(clock: { clock.read() })
        let gpus = ApplyTests.gpus
        let fallback = CapacityFallback(memory: memory) { d, live, refused in
            var a = GPUAvailability()
            a.refused[d.name] = refused.union(memory.current()[d.name] ?? [])
            a.held[d.name] = live.heldGPUs(spec: d.name, scope: d.scope, gpus: gpus)
            return try? Self.compile(text, a)
        }
        var reconciler = Reconciler(
            client: client, scope: Scope(id: "rec", explicit: true), apply: ApplyOptions(waitTimeout: 5, pollInterval: 0.02),
            checkHealth: false)
        reconciler.fallback = fallback
        func round() async throws -> (SpecOutcome, [String]) {
            var a = GPUAvailability()
            a.refused = memory.current()
            let d = try Self.compile(text, a)
            let report = await reconciler.round(RoundInput(deployments: [d]))
            let pods = try await client.listPods().compactMap(\.gpuTypeID)
            return (try XCTUnwrap(report.outcomes.first), pods)
        }
        let cheapest = try Self.compile(text, GPUAvailability()).gpu.id

        // Round 1: RunPod refuses the cheapest type; the round lands on the next one.
        await fake.state.inject(Fault(.noCapacity, method: "POST", pathPrefix: "/v2/pods"))
        let (first, pods1) = try await round()
        XCTAssertEqual(first.result, .applied, first.error ?? "")
        XCTAssertTrue(first.notes.contains { $0.hasPrefix("no capacity for 2 x \(cheapest)") }, "\(first.notes)")
        XCTAssertEqual(pods1.count, 1)
        XCTAssertNotEqual(pods1.first, cheapest)
        // Within ten minutes: planned around the refusal, nothing tried, nothing moved.
        clock.advance(300)
        await fake.state.clearRequests()
        let (second, pods2) = try await round()
        XCTAssertEqual(second.result, .inSync)
        XCTAssertEqual(pods2, pods1)
        let posts = await fake.state.requests.filter { $0.method == "POST" }
        XCTAssertEqual(posts.count, 0, "no create is retried while the refusal is remembered")
        // After ten minutes the cheaper type is tried again (it has stock now): moved back, one pod.
        clock.advance(301)
        let (third, pods3) = try await round()
        XCTAssertEqual(third.result, .applied, third.error ?? "")
        XCTAssertEqual(pods3, [cheapest])
        let (fourth, _) = try await round()
        XCTAssertEqual(fourth.result, .inSync)
        await fake.stop()
    }

    func testRefusalMemoryForgetsAfterItsTTL() {
        let clock = Clock()
        let memory = RefusalMemory(ttl: 600, clock: { clock.read() })
        memory.record(GPUAvailability.Use(.pod, gpu: "NVIDIA H100 NVL"), spec: "a")
        XCTAssertEqual(memory.current()["a"], [GPUAvailability.Use(.pod, gpu: "NVIDIA H100 NVL")])
        XCTAssertNil(memory.current()["b"])
        clock.advance(601)
        XCTAssertEqual(memory.current(), [:])
    }
}
