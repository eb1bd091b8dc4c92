import Foundation
import PodformCatalog
import PodformCompiler
import PodformCore
import PodformTestSupport
import RunPodAPI
import XCTest

@testable import PodformApply

/// Ownership, destroy and the fault matrix: what apply never touches, and that it always converges.
extension ApplyTests {
    /// Ownership does not depend on RunPod spreading the template's env: the markers travel on the
    /// endpoint and pod bodies too, so a second apply finds them and creates nothing.
    func testOwnershipHoldsWhenTemplatesAreNotSpread() async throws {
        for name in ["support-chat.yaml", "steady-api.yaml"] {
            let d = try deployment(example(name))
            try await withFake { fake, client in
                await fake.state.setSpreadTemplateFields(false)
                _ = try await self.converge(d, client)
                let before = await fake.state.counts()
                await fake.state.clearRequests()
                _ = try await self.converge(d, client)
                let after = await fake.state.counts()
                XCTAssertEqual(before, after, name)
                let writes = await fake.state.writeCount
                XCTAssertEqual(writes, 0, name)  // no duplicate, and no perpetual pod update either
            }
        }
    }

    func testUnownedResourcesAreNeverTouched() async throws {
        let d = try deployment(example("support-chat.yaml"))
        try await withFake { fake, client in
            // Same names, no podform markers: somebody else's.
            await fake.state.seed(.endpoint, ["name": "podform-support-chat", "image": "theirs:1", "env": ["OWNER": "them"]])
            await fake.state.seed(.pod, ["name": "podform-support-chat", "image": "theirs:1", "status": "RUNNING", "env": ["OWNER": "them"]])
            await fake.state.seed(.networkVolume, ["name": "their-data", "size": 100, "dataCenter": "EU-RO-1"])
            // A name collision is an error naming the foreign resource, never a second same-named endpoint.
            let set = diff(d, live: try await LiveState.fetch(client))
            XCTAssertEqual(set.errors.count, 1, "\(set.errors)")
            XCTAssertTrue(set.errors.first?.contains("endpoint podform-support-chat (ep") ?? false, "\(set.errors)")
            do { _ = try await self.converge(d, client); XCTFail("applied over a foreign endpoint") } catch is ApplyError {}
            let writes = await fake.state.writeCount
            XCTAssertEqual(writes, 0)
            let destroy = destroyChanges(spec: "support-chat", live: try await LiveState.fetch(client), allowDestroyVolumes: true)
            _ = try await apply(destroy, client: client, options: self.fast)
            let endpoints = await fake.state.names(.endpoint)
            let pods = await fake.state.names(.pod)
            let volumes = await fake.state.names(.networkVolume)
            XCTAssertEqual(endpoints, ["podform-support-chat"])  // theirs survives
            XCTAssertEqual(pods, ["podform-support-chat"])
            XCTAssertEqual(volumes, ["their-data"])
            let counts = await fake.state.counts()
            XCTAssertEqual(counts["templates"], 0)
        }
    }

    func testDestroyKeepsVolumesWithoutTheFlag() async throws {
        let d = try deployment(example("support-chat.yaml"))
        try await withFake { fake, client in
            _ = try await self.converge(d, client)
            let destroy = destroyChanges(spec: "support-chat", live: try await LiveState.fetch(client), allowDestroyVolumes: false)
            XCTAssertEqual(destroy.changes.map(\.kind), [.endpoint, .template])
            XCTAssertTrue(destroy.notes.first?.contains("--allow-destroy-volumes") ?? false)
            _ = try await apply(destroy, client: client, options: self.fast)
            let counts = await fake.state.counts()
            XCTAssertEqual(counts, ["pods": 0, "endpoints": 0, "templates": 0, "network_volumes": 1])
        }
    }

    /// Every injectable fault at every write of an apply, then a second apply: all converge, no duplicates.
    func testFaultMatrixConverges() async throws {
        var runs = 0, converged = 0
        let examples = try FileManager.default.contentsOfDirectory(atPath: Self.root.appendingPathComponent("examples").path)
            .filter { $0.hasSuffix(".yaml") }.sorted()
        XCTAssertGreaterThanOrEqual(examples.count, 9)
        for example in examples {
            let d = try deployment(try self.example(example))
            // The writes of a clean apply.
            var writes: [(String, String)] = []
            try await withFake { fake, client in
                _ = try await self.converge(d, client)
                writes = await fake.state.requests.filter { $0.method != "GET" }.map { ($0.method, $0.path) }
            }
            for (method, path) in writes {
                for fault in [Fault.Kind.status(500), .status(503), .succeedThen500, .noCapacity, .rateLimited(retryAfter: 1)] {
                    runs += 1
                    try await withFake { fake, client in
                        await fake.state.inject(Fault(fault, method: method, pathPrefix: path, times: 3))
                        _ = try? await self.converge(d, client)  // may fail part-way
                        await fake.state.clearFaults()
                        _ = try await self.converge(d, client)
                        let live = try await LiveState.fetch(client)
                        let counts = await fake.state.counts()
                        let expected = Dictionary(grouping: RunPodResources.requests(for: d), by: \.kind.rawValue).mapValues(\.count)
                        let ok =
                            !diff(d, live: live).hasChanges
                            && counts["templates"] == expected["template"] ?? 0 && counts["endpoints"] == expected["endpoint"] ?? 0
                            && counts["pods"] == expected["pod"] ?? 0 && counts["network_volumes"] == expected["network_volume"] ?? 0
                        XCTAssertTrue(ok, "\(example): \(fault) at \(method) \(path): \(counts)")
                        if ok { converged += 1 }
                    }
                }
            }
        }
        print("fault matrix: \(converged) of \(runs) runs converged with no duplicates and no orphans")
        XCTAssertEqual(converged, runs)
    }
}
