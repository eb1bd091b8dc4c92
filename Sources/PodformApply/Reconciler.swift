import Foundation
import PodformCompiler
import RunPodAPI

/// What a reconcile round starts from: the directory's specs as planned this round.
public struct RoundInput: Sendable {
    /// Every spec that compiled.
    public var deployments: [Deployment]
    /// Every spec name found in the directory, whatever became of it: none of them is an orphan.
    public var presentSpecs: Set<String>
    /// Specs that could not be planned (invalid, unreadable, failed to compile), by file.
    public var problems: [Problem]
    /// Why the round cannot know every spec's name (a file that did not parse): nothing is pruned.
    public var pruneBlocked: String?
    /// Why the round cannot run at all (a missing or empty directory): nothing is read or written.
    public var fatal: String?
    /// Per spec: restore idle scale-down (`deploy.restore_idle_scale_down`).
    public var restoreIdleScaleDown: [String: Bool]

    public struct Problem: Sendable {
        public var file: String
        public var spec: String?
        public var result: SpecOutcome.Result
        public var message: String
        public init(file: String, spec: String?, result: SpecOutcome.Result, message: String) {
            self.file = file
            self.spec = spec
            self.result = result
            self.message = message
        }
    }

    public init(deployments: [Deployment], presentSpecs: Set<String>? = nil, problems: [Problem] = [], pruneBlocked: String? = nil,
                fatal: String? = nil, restoreIdleScaleDown: [String: Bool] = [:]) {
        self.deployments = deployments
        self.presentSpecs = presentSpecs ?? Set(deployments.map(\.name))
        self.problems = problems
        self.pruneBlocked = pruneBlocked
        self.fatal = fatal
        self.restoreIdleScaleDown = restoreIdleScaleDown
    }
}

/// One spec's outcome in a reconcile round.
public struct SpecOutcome: Sendable, Codable, Hashable {
    public enum Result: String, Sendable, Codable, Hashable {
        case inSync = "in sync", applied, failed, invalid, skipped, conflict, pruned
        /// Prune wanted to delete it but the round's delete cap stopped it.
        case pruneHeld = "prune-held"

        /// Results that make `reconcile --once` exit non-zero.
        public var isError: Bool { ![.inSync, .applied, .pruned].contains(self) }
    }
    public var spec: String
    public var file: String?
    public var result: Result
    public var changes: Int
    public var writes: Int
    public var notes: [String]
    public var error: String?
    public var health: Health?

    public init(spec: String, file: String? = nil, result: Result, changes: Int = 0, writes: Int = 0, notes: [String] = [],
                error: String? = nil, health: Health? = nil) {
        self.spec = spec
        self.file = file
        self.result = result
        self.changes = changes
        self.writes = writes
        self.notes = notes
        self.error = error
        self.health = health
    }
}

/// What one round did.
public struct RoundReport: Sendable {
    public var outcomes: [SpecOutcome]
    /// Problems of the round as a whole (an API error listing state, an unmatched selector with
    /// prune, a delete cap that held, a fatal input).
    public var errors: [String]
    public var warnings: [String]
    /// True when the API could not be reached or listed (the loop backs off).
    public var apiError: Bool

    /// Whether `reconcile --once` should exit 0.
    public var succeeded: Bool { errors.isEmpty && !outcomes.contains { $0.result.isError } }
}

/// One round of the GitOps loop: take each selected spec's lock, list live state once (4 calls,
/// whatever the number of specs, plus one workers call per endpoint for health), diff every spec,
/// apply the differences with bounded concurrency, and prune, within this reconciler's scope and
/// selector only, what specs that left the directory own (`Specs/state.md`, "Reconcile").
public struct Reconciler: Sendable {
    public var client: RunPodClient
    public var scope: Scope
    public var selector: LabelSelector
    public var prune: Bool
    /// At most this many deployments pruned in one round; above it nothing is pruned.
    public var maxDeletes: Int
    public var allowDestroyVolumes: Bool
    public var concurrency: Int
    public var apply: ApplyOptions
    /// Check endpoint workers for health (one `GET /v2/serverless/{id}/workers` per endpoint).
    public var checkHealth: Bool
    public var locks: SpecLocks?
    /// Called before each deletion prune makes, with the spec and the resources it deletes.
    public var willPrune: @Sendable (String, [String]) -> Void
    /// The clock schedules are read against (`traffic.schedule`).
    public var clock: @Sendable () -> Date = { Date() }
    /// Re-plans a deployment on a capacity error (apply moves down its fallbacks), and one whose
    /// plan passed over a GPU type its live resources already run on (`Specs/state.md`, "Capacity").
    public var fallback: CapacityFallback?

    public init(client: RunPodClient, scope: Scope, selector: LabelSelector = LabelSelector(), prune: Bool = false, maxDeletes: Int = 3,
                allowDestroyVolumes: Bool = false, concurrency: Int = 4, apply: ApplyOptions = ApplyOptions(), checkHealth: Bool = true,
                locks: SpecLocks? = nil, willPrune: @escaping @Sendable (String, [String]) -> Void = { _, _ in }) {
        self.client = client
        self.scope = scope
        self.selector = selector
        self.prune = prune
        self.maxDeletes = maxDeletes
        self.allowDestroyVolumes = allowDestroyVolumes
        self.concurrency = concurrency
        self.apply = apply
        self.checkHealth = checkHealth
        self.locks = locks
        self.willPrune = willPrune
    }

    /// Runs one round. Never throws: every failure is in the report.
    public func round(_ input: RoundInput) async -> RoundReport {
        var outcomes: [SpecOutcome] = []
        var errors: [String] = []
        var warnings: [String] = []
        if let fatal = input.fatal {
            return RoundReport(outcomes: [], errors: [fatal], warnings: [], apiError: false)
        }
        for p in input.problems {
            outcomes.append(SpecOutcome(spec: p.spec ?? "", file: p.file, result: p.result, error: p.message))
        }
        let selected = input.deployments.filter { selector.matches($0.labels ?? [:]) }
        var pruneBlocked = input.pruneBlocked
        if !selector.isEmpty && selected.isEmpty && !input.deployments.isEmpty {
            let message = "the selector \(selector.text) matches none of the \(input.deployments.count) specs"
            if prune {
                errors.append(message + "; nothing is pruned")
                pruneBlocked = pruneBlocked ?? "the selector matches no spec"
            } else {
                warnings.append(message)
            }
        }

        // Locks first, then live state: a diff is never made from state another apply is changing.
        var owned: [Deployment] = []
        for d in selected {
            switch locks?.acquire(d.name) ?? .acquired {
            case .acquired: owned.append(d)
            case .heldElsewhere:
                outcomes.append(SpecOutcome(spec: d.name, file: d.specFile, result: .skipped, error: "being applied by another podform on this machine"))
            case .failed(let why):
                outcomes.append(SpecOutcome(spec: d.name, file: d.specFile, result: .failed, error: why))
            }
        }
        defer { locks?.releaseAll() }

        let live: LiveState
        do {
            live = try await LiveState.fetch(client)
        } catch {
            errors.append("listing RunPod state failed: \(error)")
            return RoundReport(outcomes: outcomes.sorted { $0.spec < $1.spec }, errors: errors, warnings: warnings, apiError: true)
        }

        let now = clock()
        if let fallback {
            // A plan that passed over a type for stock keeps it where it already runs: re-planned
            // with the live resources held, stock running out never moves a running pod.
            for i in owned.indices where owned[i].availability?.skipped.isEmpty == false {
                if let held = await fallback.replan(owned[i], live, []) { owned[i] = held }
            }
        }
        func diffOptions(_ d: Deployment) -> DiffOptions {
            DiffOptions(restoreIdleScaleDown: input.restoreIdleScaleDown[d.name] ?? false, allowDestroyVolumes: allowDestroyVolumes, now: now)
        }
        var sets: [(Deployment?, ChangeSet)] = owned.map { d in (d, diff(d, live: live, options: diffOptions(d))) }

        if prune {
            let context = PruneContext(scope: scope, selector: selector, presentSpecs: input.presentSpecs, blocked: pruneBlocked)
            var orphans = live.ownerMarks().filter { context.verdict($0).deletes }
            orphans = orphans.filter { marks in
                switch locks?.acquire(marks.spec) ?? .acquired {
                case .acquired: return true
                case .heldElsewhere, .failed:
                    warnings.append("not pruning \(marks.spec) this round: its lock is held or cannot be taken")
                    return false
                }
            }
            let pruneSets = orphans.map { destroyChanges(spec: $0.spec, live: live, allowDestroyVolumes: allowDestroyVolumes, scope: $0.scope, adoptUnscoped: false) }
                .filter(\.hasChanges)
            if pruneSets.count > maxDeletes {
                let names = pruneSets.map(\.spec).joined(separator: ", ")
                errors.append("prune would delete \(pruneSets.count) deployments (\(names)), more than --max-deletes \(maxDeletes); nothing is pruned this round")
                for set in pruneSets {
                    outcomes.append(SpecOutcome(spec: set.spec, result: .pruneHeld, changes: set.count(.delete), notes: set.notes,
                                                error: "held by the delete cap (--max-deletes \(maxDeletes))"))
                }
            } else {
                sets += pruneSets.map { (nil, $0) }
            }
        }

        let applied = await withTaskGroup(of: SpecOutcome.self) { group in
            var done: [SpecOutcome] = []
            var running = 0
            for (deployment, set) in sets {
                if running >= max(concurrency, 1), let one = await group.next() { done.append(one); running -= 1 }
                running += 1
                let client = self.client, options = self.apply, willPrune = self.willPrune, fallback = self.fallback
                let diffOptions = deployment.map(diffOptions) ?? DiffOptions()
                group.addTask {
                    let file = deployment?.specFile
                    let changed = set.changes.filter { $0.action != .noop }.count
                    if !set.errors.isEmpty {
                        return SpecOutcome(spec: set.spec, file: file, result: .conflict, changes: changed, notes: set.notes,
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
                        return SpecOutcome(spec: set.spec, file: file, result: deployment == nil ? .pruned : .applied, changes: changed,
                                           writes: r.writes, notes: set.notes + r.fallbacks + (r.landedOn.map { ["landed on \($0)"] } ?? []),
                                           health: deployment == nil ? nil : Health(.progressing, "just applied"))
                    } catch {
                        return SpecOutcome(spec: set.spec, file: file, result: .failed, changes: changed, notes: set.notes, error: "\(error)")
                    }
                }
            }
            for await one in group { done.append(one) }
            return done
        }
        outcomes += applied

        // Health of what was already in sync (what was just applied is Progressing by definition).
        for i in outcomes.indices where outcomes[i].result == .inSync {
            guard let d = owned.first(where: { $0.name == outcomes[i].spec }) else { continue }
            var workers: [String: WorkerList] = [:]
            if checkHealth, d.mode == .serverless, let e = live.ownedResources(spec: d.name, scope: d.scope).endpoints.first {
                if let list = try? await client.endpointWorkers(e.id) { workers[e.id] = list }
            }
            outcomes[i].health = health(d, live: live, workers: workers, stoppedOnSchedule: d.schedule.map { !$0.isOpen(at: now) } ?? false)
        }
        return RoundReport(outcomes: outcomes.sorted { ($0.spec, $0.file ?? "") < ($1.spec, $1.file ?? "") }, errors: errors,
                           warnings: warnings, apiError: false)
    }
}
