import ArgumentParser
import Foundation
import PodformApply
import PodformCatalog
import PodformCompiler
import PodformCore
import PodformKit
import PodformRender
import RunPodAPI

extension Podform {
    /// `podform apply`: make RunPod match the specs (or a saved plan).
    struct Apply: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create, update or replace RunPod resources so they match the specs.",
            discussion:
                "Shows the changes and asks for confirmation on a terminal; --auto-approve for CI. `podform apply plan.json` applies a saved plan and refuses a stale one."
        )

        @Argument(
            help: "Spec files or directories (a directory's removed specs are destroyed), or one saved plan (plan --out).",
            completion: .file(extensions: ["yaml", "yml", "json"])) var files: [String] = []
        @Flag(name: .customLong("auto-approve"), help: "Do not ask for confirmation.") var autoApprove = false
        @Flag(name: .customLong("allow-destroy-volumes"), help: "Allow deleting or replacing network volumes (their data is lost).")
        var allowDestroyVolumes = false
        @Option(name: .customLong("api-url"), help: "RunPod API base URL.") var apiURL: String?
        @Option(name: .customLong("api-key-file"), help: "Read the API key from this file.") var apiKeyFile: String?
        @OptionGroup var global: GlobalOptions
        @OptionGroup var scope: ScopeOption
        @OptionGroup var spend: SpendLimitOption
        @Option(name: .customLong("wait-timeout"), help: "Seconds to wait for pods to run.") var waitTimeout: Double = 900

        func validate() throws {
            if files.isEmpty { throw ValidationError("give spec files or a saved plan") }
            guard waitTimeout.isFinite, waitTimeout > 0, waitTimeout <= 7 * 86_400 else {
                throw ValidationError("--wait-timeout takes seconds between 1 and 604800, e.g. --wait-timeout 900")
            }
        }

        func run() async throws {
            let saved = try savedPlan()
            if let saved, saved.offline {
                Output.err(
                    "error: \(files[0]) is an offline plan: it was never compared with RunPod. Run `podform plan --out \(files[0])` with RUNPOD_API_KEY set, then apply it.\n"
                )
                throw ExitCode(1)
            }
            let arguments =
                try saved.map { try SpecArguments.expand(($0.live?.directories ?? []) + $0.plan.deployments.map(\.specFile)) }
                ?? SpecArguments.expand(files)
            var pipeline = PlanPipeline(catalogs: try Catalogs.load(), scope: scope.explicit)
            pipeline.spendLimitUSDPerHour = spend.usdPerHour
            let outcome = pipeline.run(arguments.files)
            if !outcome.allDiagnostics.isEmpty { Output.err(DiagnosticsRenderer.text(outcome.allDiagnostics, sources: outcome.sources)) }
            if outcome.hasErrors { throw ExitCode(1) }
            do {
                let client = try RunPodOptions(apiURL: apiURL, apiKeyFile: apiKeyFile, global: global).client()
                // Locks before live state: a diff is never made from state another apply is changing.
                let locks = specLocks()
                defer { locks.releaseAll() }
                try lock(outcome.plan.deployments.map(\.name), locks)
                let live = try await LiveState.fetch(client)
                // Planned again with GPU stock, the types the specs already run on held.
                var plan = outcome.plan
                let availability = await readAvailability(AvailabilityReader(client: client))
                if let availability {
                    plan = pipeline.run(arguments.files, availability: pipeline.holding(availability, live: live, for: plan.deployments)).plan
                }
                let removed = arguments.removedSets(
                    live: live, deployments: outcome.plan.deployments, explicitScope: scope.explicit,
                    allowDestroyVolumes: allowDestroyVolumes)
                for spec in removed.map(\.spec) where locks.acquire(spec) != .acquired {
                    Output.err("error: \(spec) is being applied by another podform on this machine; try again when it is done\n")
                    throw ExitCode(1)
                }
                let diffOptions = DiffOptions(allowDestroyVolumes: allowDestroyVolumes, now: Date())
                let reviewed = pipeline.review(
                    plan, live: live, options: diffOptions,
                    directories: arguments.directories.isEmpty ? nil : arguments.directories, removed: removed)
                if let saved, try isStale(saved, now: reviewed, live: live) {
                    Output.err("error: the saved plan is stale: the specs or RunPod changed since it was made. Run `podform plan --out` again.\n")
                    throw ExitCode(1)
                }
                let sets = reviewed.changeSets ?? []
                Output.out(ChangeSetRenderer.text(sets))
                guard try confirm(sets, saved: saved != nil) else { return }
                let fallback = pipeline.capacityFallback(availability: availability)
                try await applyAll(sets.filter(\.hasChanges), plan: plan, client: client, diffOptions: diffOptions, fallback: fallback)
            } catch let error as RunPodError {
                Output.err("error: \(error)\n")
                throw ExitCode(1)
            }
        }

        /// The saved plan given as the only argument (`apply plan.json`), if one is.
        func savedPlan() throws -> ReviewedPlan? {
            guard files.count == 1, files[0].hasSuffix(".json") else { return nil }
            let data: Data
            do { data = try BoundedFile.read(files[0], limit: BoundedFile.planLimit) } catch {
                Output.err("error: \(files[0]): \(error)\n")
                throw ExitCode(1)
            }
            guard let plan = PlanFile.read(data) else {
                Output.err("error: \(files[0]) is not a podform plan\n")
                throw ExitCode(1)
            }
            return plan
        }

        /// Takes the specs' locks, or fails naming the first held elsewhere.
        func lock(_ specs: [String], _ locks: SpecLocks) throws {
            for spec in specs {
                switch locks.acquire(spec) {
                case .acquired: continue
                case .heldElsewhere:
                    Output.err("error: \(spec) is being applied by another podform on this machine; try again when it is done\n")
                    throw ExitCode(1)
                case .failed(let why):
                    Output.err("error: \(spec): \(why)\n")
                    throw ExitCode(1)
                }
            }
        }

        /// A saved plan is stale when the specs compile to other decisions or requests, the live
        /// resources they own changed, or other specs left the planned directories.
        func isStale(_ saved: ReviewedPlan, now: ReviewedPlan, live: LiveState) throws -> Bool {
            // Compare as canonical JSON: a number saved as 4.0 reads back as 4.
            let specs = saved.plan.deployments.map(\.name) + (saved.live?.removed ?? []).map(\.spec)
            // Stock may move between plan and apply: the decisions and requests are what must not.
            let decisions = { (plan: ReviewedPlan) in
                plan.plan.deployments.map { d -> Deployment in
                    var d = d; d.availability = nil; return d
                }
            }
            return try encodeJSON(decisions(now)) != encodeJSON(decisions(saved))
                || now.deployments.map(\.requests) != saved.deployments.map(\.requests)
                || saved.live?.fingerprint != live.fingerprint(specs: specs)
                || Set((now.live?.removed ?? []).map(\.spec)) != Set((saved.live?.removed ?? []).map(\.spec))
        }

        /// False when there is nothing to do; asks on a terminal unless approved (a saved plan was reviewed).
        func confirm(_ sets: [ChangeSet], saved: Bool) throws -> Bool {
            let conflicts = sets.filter { !$0.errors.isEmpty }
            if !conflicts.isEmpty {
                for set in conflicts { for e in set.errors { Output.err("error: \(set.spec): \(e)\n") } }
                Output.err("error: nothing was applied; resolve the conflicts above first\n")
                throw ExitCode(1)
            }
            guard sets.contains(where: \.hasChanges) else {
                Output.out("No changes. RunPod matches the specs.\n")
                return false
            }
            if autoApprove || saved { return true }
            guard isatty(STDIN_FILENO) == 1 else {
                Output.err(
                    "error: not on a terminal; pass --auto-approve to apply without confirmation (or apply a saved plan: plan --out plan.json, apply plan.json)\n"
                )
                throw ExitCode(1)
            }
            Output.out("\nDo you want to perform these actions? Only 'yes' will be accepted: ")
            guard readLine()?.trimmingCharacters(in: .whitespaces) == "yes" else {
                Output.err("Apply cancelled.\n")
                throw ExitCode(1)
            }
            return true
        }

        /// Independent specs in parallel, at most 4 at a time; one line per spec, then its URLs. A
        /// create RunPod has no capacity for moves down the plan's fallbacks (`fallback`).
        func applyAll(
            _ toApply: [ChangeSet], plan: PodformCompiler.Plan, client: RunPodClient, diffOptions: DiffOptions,
            fallback: CapacityFallback
        ) async throws {
            let started = Date()
            let results = await withTaskGroup(of: (String, Result<ApplyResult, Error>).self) { group in
                var out: [(String, Result<ApplyResult, Error>)] = []
                var running = 0
                for set in toApply {
                    if running >= 4, let done = await group.next() { out.append(done); running -= 1 }
                    running += 1
                    let quiet = global.quiet
                    let options = ApplyOptions(waitTimeout: waitTimeout, pollInterval: 5) { line in
                        if !quiet { Output.err(String(format: "[%5.1fs] %@: ", Date().timeIntervalSince(started), set.spec) + line + "\n") }
                    }
                    let deployment = plan.deployments.first { $0.name == set.spec }
                    group.addTask {
                        do {
                            if let deployment {
                                return (
                                    set.spec,
                                    .success(
                                        try await PodformApply.apply(
                                            deployment, set, client: client, options: options,
                                            diffOptions: diffOptions, fallback: fallback))
                                )
                            }
                            return (set.spec, .success(try await PodformApply.apply(set, client: client, options: options)))
                        } catch { return (set.spec, .failure(error)) }
                    }
                }
                for await done in group { out.append(done) }
                return out.sorted { $0.0 < $1.0 }
            }
            var failed = false
            for (spec, result) in results {
                switch result {
                case .success(let r):
                    Output.out("\(spec): \(r.created.count) created, \(r.updated.count) updated, \(r.deleted.count) deleted\n")
                    for move in r.fallbacks { Output.out("  \(move)\n") }
                    if let landed = r.landedOn { Output.out("  landed on \(landed)\n") }
                    for url in r.urls { Output.out("  \(url)\n") }
                case .failure(let error):
                    Output.err("error: \(error)\n")
                    failed = true
                }
            }
            if failed { throw ExitCode(1) }
        }
    }

    /// `podform destroy`: remove what specs own, in reverse order.
    struct Destroy: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete the RunPod resources the specs own (network volumes only with --allow-destroy-volumes).")

        @Argument(help: "Spec files.", completion: .file(extensions: ["yaml", "yml"])) var files: [String] = []
        @Flag(name: .customLong("auto-approve"), help: "Do not ask for confirmation.") var autoApprove = false
        @Flag(name: .customLong("allow-destroy-volumes"), help: "Also delete network volumes (their data is lost).") var allowDestroyVolumes = false
        @Option(name: .customLong("api-url"), help: "RunPod API base URL.") var apiURL: String?
        @Option(name: .customLong("api-key-file"), help: "Read the API key from this file.") var apiKeyFile: String?
        @OptionGroup var global: GlobalOptions
        @OptionGroup var scope: ScopeOption

        func validate() throws { if files.isEmpty { throw ValidationError("give spec files") } }

        func run() async throws {
            let names = try specNames(files)
            do {
                let client = try RunPodOptions(apiURL: apiURL, apiKeyFile: apiKeyFile, global: global).client()
                let locks = specLocks()
                defer { locks.releaseAll() }
                for name in names where locks.acquire(name) != .acquired {
                    Output.err("error: \(name) is being applied by another podform on this machine (or its lock cannot be taken)\n")
                    throw ExitCode(1)
                }
                let live = try await LiveState.fetch(client)
                // Only what this scope owns: a same-named spec of another directory is not touched.
                let sets = zip(files, names).map { file, name in
                    destroyChanges(spec: name, live: live, allowDestroyVolumes: allowDestroyVolumes, scope: scope.of(file: file).id)
                }
                Output.out(ChangeSetRenderer.text(sets))
                guard sets.contains(where: \.hasChanges) else { Output.out("Nothing to destroy.\n"); return }
                if !autoApprove {
                    guard isatty(STDIN_FILENO) == 1 else {
                        Output.err("error: not on a terminal; pass --auto-approve to destroy without confirmation\n")
                        throw ExitCode(1)
                    }
                    Output.out("\nDestroy these resources? Only 'yes' will be accepted: ")
                    guard readLine()?.trimmingCharacters(in: .whitespaces) == "yes" else { throw ExitCode(1) }
                }
                for set in sets where set.hasChanges {
                    let quiet = global.quiet
                    let r = try await PodformApply.apply(set, client: client, options: ApplyOptions { if !quiet { Output.err($0 + "\n") } })
                    Output.out("\(set.spec): \(r.deleted.count) deleted\n")
                }
            } catch let error as RunPodError {
                Output.err("error: \(error)\n")
                throw ExitCode(1)
            } catch let error as ApplyError {
                Output.err("error: \(error)\n")
                throw ExitCode(1)
            }
        }
    }
}
