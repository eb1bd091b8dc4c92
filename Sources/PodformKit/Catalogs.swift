import Foundation
import PodformCatalog
import PodformCore
import PodformEngine

/// The catalogs every command uses, loaded once.
public struct Catalogs: Sendable {
    public let gpus: GPUCatalog
    public let models: ModelCatalog

    public init(gpus: GPUCatalog, models: ModelCatalog) {
        self.gpus = gpus
        self.models = models
    }

    public static func load() throws -> Catalogs {
        var gpus = try GPUCatalog.bundled()
        if let overlay = try CatalogOverlay.loadDefault() { gpus = overlay.apply(to: gpus) }
        return Catalogs(gpus: gpus, models: try ModelCatalog.bundled())
    }

    /// What validation needs to know of the outside world.
    public var validationEnvironment: ValidationEnvironment {
        let gpus = self.gpus
        let models = self.models
        return ValidationEnvironment(
            resolveGPU: { gpus.gpu(named: $0)?.id },
            gpuNames: gpus.allNames,
            model: { name in
                models.model(named: name).map {
                    ValidationEnvironment.ModelFacts(canonicalID: $0.id, maxContext: $0.architecture.maxContext)
                }
            }, pinnedImageExample: VLLMEngine.serverImage)
    }
}
