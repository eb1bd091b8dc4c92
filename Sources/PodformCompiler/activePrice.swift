import PodformCatalog

extension Compiler {
    /// The active-worker price per GPU-second (D-COST-ACTIVE): with `deploy.active_discount`, the
    /// negotiated discount off the GPU's flex rate (what RunPod sales quote); otherwise RunPod's
    /// published active rate, a past list price (`active-price-unconfirmed`).
    func activePrice(_ gpu: GPUType) -> PricePoint? {
        guard let discount = spec.deploy.activeDiscount else { return environment.gpus.activePerSecond(gpu) }
        guard let flex = environment.gpus.flexPerSecond(gpu) else { return nil }
        return .fromSpec(
            usd: flex.usd * (1 - discount), asOf: flex.asOf,
            source: fmt(
                "deploy.active_discount %g%% off the flex rate of $%.5f/GPU-s (%@)",
                (discount * 1000).rounded() / 10, flex.usd, flex.citation))
    }
}
