/// The ways podform can run (and RunPod bill) a serving deployment: the models D-MODE allows, D-PRICING
/// prices and the plan records. A plan's JSON keeps RunPod's two fields, `mode` (pod or serverless) and
/// `worker_mode` (flex or active, serverless only); this is their one typed form.
///
/// Adding a model: a case here (its label, mode pair, rate source and comparison key), its price in
/// `Compiler.options(for:load:allowed:)` (`Pricing.swift`), and the D-MODE rules that allow it
/// (`allowedModels.swift`); `Specs/architecture.md` has the full list.
public enum PricingModel: CaseIterable, Sendable, Hashable {
    /// A pod: billed per hour while it runs, no cold starts.
    case pod
    /// Serverless flex workers: billed per second while up, scaled to zero when idle.
    case serverlessFlex
    /// Serverless active workers: always on at a lower per-second rate, flex workers above them.
    case serverlessActive

    /// The model a plan's `mode` and `worker_mode` record.
    public init(mode: DeploymentMode, workerMode: WorkerMode?) {
        switch (mode, workerMode) {
        case (.pod, _): self = .pod
        case (.serverless, .active?): self = .serverlessActive
        case (.serverless, _): self = .serverlessFlex
        }
    }

    /// The plan's `mode`.
    public var mode: DeploymentMode { self == .pod ? .pod : .serverless }

    /// The plan's `worker_mode`: nil for a pod.
    public var workerMode: WorkerMode? {
        switch self {
        case .pod: return nil
        case .serverlessFlex: return .flex
        case .serverlessActive: return .active
        }
    }

    /// How plans, traces and messages name it: "pod", "serverless flex", "serverless active".
    public var label: String {
        switch self {
        case .pod: return "pod"
        case .serverlessFlex: return "serverless flex"
        case .serverlessActive: return "serverless active"
        }
    }

    /// Where its rate comes from: RunPod's pricing page for the product.
    public var source: String {
        switch self {
        case .pod: return "https://docs.runpod.io/pods/pricing"
        case .serverlessFlex, .serverlessActive: return "https://docs.runpod.io/serverless/pricing"
        }
    }

    /// The key `cost.comparison` records an option of this model under: `pod`, `serverless_flex`,
    /// `serverless_active_min_N` (one per minimum of active workers).
    public func comparisonKey(minWorkers: Int) -> String {
        switch self {
        case .pod: return "pod"
        case .serverlessFlex: return "serverless_flex"
        case .serverlessActive: return "serverless_active_min_\(minWorkers)"
        }
    }

    /// Its place in D-PRICING's tie-break between equally priced options, as declared: pods before
    /// serverless, flex before active (a switch: `Option.isCheaper` runs in every sort of options).
    var tieBreakRank: Int {
        switch self {
        case .pod: return 0
        case .serverlessFlex: return 1
        case .serverlessActive: return 2
        }
    }

    /// The serverless models.
    public static let serverless: Set<PricingModel> = [.serverlessFlex, .serverlessActive]

    /// Labels as a list in words, in declaration order: "pod, serverless flex and serverless active".
    static func listed(_ models: Set<PricingModel>) -> String {
        let labels = allCases.filter(models.contains).map(\.label)
        guard labels.count > 1 else { return labels.first ?? "" }
        return labels.dropLast().joined(separator: ", ") + " and " + labels.last!
    }
}

extension Deployment {
    /// The pricing model the plan chose (from `mode` and `worker_mode`).
    public var pricingModel: PricingModel { PricingModel(mode: mode, workerMode: workerMode) }
}

extension Deployment.Alternative {
    /// The pricing model the alternative was priced in.
    public var pricingModel: PricingModel { PricingModel(mode: mode, workerMode: workerMode) }
}

extension Deployment.Lever {
    /// The pricing model of the plan the lever gives.
    public var pricingModel: PricingModel { PricingModel(mode: mode, workerMode: workerMode) }
}
