import ArgumentParser
import PodformCore
import PodformKit
import PodformRender

extension Podform {
    /// `podform validate FILE...`: every problem in every spec, in compiler format.
    struct Validate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check deployment specs and report every problem with file:line:column.",
            discussion: "Exit status: 0 valid, 1 invalid (or warnings with --strict), 64 usage error.")

        @Argument(help: "Spec files to check.", completion: .file(extensions: ["yaml", "yml"]))
        var files: [String] = []

        @Option(help: "Output format: text or json.")
        var format: DiagnosticsFormat = .text

        @Flag(help: "Treat warnings as errors.")
        var strict = false

        @Flag(help: "Do not fetch config.json from the Hugging Face Hub for models outside the catalog (they are not checked).")
        var offline = false

        @Option(help: "Colour: auto, always, never.")
        var color: ColorChoice = .auto

        @Flag(name: .shortAndLong, help: "Print only diagnostics, no summary.")
        var quiet = false

        func validate() throws {
            if files.isEmpty { throw ValidationError("give at least one spec file, e.g. `podform validate examples/*.yaml`") }
        }

        func run() async throws {
            let catalogs = try Catalogs.load()
            let environment = catalogs.validationEnvironment
            let resolver = ModelResolver(catalog: catalogs.models, allowHub: !offline)
            var all: [Diagnostic] = []
            var sources: [String: String] = [:]
            var named: [String: String] = [:]
            for path in files {
                let (text, problem) = SpecFiles.read(path)
                if let problem { all.append(problem); continue }
                guard let text else { continue }
                sources[path] = text
                let (spec, found) = Spec.validate(path: path, text: text, environment: environment)
                all += found
                // Two specs with one name would own the same resources on RunPod.
                if let spec {
                    if let first = named[spec.name] {
                        all.append(
                            Diagnostic(
                                .error, code: "duplicate-spec-name",
                                message: "another spec is also named `\(spec.name)` (\(first)); each name owns one deployment on RunPod",
                                at: spec.location("name", file: path), hint: "give each spec its own `name`"))
                    } else {
                        named[spec.name] = path
                    }
                    all += hubModelRules(spec, path: path, resolver: resolver)
                }
            }
            let failed = all.hasErrors || (strict && all.hasWarnings)
            switch format {
            case .json:
                Output.out(DiagnosticsRenderer.json(all, files: files, strict: strict))
            case .text:
                Output.err(DiagnosticsRenderer.text(all, sources: sources, color: Output.useColor(color)))
                if !quiet { Output.err(DiagnosticsRenderer.summary(files: files.count, diagnostics: all) + "\n") }
            }
            if failed { throw ExitCode(1) }
        }

        /// A model outside the catalog is checked as `plan` would size it: its config.json from the
        /// Hub (cached; `model.revision`), so that `--strict` fails on a model that cannot be
        /// resolved, not on every model the catalog does not list.
        func hubModelRules(_ spec: Spec, path: String, resolver: ModelResolver) -> [Diagnostic] {
            guard !offline, spec.model.config == nil, resolver.catalog.model(named: spec.model.id) == nil else { return [] }
            do {
                let arch = try resolver.fetchFromHub(spec.model.id, revision: spec.model.revision)
                guard let limit = arch.maxContext, let context = spec.context, context > limit else { return [] }
                return [
                    Diagnostic(
                        .warning, code: "context-exceeds-model",
                        message: "context \(context) is longer than \(spec.model.id) supports (\(limit) tokens)",
                        at: spec.location("context", file: path), hint: "vLLM refuses a MAX_MODEL_LEN above the model's limit; use \(limit) or less")
                ]
            } catch {
                return [
                    Diagnostic(
                        .error, code: "model-unresolved", message: "\(error)", at: spec.location("model.id", file: path),
                        hint: "check the id (and HF_TOKEN for gated models), set `model.config` to a local config.json, or validate with --offline")
                ]
            }
        }
    }
}

enum DiagnosticsFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}
