import ArgumentParser
import Foundation
import PodformCatalog
import PodformCompiler
import PodformRender

extension Podform {
    /// `podform show plan.json`: a saved plan, rendered like `plan` rendered it.
    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a saved plan (plan --out) as text, JSON or Markdown.",
            discussion: "Like `terraform show plan`: reads the file only; nothing is fetched or compiled.")

        @Argument(help: "A saved plan (plan --out).") var file: String
        @Option(help: "text, json or markdown.") var format: PlanFormat = .text
        @Flag(help: "Print JSON (same as --format json).") var json = false
        @Flag(help: "Show the decision trace.") var explain = false

        func run() throws {
            let data: Data
            do { data = try BoundedFile.read(file, limit: BoundedFile.planLimit) } catch {
                Output.err("error: \(file): \(error)\n")
                throw ExitCode(1)
            }
            guard let plan = try? JSONDecoder().decode(PodformCompiler.Plan.self, from: data) else {
                Output.err("error: \(file) is not a podform plan (write one with `podform plan --out \(file)`)\n")
                throw ExitCode(1)
            }
            switch json ? .json : format {
            case .text: Output.out(PlanTextRenderer.render(plan, explain: explain))
            case .json: Output.out(encodeJSON(plan))
            case .markdown: Output.out(PlanMarkdownRenderer.render(plan))
            }
        }
    }
}
