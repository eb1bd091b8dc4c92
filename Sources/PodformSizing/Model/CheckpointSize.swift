/// The bytes a checkpoint's weight files hold on disk, and where that figure comes from.
///
/// vLLM downloads the checkpoint as published, whatever it quantizes to while loading, so storage
/// and cold start are sized from this when it is known (`Specs/decisions.md`, D-WEIGHTS) and from
/// the parameter count otherwise.
public struct CheckpointSize: Sendable, Hashable, Codable {
    /// Bytes of the weight files vLLM loads (a safetensors index's `metadata.total_size`).
    public var bytes: Int64
    /// Where the figure comes from: the Hub file, or the catalog's source.
    public var source: String

    public init(bytes: Int64, source: String) {
        self.bytes = bytes
        self.source = source
    }

    /// The largest size believed: 100T parameters at 4 bytes.
    public static let maxBytes: Int64 = 400_000_000_000_000
}
