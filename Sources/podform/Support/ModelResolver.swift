import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import PodformCatalog
import PodformCore
import PodformSizing

/// Finds a model's architecture: the catalog, a local config.json, or the Hugging Face Hub.
struct ModelResolver {
    let catalog: ModelCatalog
    /// Whether fetching from the Hub is allowed (off for `--offline`).
    var allowHub = true
    var environment = ProcessInfo.processInfo.environment

    struct Failure: Error, CustomStringConvertible { let description: String }

    /// Resolves `id`, preferring an explicit config path (relative paths are relative to `base`).
    func resolve(id: String, configPath: String?, base: URL? = nil) throws -> ModelArchitecture {
        if let configPath {
            let url = configPath.hasPrefix("/") || base == nil
                ? URL(fileURLWithPath: configPath) : base!.appendingPathComponent(configPath)
            guard let data = FileManager.default.contents(atPath: url.path) else {
                throw Failure(description: "cannot read model config `\(url.path)`")
            }
            do { return try HFConfig.architecture(id: id.isEmpty ? url.lastPathComponent : id, json: data) }
            catch { throw Failure(description: "\(error)") }
        }
        if let model = catalog.model(named: id) { return model.architecture }
        guard allowHub, id.contains("/") else {
            throw Failure(description: "\(CatalogError.unknownModel(id, suggestion: catalog.suggestion(for: id)))")
        }
        return try fetchFromHub(id)
    }

    /// Fetches `config.json` from the Hub (HF_TOKEN for gated models), cached on disk.
    func fetchFromHub(_ id: String) throws -> ModelArchitecture {
        // Only a Hub repo id reaches the URL (no `..`, `?`, `#`, spaces or newlines in the path).
        guard id.contains("/"), StringShape.isModelID(id) else {
            throw Failure(description: "`\(StringShape.excerpt(id))` is not a valid Hugging Face model id (owner/name)")
        }
        let cache = HFConfig.cacheFileName(for: id).map {
            CatalogOverlay.defaultDirectory(environment: environment).appendingPathComponent("hf-configs").appendingPathComponent($0)
        }
        if let cache, let data = FileManager.default.contents(atPath: cache.path) {
            return try HFConfig.architecture(id: id, json: data)
        }
        let base = environment["HF_ENDPOINT"] ?? "https://huggingface.co"
        guard let url = URL(string: "\(base)/\(id)/resolve/main/config.json") else {
            throw Failure(description: "`\(id)` is not a valid Hugging Face model id")
        }
        var request = URLRequest(url: url, timeoutInterval: 20)
        if let token = environment["HF_TOKEN"], !token.isEmpty {
            request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        }
        let box = ResultBox()
        let semaphore = DispatchSemaphore(value: 0)
        URLSession.shared.dataTask(with: request) { data, response, error in
            box.set(data, (response as? HTTPURLResponse)?.statusCode, error)
            semaphore.signal()
        }.resume()
        semaphore.wait()
        let (data, status, error) = box.get()
        if let error {
            throw Failure(description: "could not reach the Hugging Face Hub for `\(id)` (\(error.localizedDescription)); "
                + "offline? give the model's config.json with --config or model.config")
        }
        switch status ?? 0 {
        case 200:
            guard let data else { throw Failure(description: "empty answer from the Hub for `\(id)`") }
            let arch = try HFConfig.architecture(id: id, json: data)
            if let cache {
                try? FileManager.default.createDirectory(at: cache.deletingLastPathComponent(), withIntermediateDirectories: true)
                try? data.write(to: cache)
            }
            return arch
        case 401: throw Failure(description: "`\(id)` is gated: set HF_TOKEN to a token that accepted its license")
        case 403: throw Failure(description: "HF_TOKEN may not read `\(id)`: accept the model's license on the Hub first")
        case 404: throw Failure(description: "no model `\(id)` on the Hugging Face Hub (check the spelling)")
        default: throw Failure(description: "the Hub answered HTTP \(status ?? 0) for `\(id)`")
        }
    }
}

/// Carries a URLSession completion across threads.
final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var value: (Data?, Int?, Error?) = (nil, nil, nil)
    func set(_ data: Data?, _ status: Int?, _ error: Error?) { lock.lock(); value = (data, status, error); lock.unlock() }
    func get() -> (Data?, Int?, Error?) { lock.lock(); defer { lock.unlock() }; return value }
}
