/// A deployment spec, as written by its author (spec language v1, `Specs/spec.md`).
///
/// Optional fields stay optional here: defaults are applied by the compiler, which records each
/// default it applied in the plan's trace.
public struct Spec: Sendable, Hashable {
    public var version: Int
    /// `[a-z0-9-]`, 3..40 characters; RunPod resource names derive from it.
    public var name: String
    public var workload: Workload
    public var model: ModelRef
    public var precision: Precision
    public var kvCacheDType: KVCacheDType
    /// Maximum tokens per sequence (prompt + output): vLLM's MAX_MODEL_LEN.
    public var context: Int?
    /// Concurrent sequences at peak.
    public var concurrency: Int?
    public var traffic: Traffic
    public var sla: SLA
    public var constraints: Constraints
    public var deploy: Deploy
    public var training: Training?
    /// Free-form labels for selecting specs (`--selector team=search`).
    public var labels: [String: String]
    /// Where each key path was written, for diagnostics raised after parsing.
    public var locations: [String: SourceLocation]

    /// The location of a key path, or a synthetic location in the spec file.
    public func location(_ keyPath: String, file: String) -> SourceLocation {
        locations[keyPath] ?? SourceLocation(file: file, line: 0, column: 0, keyPath: keyPath)
    }
}

public enum Workload: String, Sendable, Hashable, CaseIterable, Codable {
    case inference, batch, fineTune = "fine-tune", training
}

public enum Precision: String, Sendable, Hashable, CaseIterable, Codable {
    case fp32, bf16, fp16, fp8, int8, int4, awq, gptq, mxfp4
}

public enum KVCacheDType: String, Sendable, Hashable, CaseIterable, Codable {
    case auto, fp8
}

public struct ModelRef: Sendable, Hashable {
    /// A catalog id or alias, or any Hugging Face id.
    public var id: String
    /// A local `config.json` path, relative to the spec file.
    public var config: String?
    /// A parameter-count override.
    public var parameters: Int64?
    /// A Hugging Face revision to pin.
    public var revision: String?
}

public enum TrafficPattern: String, Sendable, Hashable, CaseIterable, Codable {
    case steady, bursty, scheduled, batch
}

public struct Traffic: Sendable, Hashable {
    public var pattern: TrafficPattern?
    public var requestsPerDay: Double?
    public var peakRequestsPerSecond: Double?
    public var activeHoursPerDay: Double?
    public var promptTokens: Int?
    public var outputTokens: Int?
    /// True when prompts share long prefixes (system prompts, few-shot): enables prefix caching.
    public var repeatedPrefixes: Bool?
    /// When the deployment serves; reconcile stops pods outside it (`Schedule`).
    public var schedule: Schedule?
}

public struct SLA: Sendable, Hashable {
    /// Seconds.
    public var ttftP95: Double?
    /// Per user.
    public var outputTokensPerSecond: Double?
    /// Seconds a request may wait for a worker; `ColdStart.none` means never.
    public var coldStart: ColdStart?
    /// Spare capacity: `n+1` keeps the peak served with one replica down.
    public var redundancy: Redundancy?
}

/// `sla.redundancy`.
public enum Redundancy: String, Sendable, Hashable, CaseIterable, Codable {
    case none, nPlusOne = "n+1"
}

public enum ColdStart: Sendable, Hashable {
    case none
    case seconds(Double)
}

public enum Cloud: String, Sendable, Hashable, CaseIterable, Codable {
    case secure, community, any
}

public struct Constraints: Sendable, Hashable {
    /// Allow-list as written (RunPod ids or aliases); resolved by the compiler.
    public var gpus: [String] = []
    public var excludeGPUs: [String] = []
    public var cloud: Cloud?
    public var dataCenters: [String] = []
    public var requireECC: Bool?
    /// Allow GeForce cards (RunPod rents them; NVIDIA's EULA restricts datacenter use).
    public var allowConsumerGPUs: Bool?
    public var maxGPUsPerWorker: Int?
    public var maxWorkers: Int?
    public var monthlyBudgetUSD: Double?
    /// The account's spend limit per hour (RunPod's default is $80/hour): plans over it say so.
    public var accountSpendLimitUSDPerHour: Double?
}

public enum DeployMode: String, Sendable, Hashable, CaseIterable, Codable {
    case auto, pod, serverless
}

public enum WeightsSource: String, Sendable, Hashable, CaseIterable, Codable {
    case auto, networkVolume = "network-volume", image, download
}

public struct Deploy: Sendable, Hashable {
    public var mode: DeployMode?
    public var image: String?
    public var weights: WeightsSource?
    public var env: [String: String] = [:]
    /// Environment variable name -> RunPod secret name.
    public var secrets: [String: String] = [:]
    public var gpuMemoryUtilization: Double?
    public var containerDiskBytes: Int64?
    public var port: Int?
    public var flashboot: Bool?
    /// Put the host driver first on LD_LIBRARY_PATH (seed 003's CUDA-compat shadowing fix).
    public var cudaCompatFix: Bool?
    /// Restore max workers that RunPod lowered on an idle endpoint.
    public var restoreIdleScaleDown: Bool?
    /// The RunPod secret holding the pods' API key (default `Deploy.defaultAPIKeySecret`).
    public var apiKeySecret: String?
    /// Serve a pod's port to anyone with its URL, without an API key.
    public var `public`: Bool?

    /// The RunPod secret a pod's API key comes from unless `api_key_secret` names another.
    public static let defaultAPIKeySecret = "podform_api_key"
}

public enum TrainingMethod: String, Sendable, Hashable, CaseIterable, Codable {
    case full, lora, qlora
}

public struct Training: Sendable, Hashable {
    public var method: TrainingMethod?
    public var loraRank: Int?
    public var targetModules: [String]?
    public var batchSize: Int?
    public var sequenceLength: Int?
    public var gradientCheckpointing: Bool?
    /// Expected run length in hours, for the cost estimate.
    public var hours: Double?

    public init() {}
}
