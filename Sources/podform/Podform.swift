import ArgumentParser
import Foundation
import PodformCompiler

/// podform: a deployment-as-code compiler for serving LLMs on RunPod.
@main
struct Podform: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "podform",
        abstract: "Compile LLM deployment specs into RunPod plans.",
        discussion: """
            Write one YAML spec per deployment (Specs/spec.md). Start with `podform init --model ID`, check it with `podform validate`, see the cheapest plan that meets its SLA with `podform plan`, and make RunPod match with `podform apply` (RUNPOD_API_KEY).

            Exit status: 0 success; 1 invalid input or failure; 2 changes present (plan --detailed-exitcode); 64 usage error (1 under --detailed-exitcode, as Terraform: 0 no changes, 1 any error, 2 changes).
            """,
        version: podformVersion,
        subcommands: [
            Validate.self, Plan.self, Show.self, Simulate.self, Apply.self, Destroy.self, Reconcile.self, Status.self, Logs.self, Explain.self,
            Size.self, GPUs.self, Catalog.self, Dockerfile.self, Init.self
        ]
    )
}

extension Podform {
    /// Runs the command; under `--detailed-exitcode` every error, usage errors included, exits 1,
    /// so that a script testing `-eq 1` for errors and `-eq 2` for changes never sees 64 as "no error".
    static func main() async {
        let arguments = Array(CommandLine.arguments.dropFirst())
        do {
            var command = try parseAsRoot(arguments)
            if var async = command as? AsyncParsableCommand {
                try await async.run()
            } else {
                try command.run()
            }
        } catch {
            if arguments.contains("--detailed-exitcode"), error.isUsageError {
                let message = fullMessage(for: error)
                if !message.isEmpty { FileHandle.standardError.write(Data((message + "\n").utf8)) }
                exit(withError: ExitCode(1))
            }
            exit(withError: error)
        }
    }
}

extension Error {
    /// ArgumentParser's usage errors (exit 64).
    var isUsageError: Bool { Podform.exitCode(for: self) == .validationFailure }
}
