import Foundation
import PodformCatalog
import PodformCompiler
import PodformCore
import PodformKit

/// Compiler speed: plans per second over 1,000 specs, and one `podform plan` run's wall time.
enum PlanBench {
    /// A deterministic grid of 1,000 specs over models, precisions, contexts, loads and SLAs.
    static func specs() -> [String] {
        let models = [
            "meta-llama/Llama-3.1-8B-Instruct", "Qwen/Qwen2.5-7B-Instruct", "Qwen/Qwen2.5-32B-Instruct",
            "meta-llama/Llama-3.1-70B-Instruct", "mistralai/Mixtral-8x7B-Instruct-v0.1", "google/gemma-2-9b-it",
            "Qwen/Qwen3-30B-A3B", "openai/gpt-oss-20b", "microsoft/phi-4", "Qwen/Qwen3-8B"
        ]
        let precisions = ["bf16", "fp8", "awq", "int8", "bf16"]
        let contexts = [2048, 4096, 8192, 8192]
        let concurrency = [1, 8, 32, 64, 16]
        let patterns = ["steady", "bursty", "scheduled", "batch", "bursty"]
        var out: [String] = []
        for i in 0..<1000 {
            let model = models[i % models.count]
            out.append(
                """
                version: 1
                name: bench-\(i)
                model: {id: \(model)}
                precision: \(model.contains("gpt-oss") ? "mxfp4" : precisions[(i / 10) % precisions.count])
                context: \(model.contains("gemma-2") ? 4096 : contexts[(i / 50) % contexts.count])
                concurrency: \(concurrency[(i / 7) % concurrency.count])
                traffic: {pattern: \(patterns[(i / 3) % patterns.count]), requests_per_day: \([500, 5000, 50000][i % 3]), prompt_tokens: 800, output_tokens: 200}
                sla: {ttft_p95: 3s, output_tokens_per_second: 10, cold_start: \(["60s", "none", "120s"][(i / 11) % 3])}
                constraints: {max_workers: \([1, 4, 8][(i / 13) % 3]), cloud: \(["secure", "any"][(i / 17) % 2])}
                deploy: {weights: download}

                """)
        }
        return out
    }

    static func median(_ xs: [Double]) -> Double { Stats.median(xs) }

    /// CPU seconds this thread has run: the rounds' cost on one core even when other processes share it
    /// (wall time then includes the time the scheduler gave them).
    static func threadCPUSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }

    /// Wall time of one process run in milliseconds (posix_spawn: Foundation's Process adds its own overhead).
    static func spawnAndWait(_ path: String, _ args: [String]) -> Double? {
        var pid: pid_t = 0
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        defer { posix_spawn_file_actions_destroy(&actions) }
        let argv = ([path] + args).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let start = DispatchTime.now().uptimeNanoseconds
        guard posix_spawn(&pid, path, &actions, nil, argv, environ) == 0 else { return nil }
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
    }

    static func run(root: URL, models: ModelCatalog, gpus: GPUCatalog) throws -> String {
        let texts = specs()
        let env = ValidationEnvironment(
            resolveGPU: { gpus.gpu(named: $0)?.id }, gpuNames: gpus.allNames,
            model: { name in models.model(named: name).map { .init(canonicalID: $0.id, maxContext: $0.architecture.maxContext) } })
        let compileEnv = CompileEnvironment(gpus: gpus, now: Date())
        // The step after compile that `podform plan` runs too: the RunPod requests (offline).
        let pipeline = PlanPipeline(catalogs: Catalogs(gpus: gpus, models: models), allowHub: false)
        var runs: [Double] = [], cpu: [Double] = []
        var planned = 0, infeasible = 0, requests = 0
        for round in 0..<5 {
            let start = DispatchTime.now().uptimeNanoseconds, cpuStart = threadCPUSeconds()
            var ok = 0, bad = 0
            for text in texts {
                let (spec, _) = Spec.validate(path: "bench.yaml", text: text, environment: env)
                guard let spec, let arch = models.model(named: spec.model.id)?.architecture else { bad += 1; continue }
                switch spec.compile(specFile: "bench.yaml", architecture: arch, environment: compileEnv) {
                case .success(let d):
                    ok += 1
                    if round == 0 {
                        requests += pipeline.review(Plan(catalogAsOf: gpus.asOf, deployments: [d]), live: nil).deployments[0].requests.count
                    }
                case .failure: bad += 1
                }
            }
            runs.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            cpu.append(threadCPUSeconds() - cpuStart)
            if round == 0 { planned = ok; infeasible = bad }
        }
        let total = median(runs)
        // One `podform plan` process, start to exit (release binary beside this one).
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("podform")
        var wall: [Double] = []
        if FileManager.default.isExecutableFile(atPath: binary.path) {
            for _ in 0..<21 {
                if let ms = spawnAndWait(binary.path, ["plan", "--offline", root.appendingPathComponent("examples/support-chat.yaml").path]) {
                    wall.append(ms)
                }
            }
        }
        return """
            ## Compiler speed

            `swift run -c release podform-bench plans`: parse, validate and compile 1,000 generated specs
            (10 models x precisions x contexts x loads x SLAs; \(planned) planned, \(infeasible) infeasible) on one
            thread, 5 rounds; the first round also maps each plan to its RunPod requests (\(requests) requests).
            Wall time is what the target is about; on a shared machine the thread's CPU time shows the cost alone.

            | measure | median | target |
            | --- | ---: | --- |
            | 1,000 specs, one core | \(String(format: "%.3f s", total)) (\(String(format: "%.0f", 1000 / total)) plans/s; rounds \(runs.map { String(format: "%.3f", $0) }.joined(separator: ", "))) | < 2 s (verification on) |
            | the same, CPU time of the thread | \(String(format: "%.3f s", median(cpu))) (rounds \(cpu.map { String(format: "%.3f", $0) }.joined(separator: ", "))) | < 2 s |
            | `podform plan examples/support-chat.yaml`, process start to exit (21 runs) | \(wall.isEmpty ? "n/a (build the podform product in release first)" : String(format: "%.1f ms (min %.1f, max %.1f)", median(wall), wall.min()!, wall.max()!)) | < 50 ms |

            """
    }
}
