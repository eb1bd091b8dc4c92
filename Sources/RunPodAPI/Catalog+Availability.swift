import Foundation

/// `GpuType` as `GET /v2/catalog/gpus?include=AVAILABILITY&product=...` returns it: the fields podform
/// reads of a stock reading (prices and counts come from the catalog refresh).
public struct GpuTypeAvailability: Sendable, Codable, Hashable {
    /// `DataCenterAvailability`.
    public struct DataCenterStock: Sendable, Codable, Hashable {
        public var id: String
        public var name: String?
        /// `AvailabilityLevel`: NONE, LOW, MEDIUM, HIGH.
        public var availability: String
    }

    /// `CudaVersionAvailability`.
    public struct CudaVersion: Sendable, Codable, Hashable {
        public var version: String
        public var available: Bool
    }

    public var id: String
    public var name: String?
    public var pool: String?
    /// Overall, for the product asked about; absent when availability was not requested.
    public var availability: String?
    /// Per data center offering the type; absent when the configuration is unavailable everywhere.
    public var dataCenters: [DataCenterStock]?
    public var cudaVersions: [CudaVersion]?
}

struct GpuTypeAvailabilityList: Decodable { var gpus: [GpuTypeAvailability] }

extension RunPodClient {
    /// `GET /v2/catalog/gpus?include=AVAILABILITY&product=<product>[&cloud=<cloud>]`: each GPU type's
    /// stock for one product context (`POD`, `SERVERLESS`, `CLUSTER`) and cloud (`SECURE`,
    /// `COMMUNITY`; RunPod's default is `SECURE`), overall and per data center.
    public func gpuAvailability(product: String, cloud: String? = nil) async throws -> [GpuTypeAvailability] {
        var query = ["include": "AVAILABILITY", "product": product]
        if let cloud { query["cloud"] = cloud }
        return try decode(GpuTypeAvailabilityList.self, await send("GET", "/v2/catalog/gpus", query: query), "GPU availability").gpus
    }
}
