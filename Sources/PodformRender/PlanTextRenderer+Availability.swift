import Foundation
import PodformCompiler

extension PlanTextRenderer {
    /// A live plan's stock lines: what was passed over for lack of stock, and the ranked fallbacks
    /// apply moves to on a capacity error. Nothing offline (the header says stock was not checked).
    static func stock(_ d: Deployment) -> String {
        guard let a = d.availability, a.checked else { return "" }
        var out = ""
        if a.noStock {
            out += "  stock:    nothing feasible is in stock now; apply fails on capacity until it returns\n"
        } else if a.skipped.isEmpty {
            out += "  stock:    the first choice is in stock\n"
        } else {
            out += "  stock:    skipped " + a.skipped.map { "\($0.count) x \($0.gpu) \($0.mode) (\($0.reason))" }.joined(separator: "; ") + "\n"
        }
        for f in a.fallbacks {
            let mode = f.mode == "serverless" ? PricingModel(mode: .serverless, workerMode: f.workerMode).label : f.mode
            let where_ = f.dataCenters.isEmpty || d.placement.dataCenters.isEmpty ? "" : " in " + f.dataCenters.prefix(3).joined(separator: ", ")
            let shape = f.nodes.map { "\($0) nodes x " } ?? (f.replicas > 1 ? "\(f.replicas) replicas of " : "")
            out += String(
                format: "  fallback %d: %@%d x %@ %@%@, $%.2f/month (%@$%.2f)\n", f.rank, shape,
                f.count, f.gpu, mode, where_, f.monthlyUSD, f.deltaMonthlyUSD >= 0 ? "+" : "-", abs(f.deltaMonthlyUSD))
        }
        return out
    }
}

extension PlanTextRenderer {
    /// An Instant Cluster's shape, parallelism and how its nodes find each other.
    static func cluster(_ d: Deployment) -> String {
        guard let c = d.cluster else { return "" }
        var out = "  runs on:  instant cluster (\(c.type)), \(c.nodes) nodes x \(c.gpusPerNode) x \(d.gpu.id)\n"
        out +=
            c.pipelineParallel > 1
            ? "  parallel: tensor parallel \(c.tensorParallel) within a node, pipeline parallel \(c.pipelineParallel) across nodes\n"
            : "  parallel: sharded over all \(c.nodes * c.gpusPerNode) GPUs (FSDP)\n"
        if let gb = c.crossNodeGBPerStep, let s = c.crossNodeSecondsPerStep {
            out += String(format: "  network:  %.0f GB across nodes per step, ~%.1f s on the cluster network\n", gb, s)
        }
        out += "  nodes:    \(c.launch)\n"
        return out
    }
}
