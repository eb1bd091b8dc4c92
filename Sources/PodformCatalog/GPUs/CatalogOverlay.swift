import Foundation

/// A dated local overlay of RunPod's live GPU catalog (`GET /v2/catalog/gpus`), written by
/// `podform catalog refresh` and applied on top of the bundled catalog by every later command.
public struct CatalogOverlay: Sendable, Codable {
    /// One GPU type as REST v2 returns it; unknown fields are ignored.
    public struct LiveGPU: Sendable, Codable {
        public struct Price: Sendable, Codable {
            public var secure: Double?
            public var community: Double?
            public var serverless: Double?
        }
        public struct MaxCount: Sendable, Codable {
            public var secure: Int?
            public var community: Int?
        }
        public var id: String
        public var name: String?
        public var pool: String?
        public var manufacturer: String?
        public var memory: Double?
        public var secure: Bool?
        public var community: Bool?
        public var price: Price?
        public var maxCount: MaxCount?
        public var availability: String?
    }

    private struct ListResponse: Decodable { var gpus: [LiveGPU] }

    /// The format marker podform writes (`podform catalog refresh`); absent in overlays from older versions.
    public var generatedBy: String? = CatalogOverlay.marker
    /// When the overlay was fetched (ISO 8601 date, YYYY-MM-DD).
    public var fetchedAt: String
    /// Where it was fetched from (base URL, never the key).
    public var source: String
    public var gpus: [LiveGPU]

    enum CodingKeys: String, CodingKey { case generatedBy = "generated_by", fetchedAt = "fetched_at", source, gpus }

    /// The value of `generated_by` in overlays podform writes.
    public static let marker = "podform catalog refresh"

    /// The share of the bundled GPU ids an answer must still list to be believed: below it, saving
    /// the answer would delist most of the catalog (an empty or truncated answer, a wrong endpoint).
    public static let minimumKnownShare = 0.25

    /// Why this answer must not replace the overlay, or nil when it is plausible: no GPUs, GPUs
    /// without ids, or fewer than a quarter of the bundled catalog's ids.
    public func implausibility(against bundled: GPUCatalog) -> String? {
        if gpus.isEmpty { return "RunPod's GPU catalog answer lists no GPU types" }
        if gpus.contains(where: { $0.id.isEmpty }) { return "RunPod's GPU catalog answer has GPU types without an id" }
        let known = Set(bundled.gpus.map(\.id))
        let listed = Set(gpus.map(\.id)).intersection(known).count
        if !known.isEmpty, Double(listed) < Double(known.count) * Self.minimumKnownShare {
            return "RunPod's GPU catalog answer lists only \(listed) of the \(known.count) known GPU types; saving it would delist the rest"
        }
        return nil
    }

    /// True when `data` is an overlay podform wrote: it decodes as one (with the marker when present).
    public static func isOverlay(_ data: Data) -> Bool {
        guard let overlay = try? JSONDecoder().decode(CatalogOverlay.self, from: data) else { return false }
        return overlay.generatedBy == nil || overlay.generatedBy == marker
    }

    /// Parses a `GET /v2/catalog/gpus` body.
    public static func fromListResponse(_ data: Data, fetchedAt: String, source: String) throws -> CatalogOverlay {
        do {
            let list = try JSONDecoder().decode(ListResponse.self, from: data)
            return CatalogOverlay(fetchedAt: fetchedAt, source: source, gpus: list.gpus)
        } catch {
            throw CatalogError.invalidConfig("RunPod's GPU catalog answer could not be read: \(error)")
        }
    }

    /// The bundled catalog with live prices, pools, counts and availability; GPUs RunPod no longer
    /// lists are marked `delisted`, not dropped; new ids are added with what RunPod says of them.
    public func apply(to catalog: GPUCatalog) -> GPUCatalog {
        var result = catalog
        let live = Dictionary(gpus.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let source = "RunPod REST v2 GET /v2/catalog/gpus (\(self.source)), fetched \(fetchedAt)"
        func point(_ usd: Double?) -> PricePoint? {
            usd.map { PricePoint(usd: $0, asOf: fetchedAt, source: source, official: true) }
        }
        for index in result.gpus.indices {
            let id = result.gpus[index].id
            guard let g = live[id] else {
                result.gpus[index].delisted = true
                continue
            }
            result.gpus[index].delisted = false
            result.gpus[index].availability = g.availability
            if let pool = g.pool { result.gpus[index].serverlessPool = pool }
            if let count = g.maxCount.flatMap({ max($0.secure ?? 0, $0.community ?? 0) }), count > 0 {
                result.gpus[index].maxGPUsPerPod = count
            }
            if let secure = g.price?.secure, secure > 0, g.secure != false {
                result.gpus[index].prices.podSecurePerHour = point(secure)
            }
            if let community = g.price?.community, community > 0, g.community != false {
                result.gpus[index].prices.podCommunityPerHour = point(community)
            }
            if let serverless = g.price?.serverless, serverless > 0 {
                let old = result.gpus[index].prices
                // Active workers: keep the bundled active/flex ratio; RunPod's v2 catalog lists flex only.
                let ratio =
                    old.serverlessActivePerSecond.flatMap { a in
                        old.serverlessFlexPerSecond.map { a.usd / $0.usd }
                    } ?? 0.75
                result.gpus[index].prices.serverlessFlexPerSecond = point(serverless / 3600)
                result.gpus[index].prices.serverlessActivePerSecond = PricePoint(
                    usd: serverless / 3600 * ratio, asOf: fetchedAt,
                    source: source + "; active = flex x \(String(format: "%.2f", ratio)) (bundled ratio)", official: false)
            }
        }
        let known = Set(result.gpus.map(\.id))
        for g in gpus.sorted(by: { $0.id < $1.id }) where !known.contains(g.id) {
            result.gpus.append(newType(g, source: source, point: point))
        }
        result.asOf = fetchedAt
        result.overlayNote = source
        return result
    }

    /// A GPU id RunPod lists that the bundled catalog does not know, with what RunPod says of it.
    private func newType(_ g: LiveGPU, source: String, point: (Double?) -> PricePoint?) -> GPUType {
        let memory = g.memory ?? 0
        return GPUType(
            id: g.id, displayName: g.name ?? g.id, aliases: [], manufacturer: g.manufacturer ?? "UNKNOWN",
            architecture: "unknown", memoryGB: memory,
            cudaMemoryGiB: (memory * 1e9 / 1_073_741_824 * 0.985 * 100).rounded() / 100,
            cudaMemorySource: "derived: RunPod memory GB in GiB x 0.985 (new id from catalog refresh)",
            memoryBandwidthGBps: nil, bf16TFLOPS: nil, fp16TFLOPS: nil, fp8TFLOPS: nil, int8TOPS: nil,
            fp8: false, ecc: false, consumer: false, formFactor: "unknown", interconnect: "PCIe",
            maxGPUsPerPod: max(g.maxCount?.secure ?? 1, g.maxCount?.community ?? 1), serverlessPool: g.pool,
            rocm: g.manufacturer == "AMD", specSource: source,
            prices: GPUPrices(
                podSecurePerHour: point(g.price?.secure), podCommunityPerHour: point(g.price?.community),
                serverlessFlexPerSecond: point(g.price?.serverless.map { $0 / 3600 }),
                serverlessActivePerSecond: nil),
            delisted: false, availability: g.availability)
    }

    /// `$PODFORM_CACHE_DIR`, else `$XDG_CACHE_HOME/podform`, else `~/.cache/podform`.
    public static func defaultDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let dir = environment["PODFORM_CACHE_DIR"], !dir.isEmpty { return URL(fileURLWithPath: dir) }
        if let xdg = environment["XDG_CACHE_HOME"], !xdg.isEmpty {
            return URL(fileURLWithPath: xdg).appendingPathComponent("podform")
        }
        return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/podform")
    }

    public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        defaultDirectory(environment: environment).appendingPathComponent("gpu-catalog-overlay.json")
    }

    /// Loads the overlay at the default path, if there is one.
    public static func loadDefault() throws -> CatalogOverlay? {
        let url = defaultPath()
        let data: Data
        do {
            guard let read = try BoundedFile.readIfPresent(url.path, limit: BoundedFile.overlayLimit) else { return nil }
            data = read
        } catch {
            throw CatalogError.invalidConfig("the catalog overlay: \(error); delete it or run `podform catalog refresh`")
        }
        do { return try JSONDecoder().decode(CatalogOverlay.self, from: data) } catch {
            throw CatalogError.invalidConfig(
                "the catalog overlay at \(url.path) is unreadable (\(error)); delete it or run `podform catalog refresh`")
        }
    }
}
