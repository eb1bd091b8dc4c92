import Foundation
import PodformApply
import PodformCatalog
import PodformCompiler
import PodformCore
import PodformSizing

/// Files -> validated specs -> architectures -> plan; diagnostics and failures on the way.
public struct PlanPipeline: Sendable {
    public var catalogs: Catalogs
    public var configOverride: String?
    public var allowHub = true
    /// `--scope`: every spec is applied from this scope; nil: each spec file's directory's scope.
    public var scope: Scope? = nil
    /// `--spend-limit`: the account's spend limit in USD per hour (else the specs' smallest
    /// `constraints.account_spend_limit`, else RunPod's default, `SpendLimit`).
    public var spendLimitUSDPerHour: Double? = nil

    public init(catalogs: Catalogs, configOverride: String? = nil, allowHub: Bool = true, scope: Scope? = nil) {
        self.catalogs = catalogs
        self.configOverride = configOverride
        self.allowHub = allowHub
        self.scope = scope
    }

    public struct Outcome {
        public var plan: Plan
        public var diagnostics: [Diagnostic]
        public var sources: [String: String]
        public var failures: [String]
        /// The same failures, by spec file.
        public var fileFailures: [(file: String, message: String)] = []
        /// The same failures as located diagnostics (`path:line:col: error: ... [code]`).
        public var planDiagnostics: [Diagnostic] = []
        public var hasErrors: Bool { diagnostics.hasErrors || !failures.isEmpty }
        /// Everything to print on stderr, in file order.
        public var allDiagnostics: [Diagnostic] { diagnostics + planDiagnostics }
    }

    /// - Parameter availability: GPU stock for a live plan (`AvailabilityReader`); nil plans offline,
    ///   stock not checked.
    public func run(_ files: [String], now: Date = Date(), availability: GPUAvailability? = nil) -> Outcome {
        var diagnostics: [Diagnostic] = []
        var sources: [String: String] = [:]
        var failures: [String] = []
        var fileFailures: [(file: String, message: String)] = []
        var scopes: [String: String] = [:]
        var directoryScopes: [String: String] = [:]
        var planDiagnostics: [Diagnostic] = []
        var specs: [String: Spec] = [:]
        /// A spec that validated but cannot be planned: recorded three ways (text, by file, located).
        func fail(_ file: String, _ keyPath: String, _ code: String, _ message: String) {
            failures.append("\(file): \(message)")
            fileFailures.append((file, message))
            let at = specs[file]?.location(keyPath, file: file) ?? SourceLocation(file: file, line: 1, column: 1, keyPath: keyPath)
            let lines = message.components(separatedBy: "\n  what would work: ")
            planDiagnostics.append(
                Diagnostic(
                    .error, code: code, message: lines[0],
                    at: at.line > 0 ? at : SourceLocation(file: file, line: 1, column: 1, keyPath: keyPath),
                    hint: lines.count > 1 ? "what would work: " + lines[1] : nil))
        }
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
            specs[path] = spec
            do {
                let base = URL(fileURLWithPath: path).deletingLastPathComponent()
                let arch = try resolver.resolve(
                    id: spec.model.id, configPath: configOverride ?? spec.model.config, base: configOverride == nil ? base : nil,
                    revision: spec.model.revision)
                items.append((spec, path, arch))
            } catch {
                let fromConfig = configOverride == nil && spec.model.config != nil
                fail(path, fromConfig ? "model.config" : "model.id", "model-unresolved", "\(error)")
            }
            scopes[path] = scopeID(of: path, memo: &directoryScopes)
        }
        var compileEnvironment = CompileEnvironment(gpus: catalogs.gpus, now: now)
        compileEnvironment.scopes = scopes
        compileEnvironment.availability = availability
        var (plan, compileFailures) = compilePlan(items, environment: compileEnvironment)
        for f in compileFailures {
            let file = items.first { $0.spec.name == f.spec }?.file ?? f.spec
            let message = f.message + (f.suggestions.isEmpty ? "" : "\n  what would work: " + f.suggestions.joined(separator: "; "))
            fail(file, f.keyPath, f.code, message)
        }
        for (file, message) in Self.removeDuplicateNames(&plan) { fail(file, "name", "duplicate-spec-name", message) }
        checkSpendLimit(&plan, specs: Array(specs.values))
        return Outcome(
            plan: plan, diagnostics: diagnostics, sources: sources, failures: failures, fileFailures: fileFailures,
            planDiagnostics: planDiagnostics)
    }

    /// The ownership scope of a spec file: `scope`, else its directory's git root; one walk up per
    /// directory (memoised), not per spec file.
    func scopeID(of path: String, memo: inout [String: String]) -> String {
        let parent = (path as NSString).deletingLastPathComponent
        let directory = parent.isEmpty ? "." : parent
        if let known = memo[directory] { return known }
        let id = (scope ?? Scope.directory(directory)).id
        memo[directory] = id
        return id
    }

    /// The account's spend limit (`SpendLimit`): the flag, else the specs' smallest stated limit, else RunPod's default.
    func checkSpendLimit(_ plan: inout Plan, specs: [Spec]) {
        let stated = spendLimitUSDPerHour ?? specs.compactMap(\.constraints.accountSpendLimitUSDPerHour).min()
        let discounts = Dictionary(specs.compactMap { s in s.deploy.activeDiscount.map { (s.name, $0) } }, uniquingKeysWith: { a, _ in a })
        SpendLimit.check(
            &plan, limit: stated ?? SpendLimit.defaultUSDPerHour, stated: stated != nil, gpus: catalogs.gpus,
            activeDiscounts: discounts)
    }

    /// Two specs with one name would own the same resources and fight over them: both leave the
    /// plan, each with a failure naming the other.
    static func removeDuplicateNames(_ plan: inout Plan) -> [(file: String, message: String)] {
        let byName = Dictionary(grouping: plan.deployments, by: \.name).filter { $0.value.count > 1 }
        var out: [(file: String, message: String)] = []
        for (name, group) in byName.sorted(by: { $0.key < $1.key }) {
            let files = group.map(\.specFile)
            for file in files {
                out.append(
                    (
                        file,
                        "another spec in this run is also named \(name) (\(files.filter { $0 != file }.joined(separator: ", "))); each name owns one deployment on RunPod"
                    ))
            }
        }
        plan.deployments.removeAll { byName[$0.name] != nil }
        return out
    }
}
