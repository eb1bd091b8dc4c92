import Foundation
import PodformCompiler
import PodformTestSupport
import RunPodAPI
import XCTest

@testable import PodformApply

/// The scope rule as a table: marker scope x selector x spec state -> keep / delete.
final class ScopeRuleTests: XCTestCase {
    func testPruneVerdictTable() throws {
        let dir = Scope(id: "github.com/acme/deploy:rec", explicit: false)
        let platform = try LabelSelector.parse(["team=platform"])
        let none = LabelSelector()
        struct Row {
            var scope: String?; var labels: [String: String]?; var selector: LabelSelector; var present: Bool; var blocked: Bool; var delete: Bool;
            var line: UInt
        }
        let rows: [Row] = [
            // In scope, spec gone, no selector: the one case that deletes.
            Row(scope: dir.id, labels: ["team": "platform"], selector: none, present: false, blocked: false, delete: true, line: #line),
            // A subdirectory of the scope is inside it; a sibling directory with a common prefix is not.
            Row(scope: "github.com/acme/deploy:rec/team-a", labels: nil, selector: none, present: false, blocked: false, delete: true, line: #line),
            Row(scope: "github.com/acme/deploy:recent", labels: nil, selector: none, present: false, blocked: false, delete: false, line: #line),
            // Another directory, another repository, no scope recorded: kept.
            Row(
                scope: "github.com/acme/deploy:other", labels: ["team": "platform"], selector: none, present: false, blocked: false, delete: false,
                line: #line),
            Row(
                scope: "github.com/other/deploy:rec", labels: ["team": "platform"], selector: none, present: false, blocked: false, delete: false,
                line: #line),
            Row(scope: nil, labels: ["team": "platform"], selector: none, present: false, blocked: false, delete: false, line: #line),
            // The spec is still in the directory (whatever became of it this round): kept.
            Row(scope: dir.id, labels: ["team": "platform"], selector: none, present: true, blocked: false, delete: false, line: #line),
            // Selector: matching labels delete, others and unknown labels keep.
            Row(scope: dir.id, labels: ["team": "platform"], selector: platform, present: false, blocked: false, delete: true, line: #line),
            Row(scope: dir.id, labels: ["team": "api"], selector: platform, present: false, blocked: false, delete: false, line: #line),
            Row(scope: dir.id, labels: nil, selector: platform, present: false, blocked: false, delete: false, line: #line),
            // A round that cannot name every spec prunes nothing.
            Row(scope: dir.id, labels: ["team": "platform"], selector: none, present: false, blocked: true, delete: false, line: #line)
        ]
        for row in rows {
            let context = PruneContext(
                scope: dir, selector: row.selector, presentSpecs: row.present ? ["chat"] : ["other"],
                blocked: row.blocked ? "a.yaml did not parse" : nil)
            let verdict = context.verdict(OwnerMarks(spec: "chat", scope: row.scope, labels: row.labels))
            XCTAssertEqual(verdict.deletes, row.delete, "\(verdict)", line: row.line)
        }
        // An explicit scope contains only itself.
        let named = try Scope.named("team-search")
        XCTAssertTrue(named.contains("team-search"))
        XCTAssertFalse(named.contains("team-search/x"))
        XCTAssertThrowsError(try Scope.named("has space"))
        XCTAssertThrowsError(try Scope.named(""))
    }

    func testSelectorsAsKubectlWritesThem() throws {
        let labels = ["team": "platform", "env": "prod", "tier": "gold"]
        func matches(_ s: String...) throws -> Bool { try LabelSelector.parse(s).matches(labels) }
        XCTAssertTrue(try matches("team=platform"))
        XCTAssertTrue(try matches("team==platform"))
        XCTAssertTrue(try matches("team=platform,env=prod"))
        XCTAssertFalse(try matches("team=support,env=prod"))
        XCTAssertTrue(try matches("team=platform", "env!=dev"))
        XCTAssertFalse(try matches("env!=prod"))
        XCTAssertTrue(try matches("tier in (gold, silver)"))
        XCTAssertFalse(try matches("tier notin (gold)"))
        XCTAssertTrue(try matches("tier in (gold),env=prod"))
        XCTAssertTrue(try matches("team"))
        XCTAssertFalse(try matches("!team"))
        XCTAssertTrue(try matches("!canary"))
        XCTAssertTrue(try matches("example.com/owner notin (x)"))
        for bad in ["", "=x", "team=a b", "tier in gold", "tier in (gold", "team=,", "a,,b", "-bad=1"] {
            XCTAssertThrowsError(try LabelSelector.parse([bad]), bad)
        }
    }

    func testDirectoryScopeIsRepositoryRelativeAndStable() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("podform-scope-\(UUID().uuidString)")
        let specs = root.appendingPathComponent("deploy/rec")
        try FileManager.default.createDirectory(at: specs, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: root.appendingPathComponent(".git"), withIntermediateDirectories: true)
        try "[core]\n\tbare = false\n[remote \"origin\"]\n\turl = git@github.com:acme/deploy.git\n"
            .write(to: root.appendingPathComponent(".git/config"), atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: root) }
        XCTAssertEqual(Scope.directory(specs.path).id, "github.com/acme/deploy:deploy/rec")
        XCTAssertEqual(Scope.directory(specs.path + "/").id, "github.com/acme/deploy:deploy/rec")
        XCTAssertEqual(Scope.directory(root.path).id, "github.com/acme/deploy:.")
        XCTAssertEqual(Scope.normalizedRemote("https://x-token:abc@github.com/acme/deploy"), "github.com/acme/deploy")
        XCTAssertEqual(Scope.normalizedRemote("ssh://git@gitlab.example.com:2222/acme/deploy.git"), "gitlab.example.com/acme/deploy")
        XCTAssertTrue(Scope.directory(root.path).contains("github.com/acme/deploy:deploy/rec"))
    }
}

final class SpecLocksTests: XCTestCase {
    func testLocksAreReentrantPerHolderAndExcludeOthers() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("podform-locks-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let loop = SpecLocks(directory: dir), other = SpecLocks(directory: dir)
        XCTAssertEqual(loop.acquire("chat"), .acquired)
        XCTAssertEqual(loop.acquire("chat"), .acquired, "a holder takes its own lock again")
        XCTAssertEqual(other.acquire("chat"), .heldElsewhere)
        loop.releaseAll()
        XCTAssertEqual(other.acquire("chat"), .acquired)
        XCTAssertEqual(loop.acquire("chat"), .heldElsewhere)
        other.release("chat")
        XCTAssertEqual(loop.acquire("chat"), .acquired)
        if case .failed = loop.acquire("../etc") {} else { XCTFail("a name that is not a spec name must not become a path") }
        // An unwritable lock directory is a failure, not "held elsewhere".
        let file = dir.appendingPathComponent("not-a-dir")
        try Data().write(to: file)
        if case .failed = SpecLocks(directory: file.appendingPathComponent("locks")).acquire("chat") {} else { XCTFail("expected a failure") }
    }
}

/// The reconcile loop over many rounds, against the loopback fake, with drift in between.
final class ReconcileTests: XCTestCase {
    static let scope = Scope(id: "github.com/acme/deploy:rec", explicit: false)
    let fast = ApplyOptions(waitTimeout: 5, pollInterval: 0.02)

    func withFake(_ body: (FakeRunPodServer, RunPodClient) async throws -> Void) async throws {
        let fake = try await FakeRunPodServer(apiKey: ApplyTests.key, gpuTypes: ApplyTests.fakeGPUs)
        await fake.state.setPodPhaseSeconds(0.02)
        let client = RunPodClient(baseURL: fake.baseURL, apiKey: ApplyTests.key, timeout: 5, sleep: { _ in })
        do { try await body(fake, client) } catch { await fake.stop(); throw error }
        await fake.stop()
    }

    /// 50 specs: the first round creates them, later rounds list 5 times and write nothing.
    func testAPICallsPerRoundAreConstantAndZeroWritesWithoutDrift() async throws {
        let base = try ApplyTests.example("internal-tool.yaml")
        var deployments: [Deployment] = []
        for i in 0..<50 {
            deployments.append(
                try ApplyTests.deployment(
                    base.replacingOccurrences(of: "name: docs-helper", with: "name: docs-helper-\(i)"),
                    file: "rec/docs-\(i).yaml", scope: Self.scope.id))
        }
        let fake = try await FakeRunPodServer(apiKey: ApplyTests.key, gpuTypes: ApplyTests.fakeGPUs)
        let client = RunPodClient(baseURL: fake.baseURL, apiKey: ApplyTests.key, timeout: 10, sleep: { _ in })
        let reconciler = Reconciler(
            client: client, scope: Self.scope, prune: true, apply: ApplyOptions(waitTimeout: 5, pollInterval: 0.02),
            checkHealth: false)
        let first = await reconciler.round(RoundInput(deployments: deployments))
        XCTAssertEqual(first.outcomes.filter { $0.result == .applied }.count, 50, "\(first.outcomes.compactMap(\.error).prefix(2))")
        var perRound: [(gets: Int, writes: Int)] = []
        for _ in 0..<3 {
            await fake.state.clearRequests()
            let report = await reconciler.round(RoundInput(deployments: deployments))
            XCTAssertTrue(report.outcomes.allSatisfy { $0.result == .inSync })
            XCTAssertTrue(report.succeeded)
            let requests = await fake.state.requests
            perRound.append((requests.filter { $0.method == "GET" }.count, requests.filter { $0.method != "GET" }.count))
        }
        XCTAssertEqual(perRound.map(\.gets), [5, 5, 5], "one list per kind: templates, endpoints, pods, clusters, volumes")
        XCTAssertEqual(perRound.map(\.writes), [0, 0, 0])
        // Prune: a spec removed from the directory is destroyed.
        let pruned = await reconciler.round(RoundInput(deployments: Array(deployments.dropLast())))
        XCTAssertEqual(pruned.outcomes.first { $0.spec == "docs-helper-9" }?.result, .inSync)
        XCTAssertEqual(pruned.outcomes.filter { $0.result == .pruned }.map(\.spec), ["docs-helper-49"])
        let names = await fake.state.names(.template)
        XCTAssertFalse(names.contains("podform-docs-helper-49"))
        XCTAssertEqual(names.count, 49)
        // Above the delete cap nothing is deleted, and the round says why.
        let capped = await reconciler.round(RoundInput(deployments: Array(deployments.prefix(40))))
        XCTAssertFalse(capped.succeeded)
        XCTAssertEqual(capped.outcomes.filter { $0.result == .pruneHeld }.count, 9)
        XCTAssertTrue(capped.errors.contains { $0.contains("more than --max-deletes 3") }, "\(capped.errors)")
        let after = await fake.state.names(.template)
        XCTAssertEqual(after.count, 49)
        await fake.stop()
    }

    /// The soak test: one reconciler (prune on, selector team=platform) for 56 rounds while the
    /// console user and RunPod change things behind its back, a spec file is removed, and
    /// deployments outside its scope (another directory, another label, an unscoped podform
    /// deployment, a foreign template) sit beside it. Every in-scope drift is repaired within two
    /// rounds; nothing out of scope is written; no round skips a spec; nothing is duplicated.
    func testSoakManyRoundsWithDriftPruneAndNeighbours() async throws {
        let fake = try await FakeRunPodServer(apiKey: ApplyTests.key, gpuTypes: ApplyTests.fakeGPUs)
        await fake.state.setPodPhaseSeconds(0.01)
        let client = RunPodClient(baseURL: fake.baseURL, apiKey: ApplyTests.key, timeout: 10, sleep: { _ in })
        let tool = try ApplyTests.example("internal-tool.yaml")
        func spec(_ name: String, team: String, pod: Bool = false) -> String {
            var text = tool.replacingOccurrences(of: "name: docs-helper", with: "name: \(name)")
                .replacingOccurrences(of: "labels: {team: platform}", with: "labels: {team: \(team)}")
            if pod { text = text.replacingOccurrences(of: "mode: auto", with: "mode: pod") }
            return text
        }
        // The directory's specs (file -> text); the test edits this between rounds.
        var files: [String: String] = [
            "rec/docs.yaml": spec("docs", team: "platform"),
            "rec/docs-b.yaml": spec("docs-b", team: "platform"),
            "rec/docs-pod.yaml": spec("docs-pod", team: "platform", pod: true),
            "rec/api.yaml": spec("api", team: "api")
        ]
        let selector = try LabelSelector.parse(["team=platform"])
        let locks = SpecLocks(directory: FileManager.default.temporaryDirectory.appendingPathComponent("podform-soak-\(UUID().uuidString)"))
        let reconciler = Reconciler(
            client: client, scope: Self.scope, selector: selector, prune: true, maxDeletes: 1,
            apply: ApplyOptions(waitTimeout: 5, pollInterval: 0.01), locks: locks)

        // Out of scope, set up first: `api` (same directory, team api) by its own reconciler;
        // `chat` from another directory (same label); an unscoped podform deployment; a foreign template.
        let apiReconciler = Reconciler(
            client: client, scope: Self.scope, selector: try LabelSelector.parse(["team=api"]),
            apply: ApplyOptions(waitTimeout: 5, pollInterval: 0.01))
        let apiRound = await apiReconciler.round(
            RoundInput(deployments: [try ApplyTests.deployment(files["rec/api.yaml"]!, file: "rec/api.yaml", scope: Self.scope.id)]))
        XCTAssertTrue(apiRound.succeeded, "\(apiRound.outcomes)")
        let otherDir = try ApplyTests.deployment(spec("chat", team: "platform"), file: "other/chat.yaml", scope: "github.com/acme/deploy:other")
        _ = try await apply(
            diff(otherDir, live: try await LiveState.fetch(client)), client: client, options: ApplyOptions(waitTimeout: 5, pollInterval: 0.01))
        let legacy = try ApplyTests.deployment(spec("legacy", team: "platform"), file: "rec/legacy.yaml", scope: nil)
        _ = try await apply(
            diff(legacy, live: try await LiveState.fetch(client)), client: client, options: ApplyOptions(waitTimeout: 5, pollInterval: 0.01))
        await fake.state.seed(.template, ["name": "someone-elses", "image": "nginx", "env": ["A": "1"], "serverless": false])
        let outOfScope = await Set(fake.state.ids(.template) + fake.state.ids(.endpoint) + fake.state.ids(.pod) + fake.state.ids(.networkVolume))
        await fake.state.clearRequests()

        func input() throws -> RoundInput {
            var deployments: [Deployment] = []
            var present: Set<String> = []
            var blocked: String?
            for (file, text) in files.sorted(by: { $0.key < $1.key }) {
                guard let d = try? ApplyTests.deployment(text, file: file, scope: Self.scope.id) else { blocked = "\(file) did not parse"; continue }
                deployments.append(d)
                present.insert(d.name)
            }
            return RoundInput(deployments: deployments, presentSpecs: present, pruneBlocked: blocked)
        }
        func endpoint(_ spec: String) async -> Endpoint? {
            (try? await client.listEndpoints())?.first { $0.name == "podform-\(spec)" }
        }
        func maxWorkers(_ spec: String) async -> Int? {
            if case .int(let i)? = await endpoint(spec)?.workers?["max"] { return i }
            return nil
        }

        var repairedBy: [String: Int] = [:]
        var pending: [(name: String, since: Int, check: () async -> Bool)] = []
        var plannedMax: Int?
        var reports: [RoundReport] = []
        for round in 1...56 {
            // Drift behind the reconciler's back, before the round.
            switch round {
            case 5:
                let e = await endpoint("docs")!
                await fake.state.mutate(.endpoint, id: e.id) { o in
                    var w = o["workers"] as! [String: Any]; w["max"] = 9; o["workers"] = w
                }
                pending.append(("console edit of max workers", round, { await maxWorkers("docs") == plannedMax }))
            case 10:
                let e = await endpoint("docs")!
                _ = try await client.deleteEndpoint(e.id)
                pending.append(("deleted endpoint", round, { await endpoint("docs") != nil }))
            case 15:
                // RunPod's own idle scale-down: a note, not a fight (restore_idle_scale_down is off).
                let e = await endpoint("docs")!
                await fake.state.mutate(.endpoint, id: e.id) { o in
                    var w = o["workers"] as! [String: Any]; w["max"] = 0; o["workers"] = w
                }
            case 20:
                files["rec/docs-b.yaml"] = nil
                pending.append(("removed spec file", round, { await endpoint("docs-b") == nil }))
            case 25:
                let pods = try await client.listPods()
                let id = try XCTUnwrap(pods.first { $0.name == "podform-docs-pod" }?.id)
                await fake.state.mutate(.pod, id: id) { $0["desiredStatus"] = "EXITED" }
                pending.append(
                    (
                        "stopped pod", round,
                        {
                            (try? await client.listPods())?.contains { $0.name == "podform-docs-pod" && $0.status == "RUNNING" } ?? false
                        }
                    ))
            case 30:
                files["rec/api.yaml"] = nil  // another team's spec leaves: not this selector's to prune
            case 35:
                let templates = try await client.listTemplates()
                let id = try XCTUnwrap(templates.first { $0.name == "podform-docs" }?.id)
                await fake.state.mutate(.template, id: id) { $0["image"] = "attacker/image:latest" }
                pending.append(
                    (
                        "console edit of the template image", round,
                        {
                            (try? await client.listTemplates())?.contains { $0.name == "podform-docs" && $0.image != "attacker/image:latest" }
                                ?? false
                        }
                    ))
            case 40:
                files["rec/broken.yaml"] = "version: 1\nname: [not, a, name]\n"
            case 42:
                files["rec/broken.yaml"] = nil
            default: break
            }
            let report = await reconciler.round(try input())
            reports.append(report)
            if round == 1 { plannedMax = await maxWorkers("docs") }
            XCTAssertFalse(report.outcomes.contains { $0.result == .skipped }, "round \(round): \(report.outcomes)")
            XCTAssertFalse(report.outcomes.contains { $0.result == .failed || $0.result == .conflict }, "round \(round): \(report.outcomes)")
            if round == 15 || round == 16 {
                let liveMax = await maxWorkers("docs")
                XCTAssertEqual(liveMax, 0, "idle scale-down is RunPod's own drift, left alone")
                XCTAssertTrue(report.outcomes.first { $0.spec == "docs" }?.notes.contains { $0.contains("idle scale-down") } ?? false)
            }
            if round == 17 {
                // Put the planned max back the way a console user would, for the next checks.
                let e = await endpoint("docs")!
                let planned = plannedMax
                await fake.state.mutate(.endpoint, id: e.id) { o in
                    var w = o["workers"] as! [String: Any]; w["max"] = planned; o["workers"] = w
                }
            }
            // While broken.yaml is in the directory, its name is unknown: nothing is pruned.
            if round == 40 || round == 41 { XCTAssertTrue(report.outcomes.allSatisfy { $0.result != .pruned }) }
            var still: [(name: String, since: Int, check: () async -> Bool)] = []
            for p in pending {
                if await p.check() { repairedBy[p.name] = round - p.since } else { still.append(p) }
            }
            pending = still
            for p in pending { XCTAssertLessThan(round - p.since, 2, "\(p.name) not repaired by round \(p.since + 2)") }
            // No duplicates, ever.
            for kind in [ResourceKind.template, .endpoint, .pod] {
                let names = await fake.state.names(kind)
                XCTAssertEqual(names.count, Set(names).count, "round \(round): duplicate \(kind) names \(names.sorted())")
            }
        }
        XCTAssertEqual(reports.count, 56)
        XCTAssertEqual(
            Set(repairedBy.keys),
            [
                "console edit of max workers", "deleted endpoint", "removed spec file", "stopped pod",
                "console edit of the template image"
            ])
        XCTAssertTrue(repairedBy.values.allSatisfy { $0 <= 1 }, "\(repairedBy)")
        // Nothing out of scope was written.
        let writes = await fake.state.requests.filter { $0.method != "GET" }
        for w in writes {
            let id = w.path.split(separator: "/").dropFirst(2).first.map(String.init) ?? ""
            XCTAssertFalse(outOfScope.contains(id), "out-of-scope write: \(w.method) \(w.path)")
        }
        let templates = await fake.state.names(.template)
        XCTAssertTrue(templates.contains("podform-api"), "another selector's deployment survives its spec leaving")
        XCTAssertTrue(templates.contains("podform-chat"), "another directory's deployment survives")
        XCTAssertTrue(templates.contains("podform-legacy"), "an unscoped deployment is never pruned")
        XCTAssertTrue(templates.contains("someone-elses"))
        XCTAssertFalse(templates.contains("podform-docs-b"))
        // Health is reported from RunPod's state for what was in sync.
        let last = try XCTUnwrap(reports.last)
        XCTAssertEqual(last.outcomes.first { $0.spec == "docs-pod" }?.health?.state, .healthy, "\(last.outcomes)")
        XCTAssertNotNil(last.outcomes.first { $0.spec == "docs" }?.health)
        locks.releaseAll()
        await fake.stop()
    }

    /// A pod stopped behind podform's back is drift: diff starts it again (and apply waits for it).
    func testExitedPodIsDrift() async throws {
        try await withFake { fake, client in
            let text = try ApplyTests.example("internal-tool.yaml").replacingOccurrences(of: "mode: auto", with: "mode: pod")
            let d = try ApplyTests.deployment(text, file: "rec/x.yaml", scope: Self.scope.id)
            _ = try await apply(diff(d, live: try await LiveState.fetch(client)), client: client, options: fast)
            let podIDs = await fake.state.ids(.pod)
            let podID = try XCTUnwrap(podIDs.first)
            await fake.state.mutate(.pod, id: podID) { $0["desiredStatus"] = "EXITED" }
            let live = try await LiveState.fetch(client)
            let set = diff(d, live: live)
            XCTAssertEqual(set.changes.filter { $0.action != .noop }.map(\.action), [.start])
            XCTAssertEqual(health(d, live: live, workers: [:]).state, .degraded)
            let r = try await apply(set, client: client, options: fast)
            XCTAssertEqual(r.writes, 1)
            let again = diff(d, live: try await LiveState.fetch(client))
            XCTAssertFalse(again.hasChanges)
        }
    }

    /// Endpoint health from the workers RunPod reports.
    func testEndpointHealthFromWorkers() throws {
        let d = try ApplyTests.deployment(try ApplyTests.example("internal-tool.yaml"), file: "rec/x.yaml", scope: Self.scope.id)
        XCTAssertEqual(d.mode, .serverless)
        let env = ["PODFORM_MANAGED_BY": "podform", "PODFORM_SPEC": d.name, "PODFORM_SCOPE": Self.scope.id]
        func decode<T: Decodable>(_ type: T.Type, _ object: [String: Any]) -> T {
            try! JSONDecoder().decode(T.self, from: JSONSerialization.data(withJSONObject: object))
        }
        func live(min: Int) -> LiveState {
            LiveState(endpoints: [decode(Endpoint.self, ["id": "ep1", "name": "podform-\(d.name)", "env": env, "workers": ["min": min, "max": 3]])])
        }
        func worker(_ status: String, stale: Bool = false) -> [String: Any] {
            ["id": UUID().uuidString, "status": status, "gpuCount": 1, "isStale": stale]
        }
        func state(_ min: Int, _ workers: [[String: Any]]) -> Health.State {
            health(d, live: live(min: min), workers: ["ep1": decode(WorkerList.self, ["workers": workers])]).state
        }
        XCTAssertEqual(state(0, []), .healthy)
        XCTAssertEqual(state(1, []), .degraded)
        XCTAssertEqual(state(1, [worker("INITIALIZING")]), .progressing)
        XCTAssertEqual(state(1, [worker("THROTTLED")]), .degraded)
        XCTAssertEqual(state(1, [worker("IDLE")]), .healthy)
        XCTAssertEqual(state(0, [worker("RUNNING"), worker("UNHEALTHY")]), .degraded)
        XCTAssertEqual(state(1, [worker("RUNNING", stale: true)]), .progressing)
        XCTAssertEqual(health(d, live: LiveState(), workers: [:]).state, .degraded)
    }

    /// A template or pod named like podform's but without its markers is never adopted.
    func testForeignSameNamedResourcesAreConflictsNotAdoptions() async throws {
        try await withFake { fake, client in
            let d = try ApplyTests.deployment(try ApplyTests.example("internal-tool.yaml"), file: "rec/x.yaml", scope: Self.scope.id)
            await fake.state.seed(.template, ["name": "podform-\(d.name)", "image": "other/team:1", "env": ["TEAM": "other"], "serverless": true])
            let set = diff(d, live: try await LiveState.fetch(client))
            XCTAssertEqual(set.errors.count, 1, "\(set.errors)")
            XCTAssertTrue(set.errors[0].contains("not adopt"), set.errors[0])
            do {
                _ = try await apply(set, client: client, options: fast)
                XCTFail("applied over a foreign template")
            } catch let error as ApplyError {
                XCTAssertFalse(error.retryable)
            }
            let writes = await fake.state.writeCount
            XCTAssertEqual(writes, 0)
            // Another scope's deployment of the same spec name is not adopted either.
            await fake.state.clearFaults()
            let other = try ApplyTests.deployment(try ApplyTests.example("support-chat.yaml"), file: "a/s.yaml", scope: "repo:a")
            _ = try await apply(diff(other, live: try await LiveState.fetch(client)), client: client, options: fast)
            let same = try ApplyTests.deployment(try ApplyTests.example("support-chat.yaml"), file: "b/s.yaml", scope: "repo:b")
            let collide = diff(same, live: try await LiveState.fetch(client))
            XCTAssertFalse(collide.errors.isEmpty)
            XCTAssertTrue(collide.errors.joined().contains("managed from scope repo:a"), "\(collide.errors)")
        }
    }

    /// After a 500 on create, a same-named resource without podform's markers is not taken for the one just made.
    func testCreateOnceDoesNotAdoptAForeignResourceAfterA500() async throws {
        try await withFake { fake, client in
            await fake.state.seed(.template, ["name": "podform-x", "image": "other/team:1", "env": ["TEAM": "other"], "serverless": true])
            await fake.state.inject(Fault(.status(500), method: "POST", pathPrefix: "/v2/templates", times: 2))
            do {
                _ = try await client.createOnce(.template, name: "podform-x", body: ["name": "podform-x", "image": "a/b:1"]) { env in
                    env?["PODFORM_MANAGED_BY"] == "podform"
                }
                XCTFail("adopted a foreign template")
            } catch let error as RunPodError {
                XCTAssertTrue("\(error)".contains("not adopting"), "\(error)")
            }
        }
    }

    /// A scheduled pod is started when its window opens and stopped when it closes, by the loop;
    /// the plan prices it for those hours only because of that (and a pod without a schedule all day).
    func testScheduledPodIsStoppedAndStartedOnItsSchedule() async throws {
        let text = try ApplyTests.example("internal-tool.yaml").replacingOccurrences(of: "mode: auto", with: "mode: pod")
            .replacingOccurrences(of: "  active_hours_per_day: 8\n", with: "")
        let scheduled = text.replacingOccurrences(
            of: "traffic:\n", with: "traffic:\n  schedule: {hours: \"08:00-18:00\", days: [mon, tue, wed, thu, fri], timezone: Europe/Berlin}\n")
        XCTAssertNotEqual(scheduled, text)
        let d = try ApplyTests.deployment(scheduled, file: "rec/x.yaml", scope: Self.scope.id)
        let allDay = try ApplyTests.deployment(text, file: "rec/x.yaml", scope: Self.scope.id)
        XCTAssertEqual(d.mode, .pod)
        XCTAssertNotNil(d.schedule)
        // Compute for 50 of 168 hours a week against all 168.
        XCTAssertEqual(d.cost.computeMonthlyUSD / allDay.cost.computeMonthlyUSD, 50.0 / 168, accuracy: 0.002)
        XCTAssertTrue(d.trace.contains { $0.rule == "D-LIFECYCLE" && $0.outcome.contains("podform reconcile") })
        XCTAssertTrue(allDay.trace.contains { $0.rule == "D-LIFECYCLE" && $0.outcome.contains("24 hours") })

        final class Clock: @unchecked Sendable { var now = Date() }
        let clock = Clock()
        func set(_ text: String) {
            let f = DateFormatter()
            f.locale = Locale(identifier: "en_US_POSIX"); f.timeZone = TimeZone(identifier: "UTC"); f.dateFormat = "yyyy-MM-dd HH:mm"
            clock.now = f.date(from: text)!
        }
        try await withFake { fake, client in
            var reconciler = Reconciler(client: client, scope: Self.scope, apply: self.fast)
            reconciler.clock = { clock.now }
            func status() async throws -> String? { try await client.listPods().first { $0.name == "podform-\(d.name)" }?.status }
            // Tuesday 06:00 UTC = 07:00 Berlin: closed, nothing is created yet.
            set("2026-12-01 06:00")
            var report = await reconciler.round(RoundInput(deployments: [d]))
            XCTAssertTrue(report.succeeded, "\(report.outcomes)")
            let none = try await status(); XCTAssertNil(none)
            XCTAssertTrue(report.outcomes.first?.notes.contains { $0.contains("created when its schedule opens") } ?? false, "\(report.outcomes)")
            report = await reconciler.round(RoundInput(deployments: [d]))
            XCTAssertEqual(report.outcomes.first?.result, .inSync)
            XCTAssertEqual(report.outcomes.first?.health?.state, .healthy)
            // 08:30 Berlin: the pod is created and runs.
            set("2026-12-01 07:30")
            report = await reconciler.round(RoundInput(deployments: [d]))
            XCTAssertEqual(report.outcomes.first?.result, .applied, "\(report.outcomes)")
            let s1 = try await status(); XCTAssertEqual(s1, "RUNNING")
            // 18:30 Berlin: stopped; the next round leaves it stopped and writes nothing.
            set("2026-12-01 17:30")
            report = await reconciler.round(RoundInput(deployments: [d]))
            XCTAssertEqual(report.outcomes.first?.result, .applied)
            let s2 = try await status(); XCTAssertEqual(s2, "EXITED")
            await fake.state.clearRequests()
            report = await reconciler.round(RoundInput(deployments: [d]))
            XCTAssertEqual(report.outcomes.first?.result, .inSync)
            XCTAssertEqual(report.outcomes.first?.health?.detail, "stopped outside its schedule")
            let writes = await fake.state.writeCount
            XCTAssertEqual(writes, 0)
            // Saturday: still closed. Monday 08:00 Berlin: started again, same pod.
            set("2026-12-05 10:00")
            report = await reconciler.round(RoundInput(deployments: [d]))
            let s3 = try await status(); XCTAssertEqual(s3, "EXITED")
            let before = await fake.state.ids(.pod)
            set("2026-12-07 07:00")
            report = await reconciler.round(RoundInput(deployments: [d]))
            let s4 = try await status(); XCTAssertEqual(s4, "RUNNING")
            let after = await fake.state.ids(.pod)
            XCTAssertEqual(before, after, "started, not recreated")
        }
    }
}
