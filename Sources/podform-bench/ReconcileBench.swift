import Foundation
import PodformApply
import PodformCatalog
import PodformCompiler
import PodformCore
import PodformTestSupport
import RunPodAPI

/// API calls per reconcile round for N specs against the loopback fake.
enum ReconcileBench {
    static func run(root: URL, models: ModelCatalog, gpus: GPUCatalog) async throws -> String {
        let base = try String(contentsOf: root.appendingPathComponent("examples/internal-tool.yaml"), encoding: .utf8)
        let env = ValidationEnvironment(resolveGPU: { gpus.gpu(named: $0)?.id }, gpuNames: gpus.allNames,
                                        model: { n in models.model(named: n).map { .init(canonicalID: $0.id, maxContext: $0.architecture.maxContext) } })
        var rows: [String] = []
        for count in [10, 50, 100] {
            var deployments: [Deployment] = []
            for i in 0..<count {
                let text = base.replacingOccurrences(of: "name: docs-helper", with: "name: docs-helper-\(i)")
                guard let spec = Spec.validate(path: "bench.yaml", text: text, environment: env).0,
                      let arch = models.model(named: spec.model.id)?.architecture,
                      case .success(let d) = spec.compile(specFile: "bench.yaml", architecture: arch, environment: CompileEnvironment(gpus: gpus, now: Date()))
                else { continue }
                deployments.append(d)
            }
            let fake = try await FakeRunPodServer(apiKey: "bench-key", gpuTypes: FakeCatalog.bundled())
            let client = RunPodClient(baseURL: fake.baseURL, apiKey: "bench-key", timeout: 30)
            let reconciler = Reconciler(client: client, prune: true, apply: ApplyOptions(waitTimeout: 30, pollInterval: 0.05))
            var start = DispatchTime.now().uptimeNanoseconds
            _ = try await reconciler.round(deployments)
            let firstSeconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            let first = await fake.state.requests
            var steady: [(Int, Int, Double)] = []
            for _ in 0..<5 {
                await fake.state.clearRequests()
                start = DispatchTime.now().uptimeNanoseconds
                _ = try await reconciler.round(deployments)
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                let r = await fake.state.requests
                steady.append((r.filter { $0.method == "GET" }.count, r.filter { $0.method != "GET" }.count, seconds))
            }
            await fake.stop()
            let medianMs = Stats.median(steady.map { $0.2 * 1000 })
            rows.append("| \(count) | \(first.filter { $0.method == "GET" }.count) GET, \(first.filter { $0.method != "GET" }.count) writes (\(String(format: "%.2f", firstSeconds)) s) | \(steady.map { "\($0.0)" }.joined(separator: "/")) GET, \(steady.map { "\($0.1)" }.joined(separator: "/")) writes | \(String(format: "%.1f", medianMs)) ms |")
        }
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

        """
    }
}
