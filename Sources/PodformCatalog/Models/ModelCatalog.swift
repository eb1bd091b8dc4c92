import Foundation
import PodformSizing

/// A catalog model: its architecture and the published parameter count it is checked against.
public struct CatalogModel: Sendable {
    public var id: String
    public var aliases: [String]
    public var architecture: ModelArchitecture
    /// The published parameter count, when there is one.
    public var officialParameters: Int64?
    /// True when `officialParameters` is an exact published integer rather than a nominal figure.
    public var officialParametersExact: Bool
    public var officialParametersNote: String?
    public var source: String
}

/// The model catalog (`PodformCatalog/Resources/models.json`): config.json fields per model with sources.
public struct ModelCatalog: Sendable {
    public var models: [CatalogModel]

    /// Decodes a catalog file.
    public static func decode(_ data: Data) throws -> ModelCatalog {
        guard let root = try JSONSerialization.jsonObject(with: data) as? [String: Any],
            let entries = root["models"] as? [[String: Any]]
        else {
            throw CatalogError.invalidConfig("models.json must hold an object with a `models` list")
        }
        var models: [CatalogModel] = []
        for entry in entries {
            guard let id = entry["id"] as? String, let config = entry["config"] as? [String: Any] else {
                throw CatalogError.invalidConfig("models.json: an entry lacks `id` or `config`")
            }
            var arch = try HFConfig.architecture(id: id, config: config)
            // The checkpoint's files on disk, with their source, where the catalog has them.
            if let checkpoint = entry["checkpoint"] as? [String: Any] {
                guard let bytes = (checkpoint["bytes"] as? Int).map(Int64.init), bytes > 0, bytes <= CheckpointSize.maxBytes,
                    let source = checkpoint["source"] as? String, !source.isEmpty
                else {
                    throw CatalogError.invalidConfig("models.json: \(id)'s checkpoint needs whole positive `bytes` and a `source`")
                }
                arch.checkpoint = CheckpointSize(bytes: bytes, source: source)
            }
            let official =
                (entry["official_parameters"] as? Int).map(Int64.init)
                ?? (entry["official_parameters"] as? Double).map { Int64($0) }
            models.append(
                CatalogModel(
                    id: id, aliases: entry["aliases"] as? [String] ?? [], architecture: arch,
                    officialParameters: official, officialParametersExact: entry["official_parameters_exact"] as? Bool ?? false,
                    officialParametersNote: entry["official_parameters_note"] as? String, source: entry["source"] as? String ?? ""))
        }
        return ModelCatalog(models: models)
    }

    /// The catalog shipped in the package.
    public static func bundled() throws -> ModelCatalog {
        guard let url = Bundle.module.url(forResource: "models", withExtension: "json") else {
            throw CatalogError.missingResource("models.json")
        }
        return try decode(Data(contentsOf: url))
    }

    /// Finds a model by Hugging Face id (case-insensitive) or alias.
    public func model(named name: String) -> CatalogModel? {
        let key = name.lowercased()
        return models.first { $0.id.lowercased() == key } ?? models.first { $0.aliases.contains(key) }
    }

    /// The nearest id or alias, for "did you mean".
    public func suggestion(for name: String) -> String? {
        let key = name.lowercased()
        var best: (String, Int)?
        for candidate in models.flatMap({ [$0.id] + $0.aliases }) {
            let d = levenshtein(key, candidate.lowercased())
            if best == nil || d < best!.1 { best = (candidate, d) }
        }
        guard let best, best.1 <= max(3, key.count / 3) else { return nil }
        return best.0
    }

    private func levenshtein(_ a: String, _ b: String) -> Int {
        let x = Array(a), y = Array(b)
        if x.isEmpty { return y.count }
        if y.isEmpty { return x.count }
        var prev = Array(0...y.count), cur = Array(repeating: 0, count: y.count + 1)
        for i in 1...x.count {
            cur[0] = i
            for j in 1...y.count { cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1)) }
            swap(&prev, &cur)
        }
        return prev[y.count]
    }
}
