/// A `diff -u`-style unified diff of two texts (longest common subsequence of lines, three lines of
/// context), for golden-file mismatches: the failure shows what changed, not just that something did.
enum UnifiedDiff {
    /// The diff's lines, at most `limit` of them (then a line saying how many were left off); empty when equal.
    static func lines(
        expected: String, actual: String, expectedName: String = "expected", actualName: String = "actual",
        context: Int = 3, limit: Int = 60
    ) -> [String] {
        guard expected != actual else { return [] }
        let edits = script(lines(of: expected), lines(of: actual))
        var out = ["--- \(expectedName)", "+++ \(actualName)"]
        for hunk in hunks(edits, context: context) { out += render(hunk, edits) }
        if expected.hasSuffix("\n") != actual.hasSuffix("\n") {
            out.append("\\ only \(expected.hasSuffix("\n") ? expectedName : actualName) ends with a newline")
        }
        guard out.count > limit else { return out }
        return Array(out.prefix(limit)) + ["... \(out.count - limit) more diff lines"]
    }

    /// The text's lines; a final newline ends the last line rather than starting an empty one.
    static func lines(of text: String) -> [String] {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if text.hasSuffix("\n") { lines.removeLast() }
        return lines
    }

    struct Edit { let kind: Character; let text: String; let aLine: Int; let bLine: Int }

    /// The edit script: " " kept, "-" only in `a`, "+" only in `b`; line numbers are 1-based positions before each edit.
    static func script(_ a: [String], _ b: [String]) -> [Edit] {
        let n = a.count, m = b.count
        // lcs[i][j]: length of the longest common subsequence of a[i...] and b[j...].
        var lcs = Array(repeating: Array(repeating: 0, count: m + 1), count: n + 1)
        for i in stride(from: n - 1, through: 0, by: -1) {
            for j in stride(from: m - 1, through: 0, by: -1) {
                lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : max(lcs[i + 1][j], lcs[i][j + 1])
            }
        }
        var edits: [Edit] = [], i = 0, j = 0
        while i < n || j < m {
            if i < n, j < m, a[i] == b[j] {
                edits.append(Edit(kind: " ", text: a[i], aLine: i + 1, bLine: j + 1)); i += 1; j += 1
            } else if i < n, j == m || lcs[i + 1][j] >= lcs[i][j + 1] {
                edits.append(Edit(kind: "-", text: a[i], aLine: i + 1, bLine: j + 1)); i += 1
            } else {
                edits.append(Edit(kind: "+", text: b[j], aLine: i + 1, bLine: j + 1)); j += 1
            }
        }
        return edits
    }

    /// Index ranges into `edits` of each hunk: the changes plus `context` kept lines either side, merged when they touch.
    static func hunks(_ edits: [Edit], context: Int) -> [ClosedRange<Int>] {
        var ranges: [ClosedRange<Int>] = []
        for (k, e) in edits.enumerated() where e.kind != " " {
            let r = max(0, k - context)...min(edits.count - 1, k + context)
            if let last = ranges.last, r.lowerBound <= last.upperBound + 1 {
                ranges[ranges.count - 1] = last.lowerBound...max(last.upperBound, r.upperBound)
            } else {
                ranges.append(r)
            }
        }
        return ranges
    }

    static func render(_ hunk: ClosedRange<Int>, _ edits: [Edit]) -> [String] {
        let slice = edits[hunk]
        let aCount = slice.filter { $0.kind != "+" }.count, bCount = slice.filter { $0.kind != "-" }.count
        let first = edits[hunk.lowerBound]
        let aStart = aCount == 0 ? first.aLine - 1 : first.aLine, bStart = bCount == 0 ? first.bLine - 1 : first.bLine
        func range(_ start: Int, _ count: Int) -> String { count == 1 ? "\(start)" : "\(start),\(count)" }
        return ["@@ -\(range(aStart, aCount)) +\(range(bStart, bCount)) @@"] + slice.map { "\($0.kind)\($0.text)" }
    }
}
