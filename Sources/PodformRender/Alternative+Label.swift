import PodformCompiler

extension Deployment.Alternative {
    /// "2 replicas of 1 x GPU pod", "1 x GPU serverless flex, up to 3 workers", or for an unpriced one
    /// (it does not fit) only the hardware: what the alternative is, in the mode it was priced in.
    var label: String {
        let hardware = "\(count) x \(gpu)"
        guard monthlyUSD != nil else { return replicas > 1 ? "\(replicas) replicas of \(hardware)" : hardware }
        let model = " " + pricingModel.label
        switch mode {
        case .pod: return (replicas > 1 ? "\(replicas) replicas of " : "") + hardware + model
        case .serverless: return hardware + model + (replicas > 1 ? ", up to \(replicas) workers" : "")
        }
    }
}
