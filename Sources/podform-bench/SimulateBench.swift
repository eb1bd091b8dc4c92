import Foundation
import PodformCatalog
import PodformCompiler
import PodformCore
import PodformSimulate

/// Simulation speed: events per second simulating each serving example for 7 days (seed 1), and
/// the claimed versus simulated monthly cost beside it.
enum SimulateBench {
    static func run(root: URL, models: ModelCatalog, gpus: GPUCatalog) throws -> String {
        let validation = ValidationEnvironment(
            resolveGPU: { gpus.gpu(named: $0)?.id }, gpuNames: gpus.allNames,
            model: { name in models.model(named: name).map { .init(canonicalID: $0.id, maxContext: $0.architecture.maxContext) } })
        let environment = CompileEnvironment(gpus: gpus, now: ISO8601DateFormatter().date(from: "2026-11-10T00:00:00Z")!)
        let files = try FileManager.default.contentsOfDirectory(at: root.appendingPathComponent("examples"), includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "yaml" }.sorted { $0.path < $1.path }
        var rows: [String] = []
        var totalEvents = 0, totalSeconds = 0.0
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8)
            let (spec, diagnostics) = Spec.validate(path: file.lastPathComponent, text: text, environment: validation)
            guard let spec, !diagnostics.hasErrors, let arch = models.model(named: spec.model.id)?.architecture,
                case .success(let d) = spec.compile(specFile: file.lastPathComponent, architecture: arch, environment: environment),
                let model = spec.servingModel(deployment: d, architecture: arch, environment: environment)
            else { continue }
            var times: [Double] = []
            var report: SimulationReport?
            for _ in 0..<3 {
                let start = DispatchTime.now().uptimeNanoseconds
                report = simulate(model, options: .init(days: 7, seed: 1))
                times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            }
            guard let r = report else { continue }
            let t = Stats.median(times)
            totalEvents += r.events
            totalSeconds += t
            let fleet = d.mode == .pod ? "pod" : "\(d.workerMode?.rawValue ?? "") \(d.workers?.min ?? 0)..\(d.workers?.max ?? 0)"
            rows.append(
                String(
                    format: "| %@ | %@ | %d | %d | %.3f | %.2f M | $%.0f | $%.0f | %@ / %@ |", file.lastPathComponent, fleet, r.requests,
                    r.events, t, Double(r.events) / t / 1e6, r.claimedMonthlyUSD, r.monthlyUSD,
                    r.claimedSLAMet ? "met" : "not met", r.slaMet ? "met" : "not met"))
        }
        return """
            ## Simulation speed

            `podform-bench simulate`: each serving example simulated for 7 days (seed 1; median of 3 runs,
            release build, one core). An event is an arrival, a worker start, a prefill, a decode completion,
            an idle check or a scaler check. Cost and SLA columns: the plan's claim, then the simulation's.

            | example | fleet | requests | events | seconds | events/s | claimed $/month | simulated $/month | SLA claimed / simulated |
            |---|---|---|---|---|---|---|---|---|
            \(rows.joined(separator: "\n"))

            Overall: \(totalEvents) events in \(String(format: "%.2f", totalSeconds)) s = \(String(format: "%.2f", Double(totalEvents) / max(totalSeconds, 1e-9) / 1e6)) M events/s.

            """
    }
}
