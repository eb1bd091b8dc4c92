/// Serving settings podform sets explicitly so that its sizing and the running vLLM agree.
public enum ServingDefaults {
    /// MAX_NUM_BATCHED_TOKENS podform passes: 8192 on GPUs of 70 GiB or more, 2048 below.
    ///
    /// These are vLLM V1's API-server defaults by GPU size; podform sets the value explicitly
    /// (plans carry it in the env), so the activation peak it sizes is the one vLLM profiles.
    public static func maxBatchedTokens(gpuGiB: Double?, context: Int) -> Int {
        guard let gpuGiB else { return 8192 }
        return gpuGiB >= 70 ? 8192 : 2048
    }

    /// gpu_memory_utilization podform uses unless the spec says otherwise (seed 001: 0.90).
    public static let gpuMemoryUtilization = 0.90
}
