import Foundation

/// A dated price with its source.
public struct PricePoint: Sendable, Hashable, Codable {
    public var usd: Double
    public var asOf: String
    public var source: String
    /// True only for RunPod's own documents or API; false marks third-party figures.
    public var official: Bool

    enum CodingKeys: String, CodingKey { case usd, asOf = "as_of", source, official }

    public init(usd: Double, asOf: String, source: String, official: Bool) {
        self.usd = usd
        self.asOf = asOf
        self.source = source
        self.official = official
    }

    /// A price the spec supplies (a negotiated rate): its citation is `source` as written.
    public static func fromSpec(usd: Double, asOf: String, source: String) -> PricePoint {
        PricePoint(usd: usd, asOf: asOf, source: "spec: " + source, official: false)
    }

    /// The source as a reader can open it: a public URL at the cited commit (the catalog's research
    /// notes, in parentheses after the reference, stay in the catalog), its date, and whether it is
    /// RunPod's own figure.
    public var citation: String {
        if source.hasPrefix("spec: ") { return source }
        return "\(Self.publicReference(source)) (as of \(asOf)\(official ? "" : "; third-party"))"
    }

    /// `github.com/OWNER/REPO PATH @COMMIT (notes)` -> `https://github.com/OWNER/REPO/blob/COMMIT/PATH`;
    /// `runpod/docs PATH @COMMIT` -> the runpod/docs repository on GitHub; bare hosts get `https://`.
    static func publicReference(_ source: String) -> String {
        let reference = source.components(separatedBy: " (").first ?? source
        let words = reference.split(separator: " ").map(String.init)
        if words.count == 3, words[2].hasPrefix("@") {
            let repo = words[0] == "runpod/docs" ? "github.com/runpod/docs" : words[0]
            if repo.hasPrefix("github.com/") { return "https://\(repo)/blob/\(words[2].dropFirst())/\(words[1])" }
        }
        if words.count == 1, !reference.hasPrefix("http"), reference.contains(".") { return "https://" + reference }
        return reference
    }
}

/// Every price podform uses for one GPU type.
public struct GPUPrices: Sendable, Hashable, Codable {
    public var podSecurePerHour: PricePoint?
    public var podCommunityPerHour: PricePoint?
    public var serverlessFlexPerSecond: PricePoint?
    public var serverlessActivePerSecond: PricePoint?

    enum CodingKeys: String, CodingKey {
        case podSecurePerHour = "pod_secure_usd_per_hour", podCommunityPerHour = "pod_community_usd_per_hour"
        case serverlessFlexPerSecond = "serverless_flex_usd_per_second"
        case serverlessActivePerSecond = "serverless_active_usd_per_second"
    }
}

/// One GPU type RunPod rents (`PodformCatalog/Resources/gpus.json`).
public struct GPUType: Sendable, Hashable, Codable {
    /// The id exactly as RunPod's API spells it.
    public var id: String
    public var displayName: String
    public var aliases: [String]
    public var manufacturer: String
    public var architecture: String
    /// Memory as RunPod lists it (GB).
    public var memoryGB: Double
    /// Memory as CUDA reports it (GiB): what vLLM multiplies by gpu_memory_utilization.
    public var cudaMemoryGiB: Double
    public var cudaMemorySource: String
    public var memoryBandwidthGBps: Double?
    public var bf16TFLOPS: Double?
    public var fp16TFLOPS: Double?
    public var fp8TFLOPS: Double?
    public var int8TOPS: Double?
    public var fp8: Bool
    public var ecc: Bool
    /// GeForce: NVIDIA's EULA restricts datacenter use (seed 000).
    public var consumer: Bool
    public var formFactor: String
    /// SXM, NVLink bridge, PCIe, Infinity Fabric.
    public var interconnect: String
    public var maxGPUsPerPod: Int
    public var serverlessPool: String?
    /// AMD: needs a ROCm image.
    public var rocm: Bool
    public var specSource: String
    public var prices: GPUPrices
    /// Set by a catalog refresh when RunPod no longer lists this id.
    public var delisted: Bool?
    /// Availability from the last refresh (NONE, LOW, MEDIUM, HIGH).
    public var availability: String?

    enum CodingKeys: String, CodingKey {
        case id, displayName = "display_name", aliases, manufacturer, architecture, memoryGB = "memory_gb"
        case cudaMemoryGiB = "cuda_memory_gib", cudaMemorySource = "cuda_memory_source"
        case memoryBandwidthGBps = "memory_bandwidth_gbps", bf16TFLOPS = "bf16_tflops", fp16TFLOPS = "fp16_tflops"
        case fp8TFLOPS = "fp8_tflops", int8TOPS = "int8_tops", fp8, ecc, consumer, formFactor = "form_factor"
        case interconnect, maxGPUsPerPod = "max_gpus_per_pod", serverlessPool = "serverless_pool", rocm
        case specSource = "spec_source", prices, delisted, availability
    }

    /// Bytes CUDA reports.
    public var cudaMemoryBytes: Int64 { Int64((cudaMemoryGiB * 1_073_741_824).rounded()) }
    /// True when GPUs talk over NVLink/SXM rather than PCIe.
    public var fastInterconnect: Bool { interconnect != "PCIe" }
}

/// Storage prices (network volume, container disk).
public struct StoragePrices: Sendable, Hashable, Codable {
    public var networkVolumePerGBMonth: Double
    public var containerDiskPerGBMonth: Double
    public var asOf: String
    public var source: String

    enum CodingKeys: String, CodingKey {
        case networkVolumePerGBMonth = "network_volume_usd_per_gb_month"
        case containerDiskPerGBMonth = "container_disk_usd_per_gb_month", asOf = "as_of", source
    }
}

/// The GPU catalog: every GPU type with specs and dated prices.
public struct GPUCatalog: Sendable {
    public var formatVersion: Int
    /// Date of the newest price in the catalog (YYYY-MM-DD).
    public var asOf: String
    public var storage: StoragePrices
    public var gpus: [GPUType]
    /// Where an overlay came from, when one was applied.
    public var overlayNote: String?

    private struct File: Codable {
        var formatVersion: Int
        var asOf: String
        var storage: StoragePrices
        var gpus: [GPUType]
        enum CodingKeys: String, CodingKey { case formatVersion = "format_version", asOf = "as_of", storage, gpus }
    }

    /// Decodes a catalog file.
    public static func decode(_ data: Data) throws -> GPUCatalog {
        let file = try JSONDecoder().decode(File.self, from: data)
        return GPUCatalog(
            formatVersion: file.formatVersion, asOf: file.asOf, storage: file.storage,
            gpus: file.gpus, overlayNote: nil)
    }

    /// The catalog shipped in the package.
    public static func bundled() throws -> GPUCatalog {
        guard let url = Bundle.module.url(forResource: "gpus", withExtension: "json") else {
            throw CatalogError.missingResource("gpus.json")
        }
        return try decode(Data(contentsOf: url))
    }

    /// Looks a GPU up by RunPod id, display name or alias (case- and space-insensitive).
    public func gpu(named name: String) -> GPUType? {
        let key = Self.normalize(name)
        return gpus.first { Self.normalize($0.id) == key }
            ?? gpus.first { Self.normalize($0.displayName) == key }
            ?? gpus.first { $0.aliases.contains { Self.normalize($0) == key } }
            ?? gpus.first {
                Self.normalize(
                    $0.id.replacingOccurrences(of: "NVIDIA ", with: "")
                        .replacingOccurrences(of: "GeForce ", with: "")) == key
            }
    }

    /// Every name a user may write, for suggestions.
    public var allNames: [String] { gpus.flatMap { [$0.id, $0.displayName] + $0.aliases } }

    static func normalize(_ s: String) -> String {
        s.lowercased().filter { !$0.isWhitespace && $0 != "-" && $0 != "_" }
    }

    /// The serverless flex price per GPU-second of a GPU, falling back to its pool's price.
    public func flexPerSecond(_ gpu: GPUType) -> PricePoint? {
        gpu.prices.serverlessFlexPerSecond ?? poolPrice(gpu, \.serverlessFlexPerSecond)
    }

    /// The serverless active price per GPU-second, falling back to its pool's price.
    public func activePerSecond(_ gpu: GPUType) -> PricePoint? {
        gpu.prices.serverlessActivePerSecond ?? poolPrice(gpu, \.serverlessActivePerSecond)
    }

    private func poolPrice(_ gpu: GPUType, _ key: KeyPath<GPUPrices, PricePoint?>) -> PricePoint? {
        guard let pool = gpu.serverlessPool else { return nil }
        return gpus.filter { $0.serverlessPool == pool }.compactMap { $0.prices[keyPath: key] }.first
    }

    /// Days between the catalog's date and `now` (YYYY-MM-DD strings).
    public func ageInDays(now: Date) -> Int? {
        let parts = asOf.prefix(10).split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3, (1...12).contains(parts[1]), (1...31).contains(parts[2]) else { return nil }
        // Days since 1970-01-01 of a civil date (H. Hinnant, "chrono-compatible low-level date algorithms").
        let y = parts[1] <= 2 ? parts[0] - 1 : parts[0]
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (parts[1] + 9) % 12
        let doy = (153 * mp + 2) / 5 + parts[2] - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146_097 + doe - 719_468
        return Int((now.timeIntervalSince1970 / 86_400).rounded(.down)) - days
    }
}

public enum CatalogError: Error, CustomStringConvertible {
    case missingResource(String)
    case invalidConfig(String)
    case unknownModel(String, suggestion: String?)

    public var description: String {
        switch self {
        case .missingResource(let name): return "podform's bundled \(name) is missing; reinstall podform"
        case .invalidConfig(let why): return why
        case .unknownModel(let id, let suggestion):
            return "unknown model `\(id)`" + (suggestion.map { "; did you mean `\($0)`?" } ?? "")
                + " (give a config.json with --config or model.config)"
        }
    }
}

/// RunPod's billing month, for monthly figures from hourly prices (365 x 24 / 12 hours).
public enum BillingMonth {
    public static let hours = 730.0
    /// 730 / 24, rounded as the plans have always priced it.
    public static let days = 30.4167
}
