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

    public init(
        deployments: [Deployment], presentSpecs: Set<String>? = nil, problems: [Problem] = [], pruneBlocked: String? = nil,
        fatal: String? = nil, restoreIdleScaleDown: [String: Bool] = [:]
    ) {
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

    public init(
        spec: String, file: String? = nil, result: Result, changes: Int = 0, writes: Int = 0, notes: [String] = [],
        error: String? = nil, health: Health? = nil
    ) {
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

    public init(
        client: RunPodClient, scope: Scope, selector: LabelSelector = LabelSelector(), prune: Bool = false, maxDeletes: Int = 3,
        allowDestroyVolumes: Bool = false, concurrency: Int = 4, apply: ApplyOptions = ApplyOptions(), checkHealth: Bool = true,
        locks: SpecLocks? = nil, willPrune: @escaping @Sendable (String, [String]) -> Void = { _, _ in }
    ) {
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
        if let fatal = input.fatal {
            return RoundReport(outcomes: [], errors: [fatal], warnings: [], apiError: false)
        }
        var log = RoundLog(
            outcomes: input.problems.map { p in
                SpecOutcome(spec: p.spec ?? "", file: p.file, result: p.result, error: p.message)
            })
        let selected = input.deployments.filter { selector.matches($0.labels ?? [:]) }
        let pruneBlocked = checkSelector(input, selected: selected, log: &log)

        // Locks first, then live state: a diff is never made from state another apply is changing.
        var owned = lock(selected, log: &log)
        defer { locks?.releaseAll() }

        let live: LiveState
        do {
            live = try await LiveState.fetch(client)
        } catch {
            log.errors.append("listing RunPod state failed: \(error)")
            return RoundReport(outcomes: log.outcomes.sorted { $0.spec < $1.spec }, errors: log.errors, warnings: log.warnings, apiError: true)
        }

        let now = clock()
        owned = await holdingLiveTypes(owned, live: live)
        var sets: [(Deployment?, ChangeSet)] = owned.map { d in (d, diff(d, live: live, options: diffOptions(d, input, now: now))) }
        if prune {
            sets += pruneSets(input, live: live, blocked: pruneBlocked, log: &log).map { (nil, $0) }
        }
        log.outcomes += await applyAll(sets, input, now: now)
        await addHealth(&log.outcomes, owned: owned, live: live, now: now)
        return RoundReport(
            outcomes: log.outcomes.sorted { ($0.spec, $0.file ?? "") < ($1.spec, $1.file ?? "") }, errors: log.errors,
            warnings: log.warnings, apiError: false)
    }
}
