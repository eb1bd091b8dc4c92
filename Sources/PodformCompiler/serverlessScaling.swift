import Foundation
import PodformCatalog
import PodformCore
import PodformSizing

extension Compiler {
    /// D-POOL and D-SERVERLESS: the endpoint's pool, exclusions, scaler, timeouts and worker counts.
    func serverlessScaling(
        _ best: Option, load: Load, vllm: Deployment.VLLM, _ trace: inout TraceBuilder,
        _ warnings: inout [Deployment.Warning]
    ) -> (serverless: Deployment.Serverless, workers: Deployment.Workers) {
        let c = best.candidate
        let gpu = c.gpu
        let perf = c.performance!
        let pool = gpu.serverlessPool!
        let excluded = recordPool(best, pool: pool, load: load, vllm: vllm, &trace)
        let (scaler, scalerValue, _) = self.scaler(idle: best.idleSeconds, load: load, slots: c.perReplicaConcurrency)
        // The execution timeout covers the slowest GPU the endpoint may land on (the pool minus its exclusions).
        let members = environment.gpus.gpus.filter { $0.serverlessPool == pool && !excluded.contains($0.id) }
        let timeoutMs = executionTimeoutSeconds(c, load: load, gpus: members.isEmpty ? [gpu] : members).seconds * 1000
        let serverless = Deployment.Serverless(
            pools: [pool], excludedTypes: excluded, scaler: scaler, scalerValue: scalerValue,
            idleTimeoutSeconds: best.idleSeconds, executionTimeoutMs: timeoutMs,
            flashboot: flashboot ? "FLASHBOOT" : "OFF", coldStartSeconds: (best.coldStartSeconds ?? 0).rounded())
        let workers = Deployment.Workers(min: best.minWorkers, max: best.maxWorkers)
        trace.add(
            .serverless, "How does the endpoint scale?",
            inputs: [
                "pool": pool, "excluded": excluded.joined(separator: ", "), "scaler": scaler,
                "cold_start_estimate_s": fmt("%.0f", best.coldStartSeconds ?? 0),
                "sla.cold_start": coldStartText
            ],
            outcome: "workers \(best.minWorkers)..\(best.maxWorkers), \(scaler) \(fmt("%g", scalerValue)), "
                + (scaler == "REQUEST_COUNT"
                    ? "no idle timeout (RunPod rejects one with REQUEST_COUNT; the cost model assumes a \(best.idleSeconds) s idle tail)"
                    : "idle timeout \(best.idleSeconds) s") + ", FlashBoot \(flashboot ? "on" : "off")",
            source: Source.notesPools)
        if best.model == .serverlessActive && best.minWorkers < best.maxWorkers && !coldStartAllowsScaleToZero(best.coldStartSeconds ?? 0) {
            warnings.append(
                .init(
                    code: "cold-start-at-peak",
                    message: fmt(
                        "workers beyond the %d active one(s) start cold (~%.0f s) at peak, over the SLA's %@", best.minWorkers,
                        best.coldStartSeconds ?? 0, coldStartText)))
        }
        return (serverless, workers)
    }

    /// D-POOL: every other member of the pool runs the worker as configured, or is excluded (the ids).
    func recordPool(_ best: Option, pool: String, load: Load, vllm: Deployment.VLLM, _ trace: inout TraceBuilder) -> [String] {
        let c = best.candidate
        let poolMembers = environment.gpus.gpus.filter { $0.serverlessPool == pool }
        let exclusions = poolExclusions(for: best, load: load, vllm: vllm)
        let excluded = exclusions.map(\.gpu.id)
        let kept = poolMembers.map(\.id).filter { !excluded.contains($0) }.sorted()
        trace.add(
            .pool,
            inputs: Dictionary(exclusions.map { ($0.gpu.id, "excluded: " + $0.reason) }, uniquingKeysWith: { a, _ in a })
                .merging(
                    [
                        "pool": pool,
                        "worker":
                            "\(c.tp) x GPU, max_num_seqs \(vllm.maxNumSeqs) x max_model_len \(vllm.maxModelLen) at gpu_memory_utilization \(fmt("%.2f", vllm.gpuMemoryUtilization))"
                    ],
                    uniquingKeysWith: { a, _ in a }),
            outcome: "workers run on " + kept.joined(separator: ", ")
                + (excluded.isEmpty
                    ? "; every member runs the worker as configured"
                    : "; excluded: " + exclusions.map { "\($0.gpu.displayName) (\($0.reason))" }.joined(separator: "; ")),
            source: Source.notesPools + "; " + Source.openapi)
        return excluded
    }

}
