import PodformCompiler
import PodformSizing
import RunPodAPI

/// Deployment -> RunPod create requests: the one place where podform's decisions become RunPod's
/// wire format (REST v2, `openapi-v2.json`). One section per resource kind.
///
/// Endpoints and pods start from the template, carry the ownership markers in their own env
/// (whether or not RunPod spreads the template's env into them; `Specs/state.md`), and refer to
/// what is created before them as `${kind.name.id}`.
public enum RunPodResources {
    /// The create requests, in apply order: network volume, template, endpoint or pods.
    public static func requests(for d: Deployment) -> [PlannedRequest] {
        let names = ResourceNames(spec: d.name)
        var out: [PlannedRequest] = []
        let volume = networkVolume(d, names)
        if let volume { out.append(.networkVolume(volume)) }
        // An Instant Cluster takes its container inline: no template (CreateClusterRequest has no templateId).
        if let shape = d.cluster { return out + [.cluster(cluster(d, shape, names, volume: volume))] }
        out.append(.template(template(d, names)))
        switch d.mode {
        case .serverless:
            if let endpoint = endpoint(d, names, volume: volume) { out.append(.endpoint(endpoint)) }
        case .pod:
            out += pods(d, names, volume: volume).map(PlannedRequest.pod)
        }
        return out
    }

    /// The names of the pods a deployment runs (none for a serverless endpoint).
    public static func podNames(_ d: Deployment) -> [String] {
        d.mode == .pod ? ResourceNames(spec: d.name).pods(d.placement.pods) : []
    }

    // MARK: Ownership markers

    /// The markers endpoints and pods carry (`Specs/state.md`); the template's env has them from the
    /// compiled container env, plus the labels.
    static func ownershipEnv(_ d: Deployment) -> [String: String] {
        var env = [Marker.managedBy: "podform", Marker.spec: d.name]
        if let scope = d.scope { env[Marker.scope] = scope }
        return env
    }

    /// `${kind.name.id}`.
    static func reference(_ kind: ResourceKind, _ name: String) -> String { PlannedRequest.reference(kind, name) }

    // MARK: Network volume

    static func networkVolume(_ d: Deployment, _ names: ResourceNames) -> CreateNetworkVolumeRequest? {
        d.placement.networkVolume.map { CreateNetworkVolumeRequest(name: names.networkVolume, size: $0.sizeGB, dataCenter: $0.dataCenter) }
    }

    // MARK: Template

    /// The template: the container, the markers and labels (`PODFORM_LABELS`, on the template only,
    /// so that a label edit never restarts a pod), serverless or pod, and the GPU vendor.
    static func template(_ d: Deployment, _ names: ResourceNames) -> CreateTemplateRequest {
        var env = d.container.env
        if let labels = d.labels, !labels.isEmpty { env[Marker.labels] = OwnerMarks.encodeLabels(labels) }
        return CreateTemplateRequest(
            name: names.template, image: d.container.image, env: env, ports: d.container.ports, disk: d.container.containerDiskGB,
            serverless: d.mode == .serverless, category: category(d.placement.gpuVendor), args: d.container.args)
    }

    /// `TemplateCategory`.
    static func category(_ vendor: Deployment.GPUVendor) -> String {
        switch vendor {
        case .nvidia: return "NVIDIA"
        case .amd: return "AMD"
        }
    }

    // MARK: Endpoint

    /// A queue endpoint from the template (nil without serverless settings).
    static func endpoint(_ d: Deployment, _ names: ResourceNames, volume: CreateNetworkVolumeRequest?) -> CreateEndpointRequest? {
        guard let serverless = d.serverless, let workers = d.workers else { return nil }
        let requestCount = serverless.scaler == "REQUEST_COUNT"
        let scaling: EndpointScaling = requestCount ? .requestCount(Int(saturating: serverless.scalerValue)) : .queueDelay(serverless.scalerValue)
        // RunPod rejects workers.idleTimeout on a queue endpoint scaling on requestCount, where
        // workers follow the in-flight requests instead (OpenAPI v2 EndpointWorkers.idleTimeout).
        return CreateEndpointRequest(
            name: names.endpoint, templateId: reference(.template, names.template), env: ownershipEnv(d),
            gpu: CreateEndpointGpuConfig(
                pools: serverless.pools, count: d.gpu.count,
                excludedTypes: serverless.excludedTypes.isEmpty ? nil : serverless.excludedTypes),
            workers: EndpointWorkers(min: workers.min, max: workers.max, idleTimeout: requestCount ? nil : serverless.idleTimeoutSeconds),
            scaling: scaling, flashboot: serverless.flashboot, timeout: serverless.executionTimeoutMs,
            dataCenterIds: d.placement.dataCenters.isEmpty ? nil : d.placement.dataCenters,
            networkVolumes: volume.map { [reference(.networkVolume, $0.name)] })
    }

    // MARK: Cluster

    /// An Instant Cluster: `nodes` pods of `gpusPerNode` GPUs, every one running the container with
    /// the markers and labels in its env (a cluster has no env or template of its own); the
    /// weights' volume on each (a network volume, or each pod's own volume).
    static func cluster(
        _ d: Deployment, _ shape: Deployment.Cluster, _ names: ResourceNames,
        volume: CreateNetworkVolumeRequest?
    ) -> CreateClusterRequest {
        var env = d.container.env.merging(ownershipEnv(d)) { _, marker in marker }
        if let labels = d.labels, !labels.isEmpty { env[Marker.labels] = OwnerMarks.encodeLabels(labels) }
        var mounts: Mounts?
        if let volume {
            mounts = Mounts(network: [Mounts.Network(volumeId: reference(.networkVolume, volume.name), path: "/workspace")])
        } else if let size = d.container.volumeGB, let path = d.container.volumeMountPath {
            mounts = Mounts(persistent: Mounts.Persistent(size: size, path: path))
        }
        return CreateClusterRequest(
            name: names.cluster, type: shape.type,
            compute: Cluster.Compute(gpuTypeId: d.gpu.id, gpuCountPerPod: shape.gpusPerNode, podCount: shape.nodes),
            image: d.container.image, args: d.container.args, disk: d.container.containerDiskGB, env: env, ports: d.container.ports,
            mounts: mounts, dataCenterIds: d.placement.dataCenters.isEmpty ? nil : d.placement.dataCenters,
            startSsh: d.container.ports.contains("22/tcp") ? true : nil)
    }

    // MARK: Pod

    /// One pod per replica, from the template; the weights' volume mounted (a network volume at
    /// /workspace, or the pod's own volume).
    static func pods(_ d: Deployment, _ names: ResourceNames, volume: CreateNetworkVolumeRequest?) -> [CreatePodRequest] {
        var mounts: Mounts?
        if let volume {
            mounts = Mounts(network: [Mounts.Network(volumeId: reference(.networkVolume, volume.name), path: "/workspace")])
        } else if let size = d.container.volumeGB, let path = d.container.volumeMountPath {
            mounts = Mounts(persistent: Mounts.Persistent(size: size, path: path))
        }
        return names.pods(d.placement.pods).map { name in
            // Seed 003: the disk is set explicitly; a template's disk is not always inherited.
            CreatePodRequest(
                name: name, cloud: d.gpu.cloud, templateId: reference(.template, names.template), env: ownershipEnv(d),
                gpu: CreateGpuConfig(id: d.gpu.id, count: d.gpu.count), disk: d.container.containerDiskGB,
                ports: d.container.ports, mounts: mounts,
                dataCenterIds: d.placement.dataCenters.isEmpty ? nil : d.placement.dataCenters)
        }
    }
}
