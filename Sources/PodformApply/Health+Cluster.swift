import RunPodAPI

/// An Instant Cluster's health from its member pods: Healthy when every node runs, Progressing
/// while any is provisioning or starting, Degraded when the cluster is missing, a node is missing
/// (fewer members than `podCount`) or one stopped.
func clusterHealth(_ owned: OwnedResources) -> Health {
    guard let c = owned.clusters.first else { return Health(.degraded, "cluster missing") }
    let wanted = c.cluster.compute.podCount
    let statuses = c.members.map { $0.status ?? "" }
    let running = statuses.filter { $0 == "RUNNING" }.count
    let down = statuses.filter { ["EXITED", "ERROR", "TERMINATED"].contains($0) }.count
    let text = "\(running) of \(wanted) nodes running"
    if down > 0 { return Health(.degraded, "\(text); \(down) stopped") }
    if c.members.count < wanted {
        let reported = c.cluster.pods?.total ?? c.members.count
        return reported < wanted ? Health(.progressing, "\(text); \(reported) of \(wanted) placed") : Health(.progressing, text)
    }
    if running < wanted { return Health(.progressing, text) }
    return Health(.healthy, "\(wanted) nodes running")
}

extension LiveCluster {
    /// Where the cluster serves and how its nodes reach each other, for `podform status`: the
    /// primary (rank 0) pod's proxy URL, its overlay address (the Ray head, `PRIMARY_ADDR:6379`
    /// on a RAY cluster), the overlay network, the primary's SSH endpoint.
    public func primaryDetails(port: String) -> (url: String?, detail: String) {
        var parts: [String] = []
        let primary = cluster.primary?.podId
        let rank0 = members.first { pod in
            guard case .int(let rank)? = pod.cluster?["rank"] else { return pod.id == primary }
            return rank == 0
        }
        if let ip = rank0?.cluster?["ip"]?.stringValue {
            parts.append(cluster.type == "RAY" ? "Ray head \(ip):6379 (PRIMARY_ADDR)" : "primary \(ip) (PRIMARY_ADDR)")
        }
        if let cidr = cluster.network?.cidr { parts.append("network \(cidr)") }
        if let ssh = cluster.primary?.sshEndpoint { parts.append("ssh \(ssh)") }
        if let dc = cluster.dataCenterId { parts.append(dc) }
        let id = primary ?? rank0?.id
        return (id.map { "https://\($0)-\(port).proxy.runpod.net" }, parts.joined(separator: ", "))
    }
}
