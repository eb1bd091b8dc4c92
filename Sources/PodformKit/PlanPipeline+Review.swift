import PodformApply
import PodformCompiler

extension PlanPipeline {
    /// The step after compile, shared by `plan`, `apply`, the benches and the tests: each
    /// deployment's RunPod requests (`RunPodResources`) and, with live state, what applying them
    /// changes (`diff`), priced at the catalog's list prices.
    ///
    /// - Parameters:
    ///   - live: RunPod's state; nil plans offline (every resource a create).
    ///   - directories: directories planned as a whole, whose removed specs' deployments
    ///     (`removed`) are destroyed.
    public func review(
        _ plan: Plan, live: LiveState?, options: DiffOptions = DiffOptions(), directories: [String]? = nil,
        removed: [RemovedDeployment] = []
    ) -> ReviewedPlan {
        guard let live else { return ReviewedPlan(offline: plan) }
        return ReviewedPlan(plan, live: live, options: options, gpus: catalogs.gpus, directories: directories, removed: removed)
    }
}
