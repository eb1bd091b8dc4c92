import Foundation

/// A small printf subset (`%d`, `%@`, `%s`, `%.Nf`, `%g`, `%.Ng`, `%%`) for the compiler's messages.
///
/// Foundation's `String(format:)` goes through CoreFoundation and varargs bridging; the compiler
/// writes dozens of numbers per plan, and this keeps 1,000 plans under a second.
func fmt(_ template: String, _ args: Any...) -> String {
    var out = ""
    out.reserveCapacity(template.utf8.count + 16)
    var index = 0
    var chars = template.unicodeScalars.makeIterator()
    while let c = chars.next() {
        guard c == "%" else { out.unicodeScalars.append(c); continue }
        var precision: Int?
        var spec = chars.next()
        if spec == "." {
            var digits = 0
            spec = chars.next()
            while let d = spec, let v = Int(String(d)) { digits = digits * 10 + v; spec = chars.next() }
            precision = digits
        }
        guard let s = spec else { break }
        if s == "%" { out += "%"; continue }
        let arg: Any = index < args.count ? args[index] : ""
        index += 1
        switch s {
        case "d": out += "\(arg)"
        case "@", "s": out += "\(arg)"
        case "f": out += fixed(number(arg), precision ?? 6)
        case "g": out += general(number(arg), precision ?? 6)
        default: out += "%\(s)"
        }
    }
    return out
}

private func number(_ arg: Any) -> Double {
    switch arg {
    case let d as Double: return d
    case let i as Int: return Double(i)
    case let i as Int64: return Double(i)
    default: return .nan
    }
}

/// `%.Nf`: fixed-point with N decimals, rounding half away from zero.
func fixed(_ x: Double, _ digits: Int) -> String {
    guard x.isFinite else { return x.isNaN ? "nan" : (x > 0 ? "inf" : "-inf") }
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let scaled = (abs(x) * scale).rounded()
    guard scaled < 9e15 else { return String(x) }
    let whole = Int64(scaled)
    let negative = x < 0 && whole != 0
    let p = Int64(scale)
    var text = String(whole / p)
    if digits > 0 {
        let frac = String(whole % p)
        text += "." + String(repeating: "0", count: digits - frac.count) + frac
    }
    return negative ? "-" + text : text
}

/// `%g` / `%.Ng`: N significant digits, trailing zeros dropped.
func general(_ x: Double, _ significant: Int) -> String {
    guard x.isFinite else { return fixed(x, 0) }
    if x == 0 { return "0" }
    let magnitude = Int((log10(abs(x))).rounded(.down))
    let decimals = max(significant - 1 - magnitude, 0)
    var text = fixed(x, min(decimals, 12))
    if text.contains(".") {
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
    }
    return text
}
