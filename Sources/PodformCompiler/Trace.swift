/// The decision engine's rules, as `Specs/decisions.md` lists them (a test keeps the two equal).
/// The raw value is what plans record in `trace[].rule`.
public enum DecisionRule: String, CaseIterable, Sendable {
    case workload = "D-WORKLOAD"
    case load = "D-LOAD"
    case memoryModel = "D-MEMORY-MODEL"
    case mode = "D-MODE"
    case gpuFilter = "D-GPU-FILTER"
    case fit = "D-FIT"
    case gpu = "D-GPU"
    case pricing = "D-PRICING"
    case lifecycle = "D-LIFECYCLE"
    case serverless = "D-SERVERLESS"
    case pool = "D-POOL"
    case weights = "D-WEIGHTS"
    case container = "D-CONTAINER"
    case access = "D-ACCESS"
    case vllm = "D-VLLM"
    case precision = "D-PRECISION"
    case tensorParallel = "D-TP"
    case trainMemory = "D-TRAIN-MEMORY"
    case availability = "D-AVAILABILITY"
    case cluster = "D-CLUSTER"

    /// The question the rule answers, as the trace and `podform explain` print it.
    public var question: String {
        switch self {
        case .workload: return "What class of workload is this?"
        case .load: return "What load must one deployment carry?"
        case .memoryModel: return "How much memory does one replica need?"
        case .mode: return "Pod or serverless?"
        case .gpuFilter: return "Which GPU types do the constraints allow?"
        case .fit: return "Which GPU x count x replicas hold the load and meet the SLA?"
        case .gpu: return "Which GPU, how many per replica, how many replicas?"
        case .pricing: return "Which pricing model is cheapest at this traffic?"
        case .lifecycle: return "When does the pod run (and bill)?"
        case .serverless: return "How does the endpoint scale?"
        case .pool: return "Which GPU types of the pool run the worker as configured?"
        case .weights: return "Where do the weights live?"
        case .container: return "Which image runs a serverless worker?"
        case .access: return "Who may call the pod's HTTP port?"
        case .vllm: return "Which vLLM settings?"
        case .precision: return "Which --quantization does vLLM accept for this checkpoint?"
        case .tensorParallel: return "Which tensor-parallel sizes can vLLM load this checkpoint at?"
        case .trainMemory: return "How much memory does the run need?"
        case .availability: return "Which of the feasible choices can be had now?"
        case .cluster: return "How many nodes, when no single machine holds it?"
        }
    }
}

/// Collects the decision trace: each rule that fired, its inputs, its outcome and its source.
struct TraceBuilder {
    private(set) var steps: [Deployment.TraceStep] = []

    /// Records a rule; `question` defaults to the rule's own (a rule may ask it more precisely).
    mutating func add(_ rule: DecisionRule, _ question: String? = nil, inputs: [String: String] = [:], outcome: String, source: String) {
        steps.append(Deployment.TraceStep(rule: rule.rawValue, question: question ?? rule.question, inputs: inputs, outcome: outcome, source: source))
    }
}

/// Sources cited by the rules (`Specs/decisions.md`).
enum Source {
    static let seed000 =
        "podform Specs/decisions.md (the four decisions), Specs/sizing.md (VRAM); RunPod pricing tiers: https://docs.runpod.io/pods/pricing"
    static let seed001 = "podform Specs/sizing.md (KV cache); worker-vllm settings: https://docs.runpod.io/serverless/vllm/environment-variables"
    static let seed002 =
        "podform Specs/sizing.md (training memory); Flex vs Active: https://docs.runpod.io/serverless/pricing; FlashBoot: https://docs.runpod.io/serverless/endpoints/endpoint-configurations"
    static let seed003 =
        "RunPod REST v2 CreatePodRequest (https://github.com/runpod/docs/blob/main/api-reference-v2/openapi.json); pod pricing and disks: https://docs.runpod.io/pods/pricing"
    static let notesPools = "RunPod serverless GPU pools: https://docs.runpod.io/references/gpu-types"
    static let notesWorker = "worker-vllm environment: https://docs.runpod.io/serverless/vllm/environment-variables"
    static let notesVolumes = "RunPod network volumes (Secure Cloud, one data center): https://docs.runpod.io/storage/network-volumes"
    static let proxy =
        "RunPod pods expose HTTP ports at https://[POD_ID]-[PORT].proxy.runpod.net: https://docs.runpod.io/pods/configuration/expose-ports"
    static let availability =
        "RunPod REST v2 GET /v2/catalog/gpus with include=AVAILABILITY (https://github.com/runpod/docs/blob/main/api-reference-v2/openapi.json: AvailabilityLevel, DataCenterAvailability); a create without stock fails with HTTP 500 \"There are no instances currently available\""
    static let cluster =
        "RunPod REST v2 OpenAPI (https://github.com/runpod/docs/blob/main/api-reference-v2/openapi.json): CreateClusterRequest, ClusterCompute, ClusterType; Instant Cluster nodes (PRIMARY_ADDR, NODE_RANK, ens1): https://docs.runpod.io/instant-clusters/configuration; vLLM tensor parallel in a node, pipeline parallel across nodes over Ray: https://docs.vllm.ai/en/latest/serving/distributed_serving.html; podform Specs/decisions.md D-CLUSTER (NVLink within a node, 100 GbE assumed across nodes)"
    static let openapi =
        "RunPod REST v2 OpenAPI (https://github.com/runpod/docs/blob/main/api-reference-v2/openapi.json): CreateEndpointRequest, CreatePodRequest"
    static let sizing = "Specs/sizing.md (vLLM accounting)"
    static let performance = "Specs/performance.md (roofline estimate)"
    static let vllmQuantization =
        "vLLM 0.27.1 vllm/config/model.py ModelConfig._verify_quantization; quantization/fp8.py Fp8Config; bitsandbytes.py; vllm/config/quantization.py _ONLINE_SHORTHANDS"
    static let vllmParallel =
        "vLLM 0.27.1 vllm/config/model.py verify_with_parallel_config; layers/linear.py QKVParallelLinear; quantization/fp8.py Fp8MoEMethod.create_weights; utils/fp8_utils.py validate_fp8_block_shape"
    static let vllmMaxLen =
        "vLLM 0.27.1 vllm/config/model.py _get_and_verify_max_len; transformers_utils/model_arch_config_convertor.py derive_max_model_len_and_key"
    static let workerSource =
        "worker-vllm v2.25.2 src/args_builder.py build_vllm_args (generic scan: HF_TOKEN -> --hf-token), src/main.py start_vllm (logs the command line), Dockerfile (ARG BASE_PATH fixes HF_HOME at build time); vLLM 0.27.1 vllm/config/cache.py (enable_prefix_caching defaults to True)"
}
