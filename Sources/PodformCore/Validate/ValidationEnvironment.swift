/// Facts from outside the spec that validation needs: which GPUs and models exist.
///
/// Passed in by the caller (the CLI builds it from the catalogs), which keeps validation pure.
public struct ValidationEnvironment: Sendable {
    /// What validation knows of a model.
    public struct ModelFacts: Sendable {
        public var canonicalID: String
        public var maxContext: Int?
        public init(canonicalID: String, maxContext: Int?) {
            self.canonicalID = canonicalID
            self.maxContext = maxContext
        }
    }

    /// Resolves a GPU id or alias to its RunPod id, or nil when unknown.
    public var resolveGPU: @Sendable (String) -> String?
    /// Names to suggest from when a GPU is unknown.
    public var gpuNames: [String]
    /// Looks a model up by id or alias.
    public var model: @Sendable (String) -> ModelFacts?
    /// A pinned image to show in the `unpinned-image` hint: the serving engine's default image.
    public var pinnedImageExample: String

    public init(
        resolveGPU: @escaping @Sendable (String) -> String?, gpuNames: [String],
        model: @escaping @Sendable (String) -> ModelFacts?, pinnedImageExample: String = "IMAGE:1.2.3"
    ) {
        self.resolveGPU = resolveGPU
        self.gpuNames = gpuNames
        self.model = model
        self.pinnedImageExample = pinnedImageExample
    }

    /// An environment that knows no GPUs or models (GPU and model checks are skipped).
    public static let empty = ValidationEnvironment(resolveGPU: { $0 }, gpuNames: [], model: { _ in nil })
}
