import PodformCore
import PodformEngine
import PodformSizing

/// podform's version: the CLI's `--version`, plans' `generated_by`, CHANGELOG.md's newest entry.
public let podformVersion = "0.2.0"

/// The compiler's output: one deployment per spec, decisions only (`Specs/plan.md`).
///
/// The plan document tools read (`plan --format json`, saved plans; JSON Schema
/// `Schemas/podform-plan.schema.json`) is a `ReviewedPlan` (PodformApply): this plan plus each
/// deployment's RunPod requests and, when diffed against RunPod, what changes.
public struct Plan: Sendable, Codable, Hashable {
    /// Bumped on any incompatible change to the JSON below.
    public var formatVersion: Int = 1
    public var generatedBy: String = "podform \(podformVersion)"
    /// The GPU catalog's date and where it came from.
    public var catalogAsOf: String
    public var deployments: [Deployment]

    enum CodingKeys: String, CodingKey {
        case formatVersion = "format_version", generatedBy = "generated_by", catalogAsOf = "catalog_as_of", deployments
    }

    public init(catalogAsOf: String, deployments: [Deployment]) {
        self.catalogAsOf = catalogAsOf
        self.deployments = deployments
    }
}

public enum DeploymentMode: String, Sendable, Codable, Hashable { case pod, serverless }
public enum WorkerMode: String, Sendable, Codable, Hashable { case flex, active }

/// One compiled spec.
public struct Deployment: Sendable, Codable, Hashable {
    public struct Model: Sendable, Codable, Hashable {
        public var id: String
        public var parameters: Int64
        public var activeParameters: Int64
        public var maxContext: Int?
        enum CodingKeys: String, CodingKey { case id, parameters, activeParameters = "active_parameters", maxContext = "max_context" }
    }

    public struct GPU: Sendable, Codable, Hashable {
        public var id: String
        public var displayName: String
        public var count: Int
        public var memoryGB: Double
        public var cloud: String
        public var pool: String?
        enum CodingKeys: String, CodingKey { case id, displayName = "display_name", count, memoryGB = "memory_gb", cloud, pool }
    }

    public struct Workers: Sendable, Codable, Hashable {
        public var min: Int
        public var max: Int
    }

    public struct Serverless: Sendable, Codable, Hashable {
        public var pools: [String]
        public var excludedTypes: [String]
        public var scaler: String
        public var scalerValue: Double
        public var idleTimeoutSeconds: Int
        public var executionTimeoutMs: Int
        public var flashboot: String
        public var coldStartSeconds: Double
        enum CodingKeys: String, CodingKey {
            case pools, excludedTypes = "excluded_types", scaler, scalerValue = "scaler_value"
            case idleTimeoutSeconds = "idle_timeout_seconds", executionTimeoutMs = "execution_timeout_ms", flashboot
            case coldStartSeconds = "cold_start_seconds"
        }
    }

    /// The engine settings (the plan's `vllm` object), owned by `PodformEngine`.
    public typealias VLLM = ServingSettings

    public struct Container: Sendable, Codable, Hashable {
        public var image: String
        public var ports: [String]
        public var containerDiskGB: Int
        public var volumeGB: Int?
        public var volumeMountPath: String?
        public var weights: String
        /// Environment as sent to RunPod: secrets appear only as `{{ RUNPOD_SECRET_name }}`.
        public var env: [String: String]
        public var args: String?
        enum CodingKeys: String, CodingKey {
            case image, ports, containerDiskGB = "container_disk_gb", volumeGB = "volume_gb"
            case volumeMountPath = "volume_mount_path", weights, env, args
        }
    }

    public struct Cost: Sendable, Codable, Hashable {
        public var hourlyUSD: Double
        public var monthlyUSD: Double
        public var perMillionOutputTokensUSD: Double?
        public var computeMonthlyUSD: Double
        public var storageMonthlyUSD: Double
        /// Monthly cost of the other pricing models at the same GPU, for the break-even.
        public var comparison: [String: Double]
        /// Requests per day at which a pod and serverless flex cost the same.
        public var breakEvenRequestsPerDay: Double?
        public var priceSources: [String]
        /// Always emits `per_million_output_tokens_usd` (null when there are no output tokens): it is stable core.
        public func encode(to encoder: Encoder) throws { try encode(to: encoder, liveMonthlyUSD: nil) }

        /// `liveMonthlyUSD`: what runs now costs per month (`cost.live_monthly_usd`, a live review's figure).
        func encode(to encoder: Encoder, liveMonthlyUSD: Double?) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(hourlyUSD, forKey: .hourlyUSD)
            try c.encode(monthlyUSD, forKey: .monthlyUSD)
            try c.encode(perMillionOutputTokensUSD, forKey: .perMillionOutputTokensUSD)
            try c.encode(computeMonthlyUSD, forKey: .computeMonthlyUSD)
            try c.encode(storageMonthlyUSD, forKey: .storageMonthlyUSD)
            try c.encode(comparison, forKey: .comparison)
            try c.encode(breakEvenRequestsPerDay, forKey: .breakEvenRequestsPerDay)
            try c.encode(priceSources, forKey: .priceSources)
            if let liveMonthlyUSD {
                var live = encoder.container(keyedBy: LiveKeys.self)
                try live.encode(liveMonthlyUSD, forKey: .liveMonthlyUSD)
            }
        }

        enum CodingKeys: String, CodingKey {
            case hourlyUSD = "hourly_usd", monthlyUSD = "monthly_usd", perMillionOutputTokensUSD = "per_million_output_tokens_usd"
            case computeMonthlyUSD = "compute_monthly_usd", storageMonthlyUSD = "storage_monthly_usd", comparison
            case breakEvenRequestsPerDay = "break_even_requests_per_day", priceSources = "price_sources"
        }

        /// Keys a live review adds (`ReviewedPlan`); a compiled plan has none.
        public enum LiveKeys: String, CodingKey { case liveMonthlyUSD = "live_monthly_usd" }
    }

    public struct Estimates: Sendable, Codable, Hashable {
        public var ttftP95Seconds: Double
        public var ttftP95SecondsRange: [Double]
        public var outputTokensPerSecondPerUser: Double
        public var outputTokensPerSecondPerUserRange: [Double]
        public var replicaRequestsPerSecond: Double
        public var replicas: Int
        public var coldStartSeconds: Double?
        public var slaMet: Bool
        public var slaNotes: [String]
        enum CodingKeys: String, CodingKey {
            case ttftP95Seconds = "ttft_p95_seconds", ttftP95SecondsRange = "ttft_p95_seconds_range"
            case outputTokensPerSecondPerUser = "output_tokens_per_second_per_user"
            case outputTokensPerSecondPerUserRange = "output_tokens_per_second_per_user_range"
            case replicaRequestsPerSecond = "replica_requests_per_second", replicas, coldStartSeconds = "cold_start_seconds"
            case slaMet = "sla_met", slaNotes = "sla_notes"
        }
    }

    public struct Alternative: Sendable, Codable, Hashable {
        public var gpu: String
        public var count: Int
        public var replicas: Int
        public var mode: DeploymentMode
        public var workerMode: WorkerMode?
        public var monthlyUSD: Double?
        public var deltaMonthlyUSD: Double?
        public var reason: String
        enum CodingKeys: String, CodingKey {
            case gpu, count, replicas, mode, workerMode = "worker_mode", monthlyUSD = "monthly_usd"
            case deltaMonthlyUSD = "delta_monthly_usd", reason
        }
    }

    public struct TraceStep: Sendable, Codable, Hashable {
        public var rule: String
        public var question: String
        public var inputs: [String: String]
        public var outcome: String
        public var source: String
    }

    public struct Warning: Sendable, Codable, Hashable {
        public var code: String
        public var message: String
        public init(code: String, message: String) {
            self.code = code
            self.message = message
        }
    }

    public var name: String
    public var specFile: String
    public var workload: String
    public var model: Model
    public var precision: String
    public var mode: DeploymentMode
    public var workerMode: WorkerMode?
    public var gpu: GPU
    public var workers: Workers?
    public var serverless: Serverless?
    public var vllm: VLLM?
    public var training: TrainingEstimate?
    public var container: Container
    public var cost: Cost
    public var sizing: MemoryEstimate
    public var estimates: Estimates?
    /// Data centers, GPU vendor, network volume, pod count (not in the JSON; see `Placement`).
    public var placement = Placement()
    public var alternatives: [Alternative]
    public var trace: [TraceStep]
    public var warnings: [Warning]
    /// What the plan knows of GPU stock: not checked offline; live, the first choices passed over
    /// and the ranked fallbacks (`availability` in the JSON).
    public var availability: Availability?
    /// A RunPod Instant Cluster when no single machine holds the deployment (`cluster` in the JSON).
    public var cluster: Cluster?
    /// The scope the deployment is applied from (`PODFORM_SCOPE`; `Specs/state.md`), when known.
    public var scope: String?
    /// The spec's labels (selectors, and prune's scope rule).
    public var labels: [String: String]?
    /// When a pod deployment runs (`traffic.schedule`): reconcile starts and stops it.
    public var schedule: Schedule?
    /// For a plan that misses its SLA: the changes the spec did not make that would meet it, each
    /// priced (`Lever`); nil when the SLA is met.
    public var levers: [Lever]?

    enum CodingKeys: String, CodingKey {
        case name, specFile = "spec_file", workload, model, precision, mode, workerMode = "worker_mode", gpu, workers
        case serverless, vllm, training, container, cost, sizing, estimates, alternatives, trace, warnings
        case scope, labels, schedule, availability, cluster, levers
    }
}

extension Deployment {
    /// Encodes optionals as explicit nulls for the stable core (`worker_mode`, `workers`).
    public func encode(to encoder: Encoder) throws { try encode(to: encoder, liveMonthlyUSD: nil) }

    /// The deployment's JSON with what a live review adds inside it: `cost.live_monthly_usd`, what
    /// runs now costs per month. (`resources`, the RunPod requests, are the review's to add.)
    public func encode(to encoder: Encoder, liveMonthlyUSD: Double?) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(specFile, forKey: .specFile)
        try c.encode(workload, forKey: .workload)
        try c.encode(model, forKey: .model)
        try c.encode(precision, forKey: .precision)
        try c.encode(mode, forKey: .mode)
        try c.encode(workerMode, forKey: .workerMode)
        try c.encode(gpu, forKey: .gpu)
        try c.encode(workers, forKey: .workers)
        try c.encodeIfPresent(serverless, forKey: .serverless)
        try c.encodeIfPresent(vllm, forKey: .vllm)
        try c.encodeIfPresent(training, forKey: .training)
        try c.encode(container, forKey: .container)
        try c.encode(LiveCost(cost: cost, liveMonthlyUSD: liveMonthlyUSD), forKey: .cost)
        try c.encode(sizing, forKey: .sizing)
        try c.encode(estimates, forKey: .estimates)
        try c.encode(alternatives, forKey: .alternatives)
        try c.encode(trace, forKey: .trace)
        try c.encode(warnings, forKey: .warnings)
        try c.encodeIfPresent(levers, forKey: .levers)
        try c.encodeIfPresent(scope, forKey: .scope)
        try c.encodeIfPresent(labels, forKey: .labels)
        try c.encodeIfPresent(schedule, forKey: .schedule)
        try c.encode(availability ?? .unchecked, forKey: .availability)
        try c.encodeIfPresent(cluster, forKey: .cluster)
    }
}

/// A cost as a live review writes it.
private struct LiveCost: Encodable {
    var cost: Deployment.Cost
    var liveMonthlyUSD: Double?
    func encode(to encoder: Encoder) throws { try cost.encode(to: encoder, liveMonthlyUSD: liveMonthlyUSD) }
}
