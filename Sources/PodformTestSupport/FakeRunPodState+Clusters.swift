import Foundation
import RunPodAPI

/// Instant Clusters in the fake (`/v2/clusters`, OpenAPI v2): a create validated against
/// `CreateClusterRequest`, refused like a pod when the GPU type has no CLUSTER stock, makes
/// `podCount` member pods that carry the container (env included) and a `cluster` membership
/// (rank, RAY role, overlay address); the cluster reports them as a summary, `primary` and
/// `network`; `/v2/clusters/{id}/pods` returns them whole; deleting the cluster deletes them.
extension FakeRunPodState {
    func clusterRules(_ json: [String: Any]) -> FakeResponse? {
        let compute = json["compute"] as? [String: Any] ?? [:]
        let gpu = compute["gpuTypeId"] as? String ?? ""
        let known = knownGPUIDs().ids
        if !known.isEmpty && !known.contains(gpu) {
            return fakeProblem(
                400, "Bad Request", "unknown GPU type id \(gpu)", errors: [["field": "compute.gpuTypeId", "message": "unknown GPU type"]])
        }
        if let count = compute["gpuCountPerPod"] as? Int, let max = maxCount(gpu), count > max {
            return fakeProblem(400, "Bad Request", "gpuCountPerPod \(count) is above \(gpu)'s maxCount \(max)")
        }
        for dc in json["dataCenterIds"] as? [String] ?? [] where !Self.dataCenters.contains(dc) {
            return fakeProblem(400, "Bad Request", "unknown data center \(dc)")
        }
        if let problem = volumeRules(json, cloud: "SECURE") { return problem }
        return capacityRefusal("CLUSTER", gpu, json["dataCenterIds"] as? [String], what: "cluster")
    }

    func maxCount(_ gpu: String) -> Int? {
        guard let root = try? JSONSerialization.jsonObject(with: gpuTypes) as? [String: Any],
            let g = (root["gpus"] as? [[String: Any]])?.first(where: { $0["id"] as? String == gpu })
        else { return nil }
        return (g["maxCount"] as? [String: Any])?["secure"] as? Int
    }

    func createMembers(_ clusterID: String, _ json: [String: Any]) {
        let compute = json["compute"] as? [String: Any] ?? [:]
        let count = compute["podCount"] as? Int ?? 2
        let dc = (json["dataCenterIds"] as? [String])?.first ?? "US-TX-3"
        var cluster = clusters[clusterID] ?? [:]
        cluster["dataCenterId"] = dc
        cluster["createdAt"] = ISO8601DateFormatter().string(from: Date())
        var members: [String] = []
        for rank in 0..<count {
            var pod: [String: Any] = [
                "name": "\(json["name"] as? String ?? "cluster")-\(rank)", "image": json["image"] ?? "",
                "env": json["env"] ?? [String: String](), "ports": json["ports"] ?? [String](), "disk": json["disk"] ?? 50,
                "gpu": ["id": compute["gpuTypeId"] ?? "", "count": compute["gpuCountPerPod"] ?? 1],
                "cloud": "SECURE", "dataCenterId": dc
            ]
            if let args = json["args"] { pod["args"] = args }
            if let mounts = json["mounts"] { pod["mounts"] = mounts }
            var membership: [String: Any] = ["id": clusterID, "rank": rank, "ip": "10.65.0.\(rank + 2)"]
            if json["type"] as? String == "RAY" { membership["role"] = rank == 0 ? "RAY_HEAD" : "RAY_WORKER" }
            if json["type"] as? String == "SLURM" { membership["role"] = rank == 0 ? "SLURM_CONTROLLER" : "SLURM_COMPUTE" }
            pod["cluster"] = membership
            let id = newID(.pod)
            pod["id"] = id
            setStore(.pod, id, pod)
            markCreated(id)
            members.append(id)
        }
        cluster["members"] = members
        setStore(.cluster, clusterID, cluster)
    }

    func renderCluster(_ o: [String: Any]) -> [String: Any] {
        var out = o
        let members = (o["members"] as? [String] ?? []).filter { pods[$0] != nil }
        out.removeValue(forKey: "members")
        var byStatus: [String: Int] = [:]
        for id in members { byStatus[podStatus(id), default: 0] += 1 }
        out["pods"] = ["total": members.count, "byStatus": byStatus]
        out["network"] = ["cidr": "10.65.0.0/16", "vxlanId": 42, "vxlanPort": 4789]
        if let primary = members.first {
            var p: [String: Any] = ["podId": primary, "status": podStatus(primary)]
            if podStatus(primary) == "RUNNING" { p["sshEndpoint"] = "203.0.113.7:22001" }
            out["primary"] = p
        }
        for key in ["image", "args", "disk", "env", "ports", "mounts", "dataCenterIds", "startSsh", "startJupyter"] { out.removeValue(forKey: key) }
        return out
    }

    func clusterPods(_ id: String) -> FakeResponse {
        guard let cluster = clusters[id] else { return fakeProblem(404, "Not Found", "cluster \(id) not found") }
        let members = (cluster["members"] as? [String] ?? []).compactMap { pods[$0].map { render(.pod, $0) } }
        return fakeObject(200, ["pods": members])
    }
}
