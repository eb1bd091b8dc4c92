import Foundation
import PodformCatalog
import PodformCore
import PodformEngine
import PodformSizing

/// The decision engine for one spec (`Specs/decisions.md`). Pure: values in, a deployment or a failure out.
struct Compiler {
    let spec: Spec
    let specFile: String
    let architecture: ModelArchitecture
    let environment: CompileEnvironment
    let allowedGPUs: Set<String>
    let excludedGPUs: Set<String>
    /// Price the levers of a plan that misses its SLA (off inside a lever's own compile).
    var leversEnabled = true
    /// The speed model's answers so far (`CompilerMemo`).
    let memo = CompilerMemo()

    var precision: WeightFormat { WeightFormat(rawValue: spec.precision.rawValue) ?? .bf16 }
    var kvFormat: KVFormat { KVFormat(rawValue: spec.kvCacheDType.rawValue) ?? .auto }
    var utilization: Double { spec.deploy.gpuMemoryUtilization ?? ServingDefaults.gpuMemoryUtilization }
    /// Max tokens per sequence: the spec's, else the default (D-LOAD).
    var context: Int { spec.context ?? ServingDefaults.context }
    var engine: any ServingEngine { environment.engine }
    var port: Int { spec.deploy.port ?? 8000 }
    var flashboot: Bool { spec.deploy.flashboot ?? true }
    var architectureID: String { spec.model.id }

    /// The pod image as the spec asks for it (`podImage` replaces one that cannot serve HTTP).
    var image: String { spec.deploy.image ?? engine.defaultImage(.server) }

    /// Where serverless weights live (D-WEIGHTS).
    var weightsLocation: WeightsLocation {
        switch spec.deploy.weights ?? .auto {
        case .image: return .image
        case .networkVolume: return .networkVolume
        case .download: return .download
        case .auto:
            if (spec.constraints.cloud ?? .secure) == .secure && !spec.constraints.dataCenters.isEmpty { return .networkVolume }
            return .download
        }
    }

    init(spec: Spec, specFile: String, architecture: ModelArchitecture, environment: CompileEnvironment) {
        self.spec = spec
        self.specFile = specFile
        self.architecture = architecture
        self.environment = environment
        allowedGPUs = Set(spec.constraints.gpus.compactMap { environment.gpus.gpu(named: $0)?.id })
        excludedGPUs = Set(spec.constraints.excludeGPUs.compactMap { environment.gpus.gpu(named: $0)?.id })
    }

    func failure(
        _ message: String, suggestions: [String] = [], trace: TraceBuilder,
        code: String = "no-feasible-plan", at keyPath: String = "name"
    ) -> CompileFailure {
        var f = CompileFailure(spec: spec.name, message: message, suggestions: suggestions, trace: trace.steps)
        f.code = code
        f.keyPath = keyPath
        return f
    }
}

extension Spec {
    /// Compiles a validated spec into a deployment (`Specs/decisions.md` lists every rule).
    ///
    /// - Parameters:
    ///   - specFile: the spec's path, recorded in the plan.
    ///   - architecture: the model's architecture (from the catalog, a config.json or the Hub).
    ///   - environment: the GPU catalog, "now", and the model constants.
    public func compile(specFile: String, architecture: ModelArchitecture, environment: CompileEnvironment)
        -> Result<Deployment, CompileFailure>
    {
        let compiler = Compiler(spec: self, specFile: specFile, architecture: architecture, environment: environment)
        let result: Result<Deployment, CompileFailure>
        switch workload {
        case .inference, .batch: result = compiler.compileServing()
        case .fineTune, .training: result = compiler.compileTraining()
        }
        return result.map { d in
            var d = d
            d.scope = environment.scopes[specFile]
            d.labels = labels.isEmpty ? nil : labels
            // A schedule starts and stops pods; an Instant Cluster has no stop (it runs until deleted).
            d.schedule = d.mode == .pod && d.cluster == nil ? traffic.schedule : nil
            if compiler.leversEnabled, d.estimates?.slaMet == false { d.levers = compiler.levers(d) }
            return d
        }
    }
}

/// Compiles many specs into one plan.
public func compilePlan(_ items: [(spec: Spec, file: String, architecture: ModelArchitecture)], environment: CompileEnvironment)
    -> (Plan, [CompileFailure])
{
    var deployments: [Deployment] = []
    var failures: [CompileFailure] = []
    for item in items {
        switch item.spec.compile(specFile: item.file, architecture: item.architecture, environment: environment) {
        case .success(let d):
            deployments.append(d)
        case .failure(let f): failures.append(f)
        }
    }
    deployments.sort { ($0.name, $0.specFile) < ($1.name, $1.specFile) }
    return (Plan(catalogAsOf: environment.gpus.asOf, deployments: deployments), failures)
}
