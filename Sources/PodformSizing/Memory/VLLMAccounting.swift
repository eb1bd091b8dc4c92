/// How a vLLM version accounts GPU memory at start-up (`Specs/sizing.md` §4).
///
/// usable = total (as CUDA reports it) x gpu_memory_utilization; the KV pool is what is left of
/// it after weights, the profiling run's activation peak, non-torch memory and (in versions that
/// reserve it) CUDA-graph memory; KV capacity is the pool in whole blocks.
public struct VLLMAccounting: Sendable, Hashable, Codable {
    /// Which behaviour this models.
    public var name: String
    /// Tokens per KV block (16 in V1 with FlashAttention).
    public var blockSize: Int
    /// Non-torch memory per GPU at tp = 1: CUDA context and allocator slack.
    public var nonTorchBytes: Int64
    /// Extra non-torch memory per GPU when tp > 1 (NCCL buffers, custom all-reduce).
    public var nonTorchTPBytes: Int64
    /// CUDA-graph memory taken out of the pool before sizing the KV cache (0 where the version
    /// captures graphs after sizing, from the margin above gpu_memory_utilization).
    public var cudaGraphReserveBytes: Int64

    /// vLLM v0.19 (V1 engine), the version of most calibration rows.
    ///
    /// Non-torch 0.25 GiB at tp 1 (every tp-1 H100 row logs 0.24-0.26) and about 2.1 GiB at
    /// tp >= 2 (2.06-2.21 logged). CUDA graphs are captured after KV sizing (not subtracted).
    public static let v0_19 = VLLMAccounting(
        name: "vllm-v0.19", blockSize: 16, nonTorchBytes: gib(0.25), nonTorchTPBytes: gib(1.85),
        cudaGraphReserveBytes: 0)

    /// Newer vLLM (profiling CUDA graphs before KV sizing): v0.19 plus a 1 GiB graph reserve, the
    /// upper half of the 0.64-1.79 GiB graph sizes logged by v0.19. The planner uses this one, so
    /// a plan that fits under either version's accounting.
    public static let planning = VLLMAccounting(
        name: "vllm-cudagraph-reserve", blockSize: 16, nonTorchBytes: gib(0.25), nonTorchTPBytes: gib(1.85),
        cudaGraphReserveBytes: gib(1.0))

    public func nonTorch(tp: Int) -> Int64 { nonTorchBytes + (tp > 1 ? nonTorchTPBytes : 0) }
}

/// GiB to bytes.
public func gib(_ value: Double) -> Int64 { Int64(saturating: (value * 1_073_741_824).rounded()) }

/// Bytes to GiB.
public func toGiB(_ bytes: Int64) -> Double { Double(bytes) / 1_073_741_824 }
