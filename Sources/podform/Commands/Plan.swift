import ArgumentParser
import Foundation
import PodformKit
import PodformCompiler
import PodformApply
import PodformRender
import RunPodAPI

extension Podform {
    /// `podform plan`: compile specs into the cheapest deployments that meet their SLAs.
    struct Plan: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Compile specs into RunPod deployment plans.",
            discussion: "Exit status: 0 planned, 1 invalid spec or no feasible deployment, 2 changes present with --detailed-exitcode.")

        @Argument(help: "Spec files, or directories of specs (a directory's removed specs show as destroys).") var files: [String] = []
        @Option(help: "text, json or markdown.") var format: PlanFormat = .text
        @Flag(help: "Show the decision trace.") var explain = false
        @Option(help: "Also write the plan as JSON to this file (mode 0600).") var out: String?
        @Flag(help: "Overwrite --out even if it is not a podform plan.") var force = false
        @Flag(name: .customLong("detailed-exitcode"), help: "Exit 2 when the plan has changes.") var detailedExitcode = false
        @Flag(help: "Plan without RunPod (every resource a create) and never fetch model configs from the Hub.") var offline = false
        @Option(name: .customLong("api-url"), help: "RunPod API base URL.") var apiURL: String?
        @Option(name: .customLong("api-key-file"), help: "Read the API key from this file.") var apiKeyFile: String?
        @OptionGroup var global: GlobalOptions
        @OptionGroup var scope: ScopeOption
        @Option(help: "A local config.json for the model (overrides model.config).") var config: String?
        @Option(help: "Colour: auto, always, never.") var color: ColorChoice = .auto

        func validate() throws {
            if files.isEmpty { throw ValidationError("give at least one spec file, e.g. `podform plan examples/support-chat.yaml`") }
        }

        func run() async throws {
            let catalogs = try Catalogs.load()
            let arguments = try SpecArguments.expand(files)
            let outcome = PlanPipeline(catalogs: catalogs, configOverride: config, allowHub: !offline, scope: scope.explicit).run(arguments.files)
            if !outcome.allDiagnostics.isEmpty {
                Output.err(PodformRender.DiagnosticsRenderer.text(outcome.allDiagnostics, sources: outcome.sources, color: Output.useColor(color)))
            }
            var plan = outcome.plan
            var sets: [ChangeSet]?
            var conflicts = false
            let connection = RunPodOptions(apiURL: apiURL, apiKeyFile: apiKeyFile, global: global)
            // A drift check (--detailed-exitcode) without credentials would report every resource
            // as a change: an error, unless the offline plan is what was asked for.
            if detailedExitcode && !offline && !connection.hasKey {
                Output.err("error: --detailed-exitcode compares against RunPod, and no RUNPOD_API_KEY (or --api-key-file) is set; pass --offline to plan without RunPod\n")
                throw ExitCode(1)
            }
            if !offline && !connection.hasKey && format == .text && !plan.deployments.isEmpty {
                Output.err("note: no RUNPOD_API_KEY: an offline plan (every resource shown as a create); set it to diff against RunPod\n")
            }
            if !offline && connection.hasKey && !plan.deployments.isEmpty {
                do {
                    let client = try connection.client()
                    let live = try await LiveState.fetch(client)
                    let removed = outcome.hasErrors ? [] : arguments.removedSets(live: live, deployments: plan.deployments,
                                                                                 explicitScope: scope.explicit, allowDestroyVolumes: false)
                    let changeSets = plan.deployments.map { diff($0, live: live, options: DiffOptions(now: Date())) } + removed.map(\.set)
                    plan = annotate(plan, with: changeSets)
                    for i in plan.deployments.indices {
                        plan.deployments[i].cost.liveMonthlyUSD = liveMonthlyCost(plan.deployments[i], live: live, gpus: catalogs.gpus)
                    }
                    plan.liveFingerprint = live.fingerprint(specs: plan.deployments.map(\.name) + removed.map(\.set.spec))
                    if !arguments.directories.isEmpty {
                        plan.directories = arguments.directories
                        plan.removed = SpecArguments.removed(removed)
                    }
                    sets = changeSets
                    for set in changeSets { for e in set.errors { Output.err("error: \(set.spec): \(e)\n") } }
                    if changeSets.contains(where: { !$0.errors.isEmpty }) { conflicts = true }
                } catch let error as RunPodError {
                    Output.err("error: \(error)\n")
                    throw ExitCode(1)
                }
            }
            if !plan.deployments.isEmpty || outcome.failures.isEmpty {
                switch format {
                case .text:
                    if let sets {
                        Output.out(PlanTextRenderer.render(plan, explain: explain, resources: false) + "\n" + ChangeSetRenderer.text(sets))
                    } else {
                        Output.out(PlanTextRenderer.render(plan, explain: explain))
                    }
                case .json: Output.out(encodeJSON(plan))
                case .markdown: Output.out(PlanMarkdownRenderer.render(plan, failures: outcome.failures))
                }
            }
            if let out { try PlanFile.write(plan, to: out, force: force) }
            if outcome.hasErrors || conflicts { throw ExitCode(1) }
            let changes = sets.map { $0.contains(where: \.hasChanges) } ?? plan.deployments.contains { !$0.resources.isEmpty }
            if detailedExitcode && changes { throw ExitCode(2) }
        }
    }
}

enum PlanFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json, markdown
}

/// Saved plans: JSON, mode 0600, never clobbering a file that is not a podform plan or following a symlink.
enum PlanFile {
    static func write(_ plan: PodformCompiler.Plan, to path: String, force: Bool) throws {
        do {
            try OwnedFile.write(Data(encodeJSON(plan).utf8), to: path, permissions: 0o600, force: force, what: "a podform plan",
                                isOwn: isPlan)
        } catch let refusal as OwnedFile.Refusal {
            Output.err("error: \(refusal)\n")
            throw ExitCode(1)
        }
    }

    /// True when `data` is a plan podform wrote: it decodes as a `Plan` whose `generated_by` names podform.
    static func isPlan(_ data: Data) -> Bool {
        guard let plan = try? JSONDecoder().decode(PodformCompiler.Plan.self, from: data) else { return false }
        return plan.generatedBy.hasPrefix("podform ") && plan.formatVersion >= 1
    }
}
