import PodformSizing

/// vLLM 0.27.1: its OpenAI-compatible server on pods, RunPod's worker-vllm v2.25.2 on serverless
/// (NOTES §6.1: worker-vllm v2.25.2 builds on vllm/vllm-openai v0.27.1).
public struct VLLMEngine: ServingEngine {
    /// The pod image: vLLM's OpenAI server (its entrypoint is the server).
    public static let serverImage = "vllm/vllm-openai:v0.27.1"
    /// The serverless image: RunPod's vLLM worker (a queue handler).
    public static let workerImage = "runpod/worker-v1-vllm:v2.25.2"

    public init() {}

    /// The planner's accounting: v0.19's plus a CUDA-graph reserve, so a plan fits either way.
    public var accounting: VLLMAccounting { .planning }
    /// huggingface_hub's default cache (`HF_HOME`) for the image's root user.
    public var modelCacheDirectory: String { "/root/.cache/huggingface" }

    public var settingsRationale: (outcome: String, source: String) {
        (
            "MAX_MODEL_LEN is the spec's context, never the model's maximum; TENSOR_PARALLEL_SIZE is set explicitly "
                + "(worker-vllm v2.24+ no longer infers it); no ENABLE_PREFIX_CACHING (vLLM 0.27's default is on), no runtime "
                + "BASE_PATH (a build argument of the worker image), HF_TOKEN passed as HUGGING_FACE_HUB_TOKEN "
                + "(worker-vllm turns HF_TOKEN into a logged --hf-token)",
            "worker-vllm environment (https://docs.runpod.io/serverless/vllm/environment-variables); worker-vllm v2.25.2 src/args_builder.py build_vllm_args "
                + "(generic scan: HF_TOKEN -> --hf-token), src/main.py start_vllm (logs the command line), Dockerfile "
                + "(ARG BASE_PATH fixes HF_HOME at build time); vLLM 0.27.1 vllm/config/cache.py "
                + "(enable_prefix_caching defaults to True)"
        )
    }

    public func defaultImage(_ style: LaunchStyle) -> String {
        style == .server ? Self.serverImage : Self.workerImage
    }

    /// Judged by the repository path (registry and tag or digest dropped), not by a word anywhere
    /// in the reference.
    public func imageKind(_ reference: String) -> ImageKind {
        var path = reference.lowercased()
        if let at = path.firstIndex(of: "@") { path = String(path[..<at]) }
        if let colon = path.lastIndex(of: ":"), !path[colon...].contains("/") { path = String(path[..<colon]) }
        switch path.split(separator: "/").suffix(2).joined(separator: "/") {
        case "vllm/vllm-openai": return .server
        case "runpod/worker-v1-vllm", "runpod/worker-vllm", "runpod-workers/worker-vllm": return .worker
        default: return .custom
        }
    }

    /// vLLM's `--dtype`: explicit for 16- and 32-bit weights, else `auto` (from the checkpoint).
    public func dtype(for format: WeightFormat) -> String {
        switch format {
        case .fp32: return "float32"
        case .fp16: return "float16"
        case .bf16: return "bfloat16"
        default: return "auto"
        }
    }

    /// `vllm serve` arguments for vllm/vllm-openai, whose entrypoint is the OpenAI server.
    public func serverArguments(_ launch: EngineLaunch) -> [String] {
        let v = launch.settings
        var args = [
            "--model", launch.model, "--host", "0.0.0.0", "--port", String(launch.port),
            "--max-model-len", String(v.maxModelLen), "--gpu-memory-utilization", fixed2(v.gpuMemoryUtilization),
            "--tensor-parallel-size", String(v.tensorParallelSize), "--max-num-seqs", String(v.maxNumSeqs),
            "--max-num-batched-tokens", String(v.maxNumBatchedTokens), "--dtype", v.dtype
        ]
        if let q = v.quantization { args += ["--quantization", q] }
        if v.kvCacheDType != "auto" { args += ["--kv-cache-dtype", v.kvCacheDType] }
        // Prefix caching is on by default in vLLM 0.27.1 (vllm/config/cache.py): no flag unless stated.
        if v.enablePrefixCaching && launch.statesDefaults { args.append("--enable-prefix-caching") }
        if let revision = launch.revision { args += ["--revision", revision] }
        // Across the nodes of an Instant Cluster: one pipeline stage per node over Ray (vLLM's
        // multi-node serving: docs/serving/distributed_serving.md), tensor parallel within each.
        if let pp = v.pipelineParallelSize, pp > 1 {
            args += ["--pipeline-parallel-size", String(pp), "--distributed-executor-backend", "ray"]
        }
        return args
    }

    /// huggingface_hub's cache (`HF_HOME`) and, for baked weights, offline mode.
    public func serverEnvironment(cacheDirectory: String, offline: Bool) -> [String: String] {
        var env = ["HF_HOME": cacheDirectory]
        if offline { env["HF_HUB_OFFLINE"] = "1" }
        return env
    }

    /// vLLM reads `VLLM_API_KEY` when `--api-key` is not given.
    public func apiKeyEnvironment(_ reference: String) -> [String: String] { ["VLLM_API_KEY": reference] }

    public var apiKeyRationale: (outcome: String, source: String) {
        (
            "vLLM refuses requests to /v1 without `Authorization: Bearer <key>` (its /health stays open, for RunPod's and the "
                + "image's health checks); the key reaches vLLM as VLLM_API_KEY, never as --api-key, which would show in the plan's "
                + "arguments, the Dockerfile and the process list",
            "vLLM 0.27.1 vllm/entrypoints/openai/api_server.py build_app (`args.api_key or envs.VLLM_API_KEY`), "
                + "vllm/entrypoints/serve/utils/server_utils.py AuthenticationMiddleware (GUARDED_PREFIX /v1, /v2, /inference, /cohere); "
                + "RunPod docs pods/templates/secrets.mdx ({{ RUNPOD_SECRET_name }})"
        )
    }

    /// worker-vllm reads vLLM's settings from the environment (NOTES §6.2).
    public func workerEnvironment(_ launch: EngineLaunch, base: [String: String]) -> [String: String] {
        let v = launch.settings
        var env = base
        env["MODEL_NAME"] = launch.model
        env["MAX_MODEL_LEN"] = String(v.maxModelLen)
        env["GPU_MEMORY_UTILIZATION"] = fixed2(v.gpuMemoryUtilization)
        env["TENSOR_PARALLEL_SIZE"] = String(v.tensorParallelSize)
        env["MAX_NUM_SEQS"] = String(v.maxNumSeqs)
        env["MAX_NUM_BATCHED_TOKENS"] = String(v.maxNumBatchedTokens)
        env["MAX_CONCURRENCY"] = String(v.maxNumSeqs)
        env["DTYPE"] = v.dtype
        if let q = v.quantization { env["QUANTIZATION"] = q }
        if v.kvCacheDType != "auto" { env["KV_CACHE_DTYPE"] = v.kvCacheDType }
        // vLLM 0.27.1 enables prefix caching by default (vllm/config/cache.py); BASE_PATH is a
        // build argument of worker-vllm v2.25.2 (Dockerfile `ARG BASE_PATH`, which fixes HF_HOME
        // under /runpod-volume at build time), so neither is set at runtime.
        if v.enablePrefixCaching && launch.statesDefaults { env["ENABLE_PREFIX_CACHING"] = "true" }
        if let revision = launch.revision { env["MODEL_REVISION"] = revision }
        // worker-vllm v2.25.2 maps every env var named like a vLLM flag onto it
        // (src/args_builder.py build_vllm_args: HF_TOKEN -> --hf-token <token>) and logs the
        // command line (src/main.py start_vllm). huggingface_hub also reads
        // HUGGING_FACE_HUB_TOKEN, which names no vLLM flag, so the token goes there.
        if let token = env.removeValue(forKey: "HF_TOKEN") { env["HUGGING_FACE_HUB_TOKEN"] = token }
        return env
    }
}
