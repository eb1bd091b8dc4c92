import Foundation
import PodformApply
import PodformCompiler

/// `podform plan --format markdown`: a pull-request comment a reviewer reads in ten seconds: a
/// summary table, the monthly cost against what runs now, errors, each updated or replaced
/// resource's fields before and after (from the plan's `resource_changes`, so a saved plan shows
/// the same), then `<details>` per deployment.
public enum PlanMarkdownRenderer {
    /// GitHub's comment limit is 65,536 characters; stay under it with room for a note.
    public static let limit = 60_000
    /// A resource with more changed fields than this, or a value longer than `longValue`, has its
    /// field table collapsed in `<details>`.
    static let collapseFields = 8
    static let longValue = 80

    /// - Parameter failures: why specs could not be planned (located diagnostics, compile
    ///   failures, a RunPod error): a failed plan is still a comment, with its errors.
    public static func render(_ reviewed: ReviewedPlan, failures: [String] = []) -> String {
        var head = "## podform plan\n\n"
        head += reviewed.offline ? "_Offline plan (no RunPod API key): every resource is shown as to-create._ " : ""
        head += "GPU prices as of \(reviewed.plan.catalogAsOf).\n\n"
        if !reviewed.deployments.isEmpty {
            head += "| spec | GPU | count | mode | workers | monthly | vs live | SLA |\n| --- | --- | ---: | --- | --- | ---: | --- | --- |\n"
            for review in reviewed.deployments { head += summaryRow(review, offline: reviewed.offline) }
            head += "\n" + costLine(reviewed) + "\n"
        }
        head += errors(failures + (reviewed.changeSets ?? []).flatMap { set in set.errors.map { "\(set.spec): \($0)" } })
        let changed = changes(reviewed)
        head +=
            head.count + changed.count < limit
            ? changed
            : changes(reviewed, tables: false)
                + "\n> Field changes left out to stay under GitHub's comment limit; see them with `podform show plan.json` (text) or in the plan JSON's `resource_changes`.\n"
        var body = ""
        var truncated = 0
        for d in reviewed.deployments {
            let section = details(d)
            if head.count + body.count + section.count > limit { truncated += 1; continue }
            body += section
        }
        var note = ""
        if truncated > 0 {
            note =
                "\n> Details of \(truncated) deployment\(truncated == 1 ? "" : "s") left out to stay under GitHub's comment limit; see the full plan with `podform plan --format json`.\n"
        }
        return head + "\n" + body + note
    }

    /// A comment for a plan that produced nothing to show (every spec failed, RunPod unreachable).
    public static func failed(_ failures: [String]) -> String {
        "## podform plan\n\n" + errors(failures.isEmpty ? ["the plan failed"] : failures)
    }

    static func summaryRow(_ review: ReviewedDeployment, offline: Bool) -> String {
        let d = review.deployment
        let mode = d.cluster != nil ? "cluster" : d.pricingModel.label
        let replicas = d.estimates?.replicas ?? 1
        let workers =
            d.workers.map { "\($0.min)..\($0.max)" } ?? d.cluster.map { "\($0.nodes) nodes" }
            ?? "\(replicas) pod\(replicas == 1 ? "" : "s")"
        let sla =
            d.estimates.map { $0.slaMet ? (d.warnings.contains { $0.code == "sla-at-risk" } ? "met (at risk)" : "met") : "**not met**" } ?? "n/a"
        return
            "| `\(d.name)` | \(d.gpu.displayName) | \(d.gpu.count) | \(mode) | \(workers) | \(money(d.cost.monthlyUSD)) | \(liveChange(review, offline: offline)) | \(sla) |\n"
    }

    static func money(_ x: Double) -> String { String(format: "$%.2f", x) }
    static func signed(_ x: Double) -> String { String(format: "%@$%.2f", x >= 0 ? "+" : "-", abs(x)) }

    /// The month's cost: planned against what the specs' resources cost now (at list prices).
    static func costLine(_ reviewed: ReviewedPlan) -> String {
        let planned = reviewed.deployments.reduce(0) { $0 + $1.deployment.cost.monthlyUSD }
        guard !reviewed.offline else {
            return "**Monthly cost:** \(money(planned)) planned (not compared with RunPod: offline).\n"
        }
        let now = reviewed.deployments.reduce(0) { $0 + ($1.liveMonthlyUSD ?? 0) }
        let removed = reviewed.live?.removed.isEmpty == false ? " Removed specs' resources are not priced." : ""
        return "**Monthly cost:** \(money(now)) now → \(money(planned)) planned (\(signed(planned - now))/month).\(removed)\n"
    }

    /// The errors, one list item each; nothing when there are none.
    static func errors(_ failures: [String]) -> String {
        guard !failures.isEmpty else { return "" }
        var s = "\n### Errors\n\n"
        for f in failures { s += "- **error:** \(inline(f))\n" }
        return s + "\n"
    }

    /// Text safe in a list item or a summary: one line, no HTML.
    static func inline(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\n", with: " ")
    }

    /// How the deployment compares with what runs now: new (+ its cost), unchanged, or which changes.
    static func liveChange(_ review: ReviewedDeployment, offline: Bool) -> String {
        if offline { return "not checked (offline)" }
        let d = review.deployment
        let actions = review.resources.map(\.action.rawValue)
        if actions.allSatisfy({ $0 == "create" }) { return String(format: "new: +$%.2f/month", d.cost.monthlyUSD) }
        if actions.allSatisfy({ $0 == "no-op" }) { return "no change" }
        let counts = Dictionary(grouping: actions.filter { $0 != "no-op" }, by: { $0 }).mapValues(\.count)
        let changes = counts.keys.sorted().map { "\(counts[$0]!) to \($0)" }.joined(separator: ", ")
        guard let now = review.liveMonthlyUSD else { return changes }
        let delta = d.cost.monthlyUSD - now
        return String(format: "%@; $%.2f -> $%.2f (%@$%.2f)", changes, now, d.cost.monthlyUSD, delta >= 0 ? "+" : "-", abs(delta))
    }

    static func details(_ review: ReviewedDeployment) -> String {
        let d = review.deployment
        var s =
            "<details><summary><code>\(d.name)</code>: \(d.gpu.count) x \(d.gpu.displayName), \(String(format: "$%.2f/month", d.cost.monthlyUSD))</summary>\n\n"
        s += "Model `\(d.model.id)` (\(d.precision)) from `\(d.specFile)`.\n\n"
        if let fit = d.sizing.gpu {
            s += String(
                format:
                    "**Sizing per GPU:** weights %.1f GB, KV cache %.1f GB, overhead %.1f GB = %.1f GB of %.1f GB usable; KV capacity %d tokens.\n\n",
                Double(d.sizing.weightsBytesPerGPU) / 1e9, Double(d.sizing.kvCacheBytesPerGPU) / 1e9,
                Double(d.sizing.overheadBytesPerGPU) / 1e9, Double(d.sizing.totalBytesPerGPU) / 1e9,
                Double(fit.usableBytes) / 1e9, fit.kvCapacityTokens)
        }
        if let e = d.estimates, !e.slaNotes.isEmpty { s += "**SLA:** " + e.slaNotes.joined(separator: "; ") + "\n\n" }
        s += "**Resources:**\n\n| action | kind | name |\n| --- | --- | --- |\n"
        for r in review.resources {
            let symbol = self.symbol(r.action)
            s += "| \(symbol.isEmpty ? "" : symbol + " ")\(r.action.rawValue) | \(r.kind.rawValue) | `\(r.name)` |\n"
        }
        if !d.alternatives.isEmpty {
            s += "\n**Alternatives:**\n\n"
            for a in d.alternatives {
                let delta = a.deltaMonthlyUSD.map { String(format: " (%@$%.2f/month)", $0 >= 0 ? "+" : "-", abs($0)) } ?? ""
                s += "- \(a.label)\(delta): \(a.reason)\n"
            }
        }
        if d.levers != nil {
            s += "\n**Levers** (the SLA is not met as specified; each of these meets it):\n\n"
            for line in d.leverLines(prefix: "- ", code: { "`\($0)`" }) { s += line + "\n" }
        }
        if !d.warnings.isEmpty {
            s += "\n**Warnings:**\n\n"
            for w in d.warnings { s += "- \(w.message) (`\(w.code)`)\n" }
        }
        s += "\n**Decision trace:**\n\n"
        for t in d.trace { s += "1. `\(t.rule)` \(t.question) → \(t.outcome) _(\(t.source))_\n" }
        s += "\n</details>\n\n"
        return s
    }
}

/// `podform explain`: the decision trace as plain sentences.
public enum PlanExplainer {
    public static func explain(_ d: Deployment) -> String {
        var lines: [String] = []
        let mode =
            d.cluster.map { "an Instant Cluster of \($0.nodes) nodes (\($0.type))" }
            ?? (d.mode == .pod ? "a pod" : "a serverless endpoint with \(d.workerMode?.rawValue ?? "") workers")
        lines.append(
            "\(d.name) runs \(d.model.id) on \(mode): \(d.gpu.count) x \(d.gpu.displayName), about \(String(format: "$%.2f", d.cost.monthlyUSD)) a month."
        )
        for t in d.trace { lines.append("\(t.question) \(t.outcome.prefix(1).uppercased() + t.outcome.dropFirst()).") }
        for a in d.alternatives {
            var why = a.reason
            if why.hasPrefix("rejected ("), let close = why.firstIndex(of: ")") {
                why = String(why[why.index(after: close)...]).trimmingCharacters(in: CharacterSet(charactersIn: ": "))
                lines.append("\(d.gpu.displayName), not \(a.gpu): \(why).")
            } else if why.hasPrefix("misses the SLA") {
                lines.append("\(a.gpu) would be cheaper but \(why).")
            } else {
                lines.append("\(a.gpu) would also work: \(why).")
            }
        }
        for w in d.warnings { lines.append("Note: \(w.message).") }
        return lines.joined(separator: "\n") + "\n"
    }
}
