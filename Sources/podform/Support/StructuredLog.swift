import Foundation
import Logging

/// A swift-log handler that writes one line per event to stdout: JSON objects with typed values
/// (numbers as numbers, booleans as booleans) or logfmt with correct quoting. The message is the
/// event name (`msg`); metadata are the fields.
struct StructuredLogHandler: LogHandler {
    enum Format: String { case json, text }

    var format: Format
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info
    /// Where lines go (stdout by default); tests capture them.
    var write: @Sendable (String) -> Void = { line in FileHandle.standardOutput.write(Data(line.utf8)) }

    init(format: Format) { self.format = format }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var fields = metadata.merging(event.metadata ?? [:]) { _, new in new }
        fields["ts"] = .string(Self.timestamp())
        fields["level"] = .string(event.level.rawValue)
        fields["msg"] = .string(event.message.description)
        write(format == .json ? Self.json(fields) : Self.logfmt(fields))
    }

    static func timestamp() -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.string(from: Date())
    }

    /// Fields first in this order, then the rest sorted.
    static let leading = ["ts", "level", "msg", "round", "spec", "spec_file", "result", "changes", "writes", "health", "health_detail"]

    static func ordered(_ fields: Logger.Metadata) -> [(String, Logger.Metadata.Value)] {
        let first = leading.compactMap { k in fields[k].map { (k, $0) } }
        let rest = fields.filter { !leading.contains($0.key) }.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        return first + rest
    }

    static func json(_ fields: Logger.Metadata) -> String {
        "{" + ordered(fields).map { "\(jsonString($0.0)):\(jsonValue($0.1))" }.joined(separator: ",") + "}\n"
    }

    static func jsonValue(_ value: Logger.Metadata.Value) -> String {
        switch value {
        case .string(let s): return jsonString(s)
        case .stringConvertible(let c):
            switch c {
            case let b as Bool: return b ? "true" : "false"
            case let i as Int: return String(i)
            case let d as Double where d.isFinite: return String(d)
            default: return jsonString(c.description)
            }
        case .array(let a): return "[" + a.map(jsonValue).joined(separator: ",") + "]"
        case .dictionary(let d): return json(d).dropLast().description
        }
    }

    static func jsonString(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || (0x7f...0x9f).contains(scalar.value) || scalar.value == 0x2028 || scalar.value == 0x2029:
                out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    static func logfmt(_ fields: Logger.Metadata) -> String {
        ordered(fields).map { "\($0.0)=\(logfmtValue($0.1))" }.joined(separator: " ") + "\n"
    }

    static func logfmtValue(_ value: Logger.Metadata.Value) -> String {
        let text: String
        switch value {
        case .string(let s): text = s
        case .stringConvertible(let c): text = c.description
        case .array(let a):
            text = a.map { v -> String in
                if case .string(let s) = v { return s }; return "\(v)"
            }.joined(separator: "; ")
        case .dictionary(let d): text = json(d).trimmingCharacters(in: .newlines)
        }
        let needsQuotes =
            text.isEmpty || text.unicodeScalars.contains { $0 == " " || $0 == "=" || $0 == "\"" || $0 == "\\" || $0.value < 0x20 || $0.value == 0x7f }
        return needsQuotes ? jsonString(text) : text
    }
}
