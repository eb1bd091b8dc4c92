import Foundation
import PodformCompiler
import RunPodAPI

/// What a round has found so far: per-spec outcomes and the round's own errors and warnings.
struct RoundLog {
    var outcomes: [SpecOutcome]
    var errors: [String] = []
    var warnings: [String] = []
}

/// The steps of `Reconciler.round`, in the order it takes them.
extension Reconciler {
    /// A selector that matches none of the specs: a warning, or with prune an error that blocks pruning.
    /// Returns why nothing may be pruned this round, if anything says so.
    func checkSelector(_ input: RoundInput, selected: [Deployment], log: inout RoundLog) -> String? {
        var pruneBlocked = input.pruneBlocked
        if !selector.isEmpty && selected.isEmpty && !input.deployments.isEmpty {
            let message = "the selector \(selector.text) matches none of the \(input.deployments.count) specs"
            if prune {
                log.errors.append(message + "; nothing is pruned")
                pruneBlocked = pruneBlocked ?? "the selector matches no spec"
            } else {
                log.warnings.append(message)
            }
        }
        return pruneBlocked
    }

    /// The deployments whose lock this round holds; the others get an outcome saying why not.
    func lock(_ selected: [Deployment], log: inout RoundLog) -> [Deployment] {
        var owned: [Deployment] = []
        for d in selected {
            switch locks?.acquire(d.name) ?? .acquired {
            case .acquired: owned.append(d)
            case .heldElsewhere:
                log.outcomes.append(
                    SpecOutcome(spec: d.name, file: d.specFile, result: .skipped, error: "being applied by another podform on this machine"))
            case .failed(let why):
                log.outcomes.append(SpecOutcome(spec: d.name, file: d.specFile, result: .failed, error: why))
            }
        }
        return owned
    }

    /// A plan that passed over a type for stock keeps it where it already runs: re-planned with the
    /// live resources held, stock running out never moves a running pod.
    func holdingLiveTypes(_ owned: [Deployment], live: LiveState) async -> [Deployment] {
        guard let fallback else { return owned }
        var owned = owned
        for i in owned.indices where owned[i].availability?.skipped.isEmpty == false {
            if let held = await fallback.replan(owned[i], live, []) { owned[i] = held }
        }
        return owned
    }

    func diffOptions(_ d: Deployment, _ input: RoundInput, now: Date) -> DiffOptions {
        DiffOptions(restoreIdleScaleDown: input.restoreIdleScaleDown[d.name] ?? false, allowDestroyVolumes: allowDestroyVolumes, now: now)
    }

    /// What prune deletes this round: what specs that left the directory own, within scope and
    /// selector, less those whose lock is held; none at all when that is more than `maxDeletes`.
    func pruneSets(_ input: RoundInput, live: LiveState, blocked: String?, log: inout RoundLog) -> [ChangeSet] {
        let context = PruneContext(scope: scope, selector: selector, presentSpecs: input.presentSpecs, blocked: blocked)
        var orphans = live.ownerMarks().filter { context.verdict($0).deletes }
        orphans = orphans.filter { marks in
            switch locks?.acquire(marks.spec) ?? .acquired {
            case .acquired: return true
            case .heldElsewhere, .failed:
                log.warnings.append("not pruning \(marks.spec) this round: its lock is held or cannot be taken")
                return false
            }
        }
        let pruneSets = orphans.map {
            destroyChanges(spec: $0.spec, live: live, allowDestroyVolumes: allowDestroyVolumes, scope: $0.scope, adoptUnscoped: false)
        }
        .filter(\.hasChanges)
        guard pruneSets.count > maxDeletes else { return pruneSets }
        let names = pruneSets.map(\.spec).joined(separator: ", ")
        log.errors.append(
            "prune would delete \(pruneSets.count) deployments (\(names)), more than --max-deletes \(maxDeletes); nothing is pruned this round")
        for set in pruneSets {
            log.outcomes.append(
                SpecOutcome(
                    spec: set.spec, result: .pruneHeld, changes: set.count(.delete), notes: set.notes,
                    error: "held by the delete cap (--max-deletes \(maxDeletes))"))
        }
        return []
    }

    /// Applies every change set (a nil deployment is a prune), at most `concurrency` at a time.
    func applyAll(_ sets: [(Deployment?, ChangeSet)], _ input: RoundInput, now: Date) async -> [SpecOutcome] {
        await withTaskGroup(of: SpecOutcome.self) { group in
            var done: [SpecOutcome] = []
            var running = 0
            for (deployment, set) in sets {
                if running >= max(concurrency, 1), let one = await group.next() { done.append(one); running -= 1 }
                running += 1
                let client = self.client, options = self.apply, willPrune = self.willPrune, fallback = self.fallback
                let setOptions = deployment.map { diffOptions($0, input, now: now) } ?? DiffOptions()
                group.addTask {
                    await Self.applyOne(
                        deployment, set, client: client, options: options, diffOptions: setOptions, fallback: fallback,
                        willPrune: willPrune)
                }
            }
            for await one in group { done.append(one) }
            return done
        }
    }

    /// One change set's outcome: a conflict, in sync, or the result of applying it.
    static func applyOne(
        _ deployment: Deployment?, _ set: ChangeSet, client: RunPodClient, options: ApplyOptions, diffOptions: DiffOptions,
        fallback: CapacityFallback?, willPrune: @Sendable (String, [String]) -> Void
    ) async -> SpecOutcome {
        let file = deployment?.specFile
        let changed = set.changes.filter { $0.action != .noop }.count
        if !set.errors.isEmpty {
            return SpecOutcome(
                spec: set.spec, file: file, result: .conflict, changes: changed, notes: set.notes,
                error: set.errors.joined(separator: "; "))
        }
        guard set.hasChanges else {
            return SpecOutcome(spec: set.spec, file: file, result: .inSync, notes: set.notes)
        }
        if deployment == nil {
            willPrune(set.spec, set.changes.filter { $0.action == .delete }.map { "\($0.kind.rawValue) \($0.name) (\($0.id ?? "?"))" })
        }
        do {
            let r: ApplyResult
            if let deployment {
                r = try await PodformApply.apply(deployment, set, client: client, options: options, diffOptions: diffOptions, fallback: fallback)
            } else {
                r = try await PodformApply.apply(set, client: client, options: options)
            }
            return SpecOutcome(
                spec: set.spec, file: file, result: deployment == nil ? .pruned : .applied, changes: changed,
                writes: r.writes, notes: set.notes + r.fallbacks + (r.landedOn.map { ["landed on \($0)"] } ?? []),
                health: deployment == nil ? nil : Health(.progressing, "just applied"))
        } catch {
            return SpecOutcome(spec: set.spec, file: file, result: .failed, changes: changed, notes: set.notes, error: "\(error)")
        }
    }

    /// Health of what was already in sync (what was just applied is Progressing by definition).
    func addHealth(_ outcomes: inout [SpecOutcome], owned: [Deployment], live: LiveState, now: Date) async {
        for i in outcomes.indices where outcomes[i].result == .inSync {
            guard let d = owned.first(where: { $0.name == outcomes[i].spec }) else { continue }
            var workers: [String: WorkerList] = [:]
            if checkHealth, d.mode == .serverless, let e = live.ownedResources(spec: d.name, scope: d.scope).endpoints.first {
                if let list = try? await client.endpointWorkers(e.id) { workers[e.id] = list }
            }
            outcomes[i].health = health(d, live: live, workers: workers, stoppedOnSchedule: d.schedule.map { !$0.isOpen(at: now) } ?? false)
        }
    }
}
