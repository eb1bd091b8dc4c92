import PodformCore
import PodformEngine

extension Deployment {
    /// What an image with baked weights (`podform dockerfile --bake-weights`) does under this plan
    /// when the plan keeps the weights somewhere else (`Specs/dockerfile.md`, "Baked weights and volumes").
    ///
    /// Serverless: the baked copy lives under the engine's baked cache (`/models`), which the
    /// network volume RunPod mounts at `/runpod-volume` cannot shadow, and the worker serves it;
    /// a planned volume or download is then unused (a warning). Pods: the plan's `HF_HOME` (the
    /// pod's env replaces the image's) points at the pod's volume, so vLLM would never see the
    /// baked copy and, with the image offline, could not download either (an error).
    ///
    /// - Parameters:
    ///   - target: the image's mode (`--target`); a plan of the other mode says nothing about it.
    ///   - spec: the parsed spec, for the location (`deploy.weights`, or what made `auto` choose).
    ///   - engine: the engine whose image it is.
    /// - Returns: the diagnostics, located in the spec file.
    public func bakedWeightsDiagnostics(
        target: DeploymentMode, spec: Spec?,
        engine: any ServingEngine = VLLMEngine()
    ) -> [Diagnostic] {
        guard vllm != nil, target == mode, container.weights != "image" else { return [] }
        let keyPath =
            spec?.deploy.weights != nil
            ? "deploy.weights"
            : container.weights == "network-volume" ? "constraints.data_centers" : "name"
        let found = spec?.location(keyPath, file: specFile)
        let at = found.flatMap { $0.line > 0 ? $0 : nil } ?? SourceLocation(file: specFile, line: 1, column: 1, keyPath: keyPath)
        let why = spec?.deploy.weights.map { "deploy.weights: \($0.rawValue)" } ?? "deploy.weights: auto"
        let fix = "set deploy.weights: image, or build without --bake-weights"
        switch (mode, container.weights) {
        case (.serverless, "network-volume"):
            return [
                Diagnostic(
                    .warning, code: "baked-weights-not-planned",
                    message:
                        "the plan keeps the weights on a network volume (\(why)), mounted at /runpod-volume; the baked image serves its own copy from \(engine.bakedModelCacheDirectory(.worker)), which the volume cannot shadow, so the volume holds nothing the worker reads",
                    at: at, hint: fix + " (drops the volume, its cost and its data-center pin)")
            ]
        case (.serverless, _):
            return [
                Diagnostic(
                    .warning, code: "baked-weights-not-planned",
                    message:
                        "the plan downloads the weights at worker start (\(why)); the baked image serves its own copy from \(engine.bakedModelCacheDirectory(.worker)), so the plan's cold start counts a download that does not happen",
                    at: at, hint: fix)
            ]
        default:
            let home = container.env["HF_HOME"] ?? engine.modelCacheDirectory
            let volume = container.weights == "network-volume" ? "network volume" : "pod volume"
            return [
                Diagnostic(
                    .error, code: "baked-weights-unreachable",
                    message:
                        "the plan's pod keeps the weights on its \(volume) (\(why)) and sets HF_HOME=\(home), which replaces the image's HF_HOME=\(engine.bakedModelCacheDirectory(.server)): vLLM would look for the weights there, and the baked image's offline mode forbids the download",
                    at: at, hint: fix + " (with weights in the image the plan points HF_HOME at the baked copy)")
            ]
        }
    }
}
