import Foundation
import PodformCatalog

extension Compiler {
    /// Output tokens at the 99.9th percentile of the traffic's lengths (log-normal around the mean,
    /// `ServingModel.lengthSigma`), capped at what the context leaves after the mean prompt.
    func outputP999(_ load: Load) -> Int {
        let sigma = ServingModel.lengthSigma
        let p = Double(max(load.output, 1)) * exp(-sigma * sigma / 2 + sigma * 3.0902)
        return min(max(Int(p.rounded(.up)), load.output), max(load.context - load.prompt, load.output))
    }

    /// The serverless execution timeout (D-SERVERLESS): a request at the 99.9th percentile of prompt and
    /// output length on the slowest GPU the endpoint may land on (its pool minus the excluded types), at a
    /// full batch, with half again as margin; 60 s to 1 h. A timeout from the mean output at the
    /// chosen GPU's speed kills the long answers a slower pool member produces.
    func executionTimeoutSeconds(_ c: Candidate, load: Load, gpus: [GPUType]) -> (seconds: Int, slowest: String) {
        let sigma = ServingModel.lengthSigma
        let prompt = min(Int((Double(load.prompt) * exp(-sigma * sigma / 2 + sigma * 3.0902)).rounded(.up)), max(load.context - 1, 1))
        let output = outputP999(load)
        let slots = max(c.perReplicaConcurrency, 1)
        var worst = (seconds: 0.0, gpu: c.gpu.displayName)
        for g in gpus {
            let perf = replicaPerformance(g, tp: c.tp, batch: slots, load: load)
            let seconds =
                replicaPerformance(g, tp: c.tp, batch: 1, load: load, prompt: prompt).ttftSeconds
                + Double(output) * perf.stepSeconds
            if seconds > worst.seconds { worst = (seconds, g.displayName) }
        }
        return (min(max(Int((worst.seconds * 1.5).rounded(.up)), 60), 3600), worst.gpu)
    }

    /// Warnings about the prices a plan rests on.
    func priceWarnings(_ best: Option) -> [Deployment.Warning] {
        // A negotiated rate in the spec (`deploy.active_discount`) is the user's to confirm, not a past list price.
        guard best.model == .serverlessActive, spec.deploy.activeDiscount == nil,
            let active = environment.gpus.activePerSecond(best.candidate.gpu)
        else { return [] }
        return [
            .init(
                code: "active-price-unconfirmed",
                message: fmt(
                    "active workers are priced at RunPod's published active rate of %@ ($%.5f/GPU-s), a past list price: RunPod now quotes active discounts through sales; confirm the rate before relying on this cost",
                    active.asOf, active.usd))
        ]
    }
}
