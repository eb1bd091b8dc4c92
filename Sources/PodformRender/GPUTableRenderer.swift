import Foundation
import PodformCatalog

/// Renders the GPU catalog as a fixed-width table.
public enum GPUTableRenderer {
    public static func text(_ gpus: [GPUType], catalog: GPUCatalog) -> String {
        func money(_ p: PricePoint?, _ format: String) -> String { p.map { String(format: format, $0.usd) + ($0.official ? "" : "*") } ?? "-" }
        let header = [
            "GPU id", "alias", "GB", "GiB(CUDA)", "TB/s", "BF16 TF", "FP8", "ECC", "link", "pool", "secure $/h", "community $/h", "flex $/s",
            "active $/s"
        ]
        var rows: [[String]] = [header]
        for g in gpus {
            rows.append([
                g.id + (g.delisted == true ? " (delisted)" : "") + (g.rocm ? " [ROCm]" : "") + (g.consumer ? " [GeForce]" : ""),
                g.aliases.first ?? "", String(format: "%.0f", g.memoryGB), String(format: "%.2f", g.cudaMemoryGiB),
                g.memoryBandwidthGBps.map { String(format: "%.2f", $0 / 1000) } ?? "-",
                g.bf16TFLOPS.map { String(format: "%.0f", $0) } ?? "-", g.fp8 ? "yes" : "no", g.ecc ? "yes" : "no",
                g.interconnect, g.serverlessPool ?? "-",
                money(g.prices.podSecurePerHour, "%.2f"), money(g.prices.podCommunityPerHour, "%.2f"),
                money(catalog.flexPerSecond(g), "%.5f"), money(catalog.activePerSecond(g), "%.5f")
            ])
        }
        var widths = Array(repeating: 0, count: header.count)
        for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        var out = ""
        for row in rows {
            out +=
                row.enumerated().map { $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces) + "\n"
        }
        out += "\nPrices as of \(catalog.asOf)" + (catalog.overlayNote.map { " (\($0))" } ?? " (bundled catalog)")
        out +=
            "; * = third-party figure, not RunPod's own. Storage: network volume $\(catalog.storage.networkVolumePerGBMonth)/GB-month, container disk $\(catalog.storage.containerDiskPerGBMonth)/GB-month.\n"
        return out
    }
}
