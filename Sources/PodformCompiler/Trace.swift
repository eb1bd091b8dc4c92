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
    static let seed000 = "seeds/000 (four decisions; VRAM formula; pricing tiers)"
    static let seed001 = "seeds/001 (KV cache; worked examples; worker-vllm settings)"
    static let seed002 = "seeds/002 (training memory; Flex vs Active; FlashBoot; network volumes)"
    static let seed003 = "seeds/003 (REST pod fields; container disk pitfall; proxy URL)"
    static let notesPools = "runpod/NOTES.md §3.2 (serverless pools)"
    static let notesPrices = "runpod/NOTES.md §5 (prices)"
    static let notesWorker = "runpod/NOTES.md §6 (worker-vllm env)"
    static let notesVolumes = "runpod/NOTES.md §7 (network volumes: Secure Cloud, pinned data center)"
    static let availability = "runpod/openapi-v2.json GET /v2/catalog/gpus (include=AVAILABILITY, product, cloud; AvailabilityLevel, DataCenterAvailability); runpod/NOTES.md §1.1 (capacity errors on create)"
    static let cluster = "runpod/openapi-v2.json (CreateClusterRequest, ClusterCompute, ClusterType); docs.runpod.io instant-clusters/configuration (PRIMARY_ADDR, NODE_RANK, ens1); vLLM docs/serving/distributed_serving.md (tensor parallel in a node, pipeline parallel across nodes, Ray); seeds/000 (NVLink vs PCIe, InfiniBand vs 100 GbE across nodes)"
    static let openapi = "runpod/openapi-v2.json (CreateEndpointRequest, CreatePodRequest)"
    static let sizing = "Specs/sizing.md (vLLM accounting)"
    static let performance = "Specs/performance.md (roofline estimate)"
    static let vllmQuantization = "vLLM 0.27.1 vllm/config/model.py ModelConfig._verify_quantization; quantization/fp8.py Fp8Config; bitsandbytes.py; vllm/config/quantization.py _ONLINE_SHORTHANDS"
    static let vllmParallel = "vLLM 0.27.1 vllm/config/model.py verify_with_parallel_config; layers/linear.py QKVParallelLinear; quantization/fp8.py Fp8MoEMethod.create_weights; utils/fp8_utils.py validate_fp8_block_shape"
    static let vllmMaxLen = "vLLM 0.27.1 vllm/config/model.py _get_and_verify_max_len; transformers_utils/model_arch_config_convertor.py derive_max_model_len_and_key"
    static let workerSource = "worker-vllm v2.25.2 src/args_builder.py build_vllm_args (generic scan: HF_TOKEN -> --hf-token), src/main.py start_vllm (logs the command line), Dockerfile (ARG BASE_PATH fixes HF_HOME at build time); vLLM 0.27.1 vllm/config/cache.py (enable_prefix_caching defaults to True)"
}
