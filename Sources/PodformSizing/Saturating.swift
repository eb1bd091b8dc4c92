/// Total arithmetic for sizes computed from numbers podform does not control (a spec, a
/// config.json, a CLI flag): results clamp to the integer range instead of trapping.
///
/// Validation bounds every input to physical maxima (`Limits`, `ModelArchitecture.problems`), so
/// realistic sizes never reach the clamp; the clamp exists so that no input, validated or not,
/// can crash sizing. Doubles are exact for the integers sizing works with (below 2^53).
public enum Saturating {
    /// The sum, clamped to `Int64`'s range.
    public static func add(_ values: Int64...) -> Int64 { values.reduce(0, plus) }

    /// The product, clamped to `Int64`'s range.
    public static func mul(_ values: Int64...) -> Int64 { values.reduce(1, times) }

    static func plus(_ a: Int64, _ b: Int64) -> Int64 {
        let (r, overflow) = a.addingReportingOverflow(b)
        return overflow ? (b > 0 ? .max : .min) : r
    }

    static func times(_ a: Int64, _ b: Int64) -> Int64 {
        let (r, overflow) = a.multipliedReportingOverflow(by: b)
        return overflow ? ((a < 0) == (b < 0) ? .max : .min) : r
    }

    /// `a - b`, clamped.
    public static func sub(_ a: Int64, _ b: Int64) -> Int64 {
        let (r, overflow) = a.subtractingReportingOverflow(b)
        return overflow ? (b < 0 ? .max : .min) : r
    }

    /// `a / b` rounded up, for positive `b` (0 when `b` is not positive); never overflows.
    public static func ceilDiv(_ a: Int64, _ b: Int64) -> Int64 {
        guard b > 0 else { return 0 }
        return a / b + (a % b > 0 ? 1 : 0)
    }
}

extension Int64 {
    /// `value` rounded toward zero and clamped to `Int64`'s range; NaN is 0.
    public init(saturating value: Double) {
        if value.isNaN {
            self = 0
        } else if value >= 9.223_372_036_854_775e18 {
            self = .max
        } else if value <= -9.223_372_036_854_775e18 {
            self = .min
        } else {
            self = Int64(value)
        }
    }
}

extension Int {
    /// `value` rounded toward zero and clamped to `Int`'s range; NaN is 0.
    public init(saturating value: Double) { self = Int(Int64(saturating: value)) }

    /// The product, clamped to `Int`'s range.
    public func timesSaturating(_ other: Int) -> Int {
        let (r, overflow) = multipliedReportingOverflow(by: other)
        return overflow ? ((self < 0) == (other < 0) ? .max : .min) : r
    }
}
