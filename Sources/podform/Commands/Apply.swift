import ArgumentParser
import Foundation
import PodformKit
import PodformApply
import PodformCatalog
import PodformCompiler
import PodformRender
import RunPodAPI

extension Podform {
    /// `podform apply`: make RunPod match the specs (or a saved plan).
    struct Apply: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create, update or replace RunPod resources so they match the specs.",
            discussion: "Shows the changes and asks for confirmation on a terminal; --auto-approve for CI. `podform apply plan.json` applies a saved plan and refuses a stale one.")

        @Argument(help: "Spec files or directories (a directory's removed specs are destroyed), or one saved plan (plan --out).") var files: [String] = []
        @Flag(name: .customLong("auto-approve"), help: "Do not ask for confirmation.") var autoApprove = false
        @Flag(name: .customLong("allow-destroy-volumes"), help: "Allow deleting or replacing network volumes (their data is lost).")
        var allowDestroyVolumes = false
        @Option(name: .customLong("api-url"), help: "RunPod API base URL.") var apiURL: String?
        @Option(name: .customLong("api-key-file"), help: "Read the API key from this file.") var apiKeyFile: String?
        @OptionGroup var global: GlobalOptions
        @OptionGroup var scope: ScopeOption
        @Option(name: .customLong("wait-timeout"), help: "Seconds to wait for pods to run.") var waitTimeout: Double = 900

        func validate() throws {
            if files.isEmpty { throw ValidationError("give spec files or a saved plan") }
            guard waitTimeout.isFinite, waitTimeout > 0, waitTimeout <= 7 * 86_400 else {
                throw ValidationError("--wait-timeout takes seconds between 1 and 604800, e.g. --wait-timeout 900")
            }
        }

        func run() async throws {
            var arguments = SpecArguments(files: files, directories: [])
            var saved: PodformCompiler.Plan?
            if files.count == 1, files[0].hasSuffix(".json") {
                let data: Data
                do { data = try BoundedFile.read(files[0], limit: BoundedFile.planLimit) } catch {
                    Output.err("error: \(files[0]): \(error)\n")
                    throw ExitCode(1)
                }
                guard let plan = try? JSONDecoder().decode(PodformCompiler.Plan.self, from: data) else {
                    Output.err("error: \(files[0]) is not a podform plan\n")
                    throw ExitCode(1)
                }
                saved = plan
                arguments = try SpecArguments.expand((plan.directories ?? []) + plan.deployments.map(\.specFile))
            } else {
                arguments = try SpecArguments.expand(files)
            }
            let outcome = PlanPipeline(catalogs: try Catalogs.load(), scope: scope.explicit).run(arguments.files)
            if !outcome.allDiagnostics.isEmpty { Output.err(DiagnosticsRenderer.text(outcome.allDiagnostics, sources: outcome.sources)) }
            if outcome.hasErrors { throw ExitCode(1) }
            do {
                let client = try RunPodOptions(apiURL: apiURL, apiKeyFile: apiKeyFile, global: global).client()
                // Locks before live state: a diff is never made from state another apply is changing.
                let locks = specLocks()
                defer { locks.releaseAll() }
                for d in outcome.plan.deployments {
                    switch locks.acquire(d.name) {
                    case .acquired: continue
                    case .heldElsewhere:
                        Output.err("error: \(d.name) is being applied by another podform on this machine; try again when it is done\n")
                        throw ExitCode(1)
                    case .failed(let why):
                        Output.err("error: \(d.name): \(why)\n")
                        throw ExitCode(1)
                    }
                }
                let live = try await LiveState.fetch(client)
                let removed = arguments.removedSets(live: live, deployments: outcome.plan.deployments, explicitScope: scope.explicit,
                                                    allowDestroyVolumes: allowDestroyVolumes)
                for (_, set) in removed where locks.acquire(set.spec) != .acquired {
                    Output.err("error: \(set.spec) is being applied by another podform on this machine; try again when it is done\n")
                    throw ExitCode(1)
                }
                if let saved {
                    // Compare as canonical JSON: a number saved as 4.0 reads back as 4.
                    let now = encodeJSON(outcome.plan.deployments.map { stripState($0) })
                    let then = encodeJSON(saved.deployments.map { stripState($0) })
                    let specs = saved.deployments.map(\.name) + (saved.removed ?? []).map(\.spec)
                    if now != then || saved.liveFingerprint != live.fingerprint(specs: specs)
                        || Set(removed.map(\.set.spec)) != Set((saved.removed ?? []).map(\.spec)) {
                        Output.err("error: the saved plan is stale: the specs or RunPod changed since it was made. Run `podform plan --out` again.\n")
                        throw ExitCode(1)
                    }
                }
                let sets = outcome.plan.deployments.map { diff($0, live: live, options: DiffOptions(allowDestroyVolumes: allowDestroyVolumes, now: Date())) }
                    + removed.map(\.set)
                Output.out(ChangeSetRenderer.text(sets))
                let conflicts = sets.filter { !$0.errors.isEmpty }
                if !conflicts.isEmpty {
                    for set in conflicts { for e in set.errors { Output.err("error: \(set.spec): \(e)\n") } }
                    Output.err("error: nothing was applied; resolve the conflicts above first\n")
                    throw ExitCode(1)
                }
                guard sets.contains(where: \.hasChanges) else {
                    Output.out("No changes. RunPod matches the specs.\n")
                    return
                }
                if !autoApprove && saved == nil {
                    guard isatty(STDIN_FILENO) == 1 else {
                        Output.err("error: not on a terminal; pass --auto-approve to apply without confirmation (or apply a saved plan: plan --out plan.json, apply plan.json)\n")
                        throw ExitCode(1)
                    }
                    Output.out("\nDo you want to perform these actions? Only 'yes' will be accepted: ")
                    guard readLine()?.trimmingCharacters(in: .whitespaces) == "yes" else {
                        Output.err("Apply cancelled.\n")
                        throw ExitCode(1)
                    }
                }
                var failed = false
                let started = Date()
                let toApply = sets.filter(\.hasChanges)
                // Independent specs in parallel, at most 4 at a time.
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
                        group.addTask {
                            do { return (set.spec, .success(try await PodformApply.apply(set, client: client, options: options))) }
                            catch { return (set.spec, .failure(error)) }
                        }
                    }
                    for await done in group { out.append(done) }
                    return out.sorted { $0.0 < $1.0 }
                }
                for (spec, result) in results {
                    switch result {
                    case .success(let r):
                        Output.out("\(spec): \(r.created.count) created, \(r.updated.count) updated, \(r.deleted.count) deleted\n")
                        for url in r.urls { Output.out("  \(url)\n") }
                    case .failure(let error):
                        Output.err("error: \(error)\n")
                        failed = true
                    }
                }
                if failed { throw ExitCode(1) }
            } catch let error as RunPodError {
                Output.err("error: \(error)\n")
                throw ExitCode(1)
            }
        }

        func stripState(_ d: Deployment) -> Deployment {
            var d = d
            d.cost.liveMonthlyUSD = nil
            for i in d.resources.indices { d.resources[i].action = "create" }
            d.resources.removeAll { $0.method == "DELETE" }
            return d
        }
    }

    /// `podform destroy`: remove what specs own, in reverse order.
    struct Destroy: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete the RunPod resources the specs own (network volumes only with --allow-destroy-volumes).")

        @Argument(help: "Spec files.") var files: [String] = []
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

import PodformCore
