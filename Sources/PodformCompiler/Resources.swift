import Foundation
import PodformCatalog
import PodformCore
import PodformSizing

/// Disk and volume sizes for a candidate (`Specs/decisions.md`, D-STORAGE).
struct StoragePlan {
    var podContainerDiskGB: Int
    var podVolumeGB: Int?
    var serverlessContainerDiskGB: Int
    var networkVolumeGB: Int?
}

func roundUp(_ value: Double, to step: Int) -> Int {
    Int(saturating: (value / Double(step)).rounded(.up)).timesSaturating(step)
}

extension Compiler {
    /// The image's own writable-layer needs (logs, caches, compiled kernels), GB.
    var containerBaseGB: Double { 30 }

    /// `deploy.container_disk` in whole GB (rounded up), when the spec sets it.
    var requestedContainerDiskGB: Int? {
        spec.deploy.containerDiskBytes.map { Int(Saturating.ceilDiv(max($0, 0), 1_000_000_000)) }
    }

    /// GB the weights need on the container disk (10% headroom), when `mode` keeps them there.
    func weightsOnContainerDiskGB(_ mode: DeploymentMode) -> Int? {
        let inContainer = mode == .pod ? weightsLocation == .image : weightsLocation != .networkVolume
        return inContainer ? roundUp(Double(downloadBytes) / 1e9 * 1.1, to: 1) : nil
    }

    /// Why `deploy.container_disk` cannot hold the weights in `mode`, or nil: podform never
    /// silently enlarges a disk the spec sized (`Specs/decisions.md`, D-STORAGE).
    func containerDiskProblem(_ mode: DeploymentMode) -> String? {
        guard let requested = requestedContainerDiskGB, let needed = weightsOnContainerDiskGB(mode),
            requested < needed
        else { return nil }
        return "deploy.container_disk is \(requested) GB, but the weights alone need \(needed) GB on the container disk of this \(mode.rawValue)"
    }

    /// The disks a deployment gets: sized from the checkpoint and the spec, the same on every GPU.
    var storagePlan: StoragePlan {
        // Bytes on disk, not in GPU memory: vLLM quantizing while loading downloads the 16-bit checkpoint.
        let weightsGB = Double(downloadBytes) / 1e9
        let withHeadroom = weightsGB * 1.2 + 5
        let volumeGB = min(max(roundUp(withHeadroom, to: 10), 20), 4096)
        let inContainer = roundUp(containerBaseGB + weightsGB * 1.1, to: 5)
        let podWeightsInVolume = weightsLocation != .image
        let serverlessInContainer = weightsLocation != .networkVolume
        // The spec's container disk wins (compileServing refuses one too small for the weights).
        let requested = requestedContainerDiskGB
        return StoragePlan(
            podContainerDiskGB: requested ?? (podWeightsInVolume ? Int(containerBaseGB) : inContainer),
            podVolumeGB: podWeightsInVolume && weightsLocation != .networkVolume ? volumeGB : nil,
            serverlessContainerDiskGB: requested ?? (serverlessInContainer ? inContainer : Int(containerBaseGB)),
            networkVolumeGB: weightsLocation == .networkVolume ? volumeGB : nil)
    }

    /// The scope this spec is applied from, if the caller gave one.
    var scope: String? { environment.scopes[specFile] }

    /// The ownership markers podform reads back from templates, endpoints and pods (`Specs/state.md`).
    func ownershipEnv() -> [String: String] {
        var env = ["PODFORM_MANAGED_BY": "podform", "PODFORM_SPEC": spec.name]
        if let scope { env["PODFORM_SCOPE"] = scope }
        return env
    }

    /// The spec's env with secrets as RunPod references only, and the ownership markers; the
    /// engine adds its own (`containerEnv`).
    func baseEnv() -> [String: String] {
        var env = spec.deploy.env
        for (name, secret) in spec.deploy.secrets { env[name] = "{{ RUNPOD_SECRET_\(secret) }}" }
        for (k, v) in ownershipEnv() { env[k] = v }
        return env
    }
}
