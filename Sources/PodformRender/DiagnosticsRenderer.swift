import Foundation
import PodformCore

/// Renders diagnostics in the compiler format, or as JSON for bots.
public enum DiagnosticsRenderer {
    /// `path:line:col: severity: message [code]`, then the source line, a caret under the column and
    /// the hint. `sources` maps a path to its text (for the snippet); `color` adds ANSI colours.
    ///
    /// Linear in the input: each file is split into lines once and each line's snippet (at most 200
    /// characters, control characters shown as `?`) is built once, however many diagnostics point
    /// into it (70,000 on one long flow-map line used to take minutes). On a line with a
    /// `literal-secret` diagnostic every snippet stops where the first secret value starts: a
    /// secret is never echoed, not even under another diagnostic of the same line.
    public static func text(_ diagnostics: [Diagnostic], sources: [String: String], color: Bool = false) -> String {
        var out = ""
        var lineCache: [String: [Substring.UnicodeScalarView]] = [:]
        var snippets: [SnippetKey: Snippet] = [:]
        // Where the first secret value starts on each line that has one: every snippet of that line stops there.
        var secretColumns: [SnippetKey: Int] = [:]
        for d in diagnostics where d.code == "literal-secret" && d.location.line > 0 {
            let key = SnippetKey(file: d.location.file, line: d.location.line)
            secretColumns[key] = min(secretColumns[key] ?? .max, d.location.column)
        }
        for d in diagnostics {
            let loc = d.location
            let severity: String
            switch d.severity {
            case .error: severity = color ? "\u{1B}[1;31merror\u{1B}[0m" : "error"
            case .warning: severity = color ? "\u{1B}[1;33mwarning\u{1B}[0m" : "warning"
            case .note: severity = color ? "\u{1B}[1;36mnote\u{1B}[0m" : "note"
            }
            let position = loc.line > 0 ? "\(loc.file):\(loc.line):\(loc.column)" : "\(loc.file)"
            let keyPath = loc.line == 0 && !loc.keyPath.isEmpty ? " (at `\(loc.keyPath)`)" : ""
            out += "\(position): \(severity): \(d.message)\(keyPath) [\(d.code)]\n"
            if loc.line > 0, let text = sources[loc.file] {
                if lineCache[loc.file] == nil {
                    // Split on the scalar: "\r\n" is one Character, so a Character split misses CRLF lines.
                    lineCache[loc.file] = text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false)
                }
                let lines = lineCache[loc.file]!
                if loc.line <= lines.count {
                    let key = SnippetKey(file: loc.file, line: loc.line)
                    let snippet = snippets[key] ?? Snippet(Substring(lines[loc.line - 1]))
                    snippets[key] = snippet
                    let width = min(max(loc.column - 1, 0), snippet.scalars.count)
                    if let secret = secretColumns[key] {
                        let cut = min(max(secret - 1, 0), snippet.printable.count)
                        out += "    \(String(String.UnicodeScalarView(snippet.printable[..<cut])))…\n"
                    } else {
                        out += "    \(String(String.UnicodeScalarView(snippet.printable)))\n"
                    }
                    let pad = String(String.UnicodeScalarView(snippet.scalars[..<width].map { $0 == "\t" ? "\t" : " " }))
                    out += "    \(pad)\(color ? "\u{1B}[1;32m^\u{1B}[0m" : "^")\n"
                }
            }
            if let hint = d.hint { out += "    hint: \(hint)\n" }
        }
        return out
    }

    struct SnippetKey: Hashable {
        var file: String
        var line: Int
    }

    /// One source line as shown under its diagnostics, built once per line.
    struct Snippet {
        /// The line's first 200 characters (and `…`), as Unicode scalars for column arithmetic.
        var scalars: [Unicode.Scalar]
        /// The same for the terminal: tabs as spaces, `\r` dropped, other control characters as `?`.
        var printable: [Unicode.Scalar]

        init(_ raw: Substring) {
            let head = raw.prefix(201)
            let line = head.count > 200 ? String(raw.prefix(200)) + "…" : String(head)
            scalars = Array(line.unicodeScalars)
            printable = scalars.compactMap { s in
                if s == "\t" { return " " }
                if s == "\r" { return nil }
                if s.value < 0x20 || (0x7F...0x9F).contains(s.value) { return "?" }
                return s
            }
        }
    }

    /// One line per file status plus a summary line.
    public static func summary(files: Int, diagnostics: [Diagnostic]) -> String {
        let errors = diagnostics.filter { $0.severity == .error }.count
        let warnings = diagnostics.filter { $0.severity == .warning }.count
        return
            "\(files) spec\(files == 1 ? "" : "s") checked: \(errors) error\(errors == 1 ? "" : "s"), \(warnings) warning\(warnings == 1 ? "" : "s")"
    }

    struct JSONDiagnostic: Encodable {
        var file: String
        var line: Int
        var column: Int
        var key_path: String
        var severity: String
        var code: String
        var message: String
        var hint: String?
    }

    struct JSONReport: Encodable {
        var format_version = 1
        var files: [String]
        var valid: Bool
        var errors: Int
        var warnings: Int
        var diagnostics: [JSONDiagnostic]
    }

    /// The diagnostics as one JSON object with sorted keys.
    public static func json(_ diagnostics: [Diagnostic], files: [String], strict: Bool) -> String {
        let errors = diagnostics.filter { $0.severity == .error }.count
        let warnings = diagnostics.filter { $0.severity == .warning }.count
        let report = JSONReport(
            files: files, valid: errors == 0 && !(strict && warnings > 0), errors: errors, warnings: warnings,
            diagnostics: diagnostics.map {
                JSONDiagnostic(
                    file: $0.location.file, line: $0.location.line, column: $0.location.column,
                    key_path: $0.location.keyPath, severity: $0.severity.rawValue, code: $0.code,
                    message: $0.message, hint: $0.hint)
            })
        // Strings, integers and booleans only: encoding cannot fail.
        do { return try encodeJSON(report) } catch { preconditionFailure("a diagnostics report always encodes: \(error)") }
    }
}

/// Encodes with sorted keys and pretty printing; output is byte-stable.
///
/// - Throws: `EncodingError` for a value JSON cannot hold (a NaN or infinite number): printing `{}`
///   instead would pass for an empty plan.
public func encodeJSON<T: Encodable>(_ value: T) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(value), as: UTF8.self) + "\n"
}
