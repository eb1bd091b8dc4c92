/// GPU stock as RunPod's catalog reports it (`GET /v2/catalog/gpus?include=AVAILABILITY&product=...`),
/// in the compiler's terms: no wire format, so the compiler stays free of RunPodAPI. PodformKit reads
/// the catalog and fills this in; an offline plan has none (`CompileEnvironment.availability` nil).
public struct GPUAvailability: Sendable, Hashable {
    /// `AvailabilityLevel`.
    public enum Level: String, Sendable, Hashable, Codable, Comparable {
        case none = "NONE", low = "LOW", medium = "MEDIUM", high = "HIGH"

        var rank: Int { [.none: 0, .low: 1, .medium: 2, .high: 3][self] ?? 0 }
        public static func < (a: Level, b: Level) -> Bool { a.rank < b.rank }
    }

    /// The availability context (`Product`): stock differs between pods, serverless and clusters.
    public enum Product: String, Sendable, Hashable, Codable, CaseIterable {
        case pod = "POD", serverless = "SERVERLESS", cluster = "CLUSTER"
    }

    /// One GPU type's stock in one product and cloud.
    public struct Stock: Sendable, Hashable {
        /// Overall, for the product and cloud.
        public var level: Level
        /// Per data center offering the type; empty: offered nowhere right now.
        public var dataCenters: [String: Level]

        public init(level: Level, dataCenters: [String: Level] = [:]) {
            self.level = level
            self.dataCenters = dataCenters
        }
    }

    /// Where a stock reading applies: product, cloud (`SECURE` or `COMMUNITY`; serverless reads
    /// `SECURE`), GPU type id.
    public struct Key: Sendable, Hashable {
        public var product: Product
        public var cloud: String
        public var gpu: String
        public init(_ product: Product, cloud: String, gpu: String) {
            self.product = product
            self.cloud = cloud
            self.gpu = gpu
        }
    }

    /// A GPU type RunPod refused to create for lack of capacity (apply's fallback), or one the
    /// spec already runs on.
    public struct Use: Sendable, Hashable {
        public var product: Product
        public var gpu: String
        public init(_ product: Product, gpu: String) {
            self.product = product
            self.gpu = gpu
        }
    }

    /// The readings; a type missing from them is not known to be out of stock (RunPod lists only
    /// the types it offers in that context, and podform's catalog may know others).
    public var stock: [Key: Stock]
    /// The (product, cloud) pairs that were read: a type of a pair never read is not judged.
    public var read: Set<String>
    /// Per spec name: creates RunPod refused with a capacity error (this apply, or recently in a
    /// reconcile loop): out of stock for that deployment whatever the catalog says.
    public var refused: [String: Set<Use>] = [:]
    /// Per spec name: the GPU types its live resources already run on. A type a deployment holds
    /// needs no new stock, so it stays eligible for that deployment: stock running out never moves
    /// a running pod.
    public var held: [String: Set<Use>] = [:]

    public init(stock: [Key: Stock] = [:], read: Set<String> = []) {
        self.stock = stock
        self.read = read
    }

    static func pair(_ product: Product, _ cloud: String) -> String { product.rawValue + "/" + cloud }

    /// Records one catalog read (every type it listed) for `product` in `cloud`.
    public mutating func record(_ product: Product, cloud: String, _ readings: [String: Stock]) {
        read.insert(Self.pair(product, cloud))
        for (gpu, s) in readings { stock[Key(product, cloud: cloud, gpu: gpu)] = s }
    }

    /// Why `gpu` cannot be had now for `product` in `cloud` and (when pinned) `dataCenters`, or nil
    /// when it can (or nothing says it cannot).
    public func shortage(_ gpu: String, product: Product, cloud: String, dataCenters: [String], spec: String) -> String? {
        let use = Use(product, gpu: gpu)
        if refused[spec]?.contains(use) == true { return "RunPod refused to create it: no capacity" }
        if held[spec]?.contains(use) == true { return nil }
        guard read.contains(Self.pair(product, cloud)), let s = stock[Key(product, cloud: cloud, gpu: gpu)] else { return nil }
        let cloudText = product == .serverless ? "" : " in \(cloud == "COMMUNITY" ? "Community" : "Secure") Cloud"
        if dataCenters.isEmpty {
            return s.level == .none ? "no \(product.rawValue) stock\(cloudText) (catalog: NONE)" : nil
        }
        let stocked = dataCenters.filter { (s.dataCenters[$0] ?? .none) != .none }
        return stocked.isEmpty ? "no \(product.rawValue) stock\(cloudText) in \(dataCenters.joined(separator: ", "))" : nil
    }

    /// The data centers that have `gpu` in stock for `product` in `cloud`, most stock first (ids on a tie).
    public func stockedDataCenters(_ gpu: String, product: Product, cloud: String, among allowed: [String]) -> [String] {
        guard let s = stock[Key(product, cloud: cloud, gpu: gpu)] else { return [] }
        return s.dataCenters.filter { $0.value != .none && (allowed.isEmpty || allowed.contains($0.key)) }
            .sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map(\.key)
    }
}

extension Deployment {
    /// What the plan knows of GPU stock (`availability` in the plan JSON; `Specs/plan.md`).
    public struct Availability: Sendable, Codable, Hashable {
        /// A first choice passed over because it cannot be had now.
        public struct Skipped: Sendable, Codable, Hashable {
            public var gpu: String
            public var count: Int
            /// `pod`, `serverless` or `cluster`.
            public var mode: String
            public var monthlyUSD: Double
            public var reason: String
            enum CodingKeys: String, CodingKey { case gpu, count, mode, monthlyUSD = "monthly_usd", reason }
        }

        /// The next choice to move to if RunPod has no capacity for the planned one, best first.
        public struct Fallback: Sendable, Codable, Hashable {
            public var rank: Int
            public var gpu: String
            public var count: Int
            public var replicas: Int
            public var mode: String
            public var workerMode: WorkerMode?
            public var cloud: String
            public var monthlyUSD: Double
            public var deltaMonthlyUSD: Double
            /// Data centers with the type in stock (of the pinned ones, when pinned), most stock first.
            public var dataCenters: [String]
            /// An Instant Cluster's node count (`count` GPUs each); nil for a pod or an endpoint.
            public var nodes: Int?
            enum CodingKeys: String, CodingKey {
                case nodes, rank, gpu, count, replicas, mode, workerMode = "worker_mode", cloud, monthlyUSD = "monthly_usd"
                case deltaMonthlyUSD = "delta_monthly_usd", dataCenters = "data_centers"
            }
        }

        /// False offline: nothing was read, so stock was not checked.
        public var checked: Bool
        public var skipped: [Skipped]
        public var fallbacks: [Fallback]
        /// True when nothing feasible is in stock now (the plan keeps the cheapest; apply will fail until stock returns).
        public var noStock: Bool

        public init(checked: Bool, skipped: [Skipped] = [], fallbacks: [Fallback] = [], noStock: Bool = false) {
            self.checked = checked
            self.skipped = skipped
            self.fallbacks = fallbacks
            self.noStock = noStock
        }

        /// An offline plan's: not checked.
        public static let unchecked = Availability(checked: false)

        enum CodingKeys: String, CodingKey { case checked, skipped, fallbacks, noStock = "no_stock" }

        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            checked = try c.decode(Bool.self, forKey: .checked)
            skipped = try c.decodeIfPresent([Skipped].self, forKey: .skipped) ?? []
            fallbacks = try c.decodeIfPresent([Fallback].self, forKey: .fallbacks) ?? []
            noStock = try c.decodeIfPresent(Bool.self, forKey: .noStock) ?? false
        }

        /// Offline: `{"checked": false}` only.
        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(checked, forKey: .checked)
            guard checked else { return }
            try c.encode(skipped, forKey: .skipped)
            try c.encode(fallbacks, forKey: .fallbacks)
            try c.encode(noStock, forKey: .noStock)
        }
    }
}
