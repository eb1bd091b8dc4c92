import Foundation
import PodformCompiler

extension Deployment.Lever {
    /// "1 x NVIDIA H100 80GB HBM3 serverless flex, $812.40/month (+$63.10/month)": the plan the lever gives.
    var planText: String {
        let hardware = "\(count) x \(gpu)"
        let shape: String
        let model = " " + pricingModel.label
        switch mode {
        case .pod: shape = (replicas > 1 ? "\(replicas) replicas of " : "") + hardware + model
        case .serverless: shape = hardware + model + (replicas > 1 ? ", up to \(replicas) workers" : "")
        }
        return shape + String(format: ", $%.2f/month (%@$%.2f/month)", monthlyUSD, deltaMonthlyUSD >= 0 ? "+" : "-", abs(deltaMonthlyUSD))
    }
}

extension Deployment {
    /// The levers of a plan that misses its SLA, one line each (`prefix` before every line), cheapest
    /// first; or that no single lever meets it. Nothing when the SLA is met.
    func leverLines(prefix: String, code: (String) -> String) -> [String] {
        guard let levers else { return [] }
        guard !levers.isEmpty else {
            return [prefix + "no single lever (baked weights, a network volume, a pod, active workers, more workers) meets the SLA"]
        }
        return levers.map { prefix + "\($0.description) (\(code($0.change))): \($0.planText)" }
    }
}
