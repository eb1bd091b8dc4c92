import ArgumentParser
import PodformKit
import PodformRender

extension Podform {
    /// `podform explain`: why the plan is what it is, in sentences.
    struct Explain: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Explain each decision of a spec's plan in plain sentences.")

        @Argument(help: "Spec files.") var files: [String] = []
        @Flag(help: "Never fetch model configs from the Hugging Face Hub.") var offline = false

        func validate() throws {
            if files.isEmpty { throw ValidationError("give at least one spec file") }
        }

        func run() async throws {
            let outcome = PlanPipeline(catalogs: try Catalogs.load(), allowHub: !offline).run(files)
            if !outcome.allDiagnostics.isEmpty {
                Output.err(DiagnosticsRenderer.text(outcome.allDiagnostics, sources: outcome.sources))
            }
            Output.out(outcome.plan.deployments.map(PlanExplainer.explain).joined(separator: "\n"))
            if outcome.hasErrors { throw ExitCode(1) }
        }
    }
}
