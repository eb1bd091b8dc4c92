import Foundation
import PodformCatalog
import PodformCompiler
import PodformCore
import PodformRender

/// Files -> validated specs -> architectures -> plan; diagnostics and failures on the way.
struct PlanPipeline {
    var catalogs: Catalogs
    var configOverride: String?
    var allowHub = true

    struct Outcome {
        var plan: Plan
        var diagnostics: [Diagnostic]
        var sources: [String: String]
        var failures: [String]
        var hasErrors: Bool { diagnostics.hasErrors || !failures.isEmpty }
    }

    func run(_ files: [String], now: Date = Date()) -> Outcome {
        var diagnostics: [Diagnostic] = []
        var sources: [String: String] = [:]
        var failures: [String] = []
        var items: [(spec: Spec, file: String, architecture: PodformSizing.ModelArchitecture)] = []
        let environment = catalogs.validationEnvironment
        let resolver = ModelResolver(catalog: catalogs.models, allowHub: allowHub)
        for path in files {
            let (text, problem) = SpecFiles.read(path)
            if let problem { diagnostics.append(problem); continue }
            sources[path] = text
            let (spec, found) = Spec.validate(path: path, text: text ?? "", environment: environment)
            diagnostics += found
            guard let spec, !found.hasErrors else { continue }
            do {
                let base = URL(fileURLWithPath: path).deletingLastPathComponent()
                let arch = try resolver.resolve(id: spec.model.id, configPath: configOverride ?? spec.model.config, base: configOverride == nil ? base : nil)
                items.append((spec, path, arch))
            } catch {
                failures.append("\(path): \(error)")
            }
        }
        var compileEnvironment = CompileEnvironment(gpus: catalogs.gpus, now: now)
        compileEnvironment.accounting = .planning
        let (plan, compileFailures) = compilePlan(items, environment: compileEnvironment, offline: true)
        for f in compileFailures {
            let file = items.first { $0.spec.name == f.spec }?.file ?? f.spec
            failures.append("\(file): \(f.message)" + (f.suggestions.isEmpty ? "" : "\n  what would work: " + f.suggestions.joined(separator: "; ")))
        }
        return Outcome(plan: plan, diagnostics: diagnostics, sources: sources, failures: failures)
    }
}

import PodformSizing
