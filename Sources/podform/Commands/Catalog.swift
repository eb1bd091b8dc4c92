import ArgumentParser
import Foundation
import PodformCatalog
import RunPodAPI

extension Podform {
    /// `podform catalog`: the GPU catalog's live overlay.
    struct Catalog: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Manage the GPU catalog.", subcommands: [Refresh.self])

        /// `podform catalog refresh`: fetch RunPod's GPU types and prices into a dated local overlay.
        struct Refresh: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Fetch GET /v2/catalog/gpus (API key required) into a dated overlay every later command uses.")

            @Option(name: .customLong("api-url"), help: "RunPod API base URL (default $RUNPOD_API_URL or https://api.runpod.io).")
            var apiURL: String?
            @Option(name: .customLong("api-key-file"), help: "Read the API key from this file instead of $RUNPOD_API_KEY.")
            var apiKeyFile: String?
            @OptionGroup var global: GlobalOptions
            @Option(help: "Write the overlay here instead of the cache directory.") var out: String?
            @Flag(help: "Overwrite the output even if it is not a podform overlay, or is a symbolic link.") var force = false

            func run() async throws {
                let env = ProcessInfo.processInfo.environment
                do {
                    let key = try RunPodClient.apiKey(environment: env, keyFile: apiKeyFile)
                    let base = try APIURL.resolve(apiURL, environment: env)
                    var client = RunPodClient(baseURL: base, apiKey: key)
                    client.redactor.add(env["HF_TOKEN"])
                    global.bootstrap()
                    client.logger = global.logger
                    let body = try await client.listGPUTypes()
                    let today = ISO8601DateFormatter.string(from: Date(), timeZone: TimeZone(identifier: "UTC")!, formatOptions: [.withFullDate])
                    let overlay = try CatalogOverlay.fromListResponse(body, fetchedAt: today, source: base.host ?? base.absoluteString)
                    let bundled = try GPUCatalog.bundled()
                    if let problem = overlay.implausibility(against: bundled) {
                        throw CatalogError.invalidConfig("\(problem); kept the current overlay")
                    }
                    let merged = overlay.apply(to: bundled)
                    let path = out.map { URL(fileURLWithPath: $0) } ?? CatalogOverlay.defaultPath()
                    try FileManager.default.createDirectory(at: path.deletingLastPathComponent(), withIntermediateDirectories: true)
                    let encoder = JSONEncoder()
                    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                    do {
                        try OwnedFile.write(
                            try encoder.encode(overlay), to: path.path, permissions: 0o644, force: force,
                            what: "a podform catalog overlay", isOwn: CatalogOverlay.isOverlay)
                    } catch let refusal as OwnedFile.Refusal {
                        Output.err("error: \(refusal)\n")
                        throw ExitCode(1)
                    }
                    let known = Set(bundled.gpus.map(\.id))
                    let added = overlay.gpus.filter { !known.contains($0.id) }.count
                    let delisted = merged.gpus.filter { $0.delisted == true }.count
                    Output.out(
                        "Refreshed the GPU catalog from RunPod: \(overlay.gpus.count) GPU types (\(added) new, \(delisted) no longer listed), prices as of \(today).\nWrote \(path.path)\n"
                    )
                } catch let error as RunPodError {
                    Output.err("error: \(error)\n")
                    throw ExitCode(1)
                } catch let error as CatalogError {
                    Output.err("error: \(error)\n")
                    throw ExitCode(1)
                }
            }
        }
    }
}

/// The API base URL from a flag, `RUNPOD_API_URL`, or RunPod's default.
enum APIURL {
    static func resolve(_ flag: String?, environment: [String: String]) throws -> URL {
        let text = flag ?? environment["RUNPOD_API_URL"] ?? RunPodClient.defaultBaseURL.absoluteString
        var trimmed = text.hasSuffix("/") ? String(text.dropLast()) : text
        if trimmed.hasSuffix("/v2") { trimmed = String(trimmed.dropLast(3)) }
        guard let url = URL(string: trimmed), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil else {
            throw RunPodError.transport("`\(text)` is not an http(s) URL")
        }
        return url
    }
}
