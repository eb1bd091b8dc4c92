/// Collects the decision trace: each rule that fired, its inputs, its outcome and its source.
struct TraceBuilder {
    private(set) var steps: [Deployment.TraceStep] = []

    mutating func add(_ rule: String, _ question: String, inputs: [String: String] = [:], outcome: String, source: String) {
        steps.append(Deployment.TraceStep(rule: rule, question: question, inputs: inputs, outcome: outcome, source: source))
    }
}

/// Sources cited by the rules (`Specs/decisions.md`).
enum Source {
    static let seed000 = "seeds/000 (four decisions; VRAM formula; pricing tiers)"
    static let seed001 = "seeds/001 (KV cache; worked examples; worker-vllm settings)"
    static let seed002 = "seeds/002 (training memory; Flex vs Active; FlashBoot; network volumes)"
    static let seed003 = "seeds/003 (REST pod fields; container disk pitfall; proxy URL)"
    static let notesPools = "runpod/NOTES.md §3.2 (serverless pools)"
    static let notesPrices = "runpod/NOTES.md §5 (prices)"
    static let notesWorker = "runpod/NOTES.md §6 (worker-vllm env)"
    static let notesVolumes = "runpod/NOTES.md §7 (network volumes: Secure Cloud, pinned data center)"
    static let openapi = "runpod/openapi-v2.json (CreateEndpointRequest, CreatePodRequest)"
    static let sizing = "Specs/sizing.md (vLLM accounting)"
    static let performance = "Specs/performance.md (roofline estimate)"
}
