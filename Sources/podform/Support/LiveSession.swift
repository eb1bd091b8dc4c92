import Foundation
import PodformApply
import PodformCatalog
import PodformCompiler
import PodformKit
import RunPodAPI

/// Connection flags shared by the commands that talk to RunPod.
struct RunPodOptions {
    var apiURL: String?
    var apiKeyFile: String?
    var global: GlobalOptions? = nil

    func client() throws -> RunPodClient {
        let env = ProcessInfo.processInfo.environment
        let key = try RunPodClient.apiKey(environment: env, keyFile: apiKeyFile)
        var client = RunPodClient(baseURL: try APIURL.resolve(apiURL, environment: env), apiKey: key)
        client.redactor.add(env["HF_TOKEN"])  // an answer echoing a pod's env must not show it either
        if let global {
            global.bootstrap()
            client.logger = global.logger
        }
        return client
    }

    /// True when a key is available (plan then diffs against live state).
    var hasKey: Bool {
        apiKeyFile != nil || !(ProcessInfo.processInfo.environment["RUNPOD_API_KEY"] ?? "").isEmpty
    }
}

/// The per-spec lock directory (`$PODFORM_CACHE_DIR/locks`).
func specLocks() -> SpecLocks {
    SpecLocks(directory: PodformCatalog.CatalogOverlay.defaultDirectory().appendingPathComponent("locks"))
}

/// GPU stock for a live plan, or nil with a note on stderr when it cannot be read (the plan then
/// does not check stock, as offline).
func readAvailability(_ reader: AvailabilityReader) async -> GPUAvailability? {
    do { return try await reader.read() } catch {
        Output.err("note: GPU availability could not be read (\(error)); the plan does not check stock\n")
        return nil
    }
}
