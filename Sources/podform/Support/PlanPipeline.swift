import Foundation
import PodformCatalog
import PodformCompiler
import PodformCore
import PodformRender
import PodformApply

/// Files -> validated specs -> architectures -> plan; diagnostics and failures on the way.
struct PlanPipeline {
    var catalogs: Catalogs
    var configOverride: String?
    var allowHub = true
    /// `--scope`: every spec is applied from this scope; nil: each spec file's directory's scope.
    var scope: Scope? = nil

    struct Outcome {
        var plan: Plan
        var diagnostics: [Diagnostic]
        var sources: [String: String]
        var failures: [String]
        /// The same failures, by spec file.
        var fileFailures: [(file: String, message: String)] = []
        var hasErrors: Bool { diagnostics.hasErrors || !failures.isEmpty }
    }

    func run(_ files: [String], now: Date = Date()) -> Outcome {
        var diagnostics: [Diagnostic] = []
        var sources: [String: String] = [:]
        var failures: [String] = []
        var fileFailures: [(file: String, message: String)] = []
        var scopes: [String: String] = [:]
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
                let arch = try resolver.resolve(id: spec.model.id, configPath: configOverride ?? spec.model.config, base: configOverride == nil ? base : nil,
                                            revision: spec.model.revision)
                items.append((spec, path, arch))
            } catch {
                failures.append("\(path): \(error)")
                fileFailures.append((path, "\(error)"))
            }
            scopes[path] = (scope ?? Scope.directory((path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent)).id
        }
        var compileEnvironment = CompileEnvironment(gpus: catalogs.gpus, now: now)
        compileEnvironment.accounting = .planning
        compileEnvironment.scopes = scopes
        var (plan, compileFailures) = compilePlan(items, environment: compileEnvironment, offline: true)
        for f in compileFailures {
            let file = items.first { $0.spec.name == f.spec }?.file ?? f.spec
            let message = f.message + (f.suggestions.isEmpty ? "" : "\n  what would work: " + f.suggestions.joined(separator: "; "))
            failures.append("\(file): \(message)")
            fileFailures.append((file, message))
        }
        // Two specs with one name would own the same resources and fight over them.
        let byName = Dictionary(grouping: plan.deployments, by: \.name).filter { $0.value.count > 1 }
        for (name, group) in byName.sorted(by: { $0.key < $1.key }) {
            let files = group.map(\.specFile)
            for file in files {
                let message = "another spec in this run is also named \(name) (\(files.filter { $0 != file }.joined(separator: ", "))); each name owns one deployment on RunPod"
                failures.append("\(file): \(message)")
                fileFailures.append((file, message))
            }
        }
        plan.deployments.removeAll { byName[$0.name] != nil }
        return Outcome(plan: plan, diagnostics: diagnostics, sources: sources, failures: failures, fileFailures: fileFailures)
    }
}

import PodformSizing
