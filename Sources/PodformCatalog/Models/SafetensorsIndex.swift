import Foundation
import PodformSizing

/// A checkpoint's `model.safetensors.index.json`: the shard map vLLM 0.27.1's loader downloads
/// from (`model_loader/weight_utils.py`, `filter_duplicate_safetensors_files` keeps the files the
/// `weight_map` names) and the bytes of every tensor in it (`metadata.total_size`).
public enum SafetensorsIndex {
    /// The file vLLM and the bake steps read (`transformers` `SAFE_WEIGHTS_INDEX_NAME`).
    public static let fileName = "model.safetensors.index.json"

    /// The checkpoint size in an index file, or nil when it has none a plan can believe.
    ///
    /// `total_size` is a whole number of bytes (some writers store it as a JSON float); it must be
    /// positive and at most `CheckpointSize.maxBytes`.
    public static func checkpointSize(json data: Data, source: String) -> CheckpointSize? {
        struct Index: Decodable {
            struct Metadata: Decodable { var total_size: Double? }
            var metadata: Metadata?
        }
        guard let value = (try? JSONDecoder().decode(Index.self, from: data))?.metadata?.total_size,
            value.isFinite, value >= 1, value <= Double(CheckpointSize.maxBytes), value == value.rounded()
        else { return nil }
        return CheckpointSize(bytes: Int64(value), source: source)
    }
}
