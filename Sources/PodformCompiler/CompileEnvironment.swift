import Foundation
import PodformCatalog
import PodformEngine
import PodformSizing

/// Everything outside the spec that compiling needs, passed in so compiling stays a pure function.
public struct CompileEnvironment: Sendable {
    public var gpus: GPUCatalog
    /// "Now", for catalog staleness.
    public var now: Date
    public var performance: PerformanceModel = .standard
    public var coldStart: ColdStartModel = .standard
    /// The serving engine: its memory accounting, images, launch arguments and worker env.
    public var engine: any ServingEngine = VLLMEngine()
    /// The image used for training when the spec names none (`Specs/decisions.md`, D-CONTAINER).
    public var defaultTrainingImage = "runpod/pytorch:2.4.0-py3.11-cuda12.4.1-devel-ubuntu22.04"
    /// Spec file -> the scope it is applied from (`PODFORM_SCOPE`, `Specs/state.md`), decided by
    /// the caller (a directory's repository-relative path, or `--scope`). No entry: no scope marker.
    public var scopes: [String: String] = [:]
    /// GPU stock read from RunPod's catalog (a live plan); nil offline: stock is not checked
    /// (`Specs/decisions.md`, D-AVAILABILITY).
    public var availability: GPUAvailability?

    /// The engine's accounting: what the planner sizes with (`Specs/sizing.md` §4).
    public var accounting: VLLMAccounting { engine.accounting }

    public init(gpus: GPUCatalog, now: Date) {
        self.gpus = gpus
        self.now = now
    }
}

/// Why a spec cannot be compiled, with what would work.
public struct CompileFailure: Error, Sendable, CustomStringConvertible {
    public var spec: String
    public var message: String
    public var suggestions: [String]
    public var trace: [Deployment.TraceStep]
    /// The diagnostic code and the spec key it is located at (`Specs/diagnostics.md`).
    public var code: String = "no-feasible-plan"
    public var keyPath: String = "name"

    public var description: String {
        var text = "\(spec): \(message)"
        if !suggestions.isEmpty { text += "\n  what would work: " + suggestions.joined(separator: "; ") }
        return text
    }
}

/// Hours in a billing month (`BillingMonth`).
let hoursPerMonth = BillingMonth.hours
/// Days in a billing month.
let daysPerMonth = BillingMonth.days
