import PodformCore

extension Compiler {
    /// Which pricing models the rules allow (D-MODE).
    func allowedModels(_ trace: inout TraceBuilder) -> Set<PricingModel> {
        switch spec.deploy.mode ?? .auto {
        case .pod:
            trace.add(.mode, "Pod or serverless?", inputs: ["deploy.mode": "pod"], outcome: "pod (the spec says so)", source: Source.seed001)
            return [.pod]
        case .serverless:
            if spec.sla.coldStart == ColdStart.none {
                trace.add(
                    .mode, "Pod or serverless?", inputs: ["deploy.mode": "serverless", "sla.cold_start": "none"],
                    outcome: "serverless with active workers only (no scale-up may start cold)", source: Source.seed002)
                return [.serverlessActive]
            }
            trace.add(
                .mode, "Pod or serverless?", inputs: ["deploy.mode": "serverless"], outcome: "serverless (the spec says so)", source: Source.seed001)
            return PricingModel.serverless
        case .auto:
            if spec.sla.coldStart == ColdStart.none {
                trace.add(
                    .mode, "Pod or serverless?", inputs: ["sla.cold_start": "none"],
                    outcome: "pod: zero cold starts (a pod when the SLA cannot tolerate even an occasional cold start)",
                    source: Source.seed001)
                return [.pod]
            }
            trace.add(
                .mode, "Pod or serverless?", inputs: ["deploy.mode": "auto"],
                outcome: "price \(PricingModel.listed(Set(PricingModel.allCases))); the cheapest that meets the SLA wins",
                source: Source.seed000)
            return Set(PricingModel.allCases)
        }
    }
}
