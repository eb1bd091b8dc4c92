import Foundation

extension ModelClass {
    /// Classes whose factors this class borrows when it has no calibration rows, nearest first: MLA
    /// models in practice are DeepSeek-style MoE (routed experts behind latent attention), so MLA and MoE
    /// borrow from each other before they borrow dense factors.
    var nearest: [ModelClass] {
        switch self {
        case .dense: return [.dense]
        case .moe: return [.moe, .mla, .dense]
        case .mla: return [.mla, .moe, .dense]
        }
    }
}

extension SpeedCalibration {
    /// A per-class factor: the class at this generation, at the other generation, then the nearest class
    /// (`ModelClass.nearest`), then the median of the table. A borrowed factor lists no rows, with a note.
    func classFactor(_ table: [String: Factor], _ c: ModelClass, generation: String, fallback: Double) -> (Factor, String?) {
        let other = generation == "v0" ? "v1" : "v0"
        for (i, donor) in c.nearest.enumerated() {
            for gen in [generation, other] {
                guard let f = table[Self.classKey(donor, generation: gen)] else { continue }
                if i == 0 && gen == generation { return (f, nil) }
                let borrowed = Factor(value: f.value, spread: f.spread, rows: [])
                if i == 0 { return (borrowed, "\(c.rawValue) models are calibrated on vLLM \(gen == "v0" ? "V0" : "V1") rows only") }
                return (borrowed, "no speed calibration data for \(c.rawValue) models (borrowing \(donor.rawValue) factors)")
            }
        }
        let value = Self.median(table.values.map(\.value)) ?? fallback
        return (Factor(value: value, spread: [1, 1], rows: []), "no speed calibration data for \(c.rawValue) models")
    }

    /// Decode bandwidth efficiency for a GPU architecture x kernel family, else the median of the same
    /// kernel family, of the same GPU architecture, of everything.
    func bandwidthFactor(_ gpu: GPUPerformance, _ family: KernelFamily) -> (Factor, String?) {
        if let f = decodeBandwidth[Self.key(architecture: gpu.architecture, family: family)] { return (f, nil) }
        let sameFamily = decodeBandwidth.filter { $0.key.hasSuffix("/\(family.rawValue)") }.map(\.value.value)
        let sameGPU = decodeBandwidth.filter { $0.key.hasPrefix("\(gpu.architecture)/") }.map(\.value.value)
        let value = Self.median(sameFamily) ?? Self.median(sameGPU) ?? Self.median(decodeBandwidth.values.map(\.value)) ?? 0.7
        let where_ = gpu.architecture.isEmpty ? "this GPU" : gpu.architecture
        return (Factor(value: value, spread: [1, 1], rows: []), "no speed calibration data for \(family.rawValue) kernels on \(where_) GPUs")
    }

    /// The factors for a model in `weights` on `tp` x `gpu`, with fallbacks named (`Specs/performance.md` §2).
    /// Ranges widen where data is thin: a borrowed class quotes [0.3, 1.5] x speed and [0.5, 3] x TTFT (a
    /// class's kernels can be several times slower than another's: MLA predicted from MoE factors is up to
    /// 3.3x optimistic held out); an uncalibrated tensor-parallel link [0.3, 2] x speed.
    public func factors(
        for architecture: ModelArchitecture, weights: WeightFormat, gpu: GPUPerformance, tp: Int = 1,
        generation: String = "v1", endpoint: Endpoint = .chat
    ) -> EfficiencyFactors {
        let modelClass = ModelClass.of(architecture)
        let (bandwidth, bandwidthNote) = bandwidthFactor(gpu, KernelFamily.of(weights, architecture: architecture))
        let (overhead, classNote) = classFactor(layerOverhead, modelClass, generation: generation, fallback: 0)
        let (prefill, _) = classFactor(prefillCompute, modelClass, generation: generation, fallback: 0.5)
        var notes = [bandwidthNote, classNote].compactMap { $0 }
        var speed = Self.range(bandwidth), ttft = Self.range(prefill)
        if overhead.rows.isEmpty { speed = [min(speed[0], 0.3), max(speed[1], 1.5)]; ttft = [min(ttft[0], 0.5), max(ttft[1], 3)] }
        var latency: Double?
        if tp > 1 {
            let link = LinkFigures.of(gpu, tp: tp).kind.rawValue
            latency = allReduceLatency[link]?.value
            if latency == nil {
                notes.append("no speed calibration data for tensor parallelism over \(link)")
                speed = [min(speed[0], 0.3), max(speed[1], 2.0)]
            }
        }
        let request = requestOverhead[endpoint.rawValue]?.value ?? Self.median(requestOverhead.values.map(\.value)) ?? 0.02
        var f = EfficiencyFactors(
            decodeBandwidth: bandwidth.value, compute: prefill.value, prefillCompute: prefill.value,
            layerOverheadSeconds: overhead.value, requestSeconds: request, allReduceLatencySeconds: latency,
            speedRange: speed, ttftRange: ttft, uncalibrated: notes, chunkedPrefill: generation != "v0")
        f.sequenceOverheadSeconds = (sequenceOverhead[generation] ?? sequenceOverhead["v1"])?.value ?? 0
        return f
    }
}
