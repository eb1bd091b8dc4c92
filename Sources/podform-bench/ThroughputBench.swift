import Foundation
import PodformCatalog
import PodformSizing

/// Catalog look-ups for benchmark rows (the speed model itself is reported by `SpeedBench`).
enum ThroughputBench {
    static func lookupModel(_ id: String, _ models: ModelCatalog) -> ModelArchitecture? {
        var candidates = [id]
        let name = id.split(separator: "/").last.map(String.init) ?? id
        let stripped = name.replacingOccurrences(of: "-FP8", with: "").replacingOccurrences(of: "-fp8", with: "")
        candidates += ["meta-llama/\(stripped)", "Qwen/\(stripped)", stripped]
        for c in candidates { if let m = models.model(named: c) { return m.architecture } }
        return nil
    }

    static func lookupGPU(_ name: String, _ gpus: GPUCatalog) -> GPUType? {
        let cleaned = name.replacingOccurrences(of: "GeForce ", with: "")
        let attempts = [
            name, cleaned, cleaned.replacingOccurrences(of: " 24GB", with: ""),
            name.replacingOccurrences(of: "-", with: " ")
        ]
        for a in attempts { if let g = gpus.gpu(named: a) ?? gpus.gpu(named: "NVIDIA " + a) { return g } }
        if name.contains("H100") && !name.contains("PCIe") && !name.contains("NVL") {
            return gpus.gpu(named: "h100-sxm")
        }
        if name.contains("A100") && name.contains("80") { return gpus.gpu(named: "a100-sxm") }
        return nil
    }
}
