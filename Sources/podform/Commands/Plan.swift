import ArgumentParser
import Foundation
import PodformApply
import PodformCompiler
import PodformKit
import PodformRender
import RunPodAPI

extension Podform {
    /// `podform plan`: compile specs into the cheapest deployments that meet their SLAs.
    struct Plan: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Compile specs into RunPod deployment plans.",
            discussion: "Exit status: 0 planned, 1 invalid spec or no feasible deployment, 2 changes present with --detailed-exitcode.")

        @Argument(
            help: "Spec files, or directories of specs (a directory's removed specs show as destroys).",
            completion: .file(extensions: ["yaml", "yml"])) var files: [String] = []
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
        @OptionGroup var spend: SpendLimitOption
        @Option(help: "A local config.json for the model (overrides model.config).") var config: String?
        @Option(help: "Colour: auto, always, never.") var color: ColorChoice = .auto

        func validate() throws {
            if files.isEmpty { throw ValidationError("give at least one spec file, e.g. `podform plan examples/support-chat.yaml`") }
        }

        func run() async throws {
            let catalogs = try Catalogs.load()
            let arguments = try SpecArguments.expand(files)
            var pipeline = PlanPipeline(catalogs: catalogs, configOverride: config, allowHub: !offline, scope: scope.explicit)
            pipeline.spendLimitUSDPerHour = spend.usdPerHour
            var outcome = pipeline.run(arguments.files)
            if !outcome.allDiagnostics.isEmpty {
                Output.err(PodformRender.DiagnosticsRenderer.text(outcome.allDiagnostics, sources: outcome.sources, color: Output.useColor(color)))
            }
            let connection = RunPodOptions(apiURL: apiURL, apiKeyFile: apiKeyFile, global: global)
            // A drift check (--detailed-exitcode) without credentials would report every resource
            // as a change: an error, unless the offline plan is what was asked for.
            if detailedExitcode && !offline && !connection.hasKey {
                Output.err(
                    "error: --detailed-exitcode compares against RunPod, and no RUNPOD_API_KEY (or --api-key-file) is set; pass --offline to plan without RunPod\n"
                )
                throw ExitCode(1)
            }
            if !offline && !connection.hasKey && format == .text && !outcome.plan.deployments.isEmpty {
                Output.err("note: no RUNPOD_API_KEY: an offline plan (every resource shown as a create); set it to diff against RunPod\n")
            }
            var reviewed = pipeline.review(outcome.plan, live: nil)
            if !offline && connection.hasKey && !outcome.plan.deployments.isEmpty {
                (reviewed, outcome) = try await review(outcome, pipeline: pipeline, arguments: arguments, connection: connection)
            }
            let sets = reviewed.changeSets
            for set in sets ?? [] { for e in set.errors { Output.err("error: \(set.spec): \(e)\n") } }
            switch format {
            case .text where !reviewed.deployments.isEmpty || outcome.failures.isEmpty:
                Output.out(PlanTextRenderer.render(reviewed, explain: explain))
            case .json where !reviewed.deployments.isEmpty || outcome.failures.isEmpty: try Output.out(encodeJSON(reviewed))
            // A PR comment even when the plan failed: the errors are what the reviewer needs.
            case .markdown: Output.out(PlanMarkdownRenderer.render(reviewed, failures: Self.errorLines(outcome)))
            default: break
            }
            if let out { try PlanFile.write(reviewed, to: out, force: force) }
            if outcome.hasErrors || (sets ?? []).contains(where: { !$0.errors.isEmpty }) { throw ExitCode(1) }
            let changes = sets.map { $0.contains(where: \.hasChanges) } ?? reviewed.deployments.contains { !$0.requests.isEmpty }
            if detailedExitcode && changes { throw ExitCode(2) }
        }

        /// The plan against RunPod: compiled again with GPU stock (types the specs already run on
        /// held), diffed with its live state, and the destroys of specs removed from a planned
        /// directory (none when a spec failed: prune needs every spec's name).
        func review(
            _ first: PlanPipeline.Outcome, pipeline: PlanPipeline, arguments: SpecArguments,
            connection: RunPodOptions
        ) async throws -> (ReviewedPlan, PlanPipeline.Outcome) {
            do {
                let client = try connection.client()
                let live = try await LiveState.fetch(client)
                var outcome = first
                if let availability = await readAvailability(AvailabilityReader(client: client)) {
                    outcome = pipeline.run(arguments.files, availability: pipeline.holding(availability, live: live, for: first.plan.deployments))
                }
                let removed =
                    outcome.hasErrors
                    ? []
                    : arguments.removedSets(
                        live: live, deployments: outcome.plan.deployments,
                        explicitScope: scope.explicit, allowDestroyVolumes: false)
                return (
                    pipeline.review(
                        outcome.plan, live: live, options: DiffOptions(now: Date()),
                        directories: arguments.directories.isEmpty ? nil : arguments.directories, removed: removed), outcome
                )
            } catch let error as RunPodError {
                Output.err("error: \(error)\n")
                if format == .markdown { Output.out(PlanMarkdownRenderer.failed(Self.errorLines(first) + ["RunPod: \(error)"])) }
                throw ExitCode(1)
            }
        }

        /// Every error of the run, one line each (`file:line:col: message [code]`), for the PR comment.
        static func errorLines(_ outcome: PlanPipeline.Outcome) -> [String] {
            outcome.allDiagnostics.filter { $0.severity == .error }.map { d in
                let l = d.location
                return "\(l.file):\(l.line):\(l.column): \(d.message) [\(d.code)]" + (d.hint.map { " (\($0))" } ?? "")
            }
        }
    }
}

enum PlanFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json, markdown
}

/// Saved plans: JSON, mode 0600, never clobbering a file that is not a podform plan or following a symlink.
enum PlanFile {
    static func write(_ plan: ReviewedPlan, to path: String, force: Bool) throws {
        do {
            try OwnedFile.write(
                Data(encodeJSON(plan).utf8), to: path, permissions: 0o600, force: force, what: "a podform plan",
                isOwn: isPlan)
        } catch let refusal as OwnedFile.Refusal {
            Output.err("error: \(refusal)\n")
            throw ExitCode(1)
        }
    }

    /// True when `data` is a plan podform wrote: it decodes as a plan whose `generated_by` names podform.
    static func isPlan(_ data: Data) -> Bool {
        guard let saved = read(data) else { return false }
        return saved.plan.generatedBy.hasPrefix("podform ") && saved.plan.formatVersion >= 1
    }

    /// A saved plan (`plan --out`), or nil when `data` is not one.
    static func read(_ data: Data) -> ReviewedPlan? { try? JSONDecoder().decode(ReviewedPlan.self, from: data) }
}
