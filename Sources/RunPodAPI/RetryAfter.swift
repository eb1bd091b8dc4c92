import Foundation

/// Numbers of seconds from the wire, made total: a `Retry-After` header may say `-1`, `nan`,
/// `inf`, `1e308` or an HTTP date, and none of them may trap or sleep for ever.
public enum RetryAfter {
    /// The longest wait a `Retry-After` header can ask for (longer values are cut to this).
    public static let maxSeconds: Double = 60

    /// Seconds to wait from a `Retry-After` value: delta-seconds or an HTTP date (RFC 9110 §10.2.3).
    /// Negative, NaN or unreadable values are absent (`nil`); a date in the past is 0; anything
    /// over `maxSeconds` (infinity too) is `maxSeconds`.
    public static func seconds(_ header: String?, now: Date = Date()) -> Double? {
        guard let text = header?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        if let value = Double(text) {
            guard !value.isNaN, value >= 0 else { return nil }
            return min(value, maxSeconds)  // `inf` and `1e308` included
        }
        guard let date = httpDate(text) else { return nil }
        return min(max(date.timeIntervalSince(now), 0), maxSeconds)
    }

    /// An HTTP date in the preferred IMF-fixdate form, or the obsolete RFC 850 and asctime forms.
    static func httpDate(_ text: String) -> Date? {
        for format in ["EEE, dd MMM yyyy HH:mm:ss zzz", "EEEE, dd-MMM-yy HH:mm:ss zzz", "EEE MMM d HH:mm:ss yyyy"] {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "GMT")
            formatter.dateFormat = format
            if let date = formatter.date(from: text) { return date }
        }
        return nil
    }

    /// Whole seconds for a message, never trapping: `nil` for absent, negative or NaN values,
    /// `cap` (default `maxSeconds`) for larger ones.
    public static func wholeSeconds(_ value: Double?, cap: Double = maxSeconds) -> Int? {
        guard let value, !value.isNaN, value >= 0 else { return nil }
        let bounded = min(value, cap, 1e15)
        return Int(bounded.rounded(.up))
    }

    /// Nanoseconds for `Task.sleep`, never trapping: non-finite or negative values are 0, huge
    /// ones a day.
    public static func nanoseconds(_ seconds: Double) -> UInt64 {
        guard seconds.isFinite, seconds > 0 else { return 0 }
        return UInt64(min(seconds, 86_400) * 1e9)
    }
}
