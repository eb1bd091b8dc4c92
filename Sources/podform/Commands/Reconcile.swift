import ArgumentParser
import Foundation
import Logging
import PodformApply
import PodformCatalog
import PodformCompiler
import PodformCore
import PodformKit
import RunPodAPI

extension Podform {
    /// `podform reconcile`: the GitOps loop.
    struct Reconcile: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Keep RunPod in line with every spec in a directory, round after round.",
            discussion: """
                Logs one line per spec per round (with its health); backs off on API errors; exits cleanly on SIGTERM or SIGINT.
                --prune deletes only deployments recorded under this directory's scope (or --scope) and matching the selector, \
                whose spec is no longer in the directory; at most --max-deletes per round. Exit status with --once or \
                --max-rounds: 0 when every spec is in sync or applied, 1 otherwise.
                """)

        @Argument(help: "Directory of specs (searched recursively for .yaml and .yml).", completion: .directory) var directory: String
        @Option(help: "Time between rounds (e.g. 60s, 5m).") var interval: String = "60s"
        @Flag(help: "Run one round and exit.") var once = false
        @Option(name: .customLong("max-rounds"), help: "Run this many rounds and exit.") var maxRounds: Int?
        @Flag(
            help:
                "Delete deployments of specs no longer in the directory, within this scope and selector (never network volumes without --allow-destroy-volumes)."
        )
        var prune = false
        @Option(
            name: [.customShort("l"), .long],
            help: "Only specs whose labels match, kubectl-style: team=search,env!=dev, 'tier in (a,b)', '!canary' (repeatable; all must hold).")
        var selector: [String] = []
        @Option(help: "The scope recorded on what this run creates and the only one it prunes (default: the directory's repository-relative path).")
        var scope: String?
        @Option(name: .customLong("max-deletes"), help: "Prune at most this many deployments in one round; above it nothing is pruned.")
        var maxDeletes: Int = 3
        @Option(name: .customLong("log-format"), help: "text (logfmt) or json.") var logFormat: LogFormat = .text
        @Flag(name: .customLong("allow-destroy-volumes"), help: "Allow deleting network volumes.") var allowDestroyVolumes = false
        @Flag(name: .customLong("no-health"), help: "Do not check endpoint workers (saves one API call per endpoint per round).") var noHealth = false
        @Option(name: .customLong("api-url"), help: "RunPod API base URL.") var apiURL: String?
        @Option(name: .customLong("api-key-file"), help: "Read the API key from this file.") var apiKeyFile: String?
        @OptionGroup var spend: SpendLimitOption
        @OptionGroup var global: GlobalOptions

        enum LogFormat: String, ExpressibleByArgument { case text, json }

        func validate() throws {
            guard let seconds = Units.seconds(interval), seconds.isFinite, seconds >= 1, seconds <= 86_400 else {
                throw ValidationError("--interval must be a duration from 1s to 24h, e.g. 60s")
            }
            if let maxRounds, maxRounds < 1 { throw ValidationError("--max-rounds must be at least 1") }
            guard (0...1000).contains(maxDeletes) else { throw ValidationError("--max-deletes must be between 0 and 1000") }
            do { _ = try parsedSelector() } catch { throw ValidationError("\(error)") }
            if prune && !selector.isEmpty && selector.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) {
                throw ValidationError("--selector is empty: with --prune, give requirements such as team=search (or drop --selector)")
            }
            if let scope { do { _ = try Scope.named(scope) } catch { throw ValidationError("\(error)") } }
        }

        /// Empty selector strings are dropped (a warning); the rest must parse.
        func parsedSelector() throws -> LabelSelector {
            try LabelSelector.parse(selector.filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty })
        }

        func run() async throws {
            let log = Logger(label: "podform.reconcile") { _ in StructuredLogHandler(format: logFormat == .json ? .json : .text) }
            let client: RunPodClient
            do { client = try RunPodOptions(apiURL: apiURL, apiKeyFile: apiKeyFile, global: global).client() } catch {
                Output.err("error: \(error)\n")
                throw ExitCode(1)
            }
            let selector = try parsedSelector()
            if selector.isEmpty && !selector.text.isEmpty || selector.isEmpty && !self.selector.isEmpty {
                log.warning("selector", metadata: ["warning": "--selector is empty: every spec in the directory is selected"])
            }
            let explicitScope = try scope.map(Scope.named)
            let reconcileScope = explicitScope ?? Scope.directory(directory)
            let stop = StopFlag()
            let sources = stop.setOnSignals([SIGTERM, SIGINT])
            defer { sources.forEach { $0.cancel() } }
            var reconciler = makeReconciler(client: client, scope: reconcileScope, selector: selector, log: log)
            let base = Units.seconds(interval) ?? 60
            var wait = base
            var round = 0
            var lastSucceeded = true
            let limit = once ? 1 : maxRounds
            let stock = AvailabilityReader(client: client)
            let refusals = RefusalMemory()
            log.info(
                "start",
                metadata: [
                    "directory": .string(directory), "scope": .string(reconcileScope.id),
                    "selector": .string(selector.text), "prune": .stringConvertible(prune),
                    "max_deletes": .stringConvertible(maxDeletes), "interval_seconds": .stringConvertible(base)
                ])
            while !stop.isSet {
                round += 1
                // GPU stock for this round's plans (read at most once a minute); none: not checked.
                // Types RunPod refused in the last 10 minutes are planned around, whatever the catalog says.
                var availability = try? await stock.read()
                availability?.refused = refusals.current()
                let (input, pipeline) = roundInput(explicitScope: explicitScope, availability: availability)
                reconciler.fallback = pipeline?.capacityFallback(availability: availability, memory: refusals)
                let report = await reconciler.round(input)
                Self.log(report, round: round, to: log)
                lastSucceeded = report.succeeded
                wait = report.apiError ? min(wait * 2, 600) : base
                if report.apiError {
                    log.error(
                        "round", metadata: ["round": .stringConvertible(round), "result": "api-error", "next_round_in": .stringConvertible(Int(wait))]
                    )
                }
                if let limit, round >= limit { break }
                let until = Date().addingTimeInterval(wait)
                while Date() < until && !stop.isSet { try? await Task.sleep(nanoseconds: 100_000_000) }
            }
            log.info("stopped", metadata: ["result": "stopped", "rounds": .stringConvertible(round)])
            if limit != nil && !lastSucceeded { throw ExitCode(1) }
        }

        func makeReconciler(client: RunPodClient, scope: Scope, selector: LabelSelector, log: Logger) -> Reconciler {
            let locks = SpecLocks(directory: CatalogOverlay.defaultDirectory().appendingPathComponent("locks"))
            return Reconciler(
                client: client, scope: scope, selector: selector, prune: prune, maxDeletes: maxDeletes,
                allowDestroyVolumes: allowDestroyVolumes, apply: ApplyOptions(waitTimeout: 900, pollInterval: 5), checkHealth: !noHealth,
                locks: locks,
                willPrune: { spec, resources in
                    log.notice("prune", metadata: ["spec": .string(spec), "result": "deleting", "resources": .array(resources.map { .string($0) })])
                })
        }

        /// One line per spec, then the round's warnings and errors.
        static func log(_ report: RoundReport, round: Int, to log: Logger) {
            for o in report.outcomes {
                var m: Logger.Metadata = [
                    "round": .stringConvertible(round), "spec": .string(o.spec), "result": .string(o.result.rawValue),
                    "changes": .stringConvertible(o.changes), "writes": .stringConvertible(o.writes)
                ]
                if let file = o.file { m["spec_file"] = .string(file) }
                if let e = o.error { m["error"] = .string(e) }
                if !o.notes.isEmpty { m["notes"] = .array(o.notes.map { .string($0) }) }
                if let h = o.health { m["health"] = .string(h.state.rawValue); m["health_detail"] = .string(h.detail) }
                if o.result.isError { log.error("spec", metadata: m) } else { log.info("spec", metadata: m) }
            }
            for w in report.warnings { log.warning("round", metadata: ["round": .stringConvertible(round), "warning": .string(w)]) }
            for e in report.errors { log.error("round", metadata: ["round": .stringConvertible(round), "result": "error", "error": .string(e)]) }
        }

        /// This round's specs: every `.yaml`/`.yml` under the directory, planned; problems by file;
        /// and the names of every spec present, so that none of them is taken for an orphan.
        func roundInput(explicitScope: Scope?, availability: GPUAvailability?) -> (RoundInput, PlanPipeline?) {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) else {
                return (RoundInput(deployments: [], fatal: "\(directory): no such directory; nothing is applied or pruned"), nil)
            }
            guard isDirectory.boolValue else { return (RoundInput(deployments: [], fatal: "\(directory) is not a directory"), nil) }
            let files: [String]
            do { files = try SpecDirectory.files(directory) } catch {
                return (
                    RoundInput(deployments: [], fatal: "\(directory) cannot be read (\(error.localizedDescription)); nothing is applied or pruned"),
                    nil
                )
            }
            guard !files.isEmpty else {
                return (
                    RoundInput(
                        deployments: [],
                        fatal: "\(directory) holds no .yaml or .yml specs; nothing is applied or pruned (delete deployments with `podform destroy`)"),
                    nil
                )
            }
            var present: Set<String> = []
            var unknown: [String] = []
            var restore: [String: Bool] = [:]
            for file in files {
                let (text, problem) = SpecFiles.read(file)
                guard problem == nil, let text, let name = PodformCore.Spec.declaredName(path: file, text: text) else {
                    unknown.append(file); continue
                }
                present.insert(name)
                restore[name] = PodformCore.Spec.parse(path: file, text: text).0?.deploy.restoreIdleScaleDown ?? false
            }
            let catalogs: Catalogs
            do { catalogs = try Catalogs.load() } catch {
                return (RoundInput(deployments: [], fatal: "the GPU catalog cannot be loaded: \(error)"), nil)
            }
            var pipeline = PlanPipeline(catalogs: catalogs, scope: explicitScope)
            pipeline.spendLimitUSDPerHour = spend.usdPerHour
            let outcome = pipeline.run(files, availability: availability)
            var problems: [RoundInput.Problem] = []
            var byFile: [String: [Diagnostic]] = [:]
            for d in outcome.diagnostics where d.severity == .error { byFile[d.location.file, default: []].append(d) }
            for (file, ds) in byFile.sorted(by: { $0.key < $1.key }) {
                let name = outcome.sources[file].flatMap { PodformCore.Spec.declaredName(path: file, text: $0) }
                let text = ds.prefix(5).map { "\($0.location.line):\($0.location.column) \($0.message) [\($0.code)]" }.joined(separator: "; ")
                problems.append(.init(file: file, spec: name, result: .invalid, message: text + (ds.count > 5 ? "; and \(ds.count - 5) more" : "")))
            }
            for f in outcome.fileFailures {
                let name = outcome.sources[f.file].flatMap { PodformCore.Spec.declaredName(path: f.file, text: $0) }
                problems.append(.init(file: f.file, spec: name, result: .failed, message: f.message))
            }
            let blocked = unknown.isEmpty ? nil : "cannot tell which spec \(unknown.joined(separator: ", ")) declares (run podform validate)"
            return (
                RoundInput(
                    deployments: outcome.plan.deployments, presentSpecs: present, problems: problems, pruneBlocked: blocked,
                    restoreIdleScaleDown: restore), pipeline
            )
        }
    }
}

/// Set from a signal handler; read by the loop.
final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() { lock.lock(); value = true; lock.unlock() }
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return value }

    /// Sets the flag on each of `signals` (instead of their default action); cancel the sources to stop listening.
    func setOnSignals(_ signals: [Int32]) -> [DispatchSourceSignal] {
        signals.map { sig in
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { self.set() }
            source.resume()
            return source
        }
    }
}
