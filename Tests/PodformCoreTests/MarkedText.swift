import Foundation

/// Inline YAML with 1️⃣ 2️⃣ ... markers where diagnostics must point; the markers are stripped and
/// their 1-based line and column (in Unicode scalars) recorded.
struct MarkedText {
    let text: String
    let markers: [String: (line: Int, column: Int)]

    init(_ marked: String) {
        let names = ["1️⃣", "2️⃣", "3️⃣", "4️⃣", "5️⃣", "6️⃣", "7️⃣", "8️⃣", "9️⃣"]
        var out = ""
        var found: [String: (Int, Int)] = [:]
        var line = 1
        var column = 1
        var rest = Substring(marked)
        outer: while !rest.isEmpty {
            for name in names where rest.hasPrefix(name) {
                found[name] = (line, column)
                rest = rest.dropFirst(name.count)
                continue outer
            }
            let ch = rest.first!
            out.append(ch)
            if ch == "\n" { line += 1; column = 1 } else { column += ch.unicodeScalars.count }
            rest = rest.dropFirst()
        }
        text = out
        markers = found
    }
}
