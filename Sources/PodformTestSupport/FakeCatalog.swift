import Foundation
import PodformCatalog

/// GPU types in the `GET /v2/catalog/gpus` wire format, for the fake.
public enum FakeCatalog {
    /// Every GPU of podform's bundled catalog, with its bundled prices, as RunPod would list them.
    public static func bundled() -> Data {
        guard let catalog = try? GPUCatalog.bundled() else { return defaultGPUTypes }
        let items: [[String: Any]] = catalog.gpus.map { g in
            var price: [String: Any] = ["secure": g.prices.podSecurePerHour?.usd ?? 0, "community": g.prices.podCommunityPerHour?.usd ?? 0]
            if let flex = catalog.flexPerSecond(g) { price["serverless"] = (flex.usd * 3600 * 10_000).rounded() / 10_000 }
            return [
                "id": g.id, "name": g.displayName, "pool": g.serverlessPool ?? NSNull(), "manufacturer": g.manufacturer,
                "memory": Int(g.memoryGB), "secure": g.prices.podSecurePerHour != nil, "community": g.prices.podCommunityPerHour != nil,
                "price": price, "maxCount": ["secure": g.maxGPUsPerPod, "community": g.maxGPUsPerPod]
            ]
        }
        return (try? JSONSerialization.data(withJSONObject: ["gpus": items], options: [.sortedKeys])) ?? defaultGPUTypes
    }

    /// A few GPU types, priced like RunPod's list (enough for tests that do not pass their own).
    public static let defaultGPUTypes = Data(
        """
        {"gpus": [
          {"id": "NVIDIA GeForce RTX 4090", "name": "RTX 4090", "pool": "ADA_24", "manufacturer": "NVIDIA", "memory": 24,
           "secure": true, "community": true, "price": {"secure": 0.69, "community": 0.34, "serverless": 1.12},
           "maxCount": {"secure": 8, "community": 8}},
          {"id": "NVIDIA L40S", "name": "L40S", "pool": "ADA_48_PRO", "manufacturer": "NVIDIA", "memory": 48,
           "secure": true, "community": true, "price": {"secure": 0.86, "community": 0.79, "serverless": 1.91},
           "maxCount": {"secure": 8, "community": 8}},
          {"id": "NVIDIA RTX A6000", "name": "RTX A6000", "pool": "AMPERE_48", "manufacturer": "NVIDIA", "memory": 48,
           "secure": true, "community": true, "price": {"secure": 0.49, "community": 0.33, "serverless": 1.22},
           "maxCount": {"secure": 8, "community": 8}},
          {"id": "NVIDIA A100 80GB PCIe", "name": "A100 PCIe", "pool": "AMPERE_80", "manufacturer": "NVIDIA", "memory": 80,
           "secure": true, "community": true, "price": {"secure": 1.64, "community": 1.19, "serverless": 2.74},
           "maxCount": {"secure": 8, "community": 8}},
          {"id": "NVIDIA H100 80GB HBM3", "name": "H100 SXM", "pool": "ADA_80_PRO", "manufacturer": "NVIDIA", "memory": 80,
           "secure": true, "community": true, "price": {"secure": 2.99, "community": 2.69, "serverless": 4.18},
           "maxCount": {"secure": 8, "community": 8}},
          {"id": "NVIDIA H100 NVL", "name": "H100 NVL", "pool": "ADA_80_PRO", "manufacturer": "NVIDIA", "memory": 94,
           "secure": true, "community": true, "price": {"secure": 2.79, "community": 2.59, "serverless": 4.18},
           "maxCount": {"secure": 8, "community": 8}},
          {"id": "NVIDIA H200", "name": "H200 SXM", "pool": "HOPPER_141", "manufacturer": "NVIDIA", "memory": 141,
           "secure": true, "community": true, "price": {"secure": 3.99, "community": 3.59, "serverless": 5.58},
           "maxCount": {"secure": 8, "community": 8}}
        ]}
        """.utf8)
}
