import Foundation
import PodformCompiler
import PodformTestSupport
import RunPodAPI
import XCTest

@testable import PodformApply

/// The plan + changes value every renderer reads, and the plan JSON it encodes to.
final class ReviewedPlanTests: XCTestCase {
    func json(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    func testOfflineEveryRequestIsACreatePostedToItsCollection() throws {
        let d = try ApplyTests.deployment(ApplyTests.example("support-chat.yaml"))
        let reviewed = ReviewedPlan(offline: Plan(catalogAsOf: "x", deployments: [d]))
        XCTAssertTrue(reviewed.offline)
        XCTAssertNil(reviewed.changeSets)
        let resources = reviewed.deployments[0].resources
        XCTAssertEqual(
            resources.map { "\($0.action.rawValue) \($0.method) \($0.path)" },
            ["create POST /v2/network-volumes", "create POST /v2/templates", "create POST /v2/serverless"])
        XCTAssertEqual(resources.compactMap(\.request), RunPodResources.requests(for: d))
    }

    /// A saved live plan reads back as it was written: each resource's action, the deletes with
    /// their ids, the live cost, the fingerprint and the removed deployments.
    func testALivePlanRoundTripsThroughItsJSON() async throws {
        let base = try ApplyTests.example("internal-tool.yaml").replacingOccurrences(of: "  mode: auto", with: "  mode: pod")
        let fake = try await FakeRunPodServer(apiKey: ApplyTests.key, gpuTypes: ApplyTests.fakeGPUs)
        await fake.state.setPodPhaseSeconds(0.02)
        let client = RunPodClient(baseURL: fake.baseURL, apiKey: ApplyTests.key, timeout: 5, sleep: { _ in })
        do { try await roundTrip(base, client) } catch { await fake.stop(); throw error }
        await fake.stop()
    }

    func roundTrip(_ base: String, _ client: RunPodClient) async throws {
        let live0 = try await LiveState.fetch(client)
        _ = try await apply(
            diff(try ApplyTests.deployment(base), live: live0), client: client, options: ApplyOptions(waitTimeout: 5, pollInterval: 0.02))
        // Serverless instead of a pod: the template is updated, the endpoint created, the pod deleted.
        let edited = try ApplyTests.deployment(base.replacingOccurrences(of: "  mode: pod", with: "  mode: serverless"))
        let live = try await LiveState.fetch(client)
        let removed = RemovedDeployment(scope: "s", changes: destroyChanges(spec: edited.name, live: live, allowDestroyVolumes: false))
        let reviewed = ReviewedPlan(
            Plan(catalogAsOf: "x", deployments: [edited]), live: live, gpus: ApplyTests.gpus,
            directories: ["deploy"], removed: [removed])
        let actions = reviewed.deployments[0].resources.map { "\($0.action.rawValue) \($0.kind.rawValue) \($0.method)" }
        XCTAssertEqual(actions, ["update template POST", "create endpoint POST", "delete pod DELETE"])
        XCTAssertEqual(reviewed.changeSets?.count, 2)

        let saved = try JSONDecoder().decode(ReviewedPlan.self, from: Data(try json(reviewed).utf8))
        XCTAssertEqual(try json(saved), try json(reviewed))
        XCTAssertFalse(saved.offline)
        XCTAssertNil(saved.changeSets, "a saved plan records actions, not the change set")
        XCTAssertEqual(saved.deployments[0].requests, reviewed.deployments[0].requests)
        XCTAssertEqual(saved.deployments[0].resources, reviewed.deployments[0].resources)
        XCTAssertEqual(saved.deployments[0].liveMonthlyUSD, reviewed.deployments[0].liveMonthlyUSD)
        XCTAssertEqual(saved.live?.fingerprint, reviewed.live?.fingerprint)
        XCTAssertEqual(saved.live?.removed.map(\.spec), [edited.name])
        XCTAssertEqual(saved.plan, reviewed.plan.withDefaultPlacement)
    }

    func testEveryKindHasOneAdapterInEveryOrder() {
        for kind in ResourceKind.allCases { XCTAssertEqual(kind.adapter.kind, kind) }
        XCTAssertEqual(Set(ResourceKind.applyOrder), Set(ResourceKind.allCases))
        XCTAssertEqual(Set(ResourceKind.ownershipOrder), Set(ResourceKind.allCases))
    }
}

extension Plan {
    /// As decoded from JSON, which does not carry the placement (its decisions are in the bodies).
    var withDefaultPlacement: Plan {
        var plan = self
        for i in plan.deployments.indices { plan.deployments[i].placement = Deployment.Placement() }
        return plan
    }
}
