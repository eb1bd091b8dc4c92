import PodformCompiler
import PodformEngine

extension DockerfileRenderer {
    /// An Instant Cluster's image: the pod image with the launcher as its entrypoint (the nodes
    /// run one image and no per-node command; `VLLMEngine.clusterLauncher`), and no HEALTHCHECK
    /// (only rank 0 serves HTTP). The `CMD` keeps the engine's arguments: the launcher passes them on.
    static func clusterImage(_ lines: [String], _ files: inout [String: String], _ d: Deployment) -> [String] {
        guard let cluster = d.cluster, cluster.type == "RAY" else { return lines }
        files["podform-cluster-launch"] = VLLMEngine.clusterLauncher
        var out: [String] = []
        var skipContinuation = false
        for line in lines {
            if skipContinuation { skipContinuation = line.hasSuffix("\\"); continue }
            if line.hasPrefix("HEALTHCHECK") { skipContinuation = line.hasSuffix("\\"); continue }
            if line.hasPrefix("ENTRYPOINT ") {
                out.append(
                    "# An Instant Cluster of \(cluster.nodes) nodes: rank 0 is the Ray head and serves vLLM, the others join it (PRIMARY_ADDR, NODE_RANK)."
                )
                out.append("COPY --chmod=0755 podform-cluster-launch \(VLLMEngine.clusterLauncherPath)")
                out.append("ENTRYPOINT [\"\(VLLMEngine.clusterLauncherPath)\"]")
                continue
            }
            out.append(line)
        }
        return out
    }
}
