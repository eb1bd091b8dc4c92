import Foundation
import PodformCompiler
import PodformTestSupport
import RunPodAPI
import XCTest

@testable import PodformApply

/// Resources renamed, duplicated or given extra env in the console, behind podform's back, over many
/// reconcile rounds against the loopback fake (every request body validated against OpenAPI v2).
final class RenameTests: XCTestCase {
    static let scope = Scope(id: "github.com/acme/deploy:rec", explicit: true)
    let fast = ApplyOptions(waitTimeout: 5, pollInterval: 0.01)

    func withFake(_ body: (FakeRunPodServer, RunPodClient) async throws -> Void) async throws {
        let fake = try await FakeRunPodServer(apiKey: ApplyTests.key, gpuTypes: ApplyTests.fakeGPUs)
        await fake.state.setPodPhaseSeconds(0.01)
        let client = RunPodClient(baseURL: fake.baseURL, apiKey: ApplyTests.key, timeout: 5, sleep: { _ in })
        do { try await body(fake, client) } catch { await fake.stop(); throw error }
        await fake.stop()
    }

    /// The internal-tool example as spec `name`: serverless (template + endpoint) or a pod.
    static func spec(_ name: String, pod: Bool = false, extra: String = "", scope: String? = RenameTests.scope.id) throws -> Deployment {
        var text = try ApplyTests.example("internal-tool.yaml").replacingOccurrences(of: "name: docs-helper", with: "name: \(name)")
        if pod { text = text.replacingOccurrences(of: "mode: auto", with: "mode: pod") }
        return try ApplyTests.deployment(text + extra, file: "rec/\(name).yaml", scope: scope)
    }

    /// Non-GET requests as `METHOD /v2/kind/{id}` (ids elided).
    static func writes(_ fake: FakeRunPodServer) async -> [String] {
        await fake.state.requests.filter { $0.method != "GET" }.map { r in
            let parts = r.path.split(separator: "/")
            return "\(r.method) /" + parts.prefix(2).joined(separator: "/") + (parts.count > 2 ? "/{id}" : "")
        }
    }

    static func body(_ r: RecordedRequest) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: r.body)) as? [String: Any] ?? [:]
    }

    /// One reconciler, a serverless spec and a pod spec, 14 rounds; between rounds the console renames
    /// the endpoint, the pod, the template, and all of them at once. Every rename is undone in place by
    /// the next round with one PATCH carrying the name; nothing is ever created or deleted again, and
    /// the count of each kind never changes.
    func testConsoleRenamesAreRenamedBackInPlaceOverManyRounds() async throws {
        let serverless = try Self.spec("docs"), pod = try Self.spec("docs-pod", pod: true)
        try await withFake { fake, client in
            let reconciler = Reconciler(client: client, scope: Self.scope, prune: true, apply: self.fast, checkHealth: false)
            let first = await reconciler.round(RoundInput(deployments: [serverless, pod]))
            XCTAssertTrue(first.succeeded, "\(first.outcomes)")
            let counts = await fake.state.counts()
            XCTAssertEqual(counts, ["pods": 1, "endpoints": 1, "templates": 2, "network_volumes": 0])
            let ids = await Set(fake.state.ids(.template) + fake.state.ids(.endpoint) + fake.state.ids(.pod))
            func id(_ kind: ResourceKind, _ name: String) async throws -> String {
                let all = try await LiveState.fetch(client)
                let found: String?
                switch kind {
                case .template: found = all.templates.first { $0.name == name }?.id
                case .endpoint: found = all.endpoints.first { $0.name == name }?.id
                default: found = all.pods.first { $0.name == name }?.id
                }
                return try XCTUnwrap(found, "\(kind) \(name)")
            }
            let endpointID = try await id(.endpoint, "podform-docs"), podID = try await id(.pod, "podform-docs-pod")
            let templateID = try await id(.template, "podform-docs")
            for round in 2...14 {
                // The console user, through the API the console uses (validated like podform's own calls).
                var expected: [String] = []
                switch round {
                case 3:
                    _ = try await client.updateEndpoint(endpointID, ["name": "my-endpoint"])
                    expected = ["PATCH /v2/serverless/{id}"]
                case 5:
                    _ = try await client.updatePod(podID, ["name": "my-pod"])
                    expected = ["PATCH /v2/pods/{id}"]
                case 7:
                    _ = try await client.updateTemplate(templateID, ["name": "my-template"])
                    expected = ["PATCH /v2/templates/{id}"]
                case 10:
                    _ = try await client.updateEndpoint(endpointID, ["name": "x"])
                    _ = try await client.updatePod(podID, ["name": "y"])
                    _ = try await client.updateTemplate(templateID, ["name": "z"])
                    expected = ["PATCH /v2/templates/{id}", "PATCH /v2/serverless/{id}", "PATCH /v2/pods/{id}"]
                default: break
                }
                if round == 5 {
                    // The plan shows the rename as an in-place name change, nothing else.
                    let set = diff(pod, live: try await LiveState.fetch(client))
                    let change = try XCTUnwrap(set.changes.first { $0.kind == .pod })
                    XCTAssertEqual(change.action, .update)
                    XCTAssertEqual(change.id, podID)
                    XCTAssertEqual(change.fields, [FieldChange(path: "name", old: "my-pod", new: "podform-docs-pod")])
                    XCTAssertEqual(change.patch, ["name": "podform-docs-pod"])
                    XCTAssertEqual(change.impact, "renamed in place; the pod keeps running")
                }
                await fake.state.clearRequests()
                let report = await reconciler.round(RoundInput(deployments: [serverless, pod]))
                XCTAssertTrue(report.succeeded, "round \(round): \(report.outcomes)")
                XCTAssertFalse(report.outcomes.contains { $0.result == .pruned }, "round \(round)")
                let log = await Self.writes(fake)
                XCTAssertEqual(log.sorted(), expected.sorted(), "round \(round): exactly the renames, no POST, no DELETE")
                for r in await fake.state.requests where r.method == "PATCH" {
                    let name = Self.body(r)["name"] as? String
                    XCTAssertTrue(name == "podform-docs" || name == "podform-docs-pod", "round \(round): \(Self.body(r))")
                    if r.path.hasPrefix("/v2/pods/") { XCTAssertEqual(Self.body(r).keys.sorted(), ["name"], "a rename alone sends the name only") }
                }
                let now = await fake.state.counts()
                XCTAssertEqual(now, counts, "round \(round)")
                let liveIDs = await Set(fake.state.ids(.template) + fake.state.ids(.endpoint) + fake.state.ids(.pod))
                XCTAssertEqual(liveIDs, ids, "round \(round): the same resources, none replaced")
                let names = await fake.state.names(.template) + fake.state.names(.endpoint) + fake.state.names(.pod)
                XCTAssertEqual(names.sorted(), ["podform-docs", "podform-docs", "podform-docs-pod", "podform-docs-pod"], "round \(round)")
            }
            // The pod was never restarted by a rename: it ran all along.
            let status = try await client.getPod(podID).status
            XCTAssertEqual(status, "RUNNING")
        }
    }

    /// A renamed replica of a multi-replica pod deployment is still one of the N: renamed back,
    /// nothing created, no other replica touched; two renamed at once each fill one missing name.
    func testARenamedReplicaIsStillOneOfTheReplicas() async throws {
        let replicas = try Self.replicated()
        XCTAssertGreaterThanOrEqual(replicas.placement.pods, 2, "the test needs replicas")
        try await withFake { fake, client in
            _ = try await apply(diff(replicas, live: try await LiveState.fetch(client)), client: client, options: self.fast)
            let names = RunPodResources.podNames(replicas)
            let pods = try await client.listPods()
            XCTAssertEqual(pods.compactMap(\.name).sorted(), names.sorted())
            let second = try XCTUnwrap(pods.first { $0.name == names[1] })
            _ = try await client.updatePod(second.id, ["name": "my-pod"])
            let set = diff(replicas, live: try await LiveState.fetch(client))
            let moving = set.changes.filter { $0.action != .noop }
            XCTAssertEqual(moving.map(\.action), [.update], "\(moving)")
            XCTAssertEqual(moving.first?.id, second.id)
            XCTAssertEqual(moving.first?.name, names[1])
            XCTAssertEqual(moving.first?.fields, [FieldChange(path: "name", old: "my-pod", new: .string(names[1]))])
            await fake.state.clearRequests()
            _ = try await apply(set, client: client, options: self.fast)
            let log = await Self.writes(fake)
            XCTAssertEqual(log, ["PATCH /v2/pods/{id}"])
            // Two renamed at once (the first and the last): each takes one missing name, by id order.
            let all = try await client.listPods()
            let first = try XCTUnwrap(all.first { $0.name == names[0] }), last = try XCTUnwrap(all.first { $0.name == names.last })
            _ = try await client.updatePod(first.id, ["name": "a"])
            _ = try await client.updatePod(last.id, ["name": "b"])
            await fake.state.clearRequests()
            _ = try await apply(diff(replicas, live: try await LiveState.fetch(client)), client: client, options: self.fast)
            let log2 = await Self.writes(fake)
            XCTAssertEqual(log2, ["PATCH /v2/pods/{id}", "PATCH /v2/pods/{id}"])
            let after = try await client.listPods()
            XCTAssertEqual(after.compactMap(\.name).sorted(), names.sorted())
            XCTAssertEqual(Set(after.map(\.id)), Set(pods.map(\.id)), "the same pods")
            let again = diff(replicas, live: try await LiveState.fetch(client))
            XCTAssertFalse(again.hasChanges, "\(again.changes.filter { $0.action != .noop })")
        }
    }

    /// The pod example with `sla.redundancy: n+1`: at least two replicas.
    static func replicated() throws -> Deployment {
        let text = try ApplyTests.example("internal-tool.yaml").replacingOccurrences(of: "name: docs-helper", with: "name: fleet")
            .replacingOccurrences(of: "mode: auto", with: "mode: pod")
            .replacingOccurrences(of: "sla:\n", with: "sla:\n  redundancy: n+1\n")
        return try ApplyTests.deployment(text, file: "rec/fleet.yaml", scope: scope.id)
    }
}
