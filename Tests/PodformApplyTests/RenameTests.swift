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

    /// A second pod and a second endpoint carrying the spec's markers under other names (a console
    /// copy, one made in the console from podform's template): the plan has no place for them. They
    /// are noted every round and never written to or deleted; `destroy` lists them with the spec.
    func testConsoleDuplicatesAreNotedNeverDeleted() async throws {
        let serverless = try Self.spec("docs"), pod = try Self.spec("docs-pod", pod: true)
        try await withFake { fake, client in
            let reconciler = Reconciler(client: client, scope: Self.scope, prune: true, apply: self.fast, checkHealth: false)
            let first = await reconciler.round(RoundInput(deployments: [serverless, pod]))
            XCTAssertTrue(first.succeeded, "\(first.outcomes)")
            let live = try await LiveState.fetch(client)
            let livePod = try XCTUnwrap(live.pods.first), liveEndpoint = try XCTUnwrap(live.endpoints.first)
            let podEnv = livePod.env ?? [:], endpointEnv = liveEndpoint.env ?? [:]
            let copyPod = await fake.state.seed(
                .pod, ["name": "debug-copy", "env": podEnv, "image": livePod.image ?? "", "gpu": ["id": livePod.gpuTypeID ?? "", "count": 1]])
            let copyEndpoint = await fake.state.seed(.endpoint, ["name": "my-copy", "env": endpointEnv, "templateId": liveEndpoint.templateId ?? ""])
            let counts = await fake.state.counts()
            for round in 1...5 {
                await fake.state.clearRequests()
                let report = await reconciler.round(RoundInput(deployments: [serverless, pod]))
                XCTAssertTrue(report.succeeded, "round \(round): \(report.outcomes)")
                XCTAssertEqual(report.outcomes.map(\.result), [.inSync, .inSync], "round \(round): \(report.outcomes)")
                let notes = report.outcomes.flatMap(\.notes)
                XCTAssertTrue(notes.contains { $0.contains("pod debug-copy (\(copyPod)) also carries this spec's markers") }, "\(notes)")
                XCTAssertTrue(notes.contains { $0.contains("endpoint my-copy (\(copyEndpoint)) also carries this spec's markers") }, "\(notes)")
                let log = await Self.writes(fake)
                XCTAssertEqual(log, [], "round \(round)")
                let now = await fake.state.counts()
                XCTAssertEqual(now, counts)
            }
            // Both names gone (podform's endpoint renamed too): podform's own, the older, is renamed
            // back; the copy is still only noted.
            _ = try await client.updateEndpoint(liveEndpoint.id, ["name": "renamed"])
            let set = diff(serverless, live: try await LiveState.fetch(client))
            XCTAssertEqual(set.changes.filter { $0.action != .noop }.map { "\($0.action) \($0.id ?? "")" }, ["update \(liveEndpoint.id)"])
            XCTAssertTrue(set.notes.contains { $0.contains("my-copy") }, "\(set.notes)")
            await fake.state.clearRequests()
            _ = try await apply(set, client: client, options: self.fast)
            let log = await Self.writes(fake)
            XCTAssertEqual(log, ["PATCH /v2/serverless/{id}"])
            let name = try await client.getEndpoint(liveEndpoint.id).name
            XCTAssertEqual(name, "podform-docs")
            // destroy is the one place they go: they are the spec's.
            let destroy = destroyChanges(spec: "docs-pod", live: try await LiveState.fetch(client), allowDestroyVolumes: false, scope: Self.scope.id)
            XCTAssertEqual(Set(destroy.changes.filter { $0.kind == .pod }.compactMap(\.id)), [livePod.id, copyPod])
        }
    }

    /// An env key a console user adds is shown, not fought: alone it is a note (no restart, no roll);
    /// the next change that sends the env shows it going (`env.EXTRA: "1" -> (none)`) and removes it.
    /// RunPod spreading the template's env into an endpoint at create is never taken for an extra.
    func testAnExtraEnvKeyIsANoteAloneAndARemovalWhenTheEnvIsSent() async throws {
        let serverless = try Self.spec("docs"), pod = try Self.spec("docs-pod", pod: true)
        try await withFake { fake, client in
            let reconciler = Reconciler(client: client, scope: Self.scope, prune: true, apply: self.fast, checkHealth: false)
            _ = await reconciler.round(RoundInput(deployments: [serverless, pod]))
            await fake.state.clearRequests()
            let quiet = await reconciler.round(RoundInput(deployments: [serverless, pod]))
            XCTAssertTrue(
                quiet.outcomes.allSatisfy { $0.result == .inSync && $0.notes.isEmpty }, "spread template env is no extra: \(quiet.outcomes)")
            let live = try await LiveState.fetch(client)
            for t in live.templates {
                _ = try await client.updateTemplate(
                    t.id, ["env": .object(((t.env ?? [:]).merging(["EXTRA": "1"]) { a, _ in a }).mapValues { .string($0) })])
            }
            for e in live.endpoints {
                _ = try await client.updateEndpoint(
                    e.id, ["env": .object(((e.env ?? [:]).merging(["EXTRA": "1"]) { a, _ in a }).mapValues { .string($0) })])
            }
            for p in live.pods {
                _ = try await client.updatePod(
                    p.id, ["env": .object(((p.env ?? [:]).merging(["EXTRA": "1"]) { a, _ in a }).mapValues { .string($0) })])
            }
            for round in 1...4 {
                await fake.state.clearRequests()
                let report = await reconciler.round(RoundInput(deployments: [serverless, pod]))
                XCTAssertEqual(report.outcomes.map(\.result), [.inSync, .inSync], "round \(round): \(report.outcomes)")
                let notes = report.outcomes.flatMap(\.notes)
                for what in ["template podform-docs", "endpoint podform-docs", "template podform-docs-pod", "pod podform-docs-pod"] {
                    XCTAssertTrue(notes.contains { $0.hasPrefix("\(what): env EXTRA is not in the plan") }, "\(what): \(notes)")
                }
                let log = await Self.writes(fake)
                XCTAssertEqual(log, [], "round \(round): an extra key alone restarts nothing")
            }
            // A spec env change: every PATCH sends the whole env, and the plan says EXTRA goes.
            for (changed, kinds) in [
                (try Self.spec("docs-pod", pod: true).withEnv(["MY_SETTING": "2"]), [ResourceKind.template, .pod]),
                (try Self.spec("docs").withEnv(["MY_SETTING": "2"]), [ResourceKind.template, .endpoint])
            ] {
                let set = diff(changed, live: try await LiveState.fetch(client))
                for kind in kinds {
                    let change = try XCTUnwrap(set.changes.first { $0.kind == kind && $0.action == .update }, "\(kind)")
                    XCTAssertTrue(change.fields.contains(FieldChange(path: "env.MY_SETTING", old: nil, new: "2")), "\(change.fields)")
                    XCTAssertTrue(change.fields.contains(FieldChange(path: "env.EXTRA", old: "1", new: nil)), "\(kind): \(change.fields)")
                    if case .object(let env)? = change.patch?["env"] { XCTAssertNil(env["EXTRA"]) } else { XCTFail("\(kind) patch sends the env") }
                }
                _ = try await apply(set, client: client, options: self.fast)
                let after = try await LiveState.fetch(client)
                XCTAssertFalse(after.templates.contains { $0.name == "podform-\(changed.name)" && $0.env?["EXTRA"] != nil })
                XCTAssertFalse(after.pods.contains { $0.env?["EXTRA"] != nil } && kinds.contains(.pod))
                XCTAssertFalse(after.endpoints.contains { $0.env?["EXTRA"] != nil } && kinds.contains(.endpoint))
                let again = diff(changed, live: after)
                XCTAssertFalse(again.hasChanges, "\(again.changes.filter { $0.action != .noop })")
                XCTAssertEqual(again.notes, [])
            }
        }
    }

    /// Renamed resources of another spec, and of this spec applied from another scope, are never
    /// adopted, renamed or deleted: this spec creates its own beside them and leaves them alone.
    func testRenamedResourcesOfAnotherSpecOrScopeAreNeverTouched() async throws {
        try await withFake { fake, client in
            let elsewhere = try Self.spec("docs", scope: "github.com/acme/deploy:other")
            let other = try Self.spec("chat")
            for d in [elsewhere, other] { _ = try await apply(diff(d, live: try await LiveState.fetch(client)), client: client, options: self.fast) }
            let live = try await LiveState.fetch(client)
            for t in live.templates { _ = try await client.updateTemplate(t.id, ["name": .string("renamed-\(t.id)")]) }
            for e in live.endpoints { _ = try await client.updateEndpoint(e.id, ["name": .string("renamed-\(e.id)")]) }
            let theirs = await Set(fake.state.ids(.template) + fake.state.ids(.endpoint))
            await fake.state.clearRequests()
            let reconciler = Reconciler(client: client, scope: Self.scope, prune: true, apply: self.fast, checkHealth: false)
            let mine = try Self.spec("docs")
            for round in 1...4 {
                // `chat` is still in the directory (another reconciler's selection, say): not pruned.
                let report = await reconciler.round(RoundInput(deployments: [mine], presentSpecs: ["docs", "chat"]))
                XCTAssertEqual(report.outcomes.map(\.result), [round == 1 ? .applied : .inSync], "round \(round): \(report.outcomes)")
                XCTAssertTrue(report.outcomes.allSatisfy { $0.notes.isEmpty }, "\(report.outcomes)")
            }
            for w in await fake.state.requests where w.method != "GET" {
                let id = w.path.split(separator: "/").dropFirst(2).first.map(String.init) ?? ""
                XCTAssertFalse(theirs.contains(id), "wrote to another spec's or scope's resource: \(w.method) \(w.path)")
            }
            let posts = await fake.state.requests.filter { $0.method == "POST" }.map(\.path)
            XCTAssertEqual(posts, ["/v2/templates", "/v2/serverless"], "this scope's own, once")
            let names = await fake.state.names(.endpoint)
            XCTAssertEqual(names.filter { $0.hasPrefix("renamed-") }.count, 2)
            XCTAssertEqual(names.filter { $0 == "podform-docs" }.count, 1)
        }
    }

    /// A renamed endpoint that mounts the spec's network volume: before, the endpoint was not the
    /// spec's, so the volume was taken for somebody else's and the plan failed. Now it is renamed back.
    func testARenamedEndpointKeepsItsNetworkVolumeOurs() async throws {
        let d = try ApplyTests.deployment(try ApplyTests.example("support-chat.yaml"), file: "rec/s.yaml", scope: Self.scope.id)
        try await withFake { fake, client in
            _ = try await apply(diff(d, live: try await LiveState.fetch(client)), client: client, options: self.fast)
            let endpoints = try await client.listEndpoints()
            let endpoint = try XCTUnwrap(endpoints.first)
            XCTAssertFalse(endpoint.networkVolumes?.isEmpty ?? true, "the example mounts a volume")
            _ = try await client.updateEndpoint(endpoint.id, ["name": "my-endpoint"])
            let set = diff(d, live: try await LiveState.fetch(client))
            XCTAssertEqual(set.errors, [])
            XCTAssertEqual(set.changes.filter { $0.action != .noop }.map { "\($0.kind.rawValue) \($0.action)" }, ["endpoint update"])
            XCTAssertEqual(
                set.changes.first { $0.kind == .endpoint }?.fields, [FieldChange(path: "name", old: "my-endpoint", new: .string("podform-\(d.name)"))]
            )
            await fake.state.clearRequests()
            _ = try await apply(set, client: client, options: self.fast)
            let log = await Self.writes(fake)
            XCTAssertEqual(log, ["PATCH /v2/serverless/{id}"])
            let counts = await fake.state.counts()
            XCTAssertEqual(counts, ["pods": 0, "endpoints": 1, "templates": 1, "network_volumes": 1])
        }
    }

    /// A pod stopped and renamed in the console: one `start` that first gives the name back.
    func testAStoppedRenamedPodIsRenamedThenStarted() async throws {
        let d = try Self.spec("docs-pod", pod: true)
        try await withFake { fake, client in
            _ = try await apply(diff(d, live: try await LiveState.fetch(client)), client: client, options: self.fast)
            let podIDs = await fake.state.ids(.pod)
            let podID = try XCTUnwrap(podIDs.first)
            await fake.state.mutate(.pod, id: podID) {
                $0["desiredStatus"] = "EXITED"; $0["name"] = "parked"
            }
            let set = diff(d, live: try await LiveState.fetch(client))
            let change = try XCTUnwrap(set.changes.first { $0.kind == .pod })
            XCTAssertEqual(change.action, .start)
            XCTAssertEqual(change.fields.map(\.path), ["name", "status"])
            await fake.state.clearRequests()
            let result = try await apply(set, client: client, options: self.fast)
            XCTAssertEqual(result.writes, 2)
            let log = await Self.writes(fake)
            XCTAssertEqual(log, ["PATCH /v2/pods/{id}", "POST /v2/pods/{id}"])
            let pod = try await client.getPod(podID)
            XCTAssertEqual(pod.name, "podform-docs-pod")
            XCTAssertEqual(pod.status, "RUNNING")
            let again = diff(d, live: try await LiveState.fetch(client))
            XCTAssertFalse(again.hasChanges)
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

extension Deployment {
    /// The deployment with more container env (as `deploy.env` would add).
    func withEnv(_ env: [String: String]) -> Deployment {
        var d = self
        d.container.env.merge(env) { _, new in new }
        return d
    }
}
