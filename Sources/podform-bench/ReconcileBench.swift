import Foundation
import PodformApply
import PodformCatalog
import PodformCompiler
import PodformCore
import PodformTestSupport
import RunPodAPI

/// API calls per reconcile round for N specs against the loopback fake.
enum ReconcileBench {
    /// `count` copies of a spec under different names, compiled.
    static func deployments(_ base: String, prefix: String, count: Int, models: ModelCatalog, gpus: GPUCatalog) -> [Deployment] {
        let env = ValidationEnvironment(
            resolveGPU: { gpus.gpu(named: $0)?.id }, gpuNames: gpus.allNames,
            model: { n in models.model(named: n).map { .init(canonicalID: $0.id, maxContext: $0.architecture.maxContext) } })
        var out: [Deployment] = []
        for i in 0..<count {
            let text = base.replacingOccurrences(of: "name: docs-helper", with: "name: \(prefix)-\(i)")
            guard let spec = Spec.validate(path: "bench.yaml", text: text, environment: env).0,
                let arch = models.model(named: spec.model.id)?.architecture,
                case .success(let d) = spec.compile(
                    specFile: "bench.yaml", architecture: arch, environment: CompileEnvironment(gpus: gpus, now: Date()))
            else { continue }
            out.append(d)
        }
        return out
    }

    static func run(root: URL, models: ModelCatalog, gpus: GPUCatalog) async throws -> String {
        let base = try String(contentsOf: root.appendingPathComponent("examples/internal-tool.yaml"), encoding: .utf8)
        var rows: [String] = []
        for count in [10, 50, 100] {
            rows.append(try await callsRow(count: count, base: base, models: models, gpus: gpus))
        }
        let loadRows = try await load(base: base, models: models, gpus: gpus)
        return """
            ## Reconcile: API calls per round

            `swift run -c release podform-bench reconcile`: N copies of `examples/internal-tool.yaml` (serverless:
            template + endpoint each) against the loopback fake RunPod, `--prune` on. The first round creates
            everything; the next five find no drift.

            | specs | first round | rounds 2-6 (each) | median steady round |
            | ---: | --- | --- | ---: |
            \(rows.joined(separator: "\n"))

            Target: a constant number of list calls per round, independent of the number of specs (4: templates,
            endpoints, pods, network volumes), and zero writes when nothing drifted.

            ### Load: 500 specs, 20 rounds (one process: the reconciler and the fake)

            | round | specs applied | GET | writes | round time | resident memory | open fds |
            | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
            \(loadRows.joined(separator: "\n"))

            File descriptors and calls per round are constant. Resident memory rises over the first ~10 rounds
            (allocator and URLSession warm-up) and then stays within about 1 MiB; the fake holds its 1,000
            resources and request log in the same process, so the figures are an upper bound for podform alone.

            """
    }

    static func reconciler(_ fake: FakeRunPodServer, timeout: TimeInterval) -> Reconciler {
        let client = RunPodClient(baseURL: fake.baseURL, apiKey: "bench-key", timeout: timeout)
        return Reconciler(
            client: client, scope: Scope(id: "bench:.", explicit: true), prune: true,
            apply: ApplyOptions(waitTimeout: 30, pollInterval: 0.05), checkHealth: false)
    }

    /// One table row: the first round's calls, then five rounds without drift.
    static func callsRow(count: Int, base: String, models: ModelCatalog, gpus: GPUCatalog) async throws -> String {
        let deployments = Self.deployments(base, prefix: "docs-helper", count: count, models: models, gpus: gpus)
        let fake = try await FakeRunPodServer(apiKey: "bench-key", gpuTypes: FakeCatalog.bundled())
        let reconciler = reconciler(fake, timeout: 30)
        var start = DispatchTime.now().uptimeNanoseconds
        _ = await reconciler.round(RoundInput(deployments: deployments))
        let firstSeconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let first = await fake.state.requests
        var steady: [(Int, Int, Double)] = []
        for _ in 0..<5 {
            await fake.state.clearRequests()
            start = DispatchTime.now().uptimeNanoseconds
            _ = await reconciler.round(RoundInput(deployments: deployments))
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            let r = await fake.state.requests
            steady.append((r.filter { $0.method == "GET" }.count, r.filter { $0.method != "GET" }.count, seconds))
        }
        await fake.stop()
        let medianMs = Stats.median(steady.map { $0.2 * 1000 })
        return
            "| \(count) | \(first.filter { $0.method == "GET" }.count) GET, \(first.filter { $0.method != "GET" }.count) writes (\(String(format: "%.2f", firstSeconds)) s) | \(steady.map { "\($0.0)" }.joined(separator: "/")) GET, \(steady.map { "\($0.1)" }.joined(separator: "/")) writes | \(String(format: "%.1f", medianMs)) ms |"
    }

    /// Load: 500 specs, 20 rounds; memory, file descriptors and calls per round must stay flat.
    static func load(base: String, models: ModelCatalog, gpus: GPUCatalog) async throws -> [String] {
        var loadRows: [String] = []
        let deployments = Self.deployments(base, prefix: "load", count: 500, models: models, gpus: gpus)
        let fake = try await FakeRunPodServer(apiKey: "bench-key", gpuTypes: FakeCatalog.bundled())
        let reconciler = reconciler(fake, timeout: 60)
        for round in 1...20 {
            await fake.state.clearRequests()
            let start = DispatchTime.now().uptimeNanoseconds
            let outcomes = await reconciler.round(RoundInput(deployments: deployments)).outcomes
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            let requests = await fake.state.requests
            if [1, 2, 5, 10, 15, 20].contains(round) {
                loadRows.append(
                    "| \(round) | \(outcomes.filter { $0.result == .applied }.count) | \(requests.filter { $0.method == "GET" }.count) | \(requests.filter { $0.method != "GET" }.count) | \(String(format: "%.2f", seconds)) s | \(String(format: "%.1f", residentMiB())) MiB | \(openFDs()) |"
                )
            }
        }
        await fake.stop()
        return loadRows
    }
}

/// Resident set size of this process, MiB (/proc/self/statm).
func residentMiB() -> Double {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return .nan }
    let fields = text.split(separator: " ")
    guard fields.count > 1, let pages = Double(fields[1]) else { return .nan }
    return pages * Double(sysconf(Int32(_SC_PAGESIZE))) / 1_048_576
}

/// Open file descriptors of this process (/proc/self/fd).
func openFDs() -> Int {
    (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? -1
}
