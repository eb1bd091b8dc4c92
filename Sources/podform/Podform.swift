import ArgumentParser

/// podform: a deployment-as-code compiler for serving LLMs on RunPod.
@main
struct Podform: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "podform",
        abstract: "Compile LLM deployment specs into RunPod plans.",
        discussion: """
        Write one YAML spec per deployment (Specs/spec.md). Start with `podform init --model ID`, check it with `podform validate`, see the cheapest plan that meets its SLA with `podform plan`, and make RunPod match with `podform apply` (RUNPOD_API_KEY).

        Exit status: 0 success; 1 invalid input or failure; 2 changes present (plan --detailed-exitcode); 64 usage error.
        """,
        version: "0.1.0",
        subcommands: [Validate.self, Plan.self, Simulate.self, Apply.self, Destroy.self, Reconcile.self, Status.self, Logs.self, Explain.self, Size.self, GPUs.self, Catalog.self, Dockerfile.self, Init.self]
    )
}
