import ArgumentParser
import Foundation
import PodformCatalog
import PodformCompiler
import PodformCore
import PodformKit
import PodformRender
import PodformSimulate

extension Podform {
    /// `podform simulate`: run a spec's traffic against its plan and report what RunPod would do and bill.
    struct Simulate: AsyncParsableCommand {
        /// The most requests one run simulates (about 3 GB of per-request state; steady-api's week is 10.5 million).
        static let maxRequests = 100_000_000.0
        static let configuration = CommandConfiguration(
            abstract: "Simulate a plan against its spec's traffic: latency with cold starts, workers over the day, billed cost.",
            discussion:
                "A discrete-event simulation of RunPod serverless scaling (or pods) with vLLM continuous batching (Specs/performance.md §5). Exit status: 0 simulated (whatever the verdict), 1 invalid input."
        )

        @Argument(help: "A spec file, or a saved plan (plan --out) whose specs are read from their recorded paths.") var input: String
        @Option(help: "Days to simulate.") var days = 7
        @Option(help: "Random seed (same seed, same result).") var seed: UInt64 = 1
        @Flag(help: "Print the report as JSON.") var json = false
        @Option(help: "Write an SVG of workers and p95 TTFT over the day to this file.") var svg: String?
        @Flag(help: "Never fetch model configs from the Hugging Face Hub.") var offline = false

        func validate() throws {
            if days < 1 || days > 366 { throw ValidationError("--days must be 1...366") }
        }

        /// The deployments to simulate, each with the spec it came from: a saved plan's, or the spec compiled now.
        func deployments(_ catalogs: Catalogs) throws -> [(Deployment, String)] {
            if input.hasSuffix(".json") {
                let data = try BoundedFile.read(input, limit: BoundedFile.planLimit)
                guard let plan = try? JSONDecoder().decode(PodformCompiler.Plan.self, from: data) else {
                    Output.err("error: \(input) is not a podform plan\n")
                    throw ExitCode(1)
                }
                return plan.deployments.map { ($0, $0.specFile) }
            } else {
                let outcome = PlanPipeline(catalogs: catalogs, allowHub: !offline).run([input])
                if !outcome.diagnostics.isEmpty { Output.err(DiagnosticsRenderer.text(outcome.diagnostics, sources: outcome.sources)) }
                for failure in outcome.failures { Output.err("error: \(failure)\n") }
                if outcome.hasErrors { throw ExitCode(1) }
                return outcome.plan.deployments.map { ($0, input) }
            }
        }

        func run() async throws {
            let catalogs = try Catalogs.load()
            let pairs = try deployments(catalogs)
            var reports: [(Deployment, SimulationReport)] = []
            let resolver = ModelResolver(catalog: catalogs.models, allowHub: !offline)
            for (deployment, path) in pairs {
                if deployment.cluster != nil {
                    Output.err(
                        "note: \(deployment.name): a multi-node Instant Cluster; podform simulate models endpoints and single-node pods only, so it is not simulated\n"
                    )
                    continue
                }
                let (text, problem) = SpecFiles.read(path)
                guard problem == nil, let text else {
                    Output.err("error: \(deployment.name): cannot read its spec \(path)\n")
                    throw ExitCode(1)
                }
                let (spec, found) = Spec.validate(path: path, text: text, environment: catalogs.validationEnvironment)
                guard let spec, !found.hasErrors else {
                    Output.err(DiagnosticsRenderer.text(found, sources: [path: text]))
                    throw ExitCode(1)
                }
                let base = URL(fileURLWithPath: path).deletingLastPathComponent()
                let architecture = try resolver.resolve(id: spec.model.id, configPath: spec.model.config, base: base, revision: spec.model.revision)
                let environment = CompileEnvironment(gpus: catalogs.gpus, now: Date())
                guard let model = spec.servingModel(deployment: deployment, architecture: architecture, environment: environment) else {
                    Output.err("note: \(deployment.name): \(deployment.workload) runs once; nothing to simulate\n")
                    continue
                }
                // Every request is held in memory: bound the run instead of exhausting it.
                let expected = model.requestsPerDay * Double(days)
                guard expected <= Self.maxRequests else {
                    Output.err(
                        String(
                            format:
                                "error: %@: %.3g requests over %d days is more than podform simulate holds (%.0f million); simulate fewer --days\n",
                            deployment.name, expected, days, Self.maxRequests / 1e6))
                    throw ExitCode(1)
                }
                reports.append((deployment, simulate(model, options: .init(days: days, seed: seed))))
            }
            if json {
                Output.out(try encodeJSON(reports.map { NamedReport(name: $0.0.name, report: $0.1) }))
            } else {
                Output.out(reports.map { SimulationText.render($0.0, $0.1) }.joined(separator: "\n"))
            }
            if let svg, let first = reports.first {
                try Data(SimulationText.svg(first.0, first.1).utf8).write(to: URL(fileURLWithPath: svg))
            }
        }
    }
}

struct NamedReport: Encodable {
    var name: String
    var report: SimulationReport
}

/// The simulation report as text, a sparkline and an SVG.
enum SimulationText {
    static func money(_ x: Double) -> String { String(format: "$%.2f", x) }
    static func pct(_ x: Double) -> String { String(format: "%.2f%%", x * 100) }

    static func render(_ d: Deployment, _ r: SimulationReport) -> String {
        var lines: [String] = []
        let fleet =
            d.mode == .pod
            ? "pod x \(d.estimates?.replicas ?? 1)"
            : "\(d.pricingModel.label) workers \(d.workers?.min ?? 0)..\(d.workers?.max ?? 0)"
        lines.append(
            "podform simulate: \(d.name), \(fleet), \(d.gpu.count) x \(d.gpu.displayName); \(r.days) days, seed \(r.seed), \(r.requests) requests, \(r.events) events"
        )
        lines.append(
            String(
                format: "  TTFT:      p50 %.2f s, p95 %.2f s, p99 %.2f s (queueing and cold starts included)", r.ttftSeconds.p50, r.ttftSeconds.p95,
                r.ttftSeconds.p99))
        lines.append(
            String(
                format: "  wait:      p50 %.2f s, p95 %.2f s, p99 %.2f s for a slot on a ready worker", r.waitSeconds.p50, r.waitSeconds.p95,
                r.waitSeconds.p99))
        lines.append("  cold:      \(pct(r.coldHitShare)) of requests met a cold start; \(r.coldStarts) cold starts")
        for t in r.terms {
            lines.append("  SLA \(t.term): \(t.met ? "met" : "NOT met"), \(pct(t.breachShare)) of requests break \(String(format: "%g", t.limit))")
        }
        lines.append("  verdict:   simulation says SLA \(r.slaMet ? "met" : "not met"); the plan says \(r.claimedSLAMet ? "met" : "not met")")
        lines.append(
            String(
                format:
                    "  billed:    %.0f flex + %.0f active + %.0f pod GPU-seconds; mean flex workers up %.2f over the active hours; peak %d workers",
                r.flexGPUSeconds, r.activeGPUSeconds, r.podGPUSeconds, r.meanFlexWorkersUp, r.peakWorkers))
        let delta = r.claimedMonthlyUSD > 0 ? (r.claimedMonthlyUSD - r.monthlyUSD) / max(r.monthlyUSD, 1e-9) : 0
        lines.append(
            "  cost:      \(money(r.monthlyUSD))/month simulated (compute \(money(r.computeMonthlyUSD)) + storage \(money(r.storageMonthlyUSD))); the plan says \(money(r.claimedMonthlyUSD)) (\(String(format: "%+.1f%%", delta * 100)))"
        )
        lines.append(
            "  workers:   \(sparkline(r.workersByTimeOfDay, buckets: 48))  (00:00-24:00, max \(String(format: "%.1f", r.workersByTimeOfDay.max() ?? 0)))"
        )
        return lines.joined(separator: "\n") + "\n"
    }

    /// A terminal sparkline of `values` in `buckets` means.
    static func sparkline(_ values: [Double], buckets: Int) -> String {
        let bars = Array("▁▂▃▄▅▆▇█")
        guard !values.isEmpty else { return "" }
        let per = max(values.count / buckets, 1)
        let means = stride(from: 0, to: values.count, by: per).map { i in
            values[i..<min(i + per, values.count)].reduce(0, +) / Double(min(per, values.count - i))
        }
        let top = max(means.max() ?? 0, 1e-9)
        return String(means.map { $0 <= 0 ? " " : bars[min(bars.count - 1, Int($0 / top * Double(bars.count - 1) + 0.5))] })
    }

    /// Workers (area) and p95 TTFT (line, right axis) over the day.
    static func svg(_ d: Deployment, _ r: SimulationReport) -> String {
        let w = 720.0, h = 240.0, left = 40.0, right = 40.0, top = 24.0, bottom = 24.0
        let plotW = w - left - right, plotH = h - top - bottom
        let maxWorkers = max(r.workersByTimeOfDay.max() ?? 0, 1)
        let ttfts = r.ttftP95ByTimeOfDay.compactMap { $0 }
        let maxTTFT = max(ttfts.max() ?? 0, 1e-3)
        func x(_ i: Int, _ n: Int) -> Double { left + plotW * Double(i) / Double(max(n - 1, 1)) }
        var area = "M \(left) \(top + plotH)"
        for (i, v) in r.workersByTimeOfDay.enumerated() {
            area += String(format: " L %.1f %.1f", x(i, r.workersByTimeOfDay.count), top + plotH - plotH * v / maxWorkers)
        }
        area += " L \(left + plotW) \(top + plotH) Z"
        var line = ""
        for (i, v) in r.ttftP95ByTimeOfDay.enumerated() {
            guard let v else { continue }
            line += String(format: "%@%.1f %.1f", line.isEmpty ? "M " : " L ", x(i, r.ttftP95ByTimeOfDay.count), top + plotH - plotH * v / maxTTFT)
        }
        let title =
            "\(d.name): workers up (area, max \(String(format: "%.1f", maxWorkers))) and p95 TTFT (line, max \(String(format: "%.2f", maxTTFT)) s) over the day"
            .replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
        return """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(w))" height="\(Int(h))" viewBox="0 0 \(Int(w)) \(Int(h))">
            <rect width="100%" height="100%" fill="white"/>
            <text x="\(left)" y="16" font-family="sans-serif" font-size="12">\(title)</text>
            <path d="\(area)" fill="#9ecae1" stroke="#3182bd"/>
            <path d="\(line)" fill="none" stroke="#e6550d" stroke-width="1.5"/>
            <text x="\(left)" y="\(Int(h - 6))" font-family="sans-serif" font-size="10">00:00</text>
            <text x="\(Int(left + plotW / 2 - 12))" y="\(Int(h - 6))" font-family="sans-serif" font-size="10">12:00</text>
            <text x="\(Int(left + plotW - 24))" y="\(Int(h - 6))" font-family="sans-serif" font-size="10">24:00</text>
            </svg>

            """
    }
}
