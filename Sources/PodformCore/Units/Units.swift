import Foundation

/// Parsers for the unit-bearing scalars of the spec language (see `Specs/spec.md`, "Units").
///
/// Each returns `nil` on a malformed value; callers turn that into a `bad-unit` diagnostic.
public enum Units {
    /// Token counts: `8192`, `8k` / `8K` (x 1,024, the LLM convention for context lengths: Llama's
    /// "8k context" is 8,192 tokens), `128K`, `1M` (x 1,048,576). Decimals such as `1.5k` are
    /// accepted when they give a whole number of tokens.
    public static func tokens(_ text: String) -> Int? {
        let s = text.trimmingCharacters(in: .whitespaces)
        guard let last = s.last else { return nil }
        var multiplier = 1
        var digits = s
        switch last {
        case "k", "K": multiplier = 1024; digits = String(s.dropLast())
        case "m", "M": multiplier = 1024 * 1024; digits = String(s.dropLast())
        default: break
        }
        digits = digits.replacingOccurrences(of: "_", with: "")
        if let whole = Int(digits), whole >= 0 {
            let (product, overflow) = whole.multipliedReportingOverflow(by: multiplier)
            return overflow ? nil : product
        }
        guard multiplier > 1, let value = Double(digits), value.isFinite, value >= 0, value < 1e12 else { return nil }
        let product = value * Double(multiplier)
        guard product == product.rounded() else { return nil }
        return Int(product)
    }

    /// Byte sizes: `80GB` (10^9), `80GiB` (2^30), and KB/MB/TB, KiB/MiB/TiB. A unit is required.
    public static func bytes(_ text: String) -> Int64? {
        let s = text.trimmingCharacters(in: .whitespaces)
        let table: [(String, Double)] = [
            ("KiB", 1024), ("MiB", 1_048_576), ("GiB", 1_073_741_824), ("TiB", 1_099_511_627_776),
            ("KB", 1e3), ("MB", 1e6), ("GB", 1e9), ("TB", 1e12)
        ]
        for (unit, factor) in table where s.hasSuffix(unit) {
            let number = s.dropLast(unit.count).trimmingCharacters(in: .whitespaces)
            guard let value = Double(number), value.isFinite, value >= 0, value < 1e6 else { return nil }
            return Int64((value * factor).rounded())
        }
        return nil
    }

    /// Durations in seconds: `500ms`, `2s`, `1.5s`, `3m`, `2h`. A unit is required.
    public static func seconds(_ text: String) -> Double? {
        let s = text.trimmingCharacters(in: .whitespaces)
        let table: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        for (unit, factor) in table where s.hasSuffix(unit) {
            let number = s.dropLast(unit.count).trimmingCharacters(in: .whitespaces)
            // "ms" also ends with "s": only accept a number before the unit.
            guard let value = Double(number), value.isFinite, value >= 0, value < 1e9 else { continue }
            return value * factor
        }
        return nil
    }

    /// Money in US dollars: `2500 USD`, `2500USD`, `$2500`, or a bare number (read as USD).
    /// Money per hour: `200 USD/hour`, `$200/h`, `200 USD/hr` or `200 USD` (per hour implied).
    public static func usdPerHour(_ text: String) -> Double? {
        var s = text.trimmingCharacters(in: .whitespaces)
        for suffix in ["/hour", "/hr", "/h", " per hour"] where s.lowercased().hasSuffix(suffix) {
            s = String(s.dropLast(suffix.count))
            break
        }
        return usd(s)
    }

    /// A percentage as a fraction: `30%` -> 0.3, `12.5 %` -> 0.125 (the `%` is required).
    public static func percent(_ text: String) -> Double? {
        let t = text.trimmingCharacters(in: .whitespaces)
        guard t.hasSuffix("%"), let value = Double(t.dropLast().trimmingCharacters(in: .whitespaces)), value.isFinite else { return nil }
        return value / 100
    }

    public static func usd(_ text: String) -> Double? {
        var s = text.trimmingCharacters(in: .whitespaces)
        if s.hasPrefix("$") { s.removeFirst() }
        if s.uppercased().hasSuffix("USD") { s = String(s.dropLast(3)).trimmingCharacters(in: .whitespaces) }
        s = s.replacingOccurrences(of: ",", with: "").replacingOccurrences(of: "_", with: "")
        guard let value = Double(s), value.isFinite, value >= 0 else { return nil }
        return value
    }

    /// Parameter counts: `8.03B`, `70B`, `405M`, `1.5T`, or an integer.
    public static func parameters(_ text: String) -> Int64? {
        let s = text.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "_", with: "")
        if let whole = Int64(s), whole > 0 { return whole }
        let table: [(String, Double)] = [("T", 1e12), ("B", 1e9), ("M", 1e6), ("K", 1e3)]
        for (unit, factor) in table where s.uppercased().hasSuffix(unit) {
            guard let value = Double(s.dropLast()), value.isFinite, value > 0, value < 1e4 else { return nil }
            return Int64((value * factor).rounded())
        }
        return nil
    }
}
