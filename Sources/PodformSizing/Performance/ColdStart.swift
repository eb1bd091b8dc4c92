/// Where a serverless worker's weights come from.
public enum WeightsLocation: String, Sendable, Hashable, Codable, CaseIterable {
    case image, networkVolume = "network-volume", download
}

/// Throughputs and fixed times of a worker start (`Specs/performance.md` §3).
public struct ColdStartModel: Sendable, Hashable, Codable {
    /// FlashBoot: 95% of cold starts under 2.3 s (seed 002, RunPod's announcement; 563 ms best case).
    public var flashbootP95: Double = 2.3
    /// Pulling a ~10 GB vLLM image without a cached copy, seconds (assumed ~200 MB/s registry pull).
    public var imagePull: Double = 50
    /// Reading weights baked into the image from local NVMe, GB/s (assumed).
    public var imageReadGBps: Double = 2.0
    /// Reading weights from a network volume, GB/s (assumed; RunPod publishes no figure).
    public var networkVolumeGBps: Double = 1.0
    /// Downloading weights from the Hugging Face Hub, GB/s (assumed ~4 Gbit/s).
    public var hubDownloadGBps: Double = 0.5
    /// vLLM engine start: process start, profiling run, CUDA-graph capture, seconds (assumed 25 s;
    /// 15-60 s seen). Together with a 70B load this gives the seed's 60-180 s "without caching".
    public var engineStart: Double = 25

    public init() {}
    public static let standard = ColdStartModel()

    /// Estimated seconds from "no worker" to "serving".
    public func estimate(weightsBytes: Int64, location: WeightsLocation, flashboot: Bool) -> Double {
        let gb = Double(weightsBytes) / 1e9
        let pull = flashboot ? flashbootP95 : imagePull
        let load: Double
        switch location {
        case .image: load = gb / imageReadGBps
        case .networkVolume: load = gb / networkVolumeGBps
        case .download: load = gb / hubDownloadGBps + gb / imageReadGBps
        }
        return pull + load + engineStart
    }
}
