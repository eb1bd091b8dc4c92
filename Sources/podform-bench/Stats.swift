/// Median and percentiles of absolute errors.
enum Stats {
    static func percentile(_ values: [Double], _ p: Double) -> Double {
        guard !values.isEmpty else { return .nan }
        let sorted = values.sorted()
        let rank = p * Double(sorted.count - 1)
        let low = Int(rank.rounded(.down)), high = Int(rank.rounded(.up))
        return sorted[low] + (sorted[high] - sorted[low]) * (rank - Double(low))
    }
    static func median(_ values: [Double]) -> Double { percentile(values, 0.5) }
    static func pct(_ x: Double) -> String { x.isNaN ? "n/a" : String(format: "%.1f%%", x * 100) }
}
