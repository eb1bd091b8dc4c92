import ArgumentParser

/// podform: a deployment-as-code compiler for serving LLMs on RunPod.
@main
struct Podform: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "podform",
        abstract: "Compile LLM deployment specs into RunPod plans.",
        discussion: """
        Write one YAML spec per deployment (Specs/spec.md), then:
          podform validate specs/*.yaml     check specs (file:line:col diagnostics)
          podform size --model ID ...       memory breakdown: weights, KV cache, overhead
          podform gpus                      the GPU catalog with prices
          podform plan spec.yaml            the cheapest deployment that meets the SLA
        Exit status: 0 success, 1 invalid input or failure, 2 changes present (plan --detailed-exitcode),
        64 usage error.
        """,
        version: "0.1.0",
        subcommands: [Validate.self, Plan.self, Apply.self, Destroy.self, Reconcile.self, Status.self, Logs.self, Explain.self, Size.self, GPUs.self, Catalog.self, Dockerfile.self, Init.self]
    )
}
