/// Spec texts more than one test target plans, written once.
public enum SpecFixtures {
    /// Llama 3.1 405B in BF16 on a pod limited to `gpus` (comma-separated catalog names): more than
    /// one 8-GPU node holds, so it plans an Instant Cluster (D-CLUSTER).
    public static func llama405B(gpus: String = "NVIDIA H100 80GB HBM3, NVIDIA A100-SXM4-80GB") -> String {
        """
        version: 1
        name: llama-405b
        workload: inference
        model: {id: meta-llama/Llama-3.1-405B-Instruct}
        precision: bf16
        context: 8192
        concurrency: 8
        traffic: {pattern: steady, requests_per_day: 5000}
        sla: {ttft_p95: 5s, output_tokens_per_second: 10}
        constraints: {gpus: [\(gpus)]}
        deploy: {mode: pod}
        """
    }
}
