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
            maxNumSeqs: c.perReplicaConcurrency,
            maxNumBatchedTokens: c.memory.activationBytesPerGPU > 0
                ? ServingDefaults.maxBatchedTokens(gpuGiB: c.gpu.cudaMemoryGiB, context: load.context) : 8192,
            quantization: precisionDecision().flag, dtype: engine.dtype(for: precision), kvCacheDType: kvFormat.rawValue,
            enablePrefixCaching: spec.traffic.repeatedPrefixes ?? false)
    }

    /// What the engine is started with: the spec's model, revision and port, the plan's settings.
    func launch(_ vllm: Deployment.VLLM) -> EngineLaunch {
        EngineLaunch(model: architectureID, revision: spec.model.revision, port: port, settings: vllm)
    }

    /// D-CONTAINER: the spec's image as written decides where it can run. vLLM's HTTP server serves a
    /// pod's port and takes no jobs from a queue endpoint; RunPod's worker takes queue jobs and
    /// serves no HTTP. The modes are narrowed to the image's, or the spec is refused (at
    /// `deploy.image`) when it asks for a mode the image cannot run in: the image is never swapped.
    func modesForImage(_ modes: Set<PricingModel>, _ trace: inout TraceBuilder) -> (modes: Set<PricingModel>, refusal: CompileFailure?) {
        guard let image = spec.deploy.image else { return (modes, nil) }
        let fits: Set<PricingModel>, why: String, other: String
        switch engine.imageKind(image) {
        case .server:
            (fits, why, other) = (
                [.pod], "`\(image)` is vLLM's HTTP server: it serves a pod's port and takes no jobs from a queue endpoint",
                "a queue worker image such as \(engine.defaultImage(.worker))"
            )
        case .worker:
            (fits, why, other) = (
                PricingModel.serverless, "`\(image)` is RunPod's queue worker: it takes a serverless endpoint's jobs and serves no HTTP on a pod",
                "vLLM's server image \(engine.defaultImage(.server))"
            )
        case .custom:
            return (modes, nil)
        }
        let kept = modes.intersection(fits)
        guard !kept.isEmpty else {
            let asked = modes == [.pod] ? "a pod" : "a serverless endpoint"
            return (
                modes,
                failure(
                    "\(why), and the spec needs \(asked) (D-MODE)",
                    suggestions: ["omit deploy.image: podform runs the engine's image for the mode", "set deploy.image to \(other)"],
                    trace: trace, code: "image-mode-conflict", at: "deploy.image")
            )
        }
        if kept != modes {
            trace.add(
                .container, "Which modes can the spec's image run in?", inputs: ["deploy.image": image],
                outcome: (kept == [.pod] ? "pods only: " : "serverless only: ") + why, source: Source.notesWorker)
        }
        return (kept, nil)
    }

    /// The image for `mode` (D-CONTAINER): the spec's as written (`modesForImage` kept only the modes
    /// it runs in), else the engine's default image for the mode.
    func containerImage(_ mode: DeploymentMode, _ trace: inout TraceBuilder) -> String {
        guard mode == .serverless else { return image }
        guard let image = spec.deploy.image else { return engine.defaultImage(.worker) }
        if engine.imageKind(image) == .custom {
            trace.add(
                .container, inputs: ["deploy.image": image],
                outcome: "`\(image)` as written: it must run a RunPod handler; podform configures it through worker-vllm's environment variables",
                source: Source.notesWorker)
        }
        return image
    }

    /// D-ACCESS: a pod's port is on RunPod's public proxy, so vLLM requires an API key from a RunPod
    /// secret unless the spec serves it publicly (`deploy.public`); the key's env, if any.
    func podAccess(_ trace: inout TraceBuilder, _ warnings: inout [Deployment.Warning]) -> [String: String] {
        if spec.deploy.public == true {
            trace.add(
                .access, inputs: ["deploy.public": "true"], outcome: "anyone with the pod's URL: no API key (deploy.public)",
                source: Source.proxy)
            warnings.append(
                .init(
                    code: "public-endpoint",
                    message:
                        "port \(port) is served on RunPod's public proxy without an API key (deploy.public: true): anyone who finds the URL can use the GPU you pay for"
                ))
            return [:]
        }
        let secret = spec.deploy.apiKeySecret ?? Deploy.defaultAPIKeySecret
        let env = engine.apiKeyEnvironment("{{ RUNPOD_SECRET_\(secret) }}")
        if let name = env.keys.first(where: { baseEnv()[$0] != nil }) {
            trace.add(
                .access, inputs: ["deploy.env/secrets": name], outcome: "callers need the API key the spec sets in \(name)",
                source: engine.apiKeyRationale.source)
            return [:]
        }
        let rationale = engine.apiKeyRationale
        trace.add(
            .access, inputs: ["deploy.api_key_secret": secret + (spec.deploy.apiKeySecret == nil ? " (default)" : "")],
            outcome: "callers with the API key in RunPod secret `\(secret)` (create it in RunPod's console, Secrets, before apply): "
                + rationale.outcome, source: Source.proxy + "; " + rationale.source)
        return env
    }

    /// The container for `mode`: disks and volume from `storage`, the engine's env and, on a pod, its arguments.
    func container(
        _ mode: DeploymentMode, image: String, vllm: Deployment.VLLM, storage: StoragePlan,
        weights: String, access: [String: String] = [:]
    ) -> Deployment.Container {
        let pod = mode == .pod
        return Deployment.Container(
            image: image, ports: pod ? ["\(port)/http", "22/tcp"] : [],
            containerDiskGB: pod ? storage.podContainerDiskGB : storage.serverlessContainerDiskGB,
            volumeGB: pod ? storage.podVolumeGB : nil,
            volumeMountPath: pod && storage.podVolumeGB != nil ? engine.modelCacheDirectory : nil,
            weights: weights, env: containerEnv(mode, vllm: vllm).merging(access) { _, key in key },
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
            let cache =
                baked
                ? engine.bakedModelCacheDirectory(.server)
                : weightsLocation == .networkVolume ? "/workspace/huggingface" : engine.modelCacheDirectory
            return baseEnv().merging(engine.serverEnvironment(cacheDirectory: cache, offline: baked)) { _, engine in engine }
        }
    }

    /// The D-VLLM step: the settings the engine is started with, and why they reach it as they do.
    func recordEngineSettings(_ vllm: Deployment.VLLM, _ trace: inout TraceBuilder) {
        let rationale = engine.settingsRationale
        trace.add(
            .vllm, "Which vLLM settings?",
            inputs: [
                "max_model_len": "\(vllm.maxModelLen)", "tensor_parallel_size": "\(vllm.tensorParallelSize)",
                "max_num_seqs": "\(vllm.maxNumSeqs)", "gpu_memory_utilization": fmt("%.2f", vllm.gpuMemoryUtilization)
            ],
            outcome: rationale.outcome, source: rationale.source)
    }
}
