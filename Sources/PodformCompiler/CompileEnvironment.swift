import Foundation
import PodformCatalog
import PodformSizing

/// Everything outside the spec that compiling needs, passed in so compiling stays a pure function.
public struct CompileEnvironment: Sendable {
    public var gpus: GPUCatalog
    /// "Now", for catalog staleness.
    public var now: Date
    public var performance: PerformanceModel = .standard
    public var coldStart: ColdStartModel = .standard
    public var accounting: VLLMAccounting = .planning
    /// Images used when the spec names none (`Specs/decisions.md`, D-CONTAINER).
    public var defaultPodImage = "vllm/vllm-openai:v0.27.1"
    public var defaultServerlessImage = "runpod/worker-v1-vllm:v2.25.2"
    public var defaultTrainingImage = "runpod/pytorch:2.4.0-py3.11-cuda12.4.1-devel-ubuntu22.04"
    /// Spec file -> the scope it is applied from (`PODFORM_SCOPE`, `Specs/state.md`), decided by
    /// the caller (a directory's repository-relative path, or `--scope`). No entry: no scope marker.
    public var scopes: [String: String] = [:]

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

/// Hours in a billing month (365 x 24 / 12).
let hoursPerMonth = 730.0
/// Days in a billing month.
let daysPerMonth = 30.4167

/// What an image is, for choosing how it runs (D-CONTAINER). Judged by the repository path, not by
/// a word anywhere in the reference.
public enum ImageKind: Sendable, Equatable {
    /// vLLM's OpenAI-compatible server (`vllm/vllm-openai`): serves HTTP, no RunPod handler.
    case vllmOpenAI
    /// RunPod's vLLM worker (`runpod/worker-v1-vllm`, `runpod/worker-vllm`): a queue handler.
    case worker
    /// Anything else: the user's own image, deployed as written.
    case custom

    public init(_ reference: String) {
        var path = reference.lowercased()
        if let at = path.firstIndex(of: "@") { path = String(path[..<at]) }
        if let colon = path.lastIndex(of: ":"), !path[colon...].contains("/") { path = String(path[..<colon]) }
        let parts = path.split(separator: "/")
        let repository = parts.suffix(2).joined(separator: "/")
        switch repository {
        case "vllm/vllm-openai": self = .vllmOpenAI
        case "runpod/worker-v1-vllm", "runpod/worker-vllm", "runpod-workers/worker-vllm": self = .worker
        default: self = .custom
        }
    }
}

