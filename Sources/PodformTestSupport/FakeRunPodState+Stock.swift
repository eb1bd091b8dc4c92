import Foundation

/// GPU stock in the fake: `GET /v2/catalog/gpus?include=AVAILABILITY&product=...` reports it, and a
/// create for a type without stock where it is asked for fails as RunPod's does (HTTP 500,
/// "create pod: There are no instances currently available"; NOTES §1.1).
extension FakeRunPodState {
    /// Sets a type's stock: `level` NONE, LOW, MEDIUM or HIGH, for one product (`POD`, `SERVERLESS`,
    /// `CLUSTER`; nil: all) and some data centers (nil: all). Later settings win over earlier ones
    /// of the same scope; a data center setting wins over an all-data-center one.
    public func setStock(_ gpu: String, _ level: String, product: String? = nil, dataCenters: [String]? = nil) {
        for dc in dataCenters ?? ["*"] {
            if dataCenters == nil { stockLevels = stockLevels.filter { !$0.key.hasPrefix("\(product ?? "*")|\(gpu)|") } }
            stockLevels["\(product ?? "*")|\(gpu)|\(dc)"] = level
        }
    }

    /// Every type back to HIGH everywhere.
    public func resetStock() { stockLevels = [:] }

    /// A type's stock for a product in a data center.
    public func stock(_ product: String, _ gpu: String, _ dc: String) -> String {
        for key in ["\(product)|\(gpu)|\(dc)", "*|\(gpu)|\(dc)", "\(product)|\(gpu)|*", "*|\(gpu)|*"] {
            if let level = stockLevels[key] { return level }
        }
        return "HIGH"
    }

    static let levelRank = ["NONE": 0, "LOW": 1, "MEDIUM": 2, "HIGH": 3]

    /// `GET /v2/catalog/gpus`: the catalog, with `availability`, `dataCenters` and `cudaVersions`
    /// when asked with `include=AVAILABILITY` (which needs `product`, and `product` needs it: 400).
    func catalog(_ query: [String: String]) -> FakeResponse {
        let include = query["include"], products = query["product"]
        guard include != nil || products != nil else { return fakeJSON(200, gpuTypes) }
        guard include == "AVAILABILITY", let products, !products.isEmpty else {
            return fakeProblem(400, "Bad Request", "include=AVAILABILITY requires product, and product is valid only with it")
        }
        let asked = products.split(separator: ",").map(String.init)
        for p in asked where !["POD", "SERVERLESS", "CLUSTER"].contains(p) { return fakeProblem(400, "Bad Request", "unknown product \(p)") }
        guard var root = try? JSONSerialization.jsonObject(with: gpuTypes) as? [String: Any], var gpus = root["gpus"] as? [[String: Any]] else {
            return fakeJSON(200, gpuTypes)
        }
        for i in gpus.indices {
            guard let id = gpus[i]["id"] as? String else { continue }
            var byDC: [(String, String)] = []
            for dc in Self.dataCenters {
                let level = asked.map { stock($0, id, dc) }.max { (Self.levelRank[$0] ?? 0) < (Self.levelRank[$1] ?? 0) } ?? "NONE"
                byDC.append((dc, level))
            }
            let best = byDC.map(\.1).max { (Self.levelRank[$0] ?? 0) < (Self.levelRank[$1] ?? 0) } ?? "NONE"
            gpus[i]["availability"] = best
            let offered = byDC.filter { $0.1 != "NONE" }
            if offered.isEmpty {
                gpus[i].removeValue(forKey: "dataCenters")
            } else {
                gpus[i]["dataCenters"] = offered.map { ["id": $0.0, "name": $0.0, "availability": $0.1] }
            }
            gpus[i]["cudaVersions"] = [["version": "12.8", "available": best != "NONE"]]
        }
        root["gpus"] = gpus
        return fakeObject(200, root)
    }

    /// RunPod's answer to a create it cannot place, or nil when `gpu` has stock in one of the data
    /// centers asked for (any, when none is).
    func capacityRefusal(_ product: String, _ gpu: String, _ dataCenters: [String]?, what: String) -> FakeResponse? {
        let dcs = (dataCenters?.isEmpty ?? true) ? Self.dataCenters : dataCenters!
        guard dcs.allSatisfy({ stock(product, gpu, $0) == "NONE" }) else { return nil }
        return fakeProblem(500, "Internal Server Error", "create \(what): There are no instances currently available")
    }
}
