/// Serving settings podform sets explicitly so that its sizing and the running engine agree, and
/// the load it assumes where a spec says nothing (`Specs/spec.md`, `Specs/decisions.md` D-LOAD).
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

    /// Max tokens per sequence when the spec sets no `context`.
    public static let context = 4096

    /// Mean prompt tokens when the spec sets no `traffic.prompt_tokens`.
    public static func promptTokens(context: Int) -> Int { min(1000, context / 2) }
    /// How `promptTokens(context:)` is computed, for traces and help.
    public static let promptTokensRule = "min(1000, context/2)"

    /// Mean output tokens when the spec sets no `traffic.output_tokens`.
    public static func outputTokens(context: Int) -> Int { min(300, max(context / 4, 1)) }
    /// How `outputTokens(context:)` is computed, for traces and help.
    public static let outputTokensRule = "min(300, context/4)"
}
