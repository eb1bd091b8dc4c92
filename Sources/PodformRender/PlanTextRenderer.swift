import Foundation
import PodformApply
import PodformCompiler
import RunPodAPI

/// `podform plan` for a terminal: reads like `terraform plan` (stable widths, no colour in the string).
public enum PlanTextRenderer {
    /// The plan; with a live review's change sets, the deployments followed by what changes,
    /// otherwise each deployment's resources (every one a create offline).
    public static func render(_ reviewed: ReviewedPlan, explain: Bool = false) -> String {
        let sets = reviewed.changeSets
        var out = ""
        let specs = reviewed.deployments.count
        out += "podform plan: \(specs) deployment\(specs == 1 ? "" : "s")"
        out += reviewed.offline ? ", offline (no RunPod API key: every resource is shown as to-create; GPU stock not checked)\n" : "\n"
        out += "GPU prices as of \(reviewed.plan.catalogAsOf)\n"
        for d in reviewed.deployments {
            out += "\n" + deployment(d.deployment, explain: explain, resources: reviewed.offline ? d.resources : [])
        }
        if let sets { return out + "\n" + ChangeSetRenderer.text(sets) }
        // A saved live plan: the changes it recorded.
        if !reviewed.offline { return out + "\n" + ChangeSetRenderer.text(reviewed.resourceChanges) }
        let creates = reviewed.deployments.reduce(0) { $0 + $1.resources.filter { $0.action == .create }.count }
        return out + "\nPlan: \(creates) to add, 0 to change, 0 to destroy.\n"
    }

    static func money(_ x: Double) -> String { String(format: "$%.2f", x) }

    /// One deployment: what runs, what it costs, its SLA and memory, then `resources` as
    /// Terraform-style blocks, alternatives, warnings and (with `explain`) the decision trace.
    public static func deployment(_ d: Deployment, explain: Bool, resources: [PlannedResource] = []) -> String {
        var out = "# \(d.name) (\(d.specFile))\n" + summary(d) + "\n"
        for r in resources {
            out += "  + resource \"\(r.kind.rawValue)\" \"\(r.name)\" {\n"
            out += attributes(r.body, indent: 6)
            out += "    }\n"
        }
        if !d.alternatives.isEmpty {
            out += "\n  alternatives:\n"
            for a in d.alternatives {
                let delta = a.deltaMonthlyUSD.map { String(format: " (%@$%.2f/month)", $0 >= 0 ? "+" : "-", abs($0)) } ?? ""
                out += "    - \(a.label)\(delta): \(a.reason)\n"
            }
        }
        if d.levers != nil {
            out += "\n  levers (the SLA is not met as specified; each of these meets it):\n"
            for line in d.leverLines(prefix: "    - ", code: { $0 }) { out += line + "\n" }
        }
        if !d.warnings.isEmpty {
            out += "\n  warnings:\n"
            for w in d.warnings { out += "    ! \(w.message) [\(w.code)]\n" }
        }
        if explain { out += trace(d) }
        return out
    }

    /// Model, placement, cost, SLA and memory lines.
    static func summary(_ d: Deployment) -> String {
        var out = ""
        var modelLine = "\(d.model.id), \(d.workload)"
        if let v = d.vllm {
            let replicas = d.estimates?.replicas ?? 1
            let concurrency = replicas > 1 ? "\(v.maxNumSeqs) per replica" : "\(v.maxNumSeqs) concurrent"
            modelLine = "\(d.model.id), \(d.precision), context \(v.maxModelLen) x \(concurrency)"
        }
        out += "  model:    \(modelLine)\n"
        let replicas = (d.estimates?.replicas ?? 1) > 1 ? "\(d.estimates!.replicas) replicas of " : ""
        switch d.mode {
        case .pod where d.cluster != nil:
            out += cluster(d)
        case .pod:
            out += "  runs on:  \(d.gpu.cloud.lowercased()) pod, \(replicas)\(d.gpu.count) x \(d.gpu.id)\n"
        case .serverless:
            out +=
                "  runs on:  \(d.pricingModel.label) workers \(d.workers?.min ?? 0)..\(d.workers?.max ?? 0), \(d.gpu.count) x \(d.gpu.id) per worker (pool \(d.gpu.pool ?? "-"))\n"
        }
        var cost =
            "  cost:     \(money(d.cost.hourlyUSD))/hour, \(money(d.cost.monthlyUSD))/month\(d.workload == "fine-tune" || d.workload == "training" ? " (until destroyed)" : "")"
        if let perM = d.cost.perMillionOutputTokensUSD { cost += String(format: ", $%.3f per million output tokens", perM) }
        out += cost + "\n"
        if let breakEven = d.cost.breakEvenRequestsPerDay {
            out += "  break-even: pod and serverless flex cost the same at ~\(Int(breakEven)) requests/day\n"
        }
        if let e = d.estimates {
            out +=
                "  SLA:      \(e.slaMet ? "met" : "NOT met")" + (e.slaNotes.isEmpty ? " (no SLA given)" : ": " + e.slaNotes.joined(separator: "; "))
                + "\n"
        }
        let s = d.sizing
        if let fit = s.gpu {
            out += String(
                format: "  memory:   %.1f GB per GPU of %.1f GB usable (weights %.1f + KV %.1f + overhead %.1f); KV holds %d tokens\n",
                Double(s.totalBytesPerGPU) / 1e9, Double(fit.usableBytes) / 1e9, Double(s.weightsBytesPerGPU) / 1e9,
                Double(s.kvCacheBytesPerGPU) / 1e9, Double(s.overheadBytesPerGPU) / 1e9, fit.kvCapacityTokens)
        }
        if let t = d.training {
            out += String(
                format: "  memory:   %.1f GB for the run (trainable %.1fM parameters)\n", Double(t.totalBytes) / 1e9,
                Double(t.trainableParameters) / 1e6)
        }
        return out + stock(d)
    }

    static func trace(_ d: Deployment) -> String {
        var out = "\n  decision trace:\n"
        for step in d.trace {
            out += "    [\(step.rule)] \(step.question)\n      -> \(step.outcome)\n"
            for key in step.inputs.keys.sorted() { out += "         \(key) = \(step.inputs[key]!)\n" }
            out += "         source: \(step.source)\n"
        }
        return out
    }

    /// Terraform-style attribute lines for a request body.
    static func attributes(_ value: JSONValue, indent: Int) -> String {
        guard case .object(let object) = value else { return "" }
        let pad = String(repeating: " ", count: indent)
        let width = object.keys.map(\.count).max() ?? 0
        var out = ""
        for key in object.keys.sorted() {
            let v = object[key]!
            let name = key.padding(toLength: width, withPad: " ", startingAt: 0)
            switch v {
            case .object(let inner) where !inner.isEmpty:
                out += "\(pad)+ \(name) = {\n" + attributes(v, indent: indent + 4) + "\(pad)  }\n"
            case .array(let items)
            where items.contains(where: {
                if case .object = $0 { return true }; return false
            }):
                out += "\(pad)+ \(name) = [\n"
                for item in items { out += "\(pad)    {\n" + attributes(item, indent: indent + 6) + "\(pad)    },\n" }
                out += "\(pad)  ]\n"
            default:
                out += "\(pad)+ \(name) = \(scalar(v))\n"
            }
        }
        return out
    }

    static func scalar(_ v: JSONValue) -> String {
        switch v {
        case .string(let s): return "\"\(s)\""
        case .int(let i): return String(i)
        case .number(let d): return d == d.rounded() && abs(d) < 1e15 ? String(Int(d)) : String(d)
        case .bool(let b): return b ? "true" : "false"
        case .null: return "null"
        case .array(let a): return "[" + a.map(scalar).joined(separator: ", ") + "]"
        case .object(let o): return o.isEmpty ? "{}" : "{...}"
        }
    }
}
