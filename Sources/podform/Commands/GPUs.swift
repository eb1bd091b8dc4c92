import ArgumentParser
import Foundation
import PodformCatalog
import PodformCore
import PodformKit
import PodformRender

extension Podform {
    /// `podform gpus`: the GPU catalog as a table or JSON.
    struct GPUs: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "gpus", abstract: "List the GPUs RunPod rents, with memory and prices.")

        @Option(name: .customLong("min-memory"), help: "Only GPUs with at least this much memory (48GB, 80GiB).")
        var minMemory: String?
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let catalogs = try Catalogs.load()
            var gpus = catalogs.gpus.gpus
            if let text = minMemory {
                guard let bytes = Units.bytes(text) else {
                    Output.err("error: --min-memory `\(text)` is not a size; write it like 48GB or 80GiB\n")
                    throw ExitCode(1)
                }
                gpus = gpus.filter { $0.memoryGB * 1e9 >= Double(bytes) * 0.999 || $0.cudaMemoryBytes >= bytes }
            }
            gpus.sort { ($0.memoryGB, $0.id) < ($1.memoryGB, $1.id) }
            if json {
                try Output.out(encodeJSON(GPUListDocument(as_of: catalogs.gpus.asOf, overlay: catalogs.gpus.overlayNote, gpus: gpus)))
            } else {
                Output.out(GPUTableRenderer.text(gpus, catalog: catalogs.gpus))
            }
        }
    }
}

struct GPUListDocument: Encodable {
    var as_of: String
    var overlay: String?
    var gpus: [GPUType]
}
