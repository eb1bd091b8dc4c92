import Foundation
import PodformCatalog
import PodformCore
import PodformSizing
import RunPodAPI

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Finds a model's architecture: the catalog, a local config.json, or the Hugging Face Hub.
public struct ModelResolver: Sendable {
    public let catalog: ModelCatalog
    /// Whether fetching from the Hub is allowed (off for `--offline`).
    public var allowHub = true
    public var environment = ProcessInfo.processInfo.environment
    /// How Hub requests are sent: bounded URLSession by default (`hubLimits`, no token across
    /// origins); tests inject a fake so nothing reaches the network.
    public var hub: any HTTPTransport = URLSessionTransport(limits: ModelResolver.hubLimits, redirects: .stripCredentialsAcrossOrigins)

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        public init(description: String) { self.description = description }
    }

    public init(
        catalog: ModelCatalog, allowHub: Bool = true, environment: [String: String] = ProcessInfo.processInfo.environment,
        hub: (any HTTPTransport)? = nil
    ) {
        self.catalog = catalog
        self.allowHub = allowHub
        self.environment = environment
        if let hub { self.hub = hub }
    }

    /// Resolves `id`, preferring an explicit config path (relative paths are relative to `base`).
    public func resolve(id: String, configPath: String?, base: URL? = nil, revision: String? = nil) throws -> ModelArchitecture {
        if let configPath {
            let url =
                configPath.hasPrefix("/") || base == nil
                ? URL(fileURLWithPath: configPath) : base!.appendingPathComponent(configPath)
            let data: Data
            do { data = try BoundedFile.read(url.path, limit: BoundedFile.configLimit) } catch {
                throw Failure(description: "model config: \(error)")
            }
            do { return try HFConfig.architecture(id: id.isEmpty ? url.lastPathComponent : id, json: data) } catch {
                throw Failure(description: "\(error)")
            }
        }
        if let model = catalog.model(named: id) { return model.architecture }
        guard allowHub, id.contains("/") else {
            throw Failure(description: "\(CatalogError.unknownModel(id, suggestion: catalog.suggestion(for: id)))")
        }
        return try fetchFromHub(id, revision: revision)
    }

    /// Bounds on a Hub answer: a config.json is kilobytes, so 16 MB, 20 s idle, 60 s in all.
    static let hubLimits = TransferLimits(maxBodyBytes: BoundedFile.configLimit, idleTimeout: 20, totalTimeout: 60)

    /// Fetches `config.json` from the Hub (HF_TOKEN for gated models), cached on disk. Redirects to
    /// another origin (the Hub's CDN) are followed without the token; every message is redacted.
    /// `revision` (a branch, tag or commit; `model.revision`) is the one sized: a pinned revision's
    /// config, not main's.
    public func fetchFromHub(_ id: String, revision: String? = nil) throws -> ModelArchitecture {
        let revision = revision.flatMap { $0.isEmpty || $0 == "main" ? nil : $0 }
        // Only a Hub repo id reaches the URL (no `..`, `?`, `#`, spaces or newlines in the path).
        guard id.contains("/"), StringShape.isModelID(id) else {
            throw Failure(description: "`\(StringShape.excerpt(id))` is not a valid Hugging Face model id (owner/name)")
        }
        let cache = HFConfig.cacheFileName(for: revision.map { "\(id)@\($0)" } ?? id).map {
            CatalogOverlay.defaultDirectory(environment: environment).appendingPathComponent("hf-configs").appendingPathComponent($0)
        }
        // The safetensors index beside the config (`<name>.index.json`): the checkpoint's size, when the Hub had one.
        let indexCache = cache.map { $0.deletingPathExtension().appendingPathExtension("index.json") }
        let source = "Hugging Face Hub: \(id)@\(revision ?? "main") \(SafetensorsIndex.fileName) metadata.total_size"
        if let cache, let arch = try cachedArchitecture(id, cache: cache, indexCache: indexCache, source: source) { return arch }
        let base = environment["HF_ENDPOINT"] ?? "https://huggingface.co"
        let ref = (revision ?? "main").addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "._-"))) ?? "main"
        guard let url = URL(string: "\(base)/\(id)/resolve/\(ref)/config.json") else {
            throw Failure(description: "`\(id)` is not a valid Hugging Face model id")
        }
        let token = environment["HF_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        let redact = Redactor(secrets: [token ?? ""])
        var headers: [String: String] = [:]
        if let token { headers["Authorization"] = "Bearer \(token)" }
        let response = try hubResponse(HTTPRequestData(method: "GET", url: url, headers: headers, timeout: 20), id: id, redact: redact)
        guard response.status == 200 else { throw hubFailure(response, id: id, redact: redact) }
        var arch: ModelArchitecture
        do { arch = try HFConfig.architecture(id: id, json: response.body) } catch { throw Failure(description: redact("\(error)")) }
        // Best effort: a repository without a safetensors index (one file, .bin weights) is sized
        // from its parameter count, and the plan says so.
        let index = URL(string: "\(base)/\(id)/resolve/\(ref)/\(SafetensorsIndex.fileName)").flatMap {
            try? get(HTTPRequestData(method: "GET", url: $0, headers: headers, timeout: 20))
        }
        let indexBody = index.flatMap { $0.status == 200 ? $0.body : nil }
        arch.checkpoint = indexBody.flatMap { SafetensorsIndex.checkpointSize(json: $0, source: source) }
        if let cache {
            try? FileManager.default.createDirectory(at: cache.deletingLastPathComponent(), withIntermediateDirectories: true)
            try? response.body.write(to: cache)
            if let indexCache, let indexBody, arch.checkpoint != nil { try? indexBody.write(to: indexCache) }
        }
        return arch
    }

    /// The architecture from a config fetched before (and its checkpoint size when its index was kept); nil when not cached.
    func cachedArchitecture(_ id: String, cache: URL, indexCache: URL?, source: String) throws -> ModelArchitecture? {
        let cached: Data?
        do { cached = try BoundedFile.readIfPresent(cache.path, limit: BoundedFile.configLimit) } catch {
            throw Failure(description: "cached Hub config: \(error); delete it to fetch again")
        }
        guard let cached else { return nil }
        var arch = try HFConfig.architecture(id: id, json: cached)
        if let indexCache, let index = try? BoundedFile.readIfPresent(indexCache.path, limit: BoundedFile.configLimit) {
            arch.checkpoint = SafetensorsIndex.checkpointSize(json: index, source: source)
        }
        return arch
    }

    /// The Hub's answer to the config request, whatever its status; a refused or failed transfer throws.
    func hubResponse(_ request: HTTPRequestData, id: String, redact: Redactor) throws -> HTTPResponseData {
        switch Result(catching: { try get(request) }) {
        case .success(let r): return r
        case .failure(let error as TransferError):
            throw Failure(
                description: "the Hugging Face Hub's answer for `\(id)` was refused: \(redact(error.description)); "
                    + "give the model's config.json with --config or model.config")
        case .failure(let error):
            throw Failure(
                description: "could not reach the Hugging Face Hub for `\(id)` (\(redact(error.localizedDescription))); "
                    + "offline? give the model's config.json with --config or model.config")
        }
    }

    /// What a non-200 answer to the config request means.
    func hubFailure(_ response: HTTPResponseData, id: String, redact: Redactor) -> Failure {
        switch response.status {
        case 401: return Failure(description: "`\(id)` is gated: set HF_TOKEN to a token that accepted its license")
        case 403: return Failure(description: "HF_TOKEN may not read `\(id)`: accept the model's license on the Hub first")
        case 404: return Failure(description: "no model `\(id)` on the Hugging Face Hub (check the spelling)")
        default:
            let excerpt = String(
                redact(String(decoding: response.body.prefix(65_536), as: UTF8.self))
                    .trimmingCharacters(in: .whitespacesAndNewlines).prefix(200))
            let shown = excerpt.isEmpty || excerpt.lowercased().contains("<html") ? "" : ": \(excerpt)"
            return Failure(description: "the Hub answered HTTP \(response.status) for `\(id)`\(shown)")
        }
    }
}

extension ModelResolver {
    /// One Hub request through `hub`, waited for (resolution is synchronous).
    func get(_ request: HTTPRequestData) throws -> HTTPResponseData {
        let box = ResultBox()
        let semaphore = DispatchSemaphore(value: 0)
        let done: @Sendable (Result<HTTPResponseData, any Error>) -> Void = { result in
            box.set(result)
            semaphore.signal()
        }
        if let session = hub as? URLSessionTransport {
            // Completed on a URLSession queue, so waiting here never holds a thread the answer needs.
            session.start(request, completion: done)
        } else {
            let hub = self.hub
            Task.detached {
                do { done(.success(try await hub.send(request))) } catch { done(.failure(error)) }
            }
        }
        semaphore.wait()
        guard let result = box.get() else { throw Failure(description: "no answer from the Hub for \(request.url.path)") }
        return try result.get()
    }
}

/// Carries a transfer's result across threads.
final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Result<HTTPResponseData, any Error>?
    func set(_ result: Result<HTTPResponseData, any Error>) { lock.lock(); value = result; lock.unlock() }
    func get() -> Result<HTTPResponseData, any Error>? { lock.lock(); defer { lock.unlock() }; return value }
}
