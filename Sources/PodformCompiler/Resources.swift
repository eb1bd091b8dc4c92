import RunPodAPI
import Foundation
import PodformCatalog
import PodformCore
import PodformSizing

/// Disk and volume sizes for a candidate (`Specs/decisions.md`, D-STORAGE).
struct StoragePlan {
    var podContainerDiskGB: Int
    var podVolumeGB: Int?
    var serverlessContainerDiskGB: Int
    var networkVolumeGB: Int?
}

func roundUp(_ value: Double, to step: Int) -> Int {
    Int(saturating: (value / Double(step)).rounded(.up)).timesSaturating(step)
}

extension Compiler {
    /// The image's own writable-layer needs (logs, caches, compiled kernels), GB.
    var containerBaseGB: Double { 30 }

    /// `deploy.container_disk` in whole GB (rounded up), when the spec sets it.
    var requestedContainerDiskGB: Int? {
        spec.deploy.containerDiskBytes.map { Int(Saturating.ceilDiv(max($0, 0), 1_000_000_000)) }
    }

    /// GB the weights need on the container disk (10% headroom), when `mode` keeps them there.
    func weightsOnContainerDiskGB(_ c: Candidate, mode: DeploymentMode) -> Int? {
        let inContainer = mode == .pod ? weightsLocation == .image : weightsLocation != .networkVolume
        return inContainer ? roundUp(Double(downloadBytes) / 1e9 * 1.1, to: 1) : nil
    }

    /// Why `deploy.container_disk` cannot work for this candidate in `mode`, or nil: podform never
    /// silently enlarges a disk the spec sized (`Specs/decisions.md`, D-STORAGE).
    func containerDiskProblem(_ c: Candidate, mode: DeploymentMode) -> String? {
        guard let requested = requestedContainerDiskGB, let needed = weightsOnContainerDiskGB(c, mode: mode),
              requested < needed else { return nil }
        return "deploy.container_disk is \(requested) GB, but the weights alone need \(needed) GB on the container disk of this \(mode.rawValue)"
    }

    func storagePlan(_ c: Candidate) -> StoragePlan {
        // Bytes on disk, not in GPU memory: vLLM quantizing while loading downloads the 16-bit checkpoint.
        let weightsGB = Double(downloadBytes) / 1e9
        let withHeadroom = weightsGB * 1.2 + 5
        let volumeGB = min(max(roundUp(withHeadroom, to: 10), 20), 4096)
        let inContainer = roundUp(containerBaseGB + weightsGB * 1.1, to: 5)
        let podWeightsInVolume = weightsLocation != .image
        let serverlessInContainer = weightsLocation != .networkVolume
        // The spec's container disk wins (compileServing refuses one too small for the weights).
        let requested = requestedContainerDiskGB
        return StoragePlan(
            podContainerDiskGB: requested ?? (podWeightsInVolume ? Int(containerBaseGB) : inContainer),
            podVolumeGB: podWeightsInVolume && weightsLocation != .networkVolume ? volumeGB : nil,
            serverlessContainerDiskGB: requested ?? (serverlessInContainer ? inContainer : Int(containerBaseGB)),
            networkVolumeGB: weightsLocation == .networkVolume ? volumeGB : nil)
    }

    var resourceBaseName: String { "podform-\(spec.name)" }

    /// The scope this spec is applied from, if the caller gave one.
    var scope: String? { environment.scopes[specFile] }

    /// The ownership markers podform reads back from templates, endpoints and pods (`Specs/state.md`).
    func ownershipEnv() -> [String: String] {
        var env = ["PODFORM_MANAGED_BY": "podform", "PODFORM_SPEC": spec.name]
        if let scope { env["PODFORM_SCOPE"] = scope }
        return env
    }

    /// The spec's labels as the template records them (`PODFORM_LABELS`, for prune's selector);
    /// on the template only, so that a label edit never restarts a pod.
    var labelsMarker: String? {
        spec.labels.isEmpty ? nil : spec.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
    }

    /// The ownership markers as a body's `env`: endpoints and pods carry them too, whether or not
    /// RunPod spreads the template's env into them (Specs/state.md).
    var ownershipEnvBody: JSONValue { .object(ownershipEnv().mapValues { .string($0) }) }

    /// Environment for the chosen image, with secrets as RunPod references only.
    func containerEnv(mode: DeploymentMode, vllm: Deployment.VLLM?, candidate: Candidate) -> [String: String] {
        var env = spec.deploy.env
        for (name, secret) in spec.deploy.secrets { env[name] = "{{ RUNPOD_SECRET_\(secret) }}" }
        for (k, v) in ownershipEnv() { env[k] = v }
        guard let vllm else { return env }
        if mode == .serverless {
            env["MODEL_NAME"] = architectureID
            env["MAX_MODEL_LEN"] = String(vllm.maxModelLen)
            env["GPU_MEMORY_UTILIZATION"] = fmt("%.2f", vllm.gpuMemoryUtilization)
            env["TENSOR_PARALLEL_SIZE"] = String(vllm.tensorParallelSize)
            env["MAX_NUM_SEQS"] = String(vllm.maxNumSeqs)
            env["MAX_NUM_BATCHED_TOKENS"] = String(vllm.maxNumBatchedTokens)
            env["MAX_CONCURRENCY"] = String(vllm.maxNumSeqs)
            env["DTYPE"] = vllm.dtype
            if let q = vllm.quantization { env["QUANTIZATION"] = q }
            if vllm.kvCacheDType != "auto" { env["KV_CACHE_DTYPE"] = vllm.kvCacheDType }
            // vLLM 0.27.1 enables prefix caching by default (vllm/config/cache.py); BASE_PATH is a
            // build argument of worker-vllm v2.25.2 (Dockerfile `ARG BASE_PATH`, which fixes HF_HOME
            // under /runpod-volume at build time), so neither is set at runtime.
            if let revision = spec.model.revision { env["MODEL_REVISION"] = revision }
            // worker-vllm v2.25.2 maps every env var named like a vLLM flag onto it
            // (src/args_builder.py build_vllm_args: HF_TOKEN -> --hf-token <token>) and logs the
            // command line (src/main.py start_vllm). huggingface_hub also reads
            // HUGGING_FACE_HUB_TOKEN, which names no vLLM flag, so the token goes there.
            if let token = env.removeValue(forKey: "HF_TOKEN") { env["HUGGING_FACE_HUB_TOKEN"] = token }
        } else {
            env["HF_HOME"] = weightsLocation == .networkVolume ? "/workspace/huggingface" : "/root/.cache/huggingface"
        }
        return env
    }

    /// vllm serve arguments for the pod image (vllm/vllm-openai's entrypoint is the OpenAI server).
    func podArgs(_ vllm: Deployment.VLLM) -> String {
        var args = ["--model", architectureID, "--host", "0.0.0.0", "--port", String(port),
                    "--max-model-len", String(vllm.maxModelLen),
                    "--gpu-memory-utilization", fmt("%.2f", vllm.gpuMemoryUtilization),
                    "--tensor-parallel-size", String(vllm.tensorParallelSize),
                    "--max-num-seqs", String(vllm.maxNumSeqs),
                    "--max-num-batched-tokens", String(vllm.maxNumBatchedTokens), "--dtype", vllm.dtype]
        if let q = vllm.quantization { args += ["--quantization", q] }
        if vllm.kvCacheDType != "auto" { args += ["--kv-cache-dtype", vllm.kvCacheDType] }
        // Prefix caching is on by default in vLLM 0.27.1 (vllm/config/cache.py): no flag.
        if let revision = spec.model.revision { args += ["--revision", revision] }
        return args.joined(separator: " ")
    }

    func reference(_ kind: String, _ name: String) -> JSONValue { .string("${\(kind).\(name).id}") }

    /// The REST v2 create requests, in apply order: network volume, template, endpoint or pods.
    func resources(for option: Option, container: Deployment.Container, serverless: Deployment.Serverless?) -> [Deployment.Resource] {
        var out: [Deployment.Resource] = []
        let c = option.candidate
        let storage = storagePlan(c)
        let volumeName = "\(resourceBaseName)-weights"
        if let size = option.mode == .serverless ? storage.networkVolumeGB : (weightsLocation == .networkVolume ? storage.networkVolumeGB : nil),
           let dc = spec.constraints.dataCenters.first {
            out.append(.init(kind: "network_volume", name: volumeName, action: "create", method: "POST", path: "/v2/network-volumes",
                             body: ["name": .string(volumeName), "size": .int(size), "dataCenter": .string(dc)]))
        }
        let templateName = resourceBaseName
        var templateEnv = container.env
        if let labels = labelsMarker { templateEnv["PODFORM_LABELS"] = labels }
        var template: [String: JSONValue] = [
            "name": .string(templateName), "image": .string(container.image),
            "env": .object(templateEnv.mapValues { .string($0) }),
            "ports": .array(container.ports.map { .string($0) }), "disk": .int(container.containerDiskGB),
            "serverless": .bool(option.mode == .serverless),
            "category": .string(c.gpu.rocm ? "AMD" : "NVIDIA"),
        ]
        if let args = container.args { template["args"] = .string(args) }
        out.append(.init(kind: "template", name: templateName, action: "create", method: "POST", path: "/v2/templates",
                         body: .object(template)))
        switch option.mode {
        case .serverless:
            guard let serverless else { break }
            var gpu: [String: JSONValue] = ["pools": .array(serverless.pools.map { .string($0) }), "count": .int(c.tp)]
            if !serverless.excludedTypes.isEmpty { gpu["excludedTypes"] = .array(serverless.excludedTypes.map { .string($0) }) }
            let scaling: JSONValue = serverless.scaler == "REQUEST_COUNT"
                ? ["type": "REQUEST_COUNT", "requestCount": .int(Int(saturating: serverless.scalerValue))]
                : ["type": "QUEUE_DELAY", "queueDelay": .number(serverless.scalerValue)]
            var workers: [String: JSONValue] = ["min": .int(option.minWorkers), "max": .int(option.maxWorkers)]
            // RunPod rejects workers.idleTimeout on a queue endpoint scaling on requestCount, where
            // workers follow the in-flight requests instead (OpenAPI v2 EndpointWorkers.idleTimeout).
            if serverless.scaler != "REQUEST_COUNT" { workers["idleTimeout"] = .int(serverless.idleTimeoutSeconds) }
            var endpoint: [String: JSONValue] = [
                "name": .string(resourceBaseName), "type": "QUEUE", "templateId": reference("template", templateName),
                "env": ownershipEnvBody,
                "gpu": .object(gpu),
                "workers": .object(workers),
                "scaling": scaling, "flashboot": .string(serverless.flashboot), "timeout": .int(serverless.executionTimeoutMs),
            ]
            if !spec.constraints.dataCenters.isEmpty {
                endpoint["dataCenterIds"] = .array(spec.constraints.dataCenters.map { .string($0) })
            }
            if out.first?.kind == "network_volume" { endpoint["networkVolumes"] = [reference("network_volume", volumeName)] }
            out.append(.init(kind: "endpoint", name: resourceBaseName, action: "create", method: "POST", path: "/v2/serverless",
                             body: .object(endpoint)))
        case .pod:
            let cloud = podPrice(c.gpu)?.1 ?? "SECURE"
            for index in 0..<c.replicas {
                let name = c.replicas == 1 ? resourceBaseName : "\(resourceBaseName)-\(index + 1)"
                var pod: [String: JSONValue] = [
                    "name": .string(name), "cloud": .string(cloud), "templateId": reference("template", templateName),
                    "env": ownershipEnvBody,
                    "gpu": ["id": .string(c.gpu.id), "count": .int(c.tp)],
                    // Seed 003: set the disk explicitly; a template's disk is not always inherited.
                    "disk": .int(container.containerDiskGB),
                    "ports": .array(container.ports.map { .string($0) }),
                ]
                if out.first?.kind == "network_volume" {
                    pod["mounts"] = ["network": [["volumeId": reference("network_volume", volumeName), "path": "/workspace"]]]
                } else if let size = container.volumeGB, let path = container.volumeMountPath {
                    pod["mounts"] = ["persistent": ["size": .int(size), "path": .string(path)]]
                }
                if !spec.constraints.dataCenters.isEmpty {
                    pod["dataCenterIds"] = .array(spec.constraints.dataCenters.map { .string($0) })
                }
                out.append(.init(kind: "pod", name: name, action: "create", method: "POST", path: "/v2/pods", body: .object(pod)))
            }
        }
        return out
    }
}
