import Foundation
import PodformCatalog

/// Compiler speed (filled in when the compiler lands).
enum PlanBench {
    static func run(root: URL, models: ModelCatalog, gpus: GPUCatalog) throws -> String { "" }
}
