import PodformCore
import PodformEngine
import PodformSizing

extension DeploymentMode {
    /// How the serving engine starts in this mode: its own HTTP server on a pod, a queue worker on serverless.
    var launchStyle: LaunchStyle { self == .pod ? .server : .worker }
}

/// What the compiler asks the serving engine (`CompileEnvironment.engine`): settings, images, env, args.
extension Compiler {
    func vllmSettings(_ c: Candidate, load: Load) -> Deployment.VLLM {
        Deployment.VLLM(
            maxModelLen: load.context, gpuMemoryUtilization: utilization, tensorParallelSize: c.tp,
            maxNumSeqs: c.perReplicaConcurrency, maxNumBatchedTokens: c.memory.activationBytesPerGPU > 0
                ? ServingDefaults.maxBatchedTokens(gpuGiB: c.gpu.cudaMemoryGiB, context: load.context) : 8192,
            quantization: precisionDecision().flag, dtype: engine.dtype(for: precision), kvCacheDType: kvFormat.rawValue,
            enablePrefixCaching: spec.traffic.repeatedPrefixes ?? false)
    }

    /// What the engine is started with: the spec's model, revision and port, the plan's settings.
    func launch(_ vllm: Deployment.VLLM) -> EngineLaunch {
        EngineLaunch(model: architectureID, revision: spec.model.revision, port: port, settings: vllm)
    }

    /// The image for `mode` (D-CONTAINER): the spec's as written, except one that cannot start the
    /// engine in that mode, which becomes the engine's default image for it, with a warning.
    func containerImage(_ mode: DeploymentMode, _ trace: inout TraceBuilder, _ warnings: inout [Deployment.Warning]) -> String {
        guard mode == .pod else { return serverlessImage(&trace, &warnings) }
        let runnable = engine.runnableImage(image, .server)
        if runnable != image {
            // A worker image waits for queue jobs; a pod serves HTTP: the engine's own server.
            warnings.append(.init(code: "image-replaced",
                                  message: "`\(image)` is a serverless worker image, which serves no HTTP on a pod; the pod runs \(runnable)"))
        }
        return runnable
    }

    /// The serverless image: the engine's HTTP server has no RunPod handler and cannot take jobs
    /// from a queue endpoint, so that one becomes the worker image. A custom image is deployed as
    /// is and configured through the environment the worker reads.
    func serverlessImage(_ trace: inout TraceBuilder, _ warnings: inout [Deployment.Warning]) -> String {
        guard let image = spec.deploy.image else { return engine.defaultImage(.worker) }
        let runnable = engine.runnableImage(image, .worker)
        if runnable != image {
            trace.add(.container, inputs: ["deploy.image": image],
                      outcome: "\(runnable): queue endpoints need RunPod's handler, which `\(image)` lacks",
                      source: Source.notesWorker)
            warnings.append(.init(code: "image-replaced",
                                  message: "`\(image)` has no RunPod handler, so the serverless endpoint runs \(runnable); set deploy.image to a worker image, or deploy.mode: pod"))
        } else if engine.imageKind(image) == .custom {
            trace.add(.container, inputs: ["deploy.image": image],
                      outcome: "`\(image)` as written: it must run a RunPod handler; podform configures it through worker-vllm's environment variables",
                      source: Source.notesWorker)
        }
        return runnable
    }

    /// The container for `mode`: disks and volume from `storage`, the engine's env and, on a pod, its arguments.
    func container(_ mode: DeploymentMode, image: String, vllm: Deployment.VLLM, storage: StoragePlan,
                   weights: String) -> Deployment.Container {
        let pod = mode == .pod
        return Deployment.Container(
            image: image, ports: pod ? ["\(port)/http", "22/tcp"] : [],
            containerDiskGB: pod ? storage.podContainerDiskGB : storage.serverlessContainerDiskGB,
            volumeGB: pod ? storage.podVolumeGB : nil,
            volumeMountPath: pod && storage.podVolumeGB != nil ? engine.modelCacheDirectory : nil,
            weights: weights, env: containerEnv(mode, vllm: vllm),
            args: pod ? engine.serverArguments(launch(vllm)).joined(separator: " ") : nil)
    }

    /// The spec's env and secret references (`baseEnv`) plus what the engine reads in `mode`.
    func containerEnv(_ mode: DeploymentMode, vllm: Deployment.VLLM) -> [String: String] {
        switch mode {
        case .serverless:
            return engine.workerEnvironment(launch(vllm), base: baseEnv())
        case .pod:
            // The pod's env replaces the image's: with the weights baked in, point it at the baked copy, offline.
            let baked = weightsLocation == .image
            let cache = baked ? engine.bakedModelCacheDirectory(.server)
                : weightsLocation == .networkVolume ? "/workspace/huggingface" : engine.modelCacheDirectory
            return baseEnv().merging(engine.serverEnvironment(cacheDirectory: cache, offline: baked)) { _, engine in engine }
        }
    }

    /// The D-VLLM step: the settings the engine is started with, and why they reach it as they do.
    func recordEngineSettings(_ vllm: Deployment.VLLM, _ trace: inout TraceBuilder) {
        let rationale = engine.settingsRationale
        trace.add(.vllm, "Which vLLM settings?",
                  inputs: ["max_model_len": "\(vllm.maxModelLen)", "tensor_parallel_size": "\(vllm.tensorParallelSize)",
                           "max_num_seqs": "\(vllm.maxNumSeqs)", "gpu_memory_utilization": fmt("%.2f", vllm.gpuMemoryUtilization)],
                  outcome: rationale.outcome, source: rationale.source)
    }
}
