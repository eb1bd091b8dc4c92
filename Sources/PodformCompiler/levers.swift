import PodformCatalog
import PodformCore

extension Deployment {
    /// A change the spec did not make that would make a plan which misses its SLA meet it, priced by
    /// compiling the spec with that change (`levers` in the plan JSON; `Specs/plan.md`).
    public struct Lever: Sendable, Codable, Hashable {
        /// `bake-weights`, `network-volume`, `flashboot`, `pod`, `active-workers`, `more-workers`, `budget`.
        public var lever: String
        /// The spec change, as YAML keys: `deploy.weights: image`.
        public var change: String
        /// What the lever does, in words.
        public var description: String
        /// The plan the change compiles to.
        public var gpu: String
        public var count: Int
        public var replicas: Int
        public var mode: DeploymentMode
        public var workerMode: WorkerMode?
        public var monthlyUSD: Double
        /// Its monthly cost minus the plan's.
        public var deltaMonthlyUSD: Double
        enum CodingKeys: String, CodingKey {
            case lever, change, description, gpu, count, replicas, mode, workerMode = "worker_mode"
            case monthlyUSD = "monthly_usd", deltaMonthlyUSD = "delta_monthly_usd"
        }
    }
}

extension Compiler {
    /// The data center a network-volume lever is priced in: the spec's first, else the one with the most
    /// stock of the plan's GPU in a live plan, else EU-RO-1 (any Secure Cloud data center prices alike).
    func leverDataCenter(_ d: Deployment) -> String {
        if let first = spec.constraints.dataCenters.first { return first }
        let product: GPUAvailability.Product = d.mode == .pod ? .pod : .serverless
        let cloud = d.mode == .pod ? "SECURE" : "SERVERLESS"
        return environment.availability?.stockedDataCenters(d.gpu.id, product: product, cloud: cloud, among: []).first ?? "EU-RO-1"
    }

    /// The changes worth pricing for a plan that misses its SLA: each the spec did not pick.
    func leverVariants(_ d: Deployment) -> [(id: String, change: String, description: String, spec: Spec)] {
        var out: [(String, String, String, Spec)] = []
        func variant(_ id: String, _ change: String, _ description: String, _ edit: (inout Spec) -> Void) {
            var s = spec
            edit(&s)
            out.append((id, change, description, s))
        }
        if weightsLocation != .image {
            variant(
                "bake-weights", "deploy.weights: image",
                "bake the weights into the image (`podform dockerfile --bake-weights`): a worker reads them from its own disk, the fastest cold start"
            ) {
                $0.deploy.weights = .image
            }
        }
        if weightsLocation != .networkVolume && spec.constraints.cloud != .community {
            let dc = leverDataCenter(d)
            variant(
                "network-volume", "deploy.weights: network-volume, constraints.data_centers: [\(dc)]",
                "pin a data center (\(dc)) and keep the weights on a network volume there: no download at worker start"
            ) {
                $0.deploy.weights = .networkVolume
                if $0.constraints.dataCenters.isEmpty { $0.constraints.dataCenters = [dc] }
            }
        }
        if spec.deploy.flashboot == false {
            variant("flashboot", "deploy.flashboot: true", "turn FlashBoot on: RunPod restores a recently stopped worker faster") {
                $0.deploy.flashboot = true
            }
        }
        if d.mode != .pod && spec.deploy.mode == .serverless {
            variant("pod", "deploy.mode: pod", "run a pod: no cold starts, billed while it runs") { $0.deploy.mode = .pod }
        }
        if d.mode == .pod && (spec.deploy.mode == .pod || spec.sla.coldStart == ColdStart.none) {
            variant("active-workers", "deploy.mode: serverless", "a serverless endpoint with active (always-on) workers") {
                $0.deploy.mode = .serverless
            }
        }
        let cap = min(spec.constraints.maxWorkers ?? 16, 64)
        // Every replica count up to the cap was searched and none met the SLA: four times as many (at most 64).
        if cap < 64 {
            let more = min(max(cap * 4, 4), 64)
            variant("more-workers", "constraints.max_workers: \(more)", "allow up to \(more) replicas instead of \(cap)") {
                $0.constraints.maxWorkers = more
            }
        }
        if spec.constraints.monthlyBudgetUSD != nil {
            variant("budget", "constraints.monthly_budget: (removed)", "lift the monthly budget") { $0.constraints.monthlyBudgetUSD = nil }
        }
        return out
    }

    /// For a plan whose SLA verdict is "not met": each lever that makes the spec meet it, compiled with
    /// that one change (levers are not searched again inside), cheapest first. Empty when none does.
    func levers(_ d: Deployment) -> [Deployment.Lever] {
        guard d.estimates?.slaMet == false else { return [] }
        var out: [Deployment.Lever] = []
        for v in leverVariants(d) {
            var compiler = Compiler(spec: v.spec, specFile: specFile, architecture: architecture, environment: environment)
            compiler.leversEnabled = false
            guard case .success(let met) = compiler.compileServing(), met.estimates?.slaMet == true else { continue }
            out.append(
                .init(
                    lever: v.id, change: v.change, description: v.description, gpu: met.gpu.id, count: met.gpu.count,
                    replicas: met.estimates?.replicas ?? 1, mode: met.mode, workerMode: met.workerMode,
                    monthlyUSD: met.cost.monthlyUSD,
                    deltaMonthlyUSD: ((met.cost.monthlyUSD - d.cost.monthlyUSD) * 100).rounded() / 100))
        }
        return out.sorted { ($0.monthlyUSD, $0.lever) < ($1.monthlyUSD, $1.lever) }
    }
}
